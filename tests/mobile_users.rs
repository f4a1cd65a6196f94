//! The Mobile Users page (docs/behaviour.md#mobile-users-page): listing, ADD, Enable / Disable / Delete on one row and on
//! a selection, never beyond the seats, Subscriptions totals, the trial banner, Export CSV.

mod common;

use common::{TestApp, spawn_app};
use licensedesk::domain::license_check::UserState;
use licensedesk::{
    domain::{permissions::Role, products::Product},
    storage::{self, entities::organizations},
};

async fn state_of(app: &TestApp, org: &organizations::Model, id: i64) -> Option<UserState> {
    storage::mobile_users::find_in(&app.db, org.id, id)
        .await
        .unwrap()
        .map(|u| u.state)
}

async fn post_action(app: &TestApp, fields: &[(&str, &str)]) -> String {
    let response = app.post_form("/mobile-users/action", fields).await;
    assert_eq!(response.status(), 303);
    app.get_html("/mobile-users").await
}

#[tokio::test]
async fn the_page_lists_searches_filters_sorts_and_shows_the_subscriptions() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 10, false, &[&acme], 100))
        .await;
    app.import(&app.current_key(Product::Mobile, 5, false, &[&acme], 20))
        .await;
    app.add_mobile_user(&acme, "Ann Field", UserState::Enabled)
        .await;
    app.add_mobile_user(&acme, "Bob Road", UserState::Enabled)
        .await;
    app.add_mobile_user(&acme, "Pat Pending", UserState::Pending)
        .await;
    app.add_mobile_user(&acme, "Dan Disabled", UserState::Disabled)
        .await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let page = app.get_html("/mobile-users").await;
    assert!(page.contains("1–4 of 4"));
    for (label, value) in [("Total", 15), ("Used", 2), ("Available", 13)] {
        assert!(page.contains(&format!("<span class=\"total-label\">{label}</span> <span class=\"total-value\">{value}</span>")), "{label}");
    }
    assert!(
        page.contains("Rows per page") && page.contains("value=\"50\" selected"),
        "default page size 50"
    );

    let searched = app.get_html("/mobile-users?q=road").await;
    assert!(searched.contains("Bob Road") && !searched.contains("Ann Field"));
    let pending = app.get_html("/mobile-users?state=Pending").await;
    assert!(pending.contains("Pat Pending") && pending.contains("1–1 of 1"));
    let sorted = app.get_html("/mobile-users?sort=name&dir=desc").await;
    assert!(sorted.find("Pat Pending").unwrap() < sorted.find("Ann Field").unwrap());
}

#[tokio::test]
async fn add_enables_a_user_while_a_seat_is_free_and_refuses_otherwise() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 1, false, &[&acme], 100))
        .await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let first = uuid::Uuid::new_v4().to_string().to_uppercase();
    app.post_form(
        "/mobile-users",
        &[
            ("user_id", &first),
            ("name", "Ann Field"),
            ("email", "ann@acme.example"),
        ],
    )
    .await;
    let page = app.get_html("/mobile-users").await;
    assert!(page.contains("Ann Field added and Enabled."), "{page}");
    let ann = storage::mobile_users::find_by_user_id(&app.db, acme.id, &first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ann.state, ann.email.as_deref()),
        (UserState::Enabled, Some("ann@acme.example"))
    );

    // A refusal shows the form again with the reason and what was typed.
    let refused = |fields: Vec<(&'static str, String)>, reason: &'static str| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = app.post_form("/mobile-users", &pairs).await;
            assert_eq!(response.status(), 422, "{reason}");
            let page = response.text().await.unwrap();
            assert!(page.contains(reason), "{reason}: {page}");
            for (_, value) in &fields {
                assert!(
                    page.contains(&format!("value=\"{value}\"")),
                    "{value} kept: {page}"
                );
            }
        }
    };
    let new_id = uuid::Uuid::new_v4().to_string();
    refused(
        vec![("user_id", new_id), ("name", "Nina New".to_owned())],
        "Not added: no MOBILE seat is free (1 of 1 used)",
    )
    .await;
    refused(vec![("user_id", first.clone())], "already exists").await;
    refused(
        vec![
            ("user_id", "nope".to_owned()),
            ("email", "n@acme.example".to_owned()),
        ],
        "is not a GUID",
    )
    .await;
    assert!(app.get_html("/audit").await.contains("mobile_user.create"));
}

