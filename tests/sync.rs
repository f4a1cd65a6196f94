//! `POST /api/v1/sync` (docs/behaviour.md#sync-api) over real HTTP, as devices use it:
//! results per change, idempotency, later-change-wins with device clocks corrected,
//! conflicts of each kind, paged pulls by cursor, discards, and every refusal.

mod common;

use chrono::{Duration, Utc};
use common::{
    spawn_app,
    sync::{
        ALL, actor, at, change, create, device_token, entity, fixture, guid, offline, post_sync,
        profile, push, server_fields, versions_written,
    },
};
use licensedesk::{
    app,
    domain::{access_profiles::Rights, license_check::UserState, products::Product},
    storage,
};
use serde_json::{Value, json};

#[tokio::test]
async fn a_retried_push_applies_once_and_gets_the_same_results() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let id = guid();
    let body = push(
        &f.user,
        vec![
            change(
                "create",
                &id,
                0,
                Utc::now(),
                json!({"status": "new", "hours": 2}),
            ),
            change("create", &guid(), 0, Utc::now(), json!({"hours": 1})),
        ],
    );
    let (status, first) = post_sync(&app, &f.token, &body).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["mode"], "offline");
    assert_eq!(first["results"][0]["status"], "applied");
    assert_eq!(first["results"][1]["status"], "conflict");
    assert_eq!(first["results"][1]["kind"], "required_field_missing");
    assert_eq!(first["results"][1]["fields"], json!(["status"]));

    let (status, again) = post_sync(&app, &f.token, &body).await;
    assert_eq!(status, 200);
    assert_eq!(again["results"], first["results"]);
    assert_eq!(
        versions_written(&app, &f, &id).await,
        1,
        "the retry wrote nothing"
    );
    let (log, _) = storage::sync_log::page(
        &app.db,
        f.org.id,
        &storage::sync_log::LogFilter::default(),
        0,
        50,
    )
    .await
    .unwrap();
    assert_eq!(log.len(), 1, "the conflict is logged once");
}

#[tokio::test]
async fn two_identical_pushes_through_two_instances_apply_once() {
    let app = spawn_app().await;
    let (other, _dir) = app.second_instance().await;
    let f = fixture(&app).await;
    let id = guid();
    let create_change = change("create", &id, 0, Utc::now(), json!({"status": "new"}));
    let (_, created) = post_sync(&app, &f.token, &push(&f.user, vec![create_change])).await;
    let base = created["results"][0]["version"].as_i64().unwrap();
    let changes: Vec<Value> = (0..20)
        .map(|i| change("update", &id, base, Utc::now(), json!({"hours": i})))
        .collect();
    let body = push(&f.user, changes);
    let (a, b) = tokio::join!(
        post_sync(&app, &f.token, &body),
        post_sync(&other, &f.token, &body)
    );
    assert_eq!(a.0, 200, "{}", a.1);
    assert_eq!(b.0, 200, "{}", b.1);
    assert_eq!(a.1["results"], b.1["results"]);
    assert_eq!(
        versions_written(&app, &f, &id).await,
        21,
        "one create and twenty updates, once each"
    );
}

