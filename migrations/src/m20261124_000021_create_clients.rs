use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_organizations::Organizations, m20261124_000018_create_areas::Areas,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Clients (docs/behaviour.md#active-devices): retail or wholesale customers a device may work for.
#[derive(DeriveIden)]
pub enum Clients {
    Table,
    Id,
    OrganizationId,
    Name,
    /// `retail` or `wholesale`.
    Kind,
    AreaId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Clients::Table)
                    .col(big_pk_auto(Clients::Id))
                    .col(big_integer(Clients::OrganizationId))
                    .col(string_len(Clients::Name, 120))
                    .col(string_len(Clients::Kind, 16))
                    .col(big_integer_null(Clients::AreaId))
                    .col(timestamp_with_time_zone(Clients::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_clients_organization")
                            .from(Clients::Table, Clients::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_clients_area")
                            .from(Clients::Table, Clients::AreaId)
                            .to(Areas::Table, Areas::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_clients_organization_name")
                    .table(Clients::Table)
                    .col(Clients::OrganizationId)
                    .col(Clients::Name)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Clients::Table).to_owned())
            .await
    }
}