#[tokio::test]
async fn actions_work_on_one_row_and_on_a_selection_and_never_exceed_the_seats() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 2, false, &[&acme], 100))
        .await;
    let ann = app.add_mobile_user(&acme, "Ann", UserState::Enabled).await;
    let bob = app.add_mobile_user(&acme, "Bob", UserState::Pending).await;
    let cy = app.add_mobile_user(&acme, "Cy", UserState::Disabled).await;
    let dee = app.add_mobile_user(&acme, "Dee", UserState::Disabled).await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    // One row.
    let page = post_action(&app, &[("row", &format!("disable:{}", ann.id))]).await;
    assert!(page.contains("Disabled: Ann."));
    assert_eq!(
        state_of(&app, &acme, ann.id).await,
        Some(UserState::Disabled)
    );

    // A selection of three to enable with two seats: two are enabled, one is refused.
    let ids = [bob.id, cy.id, dee.id].map(|id| id.to_string());
    let page = post_action(
        &app,
        &[
            ("action", "enable"),
            ("ids", &ids[0]),
            ("ids", &ids[1]),
            ("ids", &ids[2]),
        ],
    )
    .await;
    assert!(
        page.contains("Enabled: Bob, Cy.")
            && page.contains("Not enabled, no MOBILE seat free (2 seats): Dee."),
        "{page}"
    );

    // Bulk disable, then delete.
    let page = post_action(
        &app,
        &[("action", "disable"), ("ids", &ids[0]), ("ids", &ids[1])],
    )
    .await;
    assert!(page.contains("Disabled: Bob, Cy."));
    // Delete asks first (here without JavaScript: a page of its own), then deletes.
    let asked = app
        .post_form(
            "/mobile-users/action",
            &[("action", "delete"), ("ids", &ids[2])],
        )
        .await;
    assert_eq!(asked.status(), 200);
    let asked = asked.text().await.unwrap();
    assert!(asked.contains("Delete mobile user Dee?"), "{asked}");
    assert!(
        state_of(&app, &acme, dee.id).await.is_some(),
        "not yet deleted"
    );
    let done = app.confirm(&asked).await;
    assert_eq!(done.status(), 303);
    let page = app.get_html("/mobile-users").await;
    assert!(page.contains("Deleted: Dee."));
    assert_eq!(state_of(&app, &acme, dee.id).await, None);

    let page = post_action(&app, &[("action", "enable")]).await;
    assert!(page.contains("Select at least one user first."));
    let audit = app.get_html("/audit").await;
    for action in [
        "mobile_user.enable",
        "mobile_user.disable",
        "mobile_user.delete",
    ] {
        assert!(audit.contains(action), "{action}");
    }
}

#[tokio::test]
async fn when_seats_shrink_below_used_the_page_says_so_and_enabling_is_refused() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let today = chrono::Utc::now().date_naive();
    app.import(&app.current_key(Product::Mobile, 1, false, &[&acme], 100))
        .await;
    app.import(&app.issue_key(
        Product::Mobile,
        5,
        false,
        &[&acme],
        today - chrono::Duration::days(300),
        today - chrono::Duration::days(1),
    ))
    .await;
    app.add_mobile_user(&acme, "Ann", UserState::Enabled).await;
    app.add_mobile_user(&acme, "Bob", UserState::Enabled).await;
    let cy = app.add_mobile_user(&acme, "Cy", UserState::Pending).await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let page = app.get_html("/mobile-users").await;
    assert!(
        page.contains("2 users are Enabled but the valid MOBILE licences have 1 seats: disable 1"),
        "{page}"
    );
    assert!(page.contains(
        "<span class=\"total-label\">Available</span> <span class=\"total-value\">0</span>"
    ));
    let page = post_action(&app, &[("row", &format!("enable:{}", cy.id))]).await;
    assert!(page.contains("Not enabled, no MOBILE seat free"));
}

#[tokio::test]
async fn during_a_trial_a_banner_replaces_the_users_pane() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let mut model = acme.clone().into_active_model();
        model.trial_until = Set(Some(
            chrono::Utc::now().date_naive() + chrono::Duration::days(5),
        ));
        model.update(&app.db).await.unwrap();
    }
    app.add_mobile_user(&acme, "Ann", UserState::Pending).await;
    app.logged_in_operator().await;
    let page = app.get_html("/mobile-users").await;
    assert!(page.contains("Trial until") && page.contains("appear here when the trial ends"));
    assert!(!page.contains("id=\"users-form\""));
}