/// Pushes that arrive together are written together (one group, one transaction), each
/// with the results it would have got alone.
#[tokio::test]
async fn thirty_pushes_at_once_through_one_instance_apply_as_if_one_by_one() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let id = guid();
    let start = Utc::now() - Duration::seconds(60);
    let created = change(
        "create",
        &id,
        0,
        start - Duration::seconds(60),
        json!({"status": "new", "hours": 100}),
    );
    let (status, reply) = post_sync(&app, &f.token, &push(&f.user, vec![created])).await;
    assert_eq!(
        (status, &reply["results"][0]["status"]),
        (200, &json!("applied"))
    );
    // The same change in every push (a device retrying on several connections), one edit
    // of its own per push a second apart, and a new record each.
    let shared = change("update", &id, 0, Utc::now(), json!({"status": "shared"}));
    let new_ids: Vec<String> = (0..30).map(|_| guid()).collect();
    let bodies: Vec<Value> = (0..30)
        .map(|i| {
            push(
                &f.user,
                vec![
                    shared.clone(),
                    change(
                        "update",
                        &id,
                        0,
                        start + Duration::seconds(i),
                        json!({"hours": i}),
                    ),
                    change(
                        "create",
                        &new_ids[i as usize],
                        0,
                        Utc::now(),
                        json!({"status": "new"}),
                    ),
                ],
            )
        })
        .collect();
    let answers =
        futures_util::future::join_all(bodies.iter().map(|b| post_sync(&app, &f.token, b))).await;

    let mut edits_applied = 0;
    for (status, answer) in &answers {
        assert_eq!(*status, 200, "{answer}");
        assert_eq!(
            answer["results"][0], answers[0].1["results"][0],
            "the shared change has one result"
        );
        assert_eq!(answer["results"][0]["status"], "applied");
        match answer["results"][1]["status"].as_str() {
            Some("applied") => edits_applied += 1,
            Some("superseded") => {}
            other => panic!("unexpected result {other:?}: {answer}"),
        }
        assert_eq!(answer["results"][2]["status"], "applied", "{answer}");
    }
    assert!(edits_applied >= 1);
    assert_eq!(
        server_fields(&app, &f, &id).await,
        json!({"status": "shared", "hours": 29}),
        "the latest edit wins whatever the order of arrival"
    );
    assert_eq!(
        versions_written(&app, &f, &id).await,
        2 + edits_applied,
        "the create, the shared change once, and each edit that won when it came"
    );
    // Every version handed out is distinct, and a pull from the start sees each record once.
    let (_, pulled) = post_sync(&app, &f.token, &push(&f.user, vec![])).await;
    let mut seen: Vec<&str> = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    seen.sort_unstable();
    let mut expected: Vec<&str> = new_ids.iter().map(String::as_str).collect();
    expected.push(&id);
    expected.sort_unstable();
    assert_eq!(seen, expected);
    let mut versions: Vec<i64> = answers
        .iter()
        .flat_map(|(_, a)| a["results"].as_array().unwrap().clone())
        .filter(|r| r["status"] == "applied")
        .filter_map(|r| r["version"].as_i64())
        .collect();
    versions.sort_unstable();
    versions.dedup();
    assert_eq!(
        versions.len(),
        1 + edits_applied + 30,
        "one version per write: the shared change, the winning edits, the creates"
    );
}

/// While another writer holds the database (SQLite's write lock; on PostgreSQL the
/// organization's version lock), the pushes waiting together are all told to try again and
/// nothing of theirs is written; sent again, they apply.
#[tokio::test]
async fn pushes_that_cannot_write_are_told_to_try_again_and_apply_when_sent_again() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let id = guid();
    create(&app, &f, &id, json!({"status": "new"})).await;
    let bodies: Vec<Value> = (0..3)
        .map(|i| {
            push(
                &f.user,
                vec![change(
                    "update",
                    &id,
                    0,
                    Utc::now(),
                    json!({"hours": i + 1}),
                )],
            )
        })
        .collect();

    let holder = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let held = if holder.get_database_backend() == sea_orm::DbBackend::Postgres {
        let txn = holder.begin().await.unwrap();
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT last_version FROM sync_counters WHERE organization_id = $1 FOR UPDATE",
            [f.org.id.into()],
        ))
        .await
        .unwrap();
        txn
    } else {
        let txn = holder
            .begin_with_options(sea_orm::TransactionOptions {
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
            .unwrap();
        txn.execute_unprepared("UPDATE sync_counters SET last_version = last_version")
            .await
            .unwrap();
        txn
    };
    let started = std::time::Instant::now();
    let answers =
        futures_util::future::join_all(bodies.iter().map(|b| post_sync(&app, &f.token, b))).await;
    for (status, answer) in &answers {
        assert_eq!(*status, 503, "{answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("try again"),
            "{answer}"
        );
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(9),
        "the pushes waited together, not one 5 s wait after another: {:?}",
        started.elapsed()
    );
    held.rollback().await.unwrap();
    assert_eq!(versions_written(&app, &f, &id).await, 1, "nothing written");

    for body in &bodies {
        let (status, answer) = post_sync(&app, &f.token, body).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["results"][0]["status"], "applied", "{answer}");
    }
    assert_eq!(versions_written(&app, &f, &id).await, 4);
}

