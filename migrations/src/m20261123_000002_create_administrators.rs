use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Administrators {
    Table,
    Id,
    OrganizationId,
    Email,
    DisplayName,
    PasswordHash,
    Role,
    Active,
    Notify,
    SessionEpoch,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Administrators::Table)
                    .col(big_pk_auto(Administrators::Id))
                    // NULL for operators, who are global.
                    .col(big_integer_null(Administrators::OrganizationId))
                    // Stored lower-case: unique case-insensitively on every engine.
                    .col(string_uniq(Administrators::Email))
                    .col(string(Administrators::DisplayName))
                    // NULL until the administrator sets a password from the welcome mail.
                    .col(string_null(Administrators::PasswordHash))
                    .col(string_len(Administrators::Role, 16))
                    .col(boolean(Administrators::Active).default(true))
                    .col(boolean(Administrators::Notify).default(true))
                    // Bumped on password change and deactivation: older sessions stop working.
                    .col(integer(Administrators::SessionEpoch).default(0))
                    .col(timestamp_with_time_zone(Administrators::CreatedAt))
                    .col(timestamp_with_time_zone(Administrators::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_administrators_organization")
                            .from(Administrators::Table, Administrators::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_administrators_organization")
                    .table(Administrators::Table)
                    .col(Administrators::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Administrators::Table).to_owned())
            .await
    }
}