#[tokio::test]
async fn export_csv_has_the_filtered_users_and_viewers_cannot_change_anything() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let ann = app
        .add_mobile_user(&acme, "Ann Field", UserState::Enabled)
        .await;
    app.add_mobile_user(&acme, "Pat Pending", UserState::Pending)
        .await;
    app.create_administrator("vic@acme.example", Role::Viewer, Some(acme.id))
        .await;
    app.login_ok("vic@acme.example").await;

    let response = app.get("/mobile-users/export.csv?state=Enabled").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!(
                "filename=\"MobileUsers-Acme-{}.csv\"",
                chrono::Utc::now().date_naive()
            ))
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        r#""user_id","name","email","state","temporary_license_until","last_sync_at","app_version""#
    );
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with(&format!(r#""{}","Ann Field","#, ann.user_id)));

    let page = app.get_html("/mobile-users").await;
    assert!(
        !page.contains("name=\"row\""),
        "no action buttons for viewers"
    );
    let refused = app
        .post_form(
            "/mobile-users/action",
            &[("row", &format!("disable:{}", ann.id))],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Your role does not allow you to change mobile users.")
    );
    assert_eq!(
        state_of(&app, &acme, ann.id).await,
        Some(UserState::Enabled)
    );
}

async fn upload(app: &TestApp, csv: &str) -> (u16, String) {
    let token = app.csrf_token().await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("users.csv"),
    );
    let response = app
        .client
        .post(app.url(&format!("/mobile-users/import?csrf_token={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn import_csv_adds_and_updates_all_or_nothing_with_a_report() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 3, false, &[&acme], 100))
        .await;
    let ann = app.add_mobile_user(&acme, "Ann", UserState::Enabled).await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    let (new1, new2) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());

    let good = format!(
        "user_id,name,email,state\n{},Ann Field,ann@acme.example,Disabled\n{new1},Bob Road,,Enabled\n{new2},Pat,,Pending\n",
        ann.user_id
    );
    let (status, page) = upload(&app, &good).await;
    assert_eq!(status, 200);
    assert!(page.contains("Imported: 2 added, 1 updated."), "{page}");
    let ann = storage::mobile_users::find_in(&app.db, acme.id, ann.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ann.state, ann.display_name.as_deref()),
        (UserState::Disabled, Some("Ann Field"))
    );
    let bob = storage::mobile_users::find_by_user_id(&app.db, acme.id, &new1.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.state, UserState::Enabled);
    assert!(app.get_html("/audit").await.contains("mobile_user.import"));

    // One bad row: nothing is imported, every problem is reported with its line.
    let bad = format!(
        "user_id,name,email,state\n{},X,,Enabled\nnot-a-guid,Y,,\n{},Z,broken,\n",
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4()
    );
    let (status, page) = upload(&app, &bad).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Nothing was imported")
            && page.contains("<td>3</td>")
            && page.contains("<td>4</td>")
    );
    assert!(page.contains("is not a GUID") && page.contains("is not an email"));

    // More Enabled users than seats: refused as a whole.
    let too_many: String = std::iter::once("user_id,state".to_owned())
        .chain((0..5).map(|_| format!("{},Enabled", uuid::Uuid::new_v4())))
        .collect::<Vec<_>>()
        .join("\n");
    let (status, page) = upload(&app, &too_many).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("would make 6 users Enabled, but the valid MOBILE licences have 3 seats"),
        "{page}"
    );
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        storage::entities::mobile_users::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        3,
        "nothing added"
    );

    // Export and import again: everything is updated, nothing added.
    let exported = app
        .get("/mobile-users/export.csv")
        .await
        .text()
        .await
        .unwrap();
    let (status, page) = upload(&app, &exported).await;
    assert_eq!(status, 200);
    assert!(page.contains("Imported: 0 added, 3 updated."), "{page}");
}

#[tokio::test]
async fn a_formula_sent_by_a_mobile_client_is_exported_as_text() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 5, false, &[&acme], 90))
        .await;
    // No login needed to put text into the export: the licence check's <Version>.
    let user = uuid::Uuid::new_v4();
    let formula = "=cmd|' /C calc'!A0";
    let body = format!(
        "<MobileClient><Version>{formula}</Version><OrganizationId>{}</OrganizationId>\
         <OrganizationUrl>https://crm.example.com</OrganizationUrl><UserId>{user}</UserId>\
         <DeviceInfo>@SUM(1+1)</DeviceInfo></MobileClient>",
        acme.organization_id
    );
    let response = app
        .client
        .post(app.url("/api/v1/license/check"))
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let named = app.add_mobile_user(&acme, "-2+3", UserState::Enabled).await;
    app.logged_in_operator().await;
    app.post_form(
        "/organization/select",
        &[("organization", &acme.id.to_string()), ("back", "/")],
    )
    .await;

    let csv = app.get_html("/mobile-users/export.csv").await;
    assert!(
        csv.contains(&format!(r#""'{formula}""#)),
        "the version is prefixed with a quote: {csv}"
    );
    assert!(csv.contains(r#""'-2+3""#), "so is a name: {csv}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "cell {cell:?} would run as a formula"
            );
        }
    }
    drop(named);
}