/// Online, a device gets only its user's working set: the last ten records the user
/// touched, whatever push touched them.
#[tokio::test]
async fn online_devices_get_the_last_ten_records_their_user_touched() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let mut settings = storage::settings::get(&app.db, f.org.id).await.unwrap();
    settings.sync_mode = licensedesk::domain::settings::SyncMode::Online;
    storage::settings::save(&app.db, settings).await.unwrap();
    let a: Vec<String> = (0..8).map(|_| guid()).collect();
    let b: Vec<String> = (0..4).map(|_| guid()).collect();
    let creates = |ids: &[String]| -> Vec<Value> {
        ids.iter()
            .map(|id| change("create", id, 0, Utc::now(), json!({"status": "new"})))
            .collect()
    };
    let (status, first) = post_sync(&app, &f.token, &push(&f.user, creates(&a))).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["mode"], "online");
    let mut second = creates(&b);
    second.push(change("update", &a[0], 0, Utc::now(), json!({"hours": 3})));
    let (status, answer) = post_sync(&app, &f.token, &push(&f.user, second)).await;
    assert_eq!(status, 200, "{answer}");
    let mut set: Vec<&str> = answer["working_set"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    set.sort_unstable();
    // Touched in order: a1..a8, then b1..b4 and a1 again: a2 and a3 fell out.
    let mut expected: Vec<&str> = a[3..].iter().chain(&b).map(String::as_str).collect();
    expected.push(&a[0]);
    expected.sort_unstable();
    assert_eq!(set, expected);
    let pulled: Vec<&str> = answer["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        pulled.iter().all(|id| expected.contains(id)),
        "only working-set records are pulled: {pulled:?}"
    );
}

#[tokio::test]
async fn the_later_edit_of_a_field_wins_in_either_push_order() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let second_device = device_token(&app, &f.org, "Van 2").await;
    let bob = app.add_mobile_user(&f.org, "Bob", UserState::Enabled).await;
    for early_first in [true, false] {
        let id = guid();
        let base = create(&app, &f, &id, json!({"status": "new", "note": "x"})).await;
        let t = Utc::now() - Duration::minutes(30);
        let early = push(
            &f.user,
            vec![change(
                "update",
                &id,
                base,
                t,
                json!({"status": "early", "hours": 1}),
            )],
        );
        let late = push(
            &bob,
            vec![change(
                "update",
                &id,
                base,
                t + Duration::minutes(5),
                json!({"status": "late", "note": "bob"}),
            )],
        );
        let (first, second) = if early_first {
            ((&f.token, &early), (&second_device, &late))
        } else {
            ((&second_device, &late), (&f.token, &early))
        };
        let (_, one) = post_sync(&app, first.0, first.1).await;
        let (_, two) = post_sync(&app, second.0, second.1).await;
        let fields = server_fields(&app, &f, &id).await;
        assert_eq!(fields["status"], "late", "order {early_first}: {fields}");
        assert_eq!(fields["hours"], 1, "a different field survives: {fields}");
        assert_eq!(fields["note"], "bob");
        let early_result = if early_first { &one } else { &two };
        if !early_first {
            // The early edit arrived second: its status lost, its hours applied.
            assert_eq!(early_result["results"][0]["status"], "applied");
            assert_eq!(early_result["results"][0]["fields"], json!(["status"]));
            let (log, _) = storage::sync_log::page(
                &app.db,
                f.org.id,
                &storage::sync_log::LogFilter {
                    mobile_user_id: Some(f.user.id),
                    superseded: true,
                    ..Default::default()
                },
                0,
                10,
            )
            .await
            .unwrap();
            assert_eq!(log.len(), 1, "the lost edit is in Ann's log");
            assert_eq!(log[0].record_id, id);
        }
    }
    // An edit that lost on every field is superseded.
    let id = guid();
    let base = create(&app, &f, &id, json!({"status": "new"})).await;
    let t = Utc::now() - Duration::minutes(10);
    post_sync(
        &app,
        &second_device,
        &push(
            &bob,
            vec![change("update", &id, base, t, json!({"status": "bob"}))],
        ),
    )
    .await;
    let (_, lost) = post_sync(
        &app,
        &f.token,
        &push(
            &f.user,
            vec![change(
                "update",
                &id,
                base,
                t - Duration::minutes(1),
                json!({"status": "ann"}),
            )],
        ),
    )
    .await;
    assert_eq!(lost["results"][0]["status"], "superseded", "{lost}");
}

