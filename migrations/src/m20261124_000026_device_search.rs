use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The Active Devices search finds a piece of text anywhere in a nickname, platform or app
/// version. A plain `LIKE '%…%'` reads every device of the organization (≈ 50 ms per query at
/// 100 000 devices); trigram indexes answer from the index instead:
/// - PostgreSQL: `pg_trgm` GIN indexes on the lower-cased columns, which `lower(c) LIKE`
///   uses directly (a trusted extension: the database owner may create it).
/// - SQLite: an FTS5 table with the trigram tokenizer over the same columns and the
///   organization, kept in step by triggers.
///
/// Both: an index on (organization, registered_at, changed_at): registered devices are
/// counted from it alone, and the pending ones (registered_at null) listed newest first
/// without sorting them.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
                for column in SEARCHED {
                    db.execute_unprepared(&format!(
                        "CREATE INDEX idx_devices_{column}_trgm ON devices \
                         USING gin (lower({column}) gin_trgm_ops)"
                    ))
                    .await?;
                }
            }
            _ => {
                // The organization is indexed too, as the token `[id]`, so that one FTS query
                // finds an organization's matches without visiting other organizations'.
                let columns = SEARCHED.join(", ");
                let text = SEARCHED.map(|c| format!("new.{c}")).join(", ");
                let new = format!("new.id, {text}, '[' || new.organization_id || ']'");
                db.execute_unprepared(&format!(
                    "CREATE VIRTUAL TABLE devices_search USING fts5({columns}, organization, \
                     tokenize='trigram')"
                ))
                .await?;
                let insert =
                    format!("INSERT INTO devices_search(rowid, {columns}, organization) VALUES");
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER devices_search_insert AFTER INSERT ON devices BEGIN \
                     {insert} ({new}); END"
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER devices_search_delete AFTER DELETE ON devices BEGIN \
                     DELETE FROM devices_search WHERE rowid = old.id; END",
                )
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER devices_search_update AFTER UPDATE OF {columns}, \
                     organization_id ON devices BEGIN \
                     DELETE FROM devices_search WHERE rowid = old.id; {insert} ({new}); END"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "INSERT INTO devices_search(rowid, {columns}, organization) \
                     SELECT id, {columns}, '[' || organization_id || ']' FROM devices"
                ))
                .await?;
            }
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_devices_organization_registered")
                    .table(Devices::Table)
                    .col(Devices::OrganizationId)
                    .col(Devices::RegisteredAt)
                    .col(Devices::ChangedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_devices_organization_registered")
                    .table(Devices::Table)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            for column in SEARCHED {
                db.execute_unprepared(&format!("DROP INDEX idx_devices_{column}_trgm"))
                    .await?;
            }
        } else {
            for trigger in ["insert", "delete", "update"] {
                db.execute_unprepared(&format!("DROP TRIGGER devices_search_{trigger}"))
                    .await?;
            }
            db.execute_unprepared("DROP TABLE devices_search").await?;
        }
        Ok(())
    }
}

/// The device columns the search looks into (team and licence are matched by id).
const SEARCHED: [&str; 3] = ["nickname", "platform", "app_version"];

#[derive(DeriveIden)]
enum Devices {
    Table,
    OrganizationId,
    RegisteredAt,
    ChangedAt,
}
