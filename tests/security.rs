//! The security baseline (docs/behaviour.md#running) under attack: logins racing the limits, sessions that must end
//! on the server, redirects, cache headers, NUL and control characters, metrics and API 404s.

mod common;

use common::{PASSWORD, location, spawn_app};
use futures_util::future::join_all;
use licensedesk::{domain::permissions::Role, storage};
use sea_orm::{EntityTrait, PaginatorTrait};

/// A visitor with its own cookie jar and a CSRF token from the login page.
async fn visitor(app: &common::TestApp) -> (common::TestApp, String) {
    let visitor = app.second_client();
    let token = visitor.csrf_token().await;
    (visitor, token)
}

async fn post_login(visitor: &common::TestApp, token: &str, email: &str, password: &str) -> u16 {
    visitor
        .post_raw(
            "/login",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", token),
            ],
        )
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn logins_arriving_at_the_same_moment_never_pass_the_address_limit() {
    let app = spawn_app().await;
    app.create_administrator("ann@example.com", Role::Operator, None)
        .await;
    // Half of them reach a second instance on the same database.
    let (other, _dir) = app.second_instance().await;
    let mut visitors = Vec::new();
    for i in 0..30 {
        visitors.push(visitor(if i % 2 == 0 { &app } else { &other }).await);
    }
    // 29 wrong guesses and the right password, all at once.
    let statuses = join_all(visitors.iter().enumerate().map(|(i, (v, token))| {
        let password = if i == 29 { PASSWORD } else { "a wrong guess" };
        post_login(v, token, "ann@example.com", password)
    }))
    .await;
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let right = statuses.iter().filter(|s| **s == 303).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        wrong <= 5,
        "at most 5 wrong guesses may be checked, got {statuses:?}"
    );
    assert!(right <= 1);
    assert_eq!(
        wrong + right + refused,
        30,
        "every attempt is answered: {statuses:?}"
    );
    let failures = storage::entities::login_failures::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert!(
        failures <= 5,
        "{failures} failures counted against a limit of 5"
    );
}

#[tokio::test]
async fn logins_arriving_at_the_same_moment_never_pass_the_client_limit() {
    let app = spawn_app().await;
    let (other, _dir) = app.second_instance().await;
    let mut visitors = Vec::new();
    for i in 0..40 {
        visitors.push(visitor(if i % 2 == 0 { &app } else { &other }).await);
    }
    let statuses = join_all(visitors.iter().enumerate().map(|(i, (v, token))| {
        let email = format!("guess{i}@example.com");
        async move { post_login(v, token, &email, "a wrong guess").await }
    }))
    .await;
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        wrong <= 20,
        "at most 20 failures per client, got {wrong}: {statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 40 - wrong);
}

