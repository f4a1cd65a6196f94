use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Indexes that a list's page walks without reading the rows it passes (the page's ids are
/// read first, `storage::seek_rows`):
/// - Mobile users by name, and by state then name, hold the searched columns (name, email,
///   user id): a search with tens of thousands of matches late in the name order, or a page
///   number typed by hand, is tested on index entries alone; a state filter pages through
///   that state's users in name order (before, SQLite walked every user by name to find the
///   32 Enabled ones of a million: 0.76 s), and a search within a state tests only them.
/// - Mobile users by email (holding the searched columns too) and by app version: the
///   columns the table sorts by that had no index (a sort of a million users each page: 0.17 s). Last sync has none on purpose: the
///   check writes it all day, and on PostgreSQL an indexed column takes those updates off
///   the heap-only path.
/// - Active devices: a partial index of the registered ones by last change, which counts
///   them and pages through them without reading a device. It replaces the index of all
///   devices by last change, which SQLite kept choosing instead (it read each device to
///   test it); pending devices page along (organization, registered_at, changed_at).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for statement in [
            mobile_users_index(backend, NAME_INDEX, "", "display_name"),
            format!("DROP INDEX {OLD_NAME_INDEX}"),
            mobile_users_index(backend, STATE_NAME_INDEX, "state, ", "display_name"),
            mobile_users_index(backend, EMAIL_INDEX, "", "email"),
            format!(
                "CREATE INDEX {APP_VERSION_INDEX} ON mobile_users \
                 (organization_id, (coalesce(app_version, '')), id)"
            ),
            format!(
                "CREATE INDEX {DEVICES_INDEX} ON devices (organization_id, changed_at, id) \
                 WHERE registered_at IS NOT NULL"
            ),
            format!("DROP INDEX {OLD_DEVICES_INDEX}"),
        ] {
            db.execute_unprepared(&statement).await?;
        }
        // Statistics on the new indexes at once: without them SQLite guesses, and took the
        // app-version index to read a million users for a sort by last sync (0.9 s instead
        // of 0.1 s). One statement list, so that the limit holds on the connection that
        // analyzes (a sample of each index, seconds even at millions of rows).
        db.execute_unprepared(if backend == DbBackend::Postgres {
            "ANALYZE mobile_users, devices"
        } else {
            "PRAGMA analysis_limit = 1000; ANALYZE mobile_users; ANALYZE devices"
        })
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let include = if manager.get_database_backend() == DbBackend::Postgres {
            " INCLUDE (display_name)"
        } else {
            ""
        };
        for statement in [
            format!("CREATE INDEX {OLD_DEVICES_INDEX} ON devices (organization_id, changed_at)"),
            format!("DROP INDEX {DEVICES_INDEX}"),
            format!("DROP INDEX {APP_VERSION_INDEX}"),
            format!("DROP INDEX {EMAIL_INDEX}"),
            format!("DROP INDEX {STATE_NAME_INDEX}"),
            format!(
                "CREATE INDEX {OLD_NAME_INDEX} ON mobile_users \
                 (organization_id, (coalesce(display_name, '')), id){include}"
            ),
            format!("DROP INDEX {NAME_INDEX}"),
        ] {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}

// New names, each created before the one it replaces is dropped: on SQLite another pooled
// connection, still reading from before a DROP, would see an index of the same name.
const OLD_NAME_INDEX: &str = "idx_mobile_users_organization_name";
const NAME_INDEX: &str = "idx_mobile_users_by_name";
const STATE_NAME_INDEX: &str = "idx_mobile_users_by_state_name";
const EMAIL_INDEX: &str = "idx_mobile_users_by_email";
const APP_VERSION_INDEX: &str = "idx_mobile_users_by_app_version";
const OLD_DEVICES_INDEX: &str = "idx_devices_organization_changed";
const DEVICES_INDEX: &str = "idx_devices_active_by_change";

/// An index of an organization's users in the order of `column` (after `prefix`'s columns),
/// holding the columns of `search_text::MOBILE_USER_TEXT`: on PostgreSQL as included
/// columns, on SQLite as trailing ones (it has no INCLUDE).
fn mobile_users_index(backend: DbBackend, name: &str, prefix: &str, column: &str) -> String {
    let ordered = format!("organization_id, {prefix}(coalesce({column}, '')), id");
    let held = "display_name, email, user_id";
    if backend == DbBackend::Postgres {
        format!("CREATE INDEX {name} ON mobile_users ({ordered}) INCLUDE ({held})")
    } else {
        format!("CREATE INDEX {name} ON mobile_users ({ordered}, {held})")
    }
}