#[tokio::test]
async fn device_clocks_are_corrected_and_cannot_run_ahead_of_the_server() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let second_device = device_token(&app, &f.org, "Van 2").await;
    let bob = app.add_mobile_user(&f.org, "Bob", UserState::Enabled).await;
    let id = guid();
    let base = create(&app, &f, &id, json!({"status": "new"})).await;
    let now = Utc::now();

    // Bob edits ten minutes ago with a correct clock.
    post_sync(
        &app,
        &second_device,
        &push(
            &bob,
            vec![change(
                "update",
                &id,
                base,
                now - Duration::minutes(10),
                json!({"status": "bob"}),
            )],
        ),
    )
    .await;
    // Ann's clock is an hour behind: her edit five minutes ago reads 65 minutes ago.
    let behind = Duration::hours(1);
    let body = json!({"user_id": f.user.user_id, "cursor": "",
        "device_time": at(Utc::now() - behind),
        "changes": [change("update", &id, base, now - Duration::minutes(5) - behind,
                           json!({"status": "ann"}))]});
    let (_, reply) = post_sync(&app, &f.token, &body).await;
    assert_eq!(reply["results"][0]["status"], "applied", "{reply}");
    assert_eq!(server_fields(&app, &f, &id).await["status"], "ann");

    // A clock a day ahead: its changed_at is clamped to the arrival, so a server edit
    // made after the push still wins over it.
    let ahead = Duration::days(1);
    let v = reply["results"][0]["version"].as_i64().unwrap();
    let body = json!({"user_id": bob.user_id, "cursor": "",
        "changes": [change("update", &id, v, Utc::now() + ahead, json!({"note": "ahead"}))]});
    let (_, ahead_reply) = post_sync(&app, &second_device, &body).await;
    assert_eq!(ahead_reply["results"][0]["status"], "applied");
    let v = ahead_reply["results"][0]["version"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    // Ann (clock right) edits the note after that push arrived, from base v - 1.
    let (_, later) = post_sync(
        &app,
        &f.token,
        &push(
            &f.user,
            vec![change(
                "update",
                &id,
                v - 1,
                Utc::now(),
                json!({"note": "later"}),
            )],
        ),
    )
    .await;
    assert_eq!(later["results"][0]["status"], "applied", "{later}");
    assert_eq!(server_fields(&app, &f, &id).await["note"], "later");
}

#[tokio::test]
async fn one_bad_change_is_logged_and_the_rest_of_the_batch_applies() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let readonly = entity(&app, &f.org, "inspection").await;
    // Ann's own profile may read inspections but not create them.
    let inspector = profile(
        &app,
        &f.org,
        "Inspectors",
        false,
        vec![
            (f.entity.id, ALL),
            (
                readonly.id,
                Rights {
                    read: true,
                    ..Rights::default()
                },
            ),
        ],
    )
    .await;
    let user = storage::mobile_users::find_in(&app.db, f.org.id, f.user.id)
        .await
        .unwrap()
        .unwrap();
    app::access_profiles::assign(&app.db, &actor(), &user, Some(inspector))
        .await
        .unwrap();
    let mut denied = change("create", &guid(), 0, Utc::now(), json!({"status": "x"}));
    denied["entity"] = json!("inspection");
    let deleted = guid();
    create(&app, &f, &deleted, json!({"status": "new"})).await;
    let (_, gone) = post_sync(
        &app,
        &f.token,
        &push(
            &f.user,
            vec![change("delete", &deleted, 0, Utc::now(), json!({}))],
        ),
    )
    .await;
    assert_eq!(gone["results"][0]["status"], "applied");
    let (status, reply) = post_sync(
        &app,
        &f.token,
        &push(
            &f.user,
            vec![
                change("create", &guid(), 0, Utc::now(), json!({"status": "a"})),
                denied,
                change("create", &guid(), 0, Utc::now(), json!({"status": "b"})),
                change("update", &deleted, 1, Utc::now(), json!({"status": "c"})),
                change("delete", &deleted, 1, Utc::now(), json!({})),
                change(
                    "create",
                    &guid(),
                    0,
                    Utc::now(),
                    json!({"status": "d", "hours": "many"}),
                ),
            ],
        ),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    let results = reply["results"].as_array().unwrap();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "applied", "conflict", "applied", "conflict", "applied", "conflict"
        ]
    );
    assert_eq!(results[1]["kind"], "permission_denied");
    assert_eq!(
        results[1]["message"],
        "the profile Inspectors may not create inspection"
    );
    assert_eq!(results[3]["kind"], "record_deleted");
    assert_eq!(results[5]["kind"], "invalid");
    assert_eq!(results[5]["message"], "hours is a number");
    let (log, total) = storage::sync_log::page(
        &app.db,
        f.org.id,
        &storage::sync_log::LogFilter {
            mobile_user_id: Some(f.user.id),
            ..Default::default()
        },
        0,
        50,
    )
    .await
    .unwrap();
    assert_eq!(total, 3, "{log:?}");
}

