use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_organizations::Organizations,
    m20261123_000007_create_mobile_users::MobileUsers,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Versions {
    UsersVersion,
    UsersResetVersion,
    Version,
}

const INDEX: &str = "idx_mobile_users_organization_version";

/// Change stamps that let every instance keep the mobile users of an organization in memory
/// and fetch only what changed: `organizations.users_version` counts changes,
/// `mobile_users.version` is the count at a row's last change, and
/// `organizations.users_reset_version` the count at the last deletion.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [Versions::UsersVersion, Versions::UsersResetVersion] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organizations::Table)
                        .add_column(big_integer(column).default(0))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(MobileUsers::Table)
                    .add_column(big_integer(Versions::Version).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(MobileUsers::Table)
                    .col(MobileUsers::OrganizationId)
                    .col(Versions::Version)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(MobileUsers::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(MobileUsers::Table)
                    .drop_column(Versions::Version)
                    .to_owned(),
            )
            .await?;
        for column in [Versions::UsersResetVersion, Versions::UsersVersion] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organizations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
