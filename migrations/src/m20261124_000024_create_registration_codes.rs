use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261124_000022_create_devices::Devices;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Registration codes (docs/behaviour.md#registration-codes), stored only as a keyed hash. A replaced code stays, marked,
/// so that the register API can say why it no longer works.
#[derive(DeriveIden)]
enum RegistrationCodes {
    Table,
    Id,
    DeviceId,
    CodeHash,
    ExpiresAt,
    UsedAt,
    ReplacedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RegistrationCodes::Table)
                    .col(big_pk_auto(RegistrationCodes::Id))
                    .col(big_integer(RegistrationCodes::DeviceId))
                    .col(string_len(RegistrationCodes::CodeHash, 64).unique_key())
                    .col(timestamp_with_time_zone(RegistrationCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RegistrationCodes::UsedAt))
                    .col(timestamp_with_time_zone_null(RegistrationCodes::ReplacedAt))
                    .col(timestamp_with_time_zone(RegistrationCodes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registration_codes_device")
                            .from(RegistrationCodes::Table, RegistrationCodes::DeviceId)
                            .to(Devices::Table, Devices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_registration_codes_device")
                    .table(RegistrationCodes::Table)
                    .col(RegistrationCodes::DeviceId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RegistrationCodes::Table).to_owned())
            .await
    }
}