/// The session cookie a response set.
fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("licensedesk="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

#[tokio::test]
async fn a_copied_session_cookie_is_worthless_after_sign_out() {
    let app = spawn_app().await;
    app.create_administrator("ann@example.com", Role::Operator, None)
        .await;
    // A client that keeps no cookies, so the test sees exactly what it sends.
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = raw.get(app.url("/login")).send().await.unwrap();
    let anonymous = session_cookie(&page).expect("a session cookie");
    let token = common::csrf_token_in(&page.text().await.unwrap()).unwrap();
    let login = raw
        .post(app.url("/login"))
        .header("cookie", &anonymous)
        .form(&[
            ("email", "ann@example.com"),
            ("password", PASSWORD),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let signed_in = session_cookie(&login).expect("a new session cookie at login");
    assert_ne!(signed_in, anonymous, "the session key changes at login");

    let copy = signed_in.clone();
    let open = |cookie: String| {
        let raw = raw.clone();
        let url = app.url("/administrators");
        async move { raw.get(url).header("cookie", cookie).send().await.unwrap() }
    };
    assert_eq!(
        open(copy.clone()).await.status(),
        200,
        "the copy works while signed in"
    );

    // The token of the signed-in session, then sign out with it.
    let html = open(signed_in.clone()).await.text().await.unwrap();
    let token = common::csrf_token_in(&html).unwrap();
    let logout = raw
        .post(app.url("/logout"))
        .header("cookie", &signed_in)
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 303);

    let after = open(copy).await;
    assert_eq!(
        after.status(),
        303,
        "the copied cookie no longer opens a page"
    );
    assert_eq!(location(&after), "/login?next=%2Fadministrators");
}

#[tokio::test]
async fn the_csrf_token_of_before_the_login_is_refused_after_it() {
    let app = spawn_app().await;
    app.create_administrator("ann@example.com", Role::Operator, None)
        .await;
    let before = app.csrf_token().await;
    app.login_ok("ann@example.com").await;
    let after = app.csrf_token().await;
    assert_ne!(before, after, "a new CSRF token at login");
    let stale = app
        .post_raw("/logout", &[("csrf_token", before.as_str())])
        .await;
    assert_eq!(stale.status(), 403);
    assert_eq!(
        app.get("/administrators").await.status(),
        200,
        "still signed in"
    );
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_administrator() {
    let app = spawn_app().await;
    app.create_administrator("ann@example.com", Role::Operator, None)
        .await;
    app.login_ok("ann@example.com").await;
    let laptop = app.second_client();
    laptop.login_ok("ann@example.com").await;
    assert_eq!(laptop.get("/administrators").await.status(), 200);

    let response = app.post_form("/account/sign-out-everywhere", &[]).await;
    assert_eq!(location(&response), "/login");
    assert!(
        app.get_html("/login")
            .await
            .contains("signed out on every device")
    );
    for client in [&app, &laptop] {
        let page = client.get("/administrators").await;
        assert_eq!(page.status(), 303);
        assert_eq!(location(&page), "/login?next=%2Fadministrators");
    }
    let rows = storage::entities::web_sessions::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(
        rows.iter().all(|row| row.administrator_id.is_none()),
        "no session of hers is left on the server"
    );
}

#[tokio::test]
async fn sign_out_says_so() {
    let app = spawn_app().await;
    app.create_administrator("ann@example.com", Role::Operator, None)
        .await;
    app.login_ok("ann@example.com").await;
    app.logout().await;
    assert!(app.get_html("/login").await.contains("You are signed out."));
}

#[tokio::test]
async fn redirects_never_leave_the_site() {
    let app = spawn_app().await;
    let operator = app.logged_in_operator().await;
    let acme = app.create_organization("Acme").await;
    let id = acme.id.to_string();
    for back in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "/\r\nSet-Cookie: x=1",
        "/mobile-users\n",
    ] {
        let response = app
            .post_form(
                "/organization/select",
                &[("organization", id.as_str()), ("back", back)],
            )
            .await;
        assert_eq!(response.status(), 303, "back {back:?}");
        assert_eq!(location(&response), "/", "back {back:?}");
    }
    let fine = app
        .post_form(
            "/organization/select",
            &[
                ("organization", id.as_str()),
                ("back", "/mobile-users?q=ann"),
            ],
        )
        .await;
    assert_eq!(location(&fine), "/mobile-users?q=ann");
    drop(operator);
}

#[tokio::test]
async fn pages_behind_login_and_exports_are_never_cached() {
    let app = spawn_app().await;
    app.logged_in_operator().await;
    let acme = app.create_organization("Acme").await;
    app.post_form(
        "/organization/select",
        &[("organization", &acme.id.to_string()), ("back", "/")],
    )
    .await;
    for path in [
        "/administrators",
        "/mobile-users",
        "/mobile-users/export.csv",
        "/devices/report",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        assert!(
            response
                .headers()
                .get("strict-transport-security")
                .is_none(),
            "no HSTS over plain http"
        );
    }
    // Static assets may be cached.
    let css = app.get("/static/app.css").await;
    assert_ne!(css.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn behind_https_every_answer_carries_hsts() {
    let (address, _data_dir) = common::spawn_app_configured(|config| {
        config.base_url = "https://licences.example.com".to_owned();
    })
    .await;
    let response = reqwest::get(format!("{address}/login")).await.unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn a_nul_character_gets_a_clear_400_and_control_characters_stay_out_of_names() {
    let app = spawn_app().await;
    app.logged_in_operator().await;
    let acme = app.create_organization("Acme").await;
    app.post_form(
        "/organization/select",
        &[("organization", &acme.id.to_string()), ("back", "/")],
    )
    .await;
    for path in ["/devices?q=x%00y", "/mobile-users?q=a%00", "/audit?q=%00"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        assert!(response.text().await.unwrap().contains("NUL"), "{path}");
    }
    let response = app.post_form("/areas", &[("name", "North\0")]).await;
    assert_eq!(response.status(), 400);
    let api = app
        .client
        .post(app.url("/api/v1/devices/register"))
        .json(&serde_json::json!({ "code": "ABCDE-FGH23", "device_id": "x\u{0}y" }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 400);
    let body: serde_json::Value = api.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("NUL"));

    for name in ["North\r\nSouth", "Tab\there"] {
        let response = app.post_form("/areas", &[("name", name)]).await;
        assert_eq!(response.status(), 422, "{name:?}");
        assert!(response.text().await.unwrap().contains("one line"));
    }
    let created = app
        .post_form(
            "/organizations",
            &[("name", "Evil\nCorp"), ("url", "https://evil.example")],
        )
        .await;
    assert_eq!(created.status(), 422);
    assert!(
        storage::organizations::all(&app.db)
            .await
            .unwrap()
            .iter()
            .all(|o| !o.name.contains('\n'))
    );
}

#[tokio::test]
async fn unknown_api_paths_answer_json() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/no-such-thing").await;
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["error"].as_str().is_some());
}

#[tokio::test]
async fn metrics_can_require_a_bearer_token() {
    let (address, _data_dir) = common::spawn_app_configured(|config| {
        config.metrics_token = Some("s3cret-token".to_owned());
    })
    .await;
    let client = reqwest::Client::new();
    let metrics = |token: Option<&'static str>| {
        let mut request = client.get(format!("{address}/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap() }
    };
    assert_eq!(metrics(None).await.status(), 401);
    assert_eq!(metrics(Some("guess")).await.status(), 401);
    let lowercase = client
        .get(format!("{address}/metrics"))
        .header("authorization", "bearer s3cret-token")
        .send()
        .await
        .unwrap();
    assert_eq!(lowercase.status(), 200, "the scheme is case-insensitive");
    let right = metrics(Some("s3cret-token")).await;
    assert_eq!(right.status(), 200);
    assert!(right.text().await.unwrap().contains("licensedesk_"));
}

#[tokio::test]
async fn the_first_operator_and_new_administrators_have_one_line_names() {
    let app = spawn_app().await;
    let token = app
        .setup_url
        .clone()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    for name in ["Root\r\nInjected line", "Evil\u{202E}eman"] {
        let response = app
            .post_form(
                "/setup",
                &[
                    ("token", &token),
                    ("name", name),
                    ("email", "olga@example.com"),
                    ("password", PASSWORD),
                    ("password_confirmation", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "{name:?}");
        assert!(response.text().await.unwrap().contains("one line"));
    }
    assert!(!storage::administrators::any_exist(&app.db).await.unwrap());

    app.logged_in_operator().await;
    let response = app
        .post_form(
            "/administrators",
            &[
                ("email", "eve@example.com"),
                ("role", "operator"),
                ("name", "Eve\nInjected"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("one line"));
}

#[tokio::test]
async fn an_oversized_api_body_gets_a_json_error_with_the_usual_headers() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/devices/register"))
        .json(&serde_json::json!({ "code": "x".repeat(300 * 1024) }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["error"].as_str().is_some());
}
