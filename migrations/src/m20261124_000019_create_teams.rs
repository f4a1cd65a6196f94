use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_organizations::Organizations, m20261124_000018_create_areas::Areas,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Teams (docs/behaviour.md#active-devices): who uses a device, with the time zone devices default to.
#[derive(DeriveIden)]
pub enum Teams {
    Table,
    Id,
    OrganizationId,
    Name,
    /// An IANA zone name, e.g. Europe/Prague.
    TimeZone,
    AreaId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Teams::Table)
                    .col(big_pk_auto(Teams::Id))
                    .col(big_integer(Teams::OrganizationId))
                    .col(string_len(Teams::Name, 120))
                    .col(string_len(Teams::TimeZone, 64))
                    .col(big_integer_null(Teams::AreaId))
                    .col(timestamp_with_time_zone(Teams::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_teams_organization")
                            .from(Teams::Table, Teams::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_teams_area")
                            .from(Teams::Table, Teams::AreaId)
                            .to(Areas::Table, Areas::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_teams_organization_name")
                    .table(Teams::Table)
                    .col(Teams::OrganizationId)
                    .col(Teams::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Teams::Table).to_owned())
            .await
    }
}
