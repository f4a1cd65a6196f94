use sea_orm_migration::{prelude::*, schema::*};

use crate::{m20261124_000021_create_clients::Clients, m20261124_000022_create_devices::Devices};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The wholesale clients assigned to a device ("Assigned Clients", docs/behaviour.md#active-devices).
#[derive(DeriveIden)]
enum DeviceClients {
    Table,
    DeviceId,
    ClientId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DeviceClients::Table)
                    .col(big_integer(DeviceClients::DeviceId))
                    .col(big_integer(DeviceClients::ClientId))
                    .primary_key(
                        Index::create()
                            .col(DeviceClients::DeviceId)
                            .col(DeviceClients::ClientId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_device_clients_device")
                            .from(DeviceClients::Table, DeviceClients::DeviceId)
                            .to(Devices::Table, Devices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_device_clients_client")
                            .from(DeviceClients::Table, DeviceClients::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_device_clients_client")
                    .table(DeviceClients::Table)
                    .col(DeviceClients::ClientId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DeviceClients::Table).to_owned())
            .await
    }
}