#[tokio::test]
async fn a_bulk_action_returns_to_the_same_search_and_page() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 50, false, &[&acme], 90))
        .await;
    let mut schmidts = Vec::new();
    for i in 0..3 {
        schmidts.push(
            app.add_mobile_user(&acme, &format!("Schmidt {i}"), UserState::Enabled)
                .await,
        );
    }
    app.add_mobile_user(&acme, "Other Person", UserState::Enabled)
        .await;
    app.logged_in_operator().await;
    app.post_form(
        "/organization/select",
        &[("organization", &acme.id.to_string()), ("back", "/")],
    )
    .await;

    let page = app
        .get_html("/mobile-users?q=Schmidt&sort=name&dir=desc")
        .await;
    assert!(page.contains("data-select-all=\"ids\""), "a select-all box");
    let back = page
        .split("id=\"users-form\"")
        .nth(1)
        .and_then(|form| form.split("name=\"back\" value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    assert!(
        back.contains("q=Schmidt") && back.contains("dir=desc"),
        "{back}"
    );

    let ids: Vec<String> = schmidts.iter().map(|u| u.id.to_string()).collect();
    let mut fields = vec![("action", "disable"), ("back", back.as_str())];
    fields.extend(ids.iter().map(|id| ("ids", id.as_str())));
    let response = app.post_form("/mobile-users/action", &fields).await;
    assert_eq!(response.status(), 303);
    let location = common::location(&response);
    assert!(
        location.starts_with("/mobile-users?") && location.contains("q=Schmidt"),
        "back to the same search: {location}"
    );
    let after = app.get_html(&location).await;
    assert!(after.contains("Schmidt 0") && !after.contains("Other Person"));
    for user in &schmidts {
        assert_eq!(
            state_of(&app, &acme, user.id).await,
            Some(UserState::Disabled)
        );
    }
}

#[tokio::test]
async fn a_large_file_of_bad_rows_gets_a_short_report() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    let mut csv = String::from("user_id,name,email,state\n");
    for i in 0..25_000 {
        csv.push_str(&format!("not-a-guid-{i},Name {i},bad,Sleeping\n"));
    }
    assert!(csv.len() > 800 * 1024);
    let (status, page) = upload(&app, &csv).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("24900 more rows with errors"),
        "the rest is counted"
    );
    assert!(
        page.len() < 200 * 1024,
        "the report is {} KiB for a {} KiB file",
        page.len() / 1024,
        csv.len() / 1024
    );

    let (status, page) = upload(
        &app,
        "user_id,name\n4f767aff-b33f-437c-a7cb-00249948c82b,\"Two\nLines\"\n",
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("text-direction character"), "{page}");
}

#[tokio::test]
async fn imported_pending_users_get_the_organizations_temporary_licence() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let mut settings = storage::settings::get(&app.db, acme.id).await.unwrap();
    settings.temporary_license_days = 3;
    storage::settings::save(&app.db, settings).await.unwrap();
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    let user = uuid::Uuid::new_v4();
    let (status, page) = upload(&app, &format!("user_id,name,state\n{user},Pat,Pending\n")).await;
    assert_eq!(status, 200, "{page}");
    let pat = storage::mobile_users::find_by_user_id(&app.db, acme.id, &user.to_string())
        .await
        .unwrap()
        .unwrap();
    let until = pat.temporary_license_until.expect("a temporary licence");
    let expected = chrono::Utc::now() + chrono::Duration::days(3);
    assert!(
        (until - expected).num_minutes().abs() < 5,
        "until {until}, expected about {expected}"
    );

    // An Enabled user the file makes Pending gets the temporary licence too (without it the
    // licence check would answer LICENSE: EXPIRED at once).
    let ann = app.add_mobile_user(&acme, "Ann", UserState::Enabled).await;
    let (status, page) = upload(&app, &format!("user_id,state\n{},Pending\n", ann.user_id)).await;
    assert_eq!(status, 200, "{page}");
    let ann = storage::mobile_users::find_in(&app.db, acme.id, ann.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ann.state, UserState::Pending);
    let until = ann.temporary_license_until.expect("a temporary licence");
    assert!((until - expected).num_minutes().abs() < 5, "until {until}");

    // A user Pending already keeps the end of the licence it has.
    let (status, page) = upload(&app, &format!("user_id,state\n{},Pending\n", ann.user_id)).await;
    assert_eq!(status, 200, "{page}");
    let again = storage::mobile_users::find_in(&app.db, acme.id, ann.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.temporary_license_until, Some(until));
}
