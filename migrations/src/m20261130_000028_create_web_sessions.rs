use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Sessions of the web UI, kept on the server so that signing out, a password change or a
/// deactivation ends them on every instance; the cookie carries only the key. The key is
/// stored hashed: a copy of this table opens no session.
#[derive(DeriveIden)]
enum WebSessions {
    Table,
    KeyHash,
    AdministratorId,
    State,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebSessions::Table)
                    .col(string_len(WebSessions::KeyHash, 64).primary_key())
                    .col(big_integer_null(WebSessions::AdministratorId))
                    .col(text(WebSessions::State))
                    .col(timestamp_with_time_zone(WebSessions::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            (
                "idx_web_sessions_administrator",
                WebSessions::AdministratorId,
            ),
            ("idx_web_sessions_expires", WebSessions::ExpiresAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(WebSessions::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebSessions::Table).to_owned())
            .await
    }
}
