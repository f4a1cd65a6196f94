use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// PostgreSQL: leave a fifth of each page of `mobile_users` free, so that the last-sync
/// bookkeeping (thousands of rows a second at the start of a shift, none of them indexed
/// columns) updates rows in place (HOT) instead of touching every index. SQLite updates in
/// place anyway.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE mobile_users SET (fillfactor = 80)")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE mobile_users RESET (fillfactor)")
                .await?;
        }
        Ok(())
    }
}
