use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Chat gateways and email profiles (docs/behaviour.md#products): small lookups whose enabled count CHAT and
/// EMAIL licences limit.
#[derive(DeriveIden)]
enum Channels {
    Table,
    Id,
    OrganizationId,
    Kind,
    Name,
    Enabled,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Channels::Table)
                    .col(big_pk_auto(Channels::Id))
                    .col(big_integer(Channels::OrganizationId))
                    .col(string_len(Channels::Kind, 16))
                    .col(string(Channels::Name))
                    .col(boolean(Channels::Enabled))
                    .col(timestamp_with_time_zone(Channels::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_channels_organization")
                            .from(Channels::Table, Channels::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_channels_organization_kind")
                    .table(Channels::Table)
                    .col(Channels::OrganizationId)
                    .col(Channels::Kind)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Channels::Table).to_owned())
            .await
    }
}
