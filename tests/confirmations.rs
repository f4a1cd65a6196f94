//! Destructive actions ask first, also without JavaScript (issue 13): posted without the
//! yes, each answers with a page that asks — naming what would go — and changes nothing;
//! its button posts the same form with the yes, and only then the action happens.

mod common;

use common::{TestApp, spawn_app};
use licensedesk::{demo, domain::permissions::Role};

/// The first `action="PREFIX…SUFFIX"` on the page.
fn first_action(html: &str, prefix: &str, suffix: &str) -> Option<String> {
    html.match_indices(&format!("action=\"{prefix}"))
        .filter_map(|(at, _)| {
            let start = at + "action=\"".len();
            let end = start + html[start..].find('"')?;
            let action = &html[start..end];
            action.ends_with(suffix).then(|| action.to_owned())
        })
        .next()
}

/// The first `href="PREFIX…"` on the page.
fn first_link(html: &str, prefix: &str) -> String {
    let start = html
        .find(&format!("href=\"{prefix}"))
        .unwrap_or_else(|| panic!("a link to {prefix}…"))
        + "href=\"".len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// Posts `action` without the yes, checks the question and that nothing changed on `page`,
/// then says yes and returns the page afterwards.
async fn ask_then_do(app: &TestApp, page: &str, action: &str, question: &str) -> String {
    let asked = app.post_form(action, &[]).await;
    assert_eq!(asked.status(), 200, "{action} answers with a question");
    let asked = asked.text().await.unwrap();
    assert!(
        asked.contains(question),
        "{action} asks “{question}”: {asked}"
    );
    assert!(
        asked.contains("?confirmed=yes") && asked.contains(">Cancel</a>"),
        "{asked}"
    );
    assert!(
        app.get_html(page).await.contains(action),
        "{action}: nothing happens before the yes"
    );
    let done = app.confirm(&asked).await;
    assert_eq!(done.status(), 303, "{action} with the yes");
    app.get_html(page).await
}

#[tokio::test]
async fn every_destructive_action_asks_first_without_javascript() {
    let app = spawn_app().await;
    demo::fill(
        &app.db,
        app.data_dir.path(),
        demo::DemoSize {
            users: 12,
            extra_licences: 0,
            devices: 6,
            records: 10,
            audit: 0,
        },
    )
    .await
    .expect("demo data");
    app.create_administrator("op@example.com", Role::Operator, None)
        .await;
    app.login_ok("op@example.com").await;
    // The demo's first organization, which holds its sync data.
    let northwind = licensedesk::storage::organizations::all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name.starts_with("Northwind"))
        .unwrap();
    let select = app
        .post_form(
            "/organization/select",
            &[("organization", &northwind.id.to_string()), ("back", "/")],
        )
        .await;
    assert_eq!(select.status(), 303);
    for (base, name) in [("/chat-gateways", "Teams bot"), ("/email-profiles", "Ops")] {
        assert_eq!(app.post_form(base, &[("name", name)]).await.status(), 303);
    }
    assert_eq!(
        app.post_form("/areas", &[("name", "Bohemia")])
            .await
            .status(),
        303
    );
    assert_eq!(
        app.post_form("/clients", &[("name", "Fleet Co"), ("kind", "retail")])
            .await
            .status(),
        303
    );

    // (list page, delete action's start and end, the question asked)
    let lists = [
        ("/employees", "/employees/", "/delete", "Delete employee “"),
        (
            "/clients",
            "/clients/",
            "/delete",
            "Delete client “Fleet Co”?",
        ),
        ("/areas", "/areas/", "/delete", "Delete area “Bohemia”?"),
        (
            "/chat-gateways",
            "/chat-gateways/",
            "/delete",
            "Delete “Teams bot”?",
        ),
        (
            "/email-profiles",
            "/email-profiles/",
            "/delete",
            "Delete “Ops”?",
        ),
        ("/devices", "/devices/", "/delete", "Delete device “"),
        ("/sync-log", "/sync-log/", "/revert", "Revert this "),
    ];
    for (page, prefix, suffix, question) in lists {
        let html = app.get_html(page).await;
        let action = first_action(&html, prefix, suffix)
            .unwrap_or_else(|| panic!("{page} has a {prefix}…{suffix} form"));
        let after = ask_then_do(&app, page, &action, question).await;
        assert!(!after.contains(&action), "{action} done after the yes");
    }

    // A team still in use is refused at once, saying why: there is nothing to ask.
    let html = app.get_html("/teams").await;
    let action = first_action(&html, "/teams/", "/delete").unwrap();
    let refused = app.post_form(&action, &[]).await;
    assert_eq!(refused.status(), 303);
    let after = app.get_html("/teams").await;
    assert!(
        after.contains("still has") && after.contains(&action),
        "{after}"
    );

    // An access profile and a record, from their own pages.
    // (The default profile cannot be deleted: the first other one.)
    let list = app.get_html("/access-profiles").await;
    let mut found = None;
    for (at, _) in list.match_indices("href=\"/access-profiles/") {
        let edit = first_link(&list[at..], "/access-profiles/");
        if let Some(action) =
            first_action(&app.get_html(&edit).await, "/access-profiles/", "/delete")
        {
            found = Some((edit, action));
            break;
        }
    }
    let (edit, action) = found.expect("a profile that can be deleted");
    ask_then_do(&app, &edit, &action, "Delete the access profile “").await;
    assert_eq!(app.get(&edit).await.status(), 404, "the profile is gone");

    let record = first_link(&app.get_html("/records").await, "/records/");
    let record_page = app.get_html(&record).await;
    let action = first_action(&record_page, &record, "/delete").unwrap();
    let after = ask_then_do(&app, &record, &action, "Delete this ").await;
    assert!(after.contains("deleted"), "{after}");

    // A request whose token came in a header (not a form field) gets a page that still
    // works: it carries the session's token itself.
    let html = app.get_html("/devices").await;
    let action = first_action(&html, "/devices/", "/delete").unwrap();
    let token = app.csrf_token().await;
    let asked = app
        .client
        .post(app.url(&action))
        .header("X-CSRF-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 200);
    let asked = asked.text().await.unwrap();
    assert_eq!(app.confirm(&asked).await.status(), 303);
    assert!(!app.get_html("/devices").await.contains(&action));

    // A record that does not exist is not found, rather than asked about.
    let missing = format!("/records/client_visit/{}/delete", uuid::Uuid::new_v4());
    assert_eq!(app.post_form(&missing, &[]).await.status(), 404);
}
