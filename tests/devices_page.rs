//! The Active Devices page end to end: an administrator adds a device for an employee, the
//! code arrives by mail on a real SMTP server, the device registers with it through the API,
//! and the page shows it active, its version in the chart and one licence less free.

mod common;

use common::{TestApp, code_in, smtp, spawn_app};
use licensedesk::{
    domain::{permissions::Role, products::Product},
    storage::{self, entities::outbox},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

async fn register(app: &TestApp, code: &str, version: &str) -> u16 {
    app.client
        .post(app.url("/api/v1/devices/register"))
        .json(&json!({
            "code": code, "device_id": "R58N-0042", "os_type": "Android",
            "platform": "Galaxy Tab Active5", "app_version": version, "device_name": "Tab"
        }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_device_added_for_an_employee_registers_with_the_mailed_code() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Device, 3, false, &[&acme], 365))
        .await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    for (path, fields) in [
        (
            "/teams",
            [("name", "North crew"), ("time_zone", "Europe/Prague")],
        ),
        (
            "/employees",
            [("name", "Eve Field"), ("email", "eve@acme.example")],
        ),
    ] {
        assert_eq!(app.post_form(path, &fields).await.status(), 303, "{path}");
    }
    let team = storage::lookups::all_teams(&app.db, acme.id).await.unwrap()[0].clone();
    let eve = storage::lookups::all_employees(&app.db, acme.id)
        .await
        .unwrap()[0]
        .clone();
    let (licences, summary) = storage::devices::seats(&app.db, acme.id, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!((summary.total, summary.free), (3, 3));

    let page = app.get_html("/devices").await;
    assert!(page.contains("Licenses Total") && page.contains("No device is waiting"));

    // A mistake keeps what was typed.
    let team_id = team.id.to_string();
    let license_id = licences[0].0.id.to_string();
    let eve_id = eve.id.to_string();
    let mut fields = vec![
        ("team_id", team_id.as_str()),
        ("license_id", license_id.as_str()),
        ("nickname", "Van 7"),
        ("expires_in", "1h"),
        ("employee", eve_id.as_str()),
        ("recipients", "dispatch@acme.example, not-an-address"),
    ];
    let response = app.post_form("/devices", &fields).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("“not-an-address” is not an email address."),
        "{page}"
    );
    assert!(page.contains("value=\"Van 7\""));

    fields[5] = ("recipients", "dispatch@acme.example");
    let response = app.post_form("/devices", &fields).await;
    assert_eq!(response.status(), 303);
    let page = app.get_html("/devices").await;
    assert!(page.contains("Registration code for Van 7:"), "{page}");
    assert!(page.contains("mailed to 2 recipients"));
    let shown = code_in(&page);
    // Shown once: the next view has only the pending row.
    let page = app.get_html("/devices").await;
    assert!(!page.contains(&shown) && page.contains("Van 7"));

    // The mail to Eve carries the same code; its body is not kept once sent.
    let mails = app.mail().wait_for(2).await;
    let to_eve = mails
        .iter()
        .find(|m| smtp::header(m, "To").contains("eve@acme.example"))
        .expect("Eve's mail");
    assert_eq!(code_in(&smtp::text_body(to_eve)), shown);
    app.wait_for_outbox_drained().await;
    let kept = outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("registration_code"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|m| !m.body_text.contains(&shown)));
    // …so Resend cannot send it again: the Outbox page points to Replace instead.
    let page = app.get_html("/outbox").await;
    assert!(page.contains("Code not kept"), "{page}");
    // The mail's own page says its body was blanked, and shows no code.
    let mail = app.get_html(&format!("/outbox/{}", kept[0].id)).await;
    assert!(
        mail.contains("Its body was blanked once it was sent") && !mail.contains(&shown),
        "{mail}"
    );
    assert!(!page.contains(&format!("/outbox/{}/resend", kept[0].id)));
    app.post_form(&format!("/outbox/{}/resend", kept[0].id), &[])
        .await;
    assert!(
        app.get_html("/outbox")
            .await
            .contains("this mail cannot be sent again")
    );
    let still = outbox::Entity::find_by_id(kept[0].id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status.as_str(), "sent", "not queued again");

    // Replace: the mailed code dies, the new one works.
    let device = storage::devices::list(
        &app.db,
        acme.id,
        true,
        "",
        licensedesk::domain::paging::PageRequest::new(None, None),
    )
    .await
    .unwrap()
    .items[0]
        .clone();
    // The Replace page asks first and keeps the code's validity (it was issued for 1 hour);
    // a bad address is shown there with what was typed, and nothing is issued.
    let replace = format!("/devices/{}/replace", device.id);
    let asked = app.get_html(&replace).await;
    assert!(
        asked.contains("Replace the registration code of “Van 7”?")
            && asked.contains("stops working at once"),
        "{asked}"
    );
    assert!(asked.contains("<option value=\"1h\" selected>"), "{asked}");
    let refused = app
        .post_form(&replace, &[("expires_in", "1h"), ("recipients", "nope")])
        .await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(
        refused.contains("No new code was issued.") && refused.contains("value=\"nope\""),
        "{refused}"
    );
    app.post_form(&replace, &[("expires_in", "1h"), ("recipients", "")])
        .await;
    let page = app.get_html("/devices").await;
    assert!(page.contains("Copy code"), "the new code can be copied");
    let replacement = code_in(&page);
    assert_ne!(replacement, shown);
    assert_eq!(register(&app, &shown, "5.2.1").await, 410);
    assert_eq!(register(&app, &replacement, "5.2.1").await, 200);

    let page = app.get_html("/devices").await;
    assert!(page.contains("No device is waiting for registration."));
    assert!(page.contains("Galaxy Tab Active5") && page.contains("Europe/Prague (team)"));
    assert!(
        page.contains("5.2.1: 1 (100 %)"),
        "the version chart's legend"
    );
    let (_, summary) = storage::devices::seats(&app.db, acme.id, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(summary.free, 2);

    // On All licenses the DEVICE licence counts its device as used; Used leads to it.
    let licence = &licences[0].0;
    let page = app.get_html("/licenses").await;
    assert!(
        page.contains(&format!(
            "aria-label=\"1 used: show the devices holding licence {}\"",
            licence.licence_id
        )),
        "{page}"
    );
    let used = app.get(&format!("/licenses/{}/used", licence.id)).await;
    assert_eq!(used.status(), 303);
    let target = common::location(&used);
    assert!(app.get_html(&target).await.contains("Van 7"), "{target}");
    // A user cannot hold a DEVICE seat.
    let bob = app
        .add_mobile_user(
            &acme,
            "bob",
            licensedesk::domain::license_check::UserState::Enabled,
        )
        .await;
    app.post_form(
        &format!("/mobile-users/{}/licenses/{}", bob.id, licence.id),
        &[("assigned", "on")],
    )
    .await;
    let page = app.get_html(&format!("/mobile-users/{}", bob.id)).await;
    assert!(
        page.contains("Not assigned: MOBILE seats are given by enabling users"),
        "{page}"
    );
    let (_, summary) = storage::devices::seats(&app.db, acme.id, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(summary.free, 2, "still one seat used, by the device");

    // Search by version and by team; a miss says so.
    assert!(app.get_html("/devices?q=5.2").await.contains("Van 7"));
    assert!(app.get_html("/devices?q=north").await.contains("Van 7"));
    assert!(
        app.get_html("/devices?q=GALAXY").await.contains("Van 7"),
        "any case"
    );
    assert!(
        app.get_html("/devices?q=zzz")
            .await
            .contains("No device matches.")
    );

    // The report lists it with its version.
    let response = app.get("/devices/report").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!(
                "filename=\"DeviceReport-Acme-{}.csv\"",
                chrono::Utc::now().date_naive()
            ))
    );
    let csv = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][3], "Van 7");
    assert_eq!(&rows[0][5], "R58N-0042");
    assert_eq!(&rows[0][10], "5.2.1");
    assert_eq!(&rows[0][11], "Registered");
    // Raw values, not what the page shows: ISO times, the plain licence number, the zone.
    assert!(
        chrono::DateTime::parse_from_rfc3339(&rows[0][6]).is_ok(),
        "{}",
        &rows[0][6]
    );
    assert!(
        uuid::Uuid::parse_str(&rows[0][8]).is_ok(),
        "{}",
        &rows[0][8]
    );
    assert_eq!(&rows[0][9], "Europe/Prague");

    // Delete frees the seat.
    app.post_form(&format!("/devices/{}/delete?confirmed=yes", device.id), &[])
        .await;
    let (_, summary) = storage::devices::seats(&app.db, acme.id, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(summary.free, 3);
}

