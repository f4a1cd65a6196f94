use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_organizations::Organizations,
    m20261123_000008_create_licenses::Licenses, m20261124_000019_create_teams::Teams,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Devices (docs/behaviour.md#active-devices): created pending by an administrator, active once the app registered
/// with its code.
#[derive(DeriveIden)]
pub enum Devices {
    Table,
    Id,
    OrganizationId,
    TeamId,
    /// IANA zone; NULL: the team's default.
    TimeZone,
    /// The DEVICE licence whose seat the device holds ("Lic.#").
    LicenseId,
    Nickname,
    Description,
    Platform,
    OsType,
    AppVersion,
    /// What the device app calls itself (the Device column on edit).
    DeviceName,
    /// The id the app sent when it registered.
    DeviceIdentifier,
    /// SHA-256 of the token the app got at registration.
    TokenHash,
    RegisteredAt,
    ChangedAt,
    CreatedAt,
    /// `both`, `retail` or `wholesale`.
    ClientType,
    /// All clients of that type, or only the assigned ones.
    AllClients,
    IncludeArea,
    /// NULL: the company settings; else the allowed features, comma-separated.
    Functionality,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Devices::Table)
                    .col(big_pk_auto(Devices::Id))
                    .col(big_integer(Devices::OrganizationId))
                    .col(big_integer(Devices::TeamId))
                    .col(string_len_null(Devices::TimeZone, 64))
                    .col(big_integer_null(Devices::LicenseId))
                    .col(string_len(Devices::Nickname, 120))
                    .col(string_len_null(Devices::Description, 1000))
                    .col(string_len_null(Devices::Platform, 64))
                    .col(string_len_null(Devices::OsType, 64))
                    .col(string_len_null(Devices::AppVersion, 64))
                    .col(string_len_null(Devices::DeviceName, 120))
                    .col(string_len_null(Devices::DeviceIdentifier, 128))
                    .col(string_len_null(Devices::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone_null(Devices::RegisteredAt))
                    .col(timestamp_with_time_zone(Devices::ChangedAt))
                    .col(timestamp_with_time_zone(Devices::CreatedAt))
                    .col(string_len(Devices::ClientType, 16))
                    .col(boolean(Devices::AllClients))
                    .col(boolean(Devices::IncludeArea))
                    .col(string_len_null(Devices::Functionality, 1000))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_devices_organization")
                            .from(Devices::Table, Devices::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_devices_team")
                            .from(Devices::Table, Devices::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_devices_license")
                            .from(Devices::Table, Devices::LicenseId)
                            .to(Licenses::Table, Licenses::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_devices_organization_team", Devices::TeamId),
            ("idx_devices_organization_license", Devices::LicenseId),
            ("idx_devices_organization_version", Devices::AppVersion),
            // The page lists devices last changed first.
            ("idx_devices_organization_changed", Devices::ChangedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Devices::Table)
                        .col(Devices::OrganizationId)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Devices::Table).to_owned())
            .await
    }
}
