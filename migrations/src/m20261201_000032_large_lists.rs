use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

use crate::search_text::{AUDIT_ACTOR, AUDIT_TEXT, MOBILE_USER_TEXT};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Searches of the Mobile Users page (name, email, user id) and the Audit page (action,
/// target, before/after; actor) by index, as the device search does (`device_search`):
/// `pg_trgm` GIN indexes on the lower-cased text on PostgreSQL, and on SQLite a contentless
/// FTS5 trigram table (the text is not stored twice) with the organization as a token of
/// its own, kept in step by triggers that read the row back, so that each text is written
/// once, in `search_text`.
///
/// And the Mobile Users page's default order, by name, from an index: its pages seek along
/// it (`storage::SeekOrder`) instead of sorting a large organization's users each time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for searched in SEARCHED {
            for statement in searched.up(backend) {
                db.execute_unprepared(&statement).await?;
            }
        }
        // PostgreSQL reads an expression index alone (a page number typed by hand skips
        // rows without visiting them) only when it holds the columns the expression reads.
        let include = if backend == DbBackend::Postgres {
            " INCLUDE (display_name)"
        } else {
            ""
        };
        db.execute_unprepared(&format!(
            "CREATE INDEX {NAME_INDEX} ON mobile_users \
             (organization_id, (coalesce(display_name, '')), id){include}"
        ))
        .await?;
        // The Audit page's order (newest first, by time then id), whole in one index: on
        // PostgreSQL (organization, at) alone left the id to a sort of every entry.
        db.execute_unprepared("DROP INDEX idx_audit_log_organization_at")
            .await?;
        db.execute_unprepared(&format!(
            "CREATE INDEX {AUDIT_INDEX} ON audit_log (organization_id, at, id)"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        db.execute_unprepared(&format!("DROP INDEX {NAME_INDEX}"))
            .await?;
        db.execute_unprepared(&format!("DROP INDEX {AUDIT_INDEX}"))
            .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_audit_log_organization_at ON audit_log (organization_id, at)",
        )
        .await?;
        for searched in SEARCHED {
            for statement in searched.down(backend) {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }
}

const NAME_INDEX: &str = "idx_mobile_users_organization_name";
const AUDIT_INDEX: &str = "idx_audit_log_organization_at_id";

/// A table whose text is searched: each column of the search is an SQL expression over its
/// row.
struct Searched {
    table: &'static str,
    /// The SQLite FTS5 table.
    index: &'static str,
    columns: &'static [(&'static str, &'static str)],
    /// The table's columns the expressions read: changing one re-indexes the row.
    watched: &'static str,
}

const SEARCHED: [Searched; 2] = [
    Searched {
        table: "mobile_users",
        index: "mobile_users_search",
        columns: &[("text", MOBILE_USER_TEXT)],
        watched: "display_name, email, user_id, organization_id",
    },
    Searched {
        table: "audit_log",
        index: "audit_search",
        columns: &[("text", AUDIT_TEXT), ("actor", AUDIT_ACTOR)],
        watched: "action, target, \"before\", \"after\", actor, organization_id",
    },
];

impl Searched {
    fn up(&self, backend: DbBackend) -> Vec<String> {
        let Self {
            table,
            index,
            columns,
            watched,
        } = self;
        if backend == DbBackend::Postgres {
            let mut statements = vec!["CREATE EXTENSION IF NOT EXISTS pg_trgm".to_owned()];
            for (name, expression) in *columns {
                statements.push(format!(
                    "CREATE INDEX idx_{table}_{name}_trgm ON {table} \
                     USING gin ((lower({expression})) gin_trgm_ops)"
                ));
            }
            return statements;
        }
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let names = names.join(", ");
        let expressions: Vec<&str> = columns.iter().map(|(_, e)| *e).collect();
        let expressions = expressions.join(", ");
        // The organization as the token `[id]`: one FTS query finds an organization's
        // matches without visiting other organizations'.
        let fill = format!(
            "INSERT INTO {index}(rowid, {names}, organization) \
             SELECT id, {expressions}, '[' || organization_id || ']' FROM {table}"
        );
        vec![
            format!(
                "CREATE VIRTUAL TABLE {index} USING fts5({names}, organization, \
                 tokenize='trigram', content='', contentless_delete=1)"
            ),
            format!(
                "CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN \
                 {fill} WHERE id = new.id; END"
            ),
            format!(
                "CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN \
                 DELETE FROM {index} WHERE rowid = old.id; END"
            ),
            format!(
                "CREATE TRIGGER {index}_update AFTER UPDATE OF {watched} ON {table} BEGIN \
                 DELETE FROM {index} WHERE rowid = old.id; {fill} WHERE id = new.id; END"
            ),
            fill,
        ]
    }

    fn down(&self, backend: DbBackend) -> Vec<String> {
        let Self {
            table,
            index,
            columns,
            ..
        } = self;
        if backend == DbBackend::Postgres {
            return columns
                .iter()
                .map(|(name, _)| format!("DROP INDEX idx_{table}_{name}_trgm"))
                .collect();
        }
        let mut statements: Vec<String> = ["insert", "delete", "update"]
            .iter()
            .map(|trigger| format!("DROP TRIGGER {index}_{trigger}"))
            .collect();
        statements.push(format!("DROP TABLE {index}"));
        statements
    }
}
