use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Areas (docs/behaviour.md#active-devices): groups of clients a team works in.
#[derive(DeriveIden)]
pub enum Areas {
    Table,
    Id,
    OrganizationId,
    Name,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Areas::Table)
                    .col(big_pk_auto(Areas::Id))
                    .col(big_integer(Areas::OrganizationId))
                    .col(string_len(Areas::Name, 120))
                    .col(timestamp_with_time_zone(Areas::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_areas_organization")
                            .from(Areas::Table, Areas::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_areas_organization_name")
                    .table(Areas::Table)
                    .col(Areas::OrganizationId)
                    .col(Areas::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Areas::Table).to_owned())
            .await
    }
}
