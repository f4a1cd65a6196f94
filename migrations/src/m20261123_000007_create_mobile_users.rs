use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum MobileUsers {
    Table,
    Id,
    OrganizationId,
    UserId,
    DisplayName,
    Email,
    State,
    CreatedAt,
    LastSyncAt,
    DeviceInfo,
    AppVersion,
    TemporaryLicenseUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MobileUsers::Table)
                    .col(big_pk_auto(MobileUsers::Id))
                    .col(big_integer(MobileUsers::OrganizationId))
                    // The GUID the client sends, lower-case.
                    .col(string_len(MobileUsers::UserId, 36))
                    .col(string_null(MobileUsers::DisplayName))
                    .col(string_null(MobileUsers::Email))
                    .col(string_len(MobileUsers::State, 16))
                    .col(timestamp_with_time_zone(MobileUsers::CreatedAt))
                    .col(timestamp_with_time_zone_null(MobileUsers::LastSyncAt))
                    .col(string_null(MobileUsers::DeviceInfo))
                    .col(string_null(MobileUsers::AppVersion))
                    .col(timestamp_with_time_zone_null(
                        MobileUsers::TemporaryLicenseUntil,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mobile_users_organization")
                            .from(MobileUsers::Table, MobileUsers::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mobile_users_organization_user")
                    .table(MobileUsers::Table)
                    .col(MobileUsers::OrganizationId)
                    .col(MobileUsers::UserId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MobileUsers::Table).to_owned())
            .await
    }
}
