//! Teams and Areas (docs/behaviour.md#active-devices) through the pages: add, search, edit, delete — a mistake comes back
//! with what was typed, and deletes that would orphan devices, teams or clients are refused.

mod common;

use chrono::Utc;
use common::{TestApp, spawn_app};
use licensedesk::{
    domain::devices::{ClientChoice, Functionality},
    domain::{permissions::Role, products::Product},
    storage::{self, devices::DeviceSettings, entities::teams},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn team_named(app: &TestApp, name: &str) -> teams::Model {
    teams::Entity::find()
        .filter(teams::Column::Name.eq(name))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the team")
}

#[tokio::test]
async fn an_administrator_keeps_teams_and_areas() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    assert_eq!(
        app.post_form("/areas", &[("name", "Bohemia")])
            .await
            .status(),
        303
    );
    let area = storage::lookups::all_areas(&app.db, acme.id).await.unwrap()[0].clone();

    // A time zone that is not in the IANA list: refused, and the form keeps what was typed.
    let response = app
        .post_form(
            "/teams",
            &[
                ("name", "North crew"),
                ("time_zone", "Europe/Atlantis"),
                ("area_id", &area.id.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("“Europe/Atlantis” is not a time zone"),
        "{page}"
    );
    assert!(page.contains("value=\"North crew\""));

    let area_id = area.id.to_string();
    for (name, zone) in [
        ("North crew", "Europe/Prague"),
        ("South crew", "America/Chicago"),
    ] {
        let response = app
            .post_form(
                "/teams",
                &[("name", name), ("time_zone", zone), ("area_id", &area_id)],
            )
            .await;
        assert_eq!(response.status(), 303);
    }
    // Names are unique within the organization.
    let response = app
        .post_form(
            "/teams",
            &[
                ("name", "North crew"),
                ("time_zone", "UTC"),
                ("area_id", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("already one named “North crew”")
    );

    let page = app.get_html("/teams?q=south").await;
    assert!(
        page.contains("South crew") && page.contains("America/Chicago") && page.contains("Bohemia")
    );
    assert!(!page.contains("North crew"));
    // Sorted by name, either way.
    let first = |page: String| page.find("North crew").unwrap() < page.find("South crew").unwrap();
    assert!(first(app.get_html("/teams?sort=name").await));
    assert!(!first(app.get_html("/teams?sort=name&dir=desc").await));

    // Edit.
    let north = team_named(&app, "North crew").await;
    let response = app
        .post_form(
            &format!("/teams/{}", north.id),
            &[
                ("name", "North crew"),
                ("time_zone", "Europe/Vienna"),
                ("area_id", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let north = team_named(&app, "North crew").await;
    assert_eq!(
        (north.time_zone.as_str(), north.area_id),
        ("Europe/Vienna", None)
    );
    // The audit log shows what the edit changed, field by field, before → after.
    let audit = app.get_html("/audit?q=team.update").await;
    assert!(
        audit.contains("<ins><span class=\"visually-hidden\">now </span>Europe/Vienna</ins>")
            && audit.contains("<dt>time_zone</dt>")
            && !audit.contains("<dt>name</dt>"),
        "{audit}"
    );

    // The area is still South crew's: not deleted.
    app.post_form(&format!("/areas/{}/delete?confirmed=yes", area.id), &[])
        .await;
    let page = app.get_html("/areas").await;
    assert!(page.contains("still the area of 1 team(s)"), "{page}");

    // A team with a device is not deleted; one without is.
    let licence = app
        .import(&app.current_key(Product::Device, 3, false, &[&acme], 30))
        .await;
    storage::devices::insert(
        &app.db,
        acme.id,
        DeviceSettings {
            team_id: north.id,
            time_zone: None,
            license_id: Some(licence.id),
            nickname: "Van 1".into(),
            description: None,
            clients: ClientChoice::everyone(),
            functionality: Functionality::CompanySettings,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    app.post_form(&format!("/teams/{}/delete?confirmed=yes", north.id), &[])
        .await;
    assert!(
        app.get_html("/teams")
            .await
            .contains("still has 1 device(s)")
    );
    let south = team_named(&app, "South crew").await;
    app.post_form(&format!("/teams/{}/delete?confirmed=yes", south.id), &[])
        .await;
    let page = app.get_html("/teams").await;
    assert!(page.contains("Team South crew deleted."));
    assert!(
        !page.contains(&format!("/teams/{}\"", south.id)),
        "no row left"
    );

    // Now the area can go.
    app.post_form(&format!("/areas/{}/delete?confirmed=yes", area.id), &[])
        .await;
    assert!(
        app.get_html("/areas")
            .await
            .contains("Area Bohemia deleted.")
    );
}

#[tokio::test]
async fn another_organizations_teams_are_not_there() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let other = app.create_organization("Other").await;
    let theirs = storage::lookups::save_team(
        &app.db,
        other.id,
        None,
        &licensedesk::domain::lookups::TeamInput::parse("Theirs", "UTC", "").unwrap(),
    )
    .await
    .unwrap();
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    assert!(!app.get_html("/teams").await.contains("Theirs"));
    assert_eq!(
        app.get(&format!("/teams/{}", theirs.id)).await.status(),
        404
    );
    assert_eq!(
        app.post_form(&format!("/teams/{}/delete?confirmed=yes", theirs.id), &[])
            .await
            .status(),
        404
    );

    // A viewer sees teams but cannot change them.
    app.logout().await;
    app.create_administrator("vic@acme.example", Role::Viewer, Some(acme.id))
        .await;
    app.login_ok("vic@acme.example").await;
    assert_eq!(app.get("/teams").await.status(), 200);
    assert_eq!(
        app.post_form("/teams", &[("name", "X"), ("time_zone", "UTC")])
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn employees_have_a_real_address_and_can_be_found_by_it() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let response = app
        .post_form(
            "/employees",
            &[
                ("name", "Eve Field"),
                ("email", "eve at acme"),
                ("team_id", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("“eve at acme” is not an email address."),
        "{page}"
    );
    assert!(
        page.contains("value=\"Eve Field\""),
        "what was typed is kept"
    );

    for (name, email) in [
        ("Eve Field", "eve@acme.example"),
        ("Sam Road", "sam@acme.example"),
    ] {
        let response = app
            .post_form(
                "/employees",
                &[("name", name), ("email", email), ("team_id", "")],
            )
            .await;
        assert_eq!(response.status(), 303);
    }
    let page = app.get_html("/employees?q=SAM@").await;
    assert!(
        page.contains("Sam Road") && !page.contains("Eve Field"),
        "{page}"
    );

    let eve = storage::lookups::all_employees(&app.db, acme.id)
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(eve.name, "Eve Field");
    let response = app
        .post_form(
            &format!("/employees/{}", eve.id),
            &[
                ("name", "Eve Field"),
                ("email", "eve.field@acme.example"),
                ("team_id", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    app.post_form(&format!("/employees/{}/delete?confirmed=yes", eve.id), &[])
        .await;
    let page = app.get_html("/employees").await;
    assert!(page.contains("Employee Eve Field deleted.") && !page.contains("eve.field@"));
}
