use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_organizations::Organizations, m20261124_000019_create_teams::Teams,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Employees (docs/behaviour.md#active-devices): who receives registration codes by mail.
#[derive(DeriveIden)]
pub enum Employees {
    Table,
    Id,
    OrganizationId,
    Name,
    Email,
    TeamId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Employees::Table)
                    .col(big_pk_auto(Employees::Id))
                    .col(big_integer(Employees::OrganizationId))
                    .col(string_len(Employees::Name, 120))
                    .col(string_len(Employees::Email, 254))
                    .col(big_integer_null(Employees::TeamId))
                    .col(timestamp_with_time_zone(Employees::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_employees_organization")
                            .from(Employees::Table, Employees::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_employees_team")
                            .from(Employees::Table, Employees::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_employees_organization_name")
                    .table(Employees::Table)
                    .col(Employees::OrganizationId)
                    .col(Employees::Name)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Employees::Table).to_owned())
            .await
    }
}
