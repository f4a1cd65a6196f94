use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One row that `/readyz` rewrites: an instance is ready only when a write reaches the disk
/// (a full disk or a read-only database answers reads but loses writes).
#[derive(DeriveIden)]
enum Readiness {
    Table,
    Id,
    CheckedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Readiness::Table)
                    .col(big_integer(Readiness::Id).primary_key())
                    .col(timestamp_with_time_zone(Readiness::CheckedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Readiness::Table).to_owned())
            .await
    }
}
