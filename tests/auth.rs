//! Setup, login, logout, rate limits, CSRF and security headers.

mod common;

use common::{PASSWORD, location, spawn_app};
use licensedesk::domain::paging::PageRequest;
use licensedesk::{
    domain::permissions::Role,
    storage::{self, audit::AuditFilter},
};

async fn audit_actions(app: &common::TestApp) -> Vec<String> {
    storage::audit::search(
        &app.db,
        &AuditFilter::default(),
        PageRequest::new(None, Some(100)),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .map(|e| e.action)
    .collect()
}

#[tokio::test]
async fn a_fresh_install_says_on_the_sign_in_page_where_the_setup_link_is() {
    let app = spawn_app().await;
    let page = app.get("/login").await.text().await.unwrap();
    assert!(
        page.contains("no administrator yet") && page.contains("in the server's log"),
        "{page}"
    );
    app.create_administrator("ada@example.com", Role::Operator, None)
        .await;
    let page = app.get("/login").await.text().await.unwrap();
    assert!(!page.contains("no administrator yet"), "{page}");
}

#[tokio::test]
async fn setup_link_creates_the_first_operator_and_then_dies() {
    let app = spawn_app().await;
    let setup_url = app
        .setup_url
        .clone()
        .expect("a fresh install prints a setup link");
    let path = setup_url.trim_start_matches(&app.address).to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();

    let page = app.get(&path).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Create operator"));

    let created = app
        .post_form(
            "/setup",
            &[
                ("token", &token),
                ("name", "Olga Operator"),
                ("email", "Olga@Example.com"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    assert_eq!(location(&created), "/organizations");
    // Logged in straight away.
    let organizations = app.get("/organizations").await;
    assert_eq!(organizations.status(), 200);
    assert!(
        organizations
            .text()
            .await
            .unwrap()
            .contains("Olga Operator")
    );

    // The link is single-use, and no second operator can be made with it.
    assert_eq!(app.get(&path).await.status(), 404);
    let again = app
        .post_form(
            "/setup",
            &[
                ("token", &token),
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status(), 404);
    assert!(
        storage::administrators::find_by_email(
            &app.db,
            &licensedesk::domain::email::Email::parse("eve@example.com").unwrap()
        )
        .await
        .unwrap()
        .is_none()
    );
    assert!(
        audit_actions(&app)
            .await
            .contains(&"setup.complete".to_owned())
    );
}

#[tokio::test]
async fn setup_refuses_a_short_password_and_keeps_the_link() {
    let app = spawn_app().await;
    let setup_url = app.setup_url.clone().unwrap();
    let token = setup_url.split("token=").nth(1).unwrap().to_owned();
    let response = app
        .post_form(
            "/setup",
            &[
                ("token", &token),
                ("name", ""),
                ("email", "olga@example.com"),
                ("password", "short"),
                ("password_confirmation", "short"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("at least 12 characters"), "{body}");
    assert!(body.contains("olga@example.com"), "the typed email is kept");
    assert!(!storage::administrators::any_exist(&app.db).await.unwrap());
    assert_eq!(
        app.get(&format!("/setup?token={token}")).await.status(),
        200
    );
}

#[tokio::test]
async fn setup_link_is_dead_once_any_administrator_exists() {
    let app = spawn_app().await;
    let setup_url = app.setup_url.clone().unwrap();
    app.create_administrator("first@example.com", Role::Operator, None)
        .await;
    let path = setup_url.trim_start_matches(&app.address).to_owned();
    assert_eq!(app.get(&path).await.status(), 404);
    assert_eq!(app.get("/setup?token=guessed").await.status(), 404);
}

#[tokio::test]
async fn login_and_logout() {
    let app = spawn_app().await;
    app.create_administrator("ann@example.com", Role::Operator, None)
        .await;
    assert_eq!(
        location(&app.get("/administrators").await),
        "/login?next=%2Fadministrators"
    );

    let response = app.login("ANN@example.com", PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.get("/administrators").await.status(), 200);

    app.logout().await;
    let after = app.get("/administrators").await;
    assert_eq!(after.status(), 303);
    assert_eq!(location(&after), "/login?next=%2Fadministrators");
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer_and_are_audited() {
    let app = spawn_app().await;
    app.create_administrator("ann@example.com", Role::Operator, None)
        .await;

    let wrong = app.login("ann@example.com", "not the password").await;
    let unknown = app.login("nobody@example.com", "not the password").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let (wrong, unknown) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert!(wrong.contains("Wrong email or password."));
    assert!(unknown.contains("Wrong email or password."));

    let actions = audit_actions(&app).await;
    assert_eq!(actions.iter().filter(|a| *a == "login.failed").count(), 2);
    assert_eq!(
        app.get("/administrators").await.status(),
        303,
        "still logged out"
    );
}

#[tokio::test]
async fn failed_logins_are_limited_per_address() {
    let app = spawn_app().await;
    app.create_administrator("ann@example.com", Role::Operator, None)
        .await;
    for _ in 0..5 {
        assert_eq!(app.login("ann@example.com", "guess").await.status(), 401);
    }
    // Even the right password is refused now, with a message that says why.
    let blocked = app.login("ann@example.com", PASSWORD).await;
    assert_eq!(blocked.status(), 429);
    assert!(
        blocked
            .text()
            .await
            .unwrap()
            .contains("Too many failed logins")
    );
    assert!(
        audit_actions(&app)
            .await
            .contains(&"login.blocked".to_owned())
    );

    // Another address from the same client is not affected by this address's limit.
    app.create_administrator("bob@example.com", Role::Operator, None)
        .await;
    assert_eq!(app.login("bob@example.com", PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn failed_logins_are_limited_per_client() {
    let app = spawn_app().await;
    app.create_administrator("ann@example.com", Role::Operator, None)
        .await;
    for i in 0..20 {
        let email = format!("guess{i}@example.com");
        assert_eq!(app.login(&email, "guess").await.status(), 401);
    }
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn forms_without_the_session_csrf_token_are_rejected_and_change_nothing() {
    let app = spawn_app().await;
    app.logged_in_operator().await;

    let missing = app
        .post_raw(
            "/organizations",
            &[("name", "Forged"), ("url", "https://forged.example")],
        )
        .await;
    assert_eq!(missing.status(), 403);
    assert!(missing.text().await.unwrap().contains("Form expired"));

    let wrong = app
        .post_raw(
            "/organizations",
            &[
                ("name", "Forged"),
                ("url", "https://forged.example"),
                ("csrf_token", "0000"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 403);
    assert!(
        storage::organizations::all(&app.db)
            .await
            .unwrap()
            .is_empty()
    );

    // The same form with the token works.
    let ok = app
        .post_form(
            "/organizations",
            &[("name", "Real"), ("url", "https://real.example")],
        )
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(storage::organizations::all(&app.db).await.unwrap().len(), 1);
}

#[tokio::test]
async fn api_routes_are_outside_the_csrf_check() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "not a CSRF 403");
}

#[tokio::test]
async fn pages_carry_security_headers_and_unknown_pages_are_real_404s() {
    let app = spawn_app().await;
    let response = app.get("/login").await;
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let cookie = headers["set-cookie"].to_str().unwrap().to_lowercase();
    assert!(cookie.contains("httponly") && cookie.contains("samesite=lax"));

    let missing = app.get("/no/such/page").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Not found"));
}

#[tokio::test]
async fn oversized_forms_are_refused() {
    let app = spawn_app().await;
    app.logged_in_operator().await;
    let huge = "x".repeat(100 * 1024);
    let response = app
        .post_form(
            "/organizations",
            &[("name", &huge), ("url", "https://x.example")],
        )
        .await;
    assert!(
        response.status() == 413 || response.status() == 400,
        "got {}",
        response.status()
    );
    assert!(
        storage::organizations::all(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_deactivated_administrator_is_logged_out_at_once() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    let admin = app
        .create_administrator("ann@example.com", Role::Admin, Some(org.id))
        .await;
    app.login_ok("ann@example.com").await;
    assert_eq!(app.get("/administrators").await.status(), 200);

    let op_app = app.second_client();
    op_app
        .create_administrator("op@example.com", Role::Operator, None)
        .await;
    op_app.login_ok("op@example.com").await;
    op_app
        .post_form(
            "/organization/select",
            &[("organization", &org.id.to_string())],
        )
        .await;
    let response = op_app
        .post_form(
            &format!("/administrators/{}/access", admin.id),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(response.status(), 303);

    assert_eq!(
        location(&app.get("/administrators").await),
        "/login?next=%2Fadministrators"
    );
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn changing_my_password_ends_my_other_sessions_but_keeps_this_one() {
    let app = spawn_app().await;
    app.create_administrator("ann@example.com", Role::Operator, None)
        .await;
    let laptop = app.second_client();
    laptop.login_ok("ann@example.com").await;
    app.login_ok("ann@example.com").await;

    let wrong = app
        .post_form(
            "/account/password",
            &[
                ("current_password", "not it"),
                ("password", "a brand new password"),
                ("password_confirmation", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("The current password is wrong.")
    );

    let changed = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "a brand new password"),
                ("password_confirmation", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(changed.status(), 303);
    assert_eq!(
        app.get("/administrators").await.status(),
        200,
        "this session goes on"
    );
    assert_eq!(
        location(&laptop.get("/administrators").await),
        "/login?next=%2Fadministrators",
        "the other one ended"
    );
    assert_eq!(
        laptop.login("ann@example.com", PASSWORD).await.status(),
        401
    );
    assert_eq!(
        laptop
            .login("ann@example.com", "a brand new password")
            .await
            .status(),
        303
    );
    assert!(
        audit_actions(&app)
            .await
            .contains(&"administrator.set_password".to_owned())
    );
}

#[tokio::test]
async fn a_page_opened_while_signed_out_opens_after_signing_in_and_only_this_sites() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;

    let asked = app.get("/mobile-users?state=Pending").await;
    assert_eq!(asked.status(), 303);
    let login = location(&asked);
    assert_eq!(login, "/login?next=%2Fmobile-users%3Fstate%3DPending");
    let page = app.get_html(&login).await;
    assert!(
        page.contains("Sign in to open that page.")
            && page.contains("name=\"next\" value=\"/mobile-users?state=Pending\""),
        "{page}"
    );
    let token = common::csrf_token_in(&page).unwrap();
    let signed_in = app
        .post_raw(
            "/login",
            &[
                ("email", "ada@acme.example"),
                ("password", PASSWORD),
                ("next", "/mobile-users?state=Pending"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(signed_in.status(), 303);
    assert_eq!(location(&signed_in), "/mobile-users?state=Pending");

    // Elsewhere than this site: the start page instead.
    app.logout().await;
    let token = app.csrf_token().await;
    let signed_in = app
        .post_raw(
            "/login",
            &[
                ("email", "ada@acme.example"),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(location(&signed_in), "/");
}
