//! The device dialog (docs/behaviour.md#active-devices) through the pages: the Clients lookup, adding a device with
//! selected wholesale clients and a custom functionality, every refusal of the dialog (with
//! nothing saved), editing a device (also what it reported: Device, Device ID, OS Type), and
//! clients that devices still need are neither deleted nor made retail.

mod common;

use common::{TestApp, code_in, spawn_app};
use licensedesk::{
    domain::{paging::PageRequest, permissions::Role, products::Product},
    storage::{
        self,
        entities::{clients, devices, organizations},
    },
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

async fn client_named(app: &TestApp, name: &str) -> clients::Model {
    clients::Entity::find()
        .filter(clients::Column::Name.eq(name))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the client")
}

async fn device_count(app: &TestApp) -> u64 {
    devices::Entity::find().count(&app.db).await.unwrap()
}

async fn only_device(app: &TestApp, organization: &organizations::Model) -> devices::Model {
    let mut all = storage::devices::list(
        &app.db,
        organization.id,
        true,
        "",
        PageRequest::new(None, None),
    )
    .await
    .unwrap()
    .items;
    all.extend(
        storage::devices::list(
            &app.db,
            organization.id,
            false,
            "",
            PageRequest::new(None, None),
        )
        .await
        .unwrap()
        .items,
    );
    assert_eq!(all.len(), 1);
    all.remove(0)
}

/// `base` and `extra` fields.
fn with<'a>(base: &[(&'a str, &'a str)], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    base.iter().chain(extra).copied().collect()
}

/// Posts `fields` and expects the form back with `message` and nothing saved.
async fn refused(app: &TestApp, path: &str, fields: &[(&str, &str)], message: &str) {
    let before = device_count(app).await;
    let response = app.post_form(path, fields).await;
    assert_eq!(response.status(), 422, "{fields:?}");
    let page = response.text().await.unwrap();
    assert!(page.contains(message), "{message} in {page}");
    assert_eq!(device_count(app).await, before);
}

