use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Licenses {
    Table,
    Id,
    LicenceId,
    Product,
    ValidFrom,
    ValidTill,
    SeatLimit,
    Competitive,
    LicenseKey,
    IssuedAt,
    ImportedAt,
}

#[derive(DeriveIden)]
enum LicenseOrganizations {
    Table,
    LicenseId,
    OrganizationId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Licenses::Table)
                    .col(big_pk_auto(Licenses::Id))
                    // The vendor's licence id from the key: importing a key twice finds it.
                    .col(string_len_uniq(Licenses::LicenceId, 36))
                    .col(string_len(Licenses::Product, 32))
                    .col(date(Licenses::ValidFrom))
                    .col(date(Licenses::ValidTill))
                    .col(integer(Licenses::SeatLimit))
                    .col(boolean(Licenses::Competitive))
                    .col(text(Licenses::LicenseKey))
                    .col(timestamp_with_time_zone(Licenses::IssuedAt))
                    .col(timestamp_with_time_zone(Licenses::ImportedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LicenseOrganizations::Table)
                    .col(big_integer(LicenseOrganizations::LicenseId))
                    .col(big_integer(LicenseOrganizations::OrganizationId))
                    .primary_key(
                        Index::create()
                            .col(LicenseOrganizations::LicenseId)
                            .col(LicenseOrganizations::OrganizationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_organizations_license")
                            .from(LicenseOrganizations::Table, LicenseOrganizations::LicenseId)
                            .to(Licenses::Table, Licenses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_organizations_organization")
                            .from(
                                LicenseOrganizations::Table,
                                LicenseOrganizations::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_license_organizations_organization")
                    .table(LicenseOrganizations::Table)
                    .col(LicenseOrganizations::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LicenseOrganizations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Licenses::Table).to_owned())
            .await
    }
}
