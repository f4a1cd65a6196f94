//! Roles and permissions, organization scoping, organizations and administrators pages,
//! the audit log, and the operations endpoints.

mod common;

use common::{location, spawn_app};
use licensedesk::{
    domain::{email::Email, paging::PageRequest, permissions::Role},
    storage::{self, audit::AuditFilter},
};

#[tokio::test]
async fn a_viewer_gets_403_saying_in_words_what_the_role_does_not_allow() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    app.create_administrator("vera@example.com", Role::Viewer, Some(org.id))
        .await;
    app.login_ok("vera@example.com").await;

    // Reading is fine.
    assert_eq!(app.get("/administrators").await.status(), 200);
    assert_eq!(app.get("/audit").await.status(), 200);

    let create = app
        .post_form(
            "/administrators",
            &[("email", "new@example.com"), ("role", "viewer")],
        )
        .await;
    assert_eq!(create.status(), 403);
    assert!(
        create
            .text()
            .await
            .unwrap()
            .contains("Your role does not allow you to add administrators.")
    );
    assert!(
        storage::administrators::find_by_email(&app.db, &Email::parse("new@example.com").unwrap())
            .await
            .unwrap()
            .is_none()
    );

    let outbox = app.get("/outbox").await;
    assert_eq!(outbox.status(), 403);
    assert!(
        outbox
            .text()
            .await
            .unwrap()
            .contains("Your role does not allow you to see the outbox.")
    );

    // The navigation offers only what the role may open.
    let page = app.get_html("/administrators").await;
    assert!(!page.contains("href=\"/outbox\""));
    assert!(!page.contains("href=\"/organizations\""));
    assert!(!page.contains("New administrator"));
}

#[tokio::test]
async fn admins_cannot_manage_organizations_or_create_operators() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    app.create_administrator("ada@example.com", Role::Admin, Some(org.id))
        .await;
    app.login_ok("ada@example.com").await;

    let orgs = app.get("/organizations").await;
    assert_eq!(orgs.status(), 403);
    assert!(
        orgs.text()
            .await
            .unwrap()
            .contains("Your role does not allow you to see organizations.")
    );

    let operator = app
        .post_form(
            "/administrators",
            &[("email", "op@example.com"), ("role", "operator")],
        )
        .await;
    assert_eq!(operator.status(), 422);
    assert!(
        operator
            .text()
            .await
            .unwrap()
            .contains("Only operators can create operators.")
    );
}

#[tokio::test]
async fn another_organizations_administrator_is_a_404() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    let other = app
        .create_administrator("gus@globex.example", Role::Admin, Some(globex.id))
        .await;
    let operator = app
        .create_administrator("op@example.com", Role::Operator, None)
        .await;
    app.login_ok("ada@acme.example").await;

    assert_eq!(
        app.get(&format!("/administrators/{}", other.id))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(&format!("/administrators/{}", operator.id))
            .await
            .status(),
        404
    );
    let change = app
        .post_form(
            &format!("/administrators/{}/access", other.id),
            &[("role", "viewer"), ("active", "on")],
        )
        .await;
    assert_eq!(change.status(), 404);
    let reset = app
        .post_form(&format!("/administrators/{}/reset-password", other.id), &[])
        .await;
    assert_eq!(reset.status(), 404);
    let unchanged = storage::administrators::find(&app.db, other.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.role.as_str(), "admin");
    assert!(unchanged.password_hash.is_some());

    let list = app.get_html("/administrators").await;
    assert!(list.contains("ada@acme.example"));
    assert!(!list.contains("gus@globex.example"));
}

