use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The latest signed offline licence file of an organization (docs/behaviour.md#offline-licences), kept in the database
/// so every instance serves the same one.
#[derive(DeriveIden)]
enum OfflineLicences {
    Table,
    OrganizationId,
    File,
    Users,
    IssuedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OfflineLicences::Table)
                    .col(big_integer(OfflineLicences::OrganizationId).primary_key())
                    .col(text(OfflineLicences::File))
                    .col(integer(OfflineLicences::Users))
                    .col(timestamp_with_time_zone(OfflineLicences::IssuedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_offline_licences_organization")
                            .from(OfflineLicences::Table, OfflineLicences::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OfflineLicences::Table).to_owned())
            .await
    }
}