#[tokio::test]
async fn ten_thousand_records_arrive_in_twenty_pages_each_once() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    // 20 pushes of 500 creates; then delete 100 of them (tombstones are pulled too).
    let mut ids = Vec::new();
    for _ in 0..20 {
        let changes: Vec<Value> = (0..500)
            .map(|i| {
                let id = guid();
                ids.push(id.clone());
                change(
                    "create",
                    &id,
                    0,
                    Utc::now(),
                    json!({"status": format!("s{i}")}),
                )
            })
            .collect();
        let (status, reply) = post_sync(&app, &f.token, &push(&f.user, changes)).await;
        assert_eq!(status, 200, "{reply}");
    }
    let deletes: Vec<Value> = ids[..100]
        .iter()
        .map(|id| change("delete", id, 0, Utc::now(), json!({})))
        .collect();
    post_sync(&app, &f.token, &push(&f.user, deletes)).await;

    // A second device of another user pulls from the start.
    let bob = app.add_mobile_user(&f.org, "Bob", UserState::Enabled).await;
    let token = device_token(&app, &f.org, "Van 2").await;
    let mut cursor = String::new();
    let mut seen = std::collections::HashMap::new();
    let mut pages = 0;
    loop {
        let (status, reply) = post_sync(
            &app,
            &token,
            &json!({"user_id": bob.user_id, "cursor": cursor, "changes": []}),
        )
        .await;
        assert_eq!(status, 200, "{reply}");
        pages += 1;
        for record in reply["changes"].as_array().unwrap() {
            let id = record["id"].as_str().unwrap().to_owned();
            assert!(
                seen.insert(id, record["deleted"].as_bool().unwrap())
                    .is_none(),
                "a record came twice"
            );
        }
        cursor = reply["cursor"].as_str().unwrap().to_owned();
        if !reply["has_more"].as_bool().unwrap() {
            break;
        }
        assert!(pages < 30);
    }
    assert_eq!(pages, 20);
    assert_eq!(seen.len(), 10_000);
    assert_eq!(seen.values().filter(|deleted| **deleted).count(), 100);
    // Nothing new: the next pull is empty.
    let (_, reply) = post_sync(
        &app,
        &token,
        &json!({"user_id": bob.user_id, "cursor": cursor}),
    )
    .await;
    assert_eq!(reply["changes"], json!([]));
}