#[tokio::test]
async fn operators_switch_organization_from_the_header() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.create_administrator("gus@globex.example", Role::Admin, Some(globex.id))
        .await;
    app.logged_in_operator().await;

    // The first organization by name is preselected.
    let list = app.get_html("/administrators").await;
    assert!(list.contains("ada@acme.example") && !list.contains("gus@globex.example"));

    let switched = app
        .post_form(
            "/organization/select",
            &[
                ("organization", &globex.id.to_string()),
                ("back", "/administrators"),
            ],
        )
        .await;
    assert_eq!(location(&switched), "/administrators");
    let list = app.get_html("/administrators").await;
    assert!(list.contains("gus@globex.example") && !list.contains("ada@acme.example"));

    // Only pages of this site are valid targets to go back to.
    let outside = app
        .post_form(
            "/organization/select",
            &[
                ("organization", &acme.id.to_string()),
                ("back", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(location(&outside), "/");
}

#[tokio::test]
async fn creating_and_editing_an_organization_is_audited_with_before_and_after() {
    let app = spawn_app().await;
    app.logged_in_operator().await;

    let created = app
        .post_form(
            "/organizations",
            &[
                ("name", "Acme Field Service"),
                ("organization_id", "4F767AFF-B33F-437C-A7CB-00249948C82B"),
                ("url", "https://crm.acme.example"),
                ("trial_until", "2027-01-31"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let org = storage::organizations::all(&app.db)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(org.organization_id, "4f767aff-b33f-437c-a7cb-00249948c82b");
    assert_eq!(org.trial_until.unwrap().to_string(), "2027-01-31");

    let duplicate = app
        .post_form(
            "/organizations",
            &[
                ("name", "Copy"),
                ("organization_id", "4f767aff-b33f-437c-a7cb-00249948c82b"),
                ("url", "https://x.example"),
            ],
        )
        .await;
    assert_eq!(duplicate.status(), 422);
    assert!(duplicate.text().await.unwrap().contains("already exists"));

    let bad_url = app
        .post_form(
            &format!("/organizations/{}", org.id),
            &[("name", "Acme"), ("url", "not a url")],
        )
        .await;
    assert_eq!(bad_url.status(), 422);

    let edited = app
        .post_form(
            &format!("/organizations/{}", org.id),
            &[
                ("name", "Acme Corp"),
                ("url", "https://crm.acme.example"),
                ("trial_until", ""),
            ],
        )
        .await;
    assert_eq!(edited.status(), 303);
    let org = storage::organizations::find(&app.db, org.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.name, "Acme Corp");
    assert_eq!(org.trial_until, None);

    let audit = app.get_html("/audit?organization=all").await;
    assert!(audit.contains("organization.create"));
    assert!(audit.contains("organization.update"));
    assert!(audit.contains("Acme Field Service"), "before value shown");
    assert!(audit.contains("operator@example.com"), "actor shown");
}

#[tokio::test]
async fn the_audit_log_filters_by_organization_actor_date_and_text_and_pages() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    for i in 0..30 {
        app.create_administrator(
            &format!("user{i}@acme.example"),
            Role::Viewer,
            Some(acme.id),
        )
        .await;
    }
    app.create_administrator("gus@globex.example", Role::Viewer, Some(globex.id))
        .await;
    app.logged_in_operator().await;

    let filter = |org: i64| AuditFilter {
        organization_id: Some(org),
        ..Default::default()
    };
    let acme_entries =
        storage::audit::search(&app.db, &filter(acme.id), PageRequest::new(None, Some(25)))
            .await
            .unwrap();
    assert_eq!(
        acme_entries.total, 31,
        "organization.create + 30 administrators"
    );
    assert_eq!(acme_entries.items.len(), 25);

    let page = app
        .get_html(&format!("/audit?organization={}&size=25", acme.id))
        .await;
    assert!(page.contains("1–25 of 31"), "{page}");
    let page2 = app
        .get_html(&format!("/audit?organization={}&size=25&page=2", acme.id))
        .await;
    assert!(page2.contains("26–31 of 31"));
    assert!(!page2.contains("gus@globex.example"));

    let searched = app.get_html("/audit?organization=all&q=gus@globex").await;
    assert!(searched.contains("1–1 of 1"));

    let by_actor = app.get_html("/audit?organization=all&actor=nobody").await;
    assert!(by_actor.contains("No entries match."));

    let today = chrono::Utc::now().date_naive();
    let future = today.succ_opt().unwrap();
    let in_future = app
        .get_html(&format!("/audit?organization=all&from={future}"))
        .await;
    assert!(in_future.contains("No entries match."));
    let today_only = app
        .get_html(&format!(
            "/audit?organization=all&from={today}&until={today}"
        ))
        .await;
    // 2 organizations, 31 administrators and the operator: everything happened today.
    assert!(today_only.contains("1–34 of 34"), "{today_only}");

    let bad_date = app.get_html("/audit?from=yesterday").await;
    assert!(bad_date.contains("is not a date"));
}

#[tokio::test]
async fn admins_see_only_their_organizations_audit_entries() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.create_administrator("gus@globex.example", Role::Admin, Some(globex.id))
        .await;
    app.login_ok("ada@acme.example").await;
    // Asking for another organization's entries changes nothing.
    let page = app
        .get_html(&format!("/audit?organization={}", globex.id))
        .await;
    assert!(page.contains("ada@acme.example"));
    assert!(!page.contains("gus@globex.example"));
}

#[tokio::test]
async fn a_new_administrator_gets_a_role_and_is_audited_and_viewers_cannot_be_made_operators() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let ada = app
        .create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let response = app
        .post_form(
            "/administrators",
            &[
                ("email", "Vic@Acme.example"),
                ("name", "Vic"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let vic =
        storage::administrators::find_by_email(&app.db, &Email::parse("vic@acme.example").unwrap())
            .await
            .unwrap()
            .expect("created");
    assert_eq!(vic.role.as_str(), "viewer");
    assert_eq!(vic.organization_id, Some(acme.id));
    assert!(
        vic.password_hash.is_none(),
        "no password until the welcome link is used"
    );

    let taken = app
        .post_form(
            "/administrators",
            &[("email", "vic@acme.example"), ("role", "viewer")],
        )
        .await;
    assert_eq!(taken.status(), 422);

    let promote = app
        .post_form(
            &format!("/administrators/{}/access", vic.id),
            &[("role", "admin"), ("active", "on")],
        )
        .await;
    assert_eq!(promote.status(), 303);
    let vic = storage::administrators::find(&app.db, vic.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(vic.role.as_str(), "admin");

    // Nobody locks themselves out.
    app.post_form(
        &format!("/administrators/{}/access", ada.id),
        &[("role", "viewer")],
    )
    .await;
    let ada = storage::administrators::find(&app.db, ada.id)
        .await
        .unwrap()
        .unwrap();
    assert!(ada.active);
    assert_eq!(ada.role.as_str(), "admin");

    let audit = app.get_html("/audit").await;
    assert!(audit.contains("administrator.create"));
    assert!(audit.contains("administrator.change_role"));
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.text().await.unwrap(), "ok");
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.get("/login").await;
    app.get("/no/such/page").await;
    let metrics = app.get_html("/metrics").await;
    assert!(
        metrics.contains(
            "licensedesk_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("licensedesk_http_request_duration_seconds_bucket"));
    assert!(metrics.contains("licensedesk_outbox_backlog 0"));
}

#[tokio::test]
async fn an_operator_without_organizations_is_led_to_create_the_first() {
    let app = spawn_app().await;
    app.create_administrator("op@example.com", Role::Operator, None)
        .await;
    app.login_ok("op@example.com").await;
    let page = app.get("/mobile-users").await;
    assert_eq!(page.status(), 409);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("none is chosen")
            && page.contains("href=\"/organizations/new\"")
            && page.contains("href=\"/organizations\""),
        "{page}"
    );
    let new = app.get_html("/organizations/new").await;
    assert!(new.contains("New organization"), "{new}");
}
