use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The settings of docs/behaviour.md#organization-settings, one row per organization (defaults when there is none).
#[derive(DeriveIden)]
enum OrganizationSettings {
    Table,
    OrganizationId,
    AutoAssignLicenses,
    AutoFreeAfterDays,
    TemporaryLicenseDays,
    SendAssignmentNotifications,
    NotificationAddresses,
    OfflineLicensesEnabled,
    PermissionRequestEmail,
    SyncMode,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrganizationSettings::Table)
                    .col(big_integer(OrganizationSettings::OrganizationId).primary_key())
                    .col(boolean(OrganizationSettings::AutoAssignLicenses).default(false))
                    .col(integer_null(OrganizationSettings::AutoFreeAfterDays))
                    .col(integer(OrganizationSettings::TemporaryLicenseDays).default(14))
                    .col(boolean(OrganizationSettings::SendAssignmentNotifications).default(false))
                    // One address per line.
                    .col(text(OrganizationSettings::NotificationAddresses).default(""))
                    .col(boolean(OrganizationSettings::OfflineLicensesEnabled).default(false))
                    .col(string_null(OrganizationSettings::PermissionRequestEmail))
                    .col(string_len(OrganizationSettings::SyncMode, 16).default("online"))
                    .col(timestamp_with_time_zone(OrganizationSettings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organization_settings_organization")
                            .from(
                                OrganizationSettings::Table,
                                OrganizationSettings::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrganizationSettings::Table).to_owned())
            .await
    }
}
