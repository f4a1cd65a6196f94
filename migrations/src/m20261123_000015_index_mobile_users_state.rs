use sea_orm_migration::prelude::*;

use crate::m20261123_000007_create_mobile_users::MobileUsers;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_mobile_users_organization_state";

/// The state filter of the Mobile Users page and the count of Enabled users (seats).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(MobileUsers::Table)
                    .col(MobileUsers::OrganizationId)
                    .col(MobileUsers::State)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(MobileUsers::Table)
                    .to_owned(),
            )
            .await
    }
}
