//! Every migration has a working `down`: the whole schema goes down and comes back up.

mod common;

use migrations::{Migrator, MigratorTrait};

#[tokio::test]
async fn every_migration_goes_down_and_up_again() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(dir.path()).await;
    let db = licensedesk::storage::connect(&url).await.unwrap();
    let applied = Migrator::get_applied_migrations(&db).await.unwrap().len();
    assert_eq!(applied, Migrator::migrations().len());

    Migrator::down(&db, None).await.expect("every down works");
    assert!(
        Migrator::get_applied_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
    Migrator::up(&db, None).await.expect("and up again");
    assert_eq!(
        Migrator::get_applied_migrations(&db).await.unwrap().len(),
        applied
    );
}
