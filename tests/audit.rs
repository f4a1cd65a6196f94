//! The audit log kept in bounds (issue 14, point 3): entries past the retention are pruned
//! in batches and the prune is itself audited; Export CSV streams every entry a filter keeps,
//! newest first, for archiving — only the administrator's own organization's.

mod common;

use chrono::{Duration, Utc};
use common::spawn_app;
use licensedesk::{domain::permissions::Role, storage::entities::audit_log};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// `count` entries of `organization`, written `days_ago` days ago, targets "<label> <n>".
async fn write_entries(
    db: &sea_orm::DatabaseConnection,
    organization: Option<i64>,
    label: &str,
    count: usize,
    days_ago: i64,
) {
    let at = Utc::now() - Duration::days(days_ago);
    let entries: Vec<audit_log::ActiveModel> = (0..count)
        .map(|n| audit_log::ActiveModel {
            at: Set(at + Duration::milliseconds(n as i64)),
            organization_id: Set(organization),
            actor_id: Set(None),
            actor: Set("test".to_owned()),
            action: Set("team.update".to_owned()),
            target: Set(format!("{label} {n}")),
            before: Set(Some(r#"{"name":"old"}"#.to_owned())),
            after: Set(Some(r#"{"name":"new"}"#.to_owned())),
            ..Default::default()
        })
        .collect();
    for chunk in entries.chunks(500) {
        audit_log::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
}

async fn entries_named(db: &sea_orm::DatabaseConnection, label: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Target.starts_with(format!("{label} ")))
        .count(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn entries_past_the_retention_are_pruned_in_batches_and_the_prune_is_audited() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    // More than one batch of old entries, and recent ones.
    write_entries(&app.db, Some(acme.id), "old", 5_300, 40).await;
    write_entries(&app.db, None, "old-global", 20, 31).await;
    write_entries(&app.db, Some(acme.id), "recent", 30, 29).await;

    let pruned = licensedesk::jobs::prune_audit(&app.db, Utc::now() - Duration::days(30))
        .await
        .unwrap();
    assert_eq!(pruned, 5_320);
    assert_eq!(entries_named(&app.db, "old").await, 0);
    assert_eq!(entries_named(&app.db, "old-global").await, 0);
    assert_eq!(
        entries_named(&app.db, "recent").await,
        30,
        "recent ones stay"
    );
    let note = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("audit.prune"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(note.len(), 1, "one entry says what went");
    assert!(
        note[0].target.starts_with("5320 entries written before "),
        "{}",
        note[0].target
    );

    // Nothing more to prune: nothing happens, nothing is audited.
    let again = licensedesk::jobs::prune_audit(&app.db, Utc::now() - Duration::days(30))
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(
        audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("audit.prune"))
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn export_csv_streams_every_entry_of_the_filter_newest_first_and_only_ones_own() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    // More than two batches of the export.
    write_entries(&app.db, Some(acme.id), "acme", 2_345, 3).await;
    write_entries(&app.db, Some(globex.id), "globex", 7, 3).await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let page = app.get_html("/audit").await;
    assert!(page.contains("href=\"/audit/export.csv?"), "{page}");

    // An organization's admin gets their own organization's entries, whatever is asked.
    let response = app
        .get(&format!("/audit/export.csv?organization={}", globex.id))
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!(
                "filename=\"AuditLog-Acme-{}.csv\"",
                Utc::now().date_naive()
            ))
    );
    let csv = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "at",
            "organization",
            "actor",
            "action",
            "target",
            "before",
            "after",
            "id"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let acme_rows = rows.iter().filter(|r| r[4].starts_with("acme ")).count();
    assert_eq!(acme_rows, 2_345, "every entry, across batches");
    assert!(rows.iter().all(|r| !r[4].starts_with("globex ")));
    assert!(rows.iter().all(|r| &r[1] == "Acme"));
    let ids: Vec<i64> = rows.iter().map(|r| r[7].parse().unwrap()).collect();
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, each once"
    );
    let newest = rows.iter().find(|r| r[4].starts_with("acme ")).unwrap();
    assert_eq!(&newest[4], "acme 2344");
    assert!(chrono::DateTime::parse_from_rfc3339(&newest[0]).is_ok());
    assert_eq!(&newest[5], r#"{"name":"old"}"#);

    // The page's filters apply: a search, and a bad date is a clear error.
    let searched = app
        .get("/audit/export.csv?q=acme%2012")
        .await
        .text()
        .await
        .unwrap();
    let targets: Vec<String> = csv::Reader::from_reader(searched.as_bytes())
        .records()
        .map(|r| r.unwrap()[4].to_owned())
        .collect();
    assert!(!targets.is_empty() && targets.iter().all(|t| t.contains("acme 12")));
    let bad = app.get("/audit/export.csv?from=yesterday").await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("is not a date"));
}