#[tokio::test]
async fn refusals_say_why_and_apply_nothing() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let id = guid();
    let one = |user: &str| {
        json!({"user_id": user, "changes": [change("create", &id, 0, Utc::now(),
               json!({"status": "x"}))]})
    };
    // No token, an unknown token.
    let response = app
        .client
        .post(app.url("/api/v1/sync"))
        .json(&one(&f.user.user_id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let (status, reply) = post_sync(&app, &"0".repeat(64), &one(&f.user.user_id)).await;
    assert_eq!(status, 401);
    assert!(reply["error"].as_str().unwrap().contains("revoked"));
    // Who asks is decided before what was sent: a bad body with an unknown token is 401.
    let response = app
        .client
        .post(app.url("/api/v1/sync"))
        .bearer_auth("0".repeat(64))
        .header("content-type", "application/json")
        .body("{\"user_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    // A disabled user.
    let disabled = app
        .add_mobile_user(&f.org, "Dan", UserState::Disabled)
        .await;
    let (status, reply) = post_sync(&app, &f.token, &one(&disabled.user_id)).await;
    assert_eq!(status, 403, "{reply}");
    assert_eq!(reply["status"], "LICENSE: NOT FOUND");
    assert!(reply["error"].is_string());

    // Malformed JSON and fields, too much.
    let response = app
        .client
        .post(app.url("/api/v1/sync"))
        .bearer_auth(&f.token)
        .header("content-type", "application/json")
        .body("{\"user_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let mut bad = one(&f.user.user_id);
    bad["changes"][0]["op"] = json!("upsert");
    let (status, reply) = post_sync(&app, &f.token, &bad).await;
    assert_eq!(status, 400);
    assert!(
        reply["error"].as_str().unwrap().contains("changes[0]: op"),
        "{reply}"
    );
    let (status, reply) = post_sync(
        &app,
        &f.token,
        &json!({"user_id": f.user.user_id, "cursor": "not-a-cursor"}),
    )
    .await;
    assert_eq!(status, 400, "{reply}");
    let many: Vec<Value> = (0..501)
        .map(|_| change("create", &guid(), 0, Utc::now(), json!({"status": "x"})))
        .collect();
    let (status, _) = post_sync(&app, &f.token, &push(&f.user, many)).await;
    assert_eq!(status, 413);
    let huge = push(
        &f.user,
        vec![change(
            "create",
            &guid(),
            0,
            Utc::now(),
            json!({"note": "x".repeat(1024 * 1024)}),
        )],
    );
    let (status, _) = post_sync(&app, &f.token, &huge).await;
    assert_eq!(status, 413);
    assert!(
        storage::sync_records::find(&app.db, f.org.id, f.entity.id, &id)
            .await
            .unwrap()
            .is_none(),
        "nothing was applied"
    );

    // Another organization's device never sees or writes Acme's records.
    create(&app, &f, &id, json!({"status": "acme"})).await;
    let globex = app.create_organization("Globex").await;
    app.import(&app.current_key(Product::Mobile, 5, false, &[&globex], 365))
        .await;
    offline(&app, &globex).await;
    let g_entity = entity(&app, &globex, "work_order").await;
    profile(&app, &globex, "All", true, vec![(g_entity.id, ALL)]).await;
    let g_user = app
        .add_mobile_user(&globex, "Gil", UserState::Enabled)
        .await;
    let g_token = device_token(&app, &globex, "Globex van").await;
    // Acme's user id through Globex's device is a new user of Globex (the licence check
    // records unknown users), who sees nothing of Acme's.
    let (_, reply) = post_sync(&app, &g_token, &json!({"user_id": f.user.user_id})).await;
    assert_eq!(reply["changes"], json!([]), "{reply}");
    let (status, reply) = post_sync(
        &app,
        &g_token,
        &json!({"user_id": g_user.user_id, "changes": [
            change("update", &id, 1, Utc::now(), json!({"status": "globex"}))]}),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["results"][0]["kind"], "invalid", "{reply}");
    assert_eq!(reply["changes"], json!([]), "Acme's record is not pulled");
    assert_eq!(server_fields(&app, &f, &id).await["status"], "acme");
}

#[tokio::test]
async fn answers_are_compressed_for_devices_that_accept_it() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    for _ in 0..3 {
        let changes: Vec<Value> = (0..100)
            .map(|_| {
                change(
                    "create",
                    &guid(),
                    0,
                    Utc::now(),
                    json!({"status": "open", "note": "the same words again and again"}),
                )
            })
            .collect();
        post_sync(&app, &f.token, &push(&f.user, changes)).await;
    }
    // reqwest here does not decompress: read the raw answer.
    let response = app
        .client
        .post(app.url("/api/v1/sync"))
        .bearer_auth(&f.token)
        .header("accept-encoding", "gzip")
        .json(&json!({"user_id": f.user.user_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned()),
        Some("gzip".to_owned())
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "a gzip stream");
}

mod bodies {
    //! Bodies a broken or hostile client might send: each field valid, missing, or any JSON.

    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            ".{0,40}".prop_map(Value::String),
            Just(json!("2026-12-01T08:01:10Z")),
            Just(json!("work_order")),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,10}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// `valid` most of the time, else nothing or anything.
    fn field(valid: Value) -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            6 => Just(Some(valid)),
            1 => Just(None),
            2 => any_json().prop_map(Some),
        ]
    }

    fn change(id: String) -> impl Strategy<Value = Value> {
        (
            field(json!(uuid::Uuid::new_v4().to_string())),
            field(json!("work_order")),
            field(json!(id)),
            prop_oneof![
                Just(json!("create")),
                Just(json!("update")),
                Just(json!("delete")),
                any_json()
            ]
            .prop_map(Some),
            field(json!(1)),
            field(json!("2026-12-01T08:01:10Z")),
            field(json!({"status": "done", "hours": 2})),
        )
            .prop_map(|(change_id, entity, id, op, base, at, fields)| {
                let mut object = Map::new();
                for (key, value) in [
                    ("change_id", change_id),
                    ("entity", entity),
                    ("id", id),
                    ("op", op),
                    ("base_version", base),
                    ("changed_at", at),
                    ("fields", fields),
                ] {
                    if let Some(value) = value {
                        object.insert(key.to_owned(), value);
                    }
                }
                Value::Object(object)
            })
    }

    pub fn body(user_id: String, record_id: String) -> impl Strategy<Value = Value> {
        (
            field(json!(user_id)),
            field(json!("")),
            field(json!("2026-12-01T08:15:03Z")),
            prop::collection::vec(change(record_id), 0..8),
            field(json!([{"entity": "work_order", "id": "x", "op": "create"}])),
        )
            .prop_map(|(user, cursor, time, changes, pending)| {
                let mut object = Map::new();
                for (key, value) in [
                    ("user_id", user),
                    ("cursor", cursor),
                    ("device_time", time),
                    ("changes", Some(Value::Array(changes))),
                    ("pending", pending),
                ] {
                    if let Some(value) = value {
                        object.insert(key.to_owned(), value);
                    }
                }
                Value::Object(object)
            })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_body_makes_the_endpoint_fail() {
    use proptest::test_runner::{Config, TestRunner};
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let record = guid();
    create(&app, &f, &record, json!({"status": "new"})).await;
    let handle = tokio::runtime::Handle::current();
    // The runner is synchronous: it blocks this worker while the app runs on the other.
    tokio::task::block_in_place(|| {
        let mut runner = TestRunner::new(Config {
            failure_persistence: None,
            ..Config::with_cases(150)
        });
        runner
            .run(
                &bodies::body(f.user.user_id.clone(), record.clone()),
                |body| {
                    let (status, reply) = handle.block_on(post_sync(&app, &f.token, &body));
                    proptest::prop_assert!(
                        [200, 400, 413].contains(&status),
                        "{status} for {body}: {reply}"
                    );
                    if status != 200 {
                        proptest::prop_assert!(reply["error"].is_string(), "{reply}");
                    }
                    Ok(())
                },
            )
            .unwrap();
        // Raw bytes that are not JSON at all.
        let mut runner = TestRunner::new(Config {
            failure_persistence: None,
            ..Config::with_cases(50)
        });
        runner
            .run(
                &proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
                |bytes| {
                    let status = handle.block_on(async {
                        app.client
                            .post(app.url("/api/v1/sync"))
                            .bearer_auth(&f.token)
                            .header("content-type", "application/json")
                            .body(bytes)
                            .send()
                            .await
                            .unwrap()
                            .status()
                            .as_u16()
                    });
                    proptest::prop_assert!([200, 400].contains(&status), "{status}");
                    Ok(())
                },
            )
            .unwrap();
    });
}