#[tokio::test]
async fn a_device_gets_selected_clients_and_a_custom_functionality() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let small = app
        .import(&app.current_key(Product::Device, 1, false, &[&acme], 365))
        .await;
    let big = app
        .import(&app.current_key(Product::Device, 5, false, &[&acme], 365))
        .await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    // Lookups, through their pages.
    assert_eq!(
        app.post_form("/areas", &[("name", "Bohemia")])
            .await
            .status(),
        303
    );
    let area = storage::lookups::all_areas(&app.db, acme.id).await.unwrap()[0].clone();
    let area_id = area.id.to_string();
    for fields in [
        [
            ("name", "North"),
            ("time_zone", "Europe/Prague"),
            ("area_id", area_id.as_str()),
        ],
        [
            ("name", "South"),
            ("time_zone", "Europe/Vienna"),
            ("area_id", ""),
        ],
    ] {
        assert_eq!(app.post_form("/teams", &fields).await.status(), 303);
    }
    for fields in [
        [
            ("name", "Rent-a-Van"),
            ("kind", "wholesale"),
            ("area_id", area_id.as_str()),
        ],
        [("name", "Fleet Co"), ("kind", "wholesale"), ("area_id", "")],
        [("name", "Walk-in"), ("kind", "retail"), ("area_id", "")],
    ] {
        assert_eq!(app.post_form("/clients", &fields).await.status(), 303);
    }
    let response = app
        .post_form("/clients", &[("name", "Fleet Co"), ("kind", "retail")])
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("already one named “Fleet Co”")
    );
    let response = app.post_form("/clients", &[("name", "Nobody Ltd")]).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("Choose whether the client is retail or wholesale."));
    assert!(
        page.contains("value=\"Nobody Ltd\""),
        "what was typed is kept"
    );
    let page = app.get_html("/clients?q=rent").await;
    assert!(page.contains("Rent-a-Van") && page.contains("Bohemia") && !page.contains("Fleet Co"));

    let teams = storage::lookups::all_teams(&app.db, acme.id).await.unwrap();
    let (north, south) = (teams[0].id.to_string(), teams[1].id.to_string());
    let rent = client_named(&app, "Rent-a-Van").await.id.to_string();
    let walk_in = client_named(&app, "Walk-in").await.id.to_string();
    let (small_id, big_id) = (small.id.to_string(), big.id.to_string());

    // The dialog offers the wholesale clients and the features.
    let form = app.get_html("/devices/new").await;
    assert!(form.contains("Rent-a-Van") && form.contains("Fleet Co") && !form.contains("Walk-in"));
    assert!(form.contains("Work orders") && form.contains("Use company settings"));

    let base: Vec<(&str, &str)> = vec![
        ("team_id", north.as_str()),
        ("license_id", small_id.as_str()),
        ("nickname", "Van 7"),
        ("client_type", "wholesale"),
        ("client_scope", "selected"),
        ("functionality", "custom"),
        ("feature", "work_orders"),
        ("feature", "inspections"),
    ];
    // Every mistake comes back with its reason, and nothing is saved.
    refused(
        &app,
        "/devices",
        &with(&base, &[]),
        "Choose at least one wholesale client, or include all clients of the team&#39;s area",
    )
    .await;
    refused(
        &app,
        "/devices",
        &with(&base, &[("client", walk_in.as_str())]),
        "a chosen client is not a wholesale client of this organization",
    )
    .await;
    let mut retail = with(&base, &[("client", rent.as_str())]);
    retail[3] = ("client_type", "retail");
    refused(
        &app,
        "/devices",
        &retail,
        "Only wholesale clients can be selected one by one",
    )
    .await;
    let mut southern = with(&base, &[("include_area", "on")]);
    southern[0] = ("team_id", south.as_str());
    refused(&app, "/devices", &southern, "team South has no area").await;
    let no_feature: Vec<_> = with(&base, &[("client", rent.as_str())])
        .into_iter()
        .filter(|(k, _)| *k != "feature")
        .collect();
    refused(
        &app,
        "/devices",
        &no_feature,
        "Choose at least one feature, or use the company settings.",
    )
    .await;

    // Saved: the selection and the features as chosen.
    let response = app
        .post_form(
            "/devices",
            &with(&base, &[("client", rent.as_str()), ("include_area", "on")]),
        )
        .await;
    assert_eq!(response.status(), 303);
    let code = code_in(&app.get_html("/devices").await);
    let van = only_device(&app, &acme).await;
    assert_eq!(van.client_type, "wholesale");
    assert!(!van.all_clients && van.include_area);
    assert_eq!(
        van.functionality.as_deref(),
        Some("inspections,work_orders")
    );
    assert_eq!(
        storage::devices::assigned_clients(&app.db, van.id)
            .await
            .unwrap(),
        vec![client_named(&app, "Rent-a-Van").await.id]
    );

    // The only seat of the small licence is taken: a second device cannot have it.
    let mut second = with(&base, &[("client", rent.as_str())]);
    second[2] = ("nickname", "Van 8");
    refused(&app, "/devices", &second, "has no free seat left").await;

    // The edit page shows what is stored, and what the device reported once registered.
    let edit = app.get_html(&format!("/devices/{}", van.id)).await;
    assert!(edit.contains("Edit device Van 7") && edit.contains("not registered yet"));
    assert!(
        edit.contains(&format!("name=\"client\" value=\"{rent}\" checked")),
        "{edit}"
    );
    assert!(
        edit.contains("value=\"work_orders\" checked")
            && edit.contains("value=\"inspections\" checked")
    );
    assert!(!edit.contains("value=\"estimates\" checked"));
    let registered = app
        .client
        .post(app.url("/api/v1/devices/register"))
        .json(&json!({
            "code": code, "device_id": "R58N-0042", "os_type": "Android 14",
            "platform": "Galaxy Tab Active5", "app_version": "5.2.1", "device_name": "Tab of van 7"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 200);
    let edit = app.get_html(&format!("/devices/{}", van.id)).await;
    assert!(
        edit.contains("R58N-0042") && edit.contains("Android 14") && edit.contains("Tab of van 7")
    );

    // A client a device needs is neither deleted nor made retail.
    let rent_id = client_named(&app, "Rent-a-Van").await.id;
    app.post_form(&format!("/clients/{rent_id}/delete?confirmed=yes"), &[])
        .await;
    assert!(
        app.get_html("/clients")
            .await
            .contains("Client Rent-a-Van is assigned to 1 device(s); remove it from them first.")
    );
    let response = app
        .post_form(
            &format!("/clients/{rent_id}"),
            &[("name", "Rent-a-Van"), ("kind", "retail"), ("area_id", "")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("only wholesale clients can be")
    );

    // Edit: another name, zone and licence; all clients; the company settings.
    let response = app
        .post_form(
            &format!("/devices/{}", van.id),
            &[
                ("team_id", north.as_str()),
                ("time_zone", "America/Chicago"),
                ("license_id", big_id.as_str()),
                ("nickname", "Van 7 (spare)"),
                ("client_type", "both"),
                ("client_scope", "all"),
                ("client", rent.as_str()),
                ("functionality", "company"),
                ("feature", "photos"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = app.get_html("/devices?q=spare").await;
    assert!(page.contains("Device Van 7 (spare) saved."));
    assert!(page.contains("America/Chicago") && page.contains(&big.licence_id));
    let van = only_device(&app, &acme).await;
    assert!(van.all_clients && !van.include_area && van.functionality.is_none());
    assert_eq!(van.device_identifier.as_deref(), Some("R58N-0042"), "kept");
    assert!(
        storage::devices::assigned_clients(&app.db, van.id)
            .await
            .unwrap()
            .is_empty()
    );
    let (_, summary) = storage::devices::seats(&app.db, acme.id, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(
        (summary.total, summary.free),
        (6, 5),
        "the small licence's seat is back"
    );

    // Now the client can go.
    app.post_form(&format!("/clients/{rent_id}/delete?confirmed=yes"), &[])
        .await;
    assert!(
        app.get_html("/clients")
            .await
            .contains("Client Rent-a-Van deleted.")
    );
}

#[tokio::test]
async fn another_organizations_devices_and_clients_are_not_there() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let other = app.create_organization("Other").await;
    let theirs = storage::lookups::save_client(
        &app.db,
        other.id,
        None,
        &licensedesk::domain::lookups::ClientInput::parse("Theirs", "wholesale", "").unwrap(),
    )
    .await
    .unwrap();
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    assert!(!app.get_html("/clients").await.contains("Theirs"));
    assert!(!app.get_html("/devices/new").await.contains("Theirs"));
    for path in [
        format!("/clients/{}", theirs.id),
        "/devices/999999".to_owned(),
    ] {
        assert_eq!(app.get(&path).await.status(), 404, "{path}");
    }
    assert_eq!(
        app.post_form(&format!("/clients/{}/delete?confirmed=yes", theirs.id), &[])
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn administrators_racing_for_the_last_seats_never_take_more_than_there_are() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let licence = app
        .import(&app.current_key(Product::Device, 3, false, &[&acme], 365))
        .await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    assert_eq!(
        app.post_form("/teams", &[("name", "North"), ("time_zone", "UTC")])
            .await
            .status(),
        303
    );
    let team = storage::lookups::all_teams(&app.db, acme.id).await.unwrap()[0]
        .id
        .to_string();
    let license_id = licence.id.to_string();
    // Four devices without a licence yet.
    for n in 0..4 {
        let nickname = format!("Spare {n}");
        let fields = [("team_id", team.as_str()), ("nickname", nickname.as_str())];
        assert_eq!(app.post_form("/devices", &fields).await.status(), 303);
    }
    let spares = storage::devices::list(
        &app.db,
        acme.id,
        true,
        "spare",
        PageRequest::new(None, None),
    )
    .await
    .unwrap()
    .items;
    assert_eq!(spares.len(), 4);

    // Six new devices and the four spares all want one of the three seats at once.
    let names: Vec<String> = (0..6).map(|n| format!("Van {n}")).collect();
    let creates = names.iter().map(|name| {
        let fields = vec![
            ("team_id", team.clone()),
            ("license_id", license_id.clone()),
            ("nickname", name.clone()),
        ];
        (String::from("/devices"), fields)
    });
    let edits = spares.iter().map(|spare| {
        let fields = vec![
            ("team_id", team.clone()),
            ("license_id", license_id.clone()),
            ("nickname", spare.nickname.clone()),
        ];
        (format!("/devices/{}", spare.id), fields)
    });
    let requests: Vec<(String, Vec<(&str, String)>)> = creates.chain(edits).collect();
    let statuses = futures_util::future::join_all(requests.iter().map(|(path, fields)| async {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = app.post_form(path, &fields).await;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        (status, body)
    }))
    .await;
    let taken = statuses.iter().filter(|(status, _)| *status == 303).count();
    assert_eq!(
        taken,
        3,
        "{:?}",
        statuses.iter().map(|s| s.0).collect::<Vec<_>>()
    );
    for (status, body) in &statuses {
        if *status != 303 {
            assert_eq!(*status, 422);
            assert!(body.contains("has no free seat left"), "{body}");
        }
    }
    assert_eq!(
        storage::devices::seats_used(&app.db, acme.id, licence.id)
            .await
            .unwrap(),
        3
    );
}
