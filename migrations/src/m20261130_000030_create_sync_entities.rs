use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The entities devices sync (docs/behaviour.md#mobile-sync): a name unique in the
/// organization, a label, and the fields as JSON (`[{"name", "type", "required"}]`).
#[derive(DeriveIden)]
pub enum SyncEntities {
    Table,
    Id,
    OrganizationId,
    Name,
    Label,
    Fields,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SyncEntities::Table)
                    .col(big_pk_auto(SyncEntities::Id))
                    .col(big_integer(SyncEntities::OrganizationId))
                    .col(string_len(SyncEntities::Name, 64))
                    .col(string_len(SyncEntities::Label, 120))
                    .col(text(SyncEntities::Fields))
                    .col(timestamp_with_time_zone(SyncEntities::CreatedAt))
                    .col(timestamp_with_time_zone(SyncEntities::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sync_entities_organization")
                            .from(SyncEntities::Table, SyncEntities::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sync_entities_organization_name")
                    .table(SyncEntities::Table)
                    .col(SyncEntities::OrganizationId)
                    .col(SyncEntities::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SyncEntities::Table).to_owned())
            .await
    }
}
