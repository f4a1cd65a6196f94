use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000008_create_licenses::Licenses;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Expiry warnings already queued: one row per licence and threshold (30, 7, 1 days), so
/// each goes out once, whichever instance notices first.
#[derive(DeriveIden)]
enum LicenseWarnings {
    Table,
    LicenseId,
    DaysBefore,
    QueuedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LicenseWarnings::Table)
                    .col(big_integer(LicenseWarnings::LicenseId))
                    .col(integer(LicenseWarnings::DaysBefore))
                    .col(timestamp_with_time_zone(LicenseWarnings::QueuedAt))
                    .primary_key(
                        Index::create()
                            .col(LicenseWarnings::LicenseId)
                            .col(LicenseWarnings::DaysBefore),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_warnings_license")
                            .from(LicenseWarnings::Table, LicenseWarnings::LicenseId)
                            .to(Licenses::Table, Licenses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LicenseWarnings::Table).to_owned())
            .await
    }
}