#[tokio::test]
async fn the_report_streams_every_device_across_batches() {
    use licensedesk::storage::entities::devices;
    use sea_orm::ActiveValue::Set;

    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let other = app.create_organization("Other").await;
    let txn = storage::begin_write(&app.db).await.unwrap();
    let input = licensedesk::domain::lookups::TeamInput::parse("North", "UTC", "").unwrap();
    let team = storage::lookups::save_team(&txn, acme.id, None, &input)
        .await
        .unwrap();
    let theirs = storage::lookups::save_team(&txn, other.id, None, &input)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let device = |organization_id: i64, team_id: i64, n: usize| devices::ActiveModel {
        organization_id: Set(organization_id),
        team_id: Set(team_id),
        nickname: Set(format!("Device {n}")),
        app_version: Set(Some(format!("5.{}", n % 3))),
        changed_at: Set(now),
        created_at: Set(now),
        client_type: Set("both".into()),
        all_clients: Set(true),
        include_area: Set(false),
        ..Default::default()
    };
    let ours: Vec<_> = (0..2345).map(|n| device(acme.id, team.id, n)).collect();
    for chunk in ours.chunks(500) {
        devices::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .unwrap();
    }
    devices::Entity::insert(device(other.id, theirs.id, 0))
        .exec(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();

    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    let csv = app.get("/devices/report").await.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(&reader.headers().unwrap()[0], "Team");
    let rows: Vec<String> = reader.records().map(|r| r.unwrap()[3].to_owned()).collect();
    let names: std::collections::HashSet<&str> = rows.iter().map(String::as_str).collect();
    assert_eq!(rows.len(), 2345, "none of another organization");
    assert_eq!(names.len(), 2345, "every device once");
    assert!(names.contains("Device 0") && names.contains("Device 2344"));

    // The page lists the newest hundred waiting devices and says how many more there are.
    let page = app.get_html("/devices").await;
    assert!(
        page.contains("The 100 newest are shown; 2245 more wait for registration"),
        "{page}"
    );
}

#[tokio::test]
async fn the_report_never_hands_a_spreadsheet_a_formula() {
    use licensedesk::storage::entities::devices;
    use sea_orm::ActiveValue::Set;

    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let input = licensedesk::domain::lookups::TeamInput::parse("North", "UTC", "").unwrap();
    let team = storage::lookups::save_team(&app.db, acme.id, None, &input)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    // What a device reports at registration (platform, version) arrives without a login.
    devices::Entity::insert(devices::ActiveModel {
        organization_id: Set(acme.id),
        team_id: Set(team.id),
        nickname: Set("Van 7".into()),
        platform: Set(Some("=HYPERLINK(\"http://evil.example\",\"Open\")".into())),
        os_type: Set(Some("@SUM(1+1)".into())),
        app_version: Set(Some("+1-2".into())),
        device_identifier: Set(Some("-1".into())),
        changed_at: Set(now),
        created_at: Set(now),
        client_type: Set("both".into()),
        all_clients: Set(true),
        include_area: Set(false),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap();
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let csv = app.get("/devices/report").await.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[1], "'=HYPERLINK(\"http://evil.example\",\"Open\")");
    assert_eq!(&row[2], "'@SUM(1+1)");
    assert_eq!(&row[5], "'-1");
    assert_eq!(&row[10], "'+1-2");
    assert!(
        csv.lines().all(|line| line.starts_with('"')),
        "every cell quoted"
    );
}
