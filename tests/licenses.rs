//! All licenses (docs/behaviour.md#all-licenses-page): import through the page, refusals, the registry, the Used modal,
//! nominal assignment, and the audit of each.

mod common;

use common::{location, spawn_app};
use licensedesk::domain::license_check::UserState;
use licensedesk::{
    domain::{permissions::Role, products::Product},
    storage::{self},
};

async fn licence_count(app: &common::TestApp) -> usize {
    use sea_orm::{EntityTrait, PaginatorTrait};
    storage::entities::licenses::Entity::find()
        .count(&app.db)
        .await
        .unwrap() as usize
}

#[tokio::test]
async fn a_key_imported_through_the_page_shows_in_the_registry_once() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    let key = app.current_key(Product::Mobile, 25, false, &[&acme], 40);

    let imported = app.post_form("/licenses/import", &[("key", &key)]).await;
    assert_eq!(imported.status(), 303);
    assert_eq!(location(&imported), "/licenses");
    let page = app.get_html("/licenses").await;
    assert!(page.contains("Imported the MOBILE licence"), "{page}");
    assert!(page.contains("<td>MOBILE</td>"));
    assert!(page.contains("<td>25</td>"));
    assert!(page.contains("40 days left"));
    assert!(page.contains("Copy key"));
    assert!(
        page.contains(&format!("data-copy=\"{key}\"")),
        "the key is there to copy"
    );

    // The same key again keeps one licence.
    let again = app.post_form("/licenses/import", &[("key", &key)]).await;
    assert_eq!(again.status(), 303);
    assert!(
        app.get_html("/licenses")
            .await
            .contains("was imported before; nothing changed")
    );
    assert_eq!(licence_count(&app).await, 1);
    assert!(app.get_html("/audit").await.contains("license.import"));

    // An expired key is imported (it is the vendor's record) with a warning.
    let today = chrono::Utc::now().date_naive();
    let expired = app.issue_key(
        Product::Chat,
        5,
        false,
        &[&acme],
        today - chrono::Duration::days(400),
        today - chrono::Duration::days(3),
    );
    let imported = app
        .post_form("/licenses/import", &[("key", &expired)])
        .await;
    assert_eq!(imported.status(), 303);
    let page = app.get_html("/licenses").await;
    assert!(
        page.contains("Note: it has already expired, so it gives no seats."),
        "{page}"
    );
}

#[tokio::test]
async fn refused_keys_say_why_and_store_nothing() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    let key = app.current_key(Product::Chat, 5, false, &[&acme], 100);

    // One changed character in the payload.
    let mut tampered = key.clone().into_bytes();
    tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let response = app
        .post_form("/licenses/import", &[("key", &tampered)])
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("signature does not verify"), "{body}");
    assert!(
        body.contains(&tampered),
        "the pasted key is kept in the field"
    );

    let malformed = app
        .post_form("/licenses/import", &[("key", "hello world")])
        .await;
    let malformed = malformed.text().await.unwrap();
    assert!(
        malformed.contains("this is not a whole licence key")
            && malformed.contains("paste all of it")
            && malformed.contains(">hello world</textarea>"),
        "{malformed}"
    );

    let elsewhere = app.create_organization("Elsewhere").await;
    let foreign = app.current_key(Product::Chat, 5, false, &[&elsewhere], 100);
    use sea_orm::{EntityTrait, ModelTrait};
    storage::entities::organizations::Entity::find_by_id(elsewhere.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .delete(&app.db)
        .await
        .unwrap();
    let response = app
        .post_form("/licenses/import", &[("key", &foreign)])
        .await;
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("only an operator can import"),
        "an administrator imports keys of her own organization only"
    );
    // An operator is told that the key's organization is not here.
    let operator = app.second_client();
    operator.logged_in_operator().await;
    operator
        .post_form(
            "/organization/select",
            &[("organization", &acme.id.to_string()), ("back", "/")],
        )
        .await;
    let response = operator
        .post_form("/licenses/import", &[("key", &foreign)])
        .await;
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("for no organization of this LicenseDesk")
    );

    let empty = app.post_form("/licenses/import", &[("key", "  ")]).await;
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains("Paste a licence key first.")
    );

    let other_vendor = licensedesk::domain::license_key::VendorSigningKey::generate();
    let stranger = other_vendor
        .issue(&licensedesk::domain::license_key::LicenceKeyPayload {
            licence_id: uuid::Uuid::new_v4(),
            product: Product::Mobile,
            valid_from: "2026-01-01".parse().unwrap(),
            valid_till: "2030-01-01".parse().unwrap(),
            limit: 5,
            competitive: false,
            organizations: vec![uuid::Uuid::parse_str(&acme.organization_id).unwrap()],
            issued_at: chrono::Utc::now(),
        })
        .unwrap();
    let response = app
        .post_form("/licenses/import", &[("key", &stranger)])
        .await;
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("signature does not verify")
    );
    assert_eq!(licence_count(&app).await, 0);
}

#[tokio::test]
async fn the_registry_searches_on_product_marks_competitive_and_expired_and_stays_in_its_organization()
 {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    let today = chrono::Utc::now().date_naive();
    app.import(&app.current_key(Product::Chat, 3, false, &[&acme], 10))
        .await;
    app.import(&app.current_key(Product::CallCenter, 7, true, &[&acme], 200))
        .await;
    let old = app
        .import(&app.issue_key(
            Product::Email,
            2,
            false,
            &[&acme],
            today - chrono::Duration::days(400),
            today - chrono::Duration::days(1),
        ))
        .await;
    let hidden = app
        .import(&app.current_key(Product::Device, 9, false, &[&globex], 10))
        .await;
    app.create_administrator("ada@acme.example", Role::Viewer, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let page = app.get_html("/licenses").await;
    assert!(
        page.contains("CALL_CENTER")
            && page.contains("<td>Yes</td>")
            && page.contains("<td>No</td>")
    );
    assert!(page.contains(">Expired<"));
    assert!(page.contains(&old.licence_id));
    assert!(
        !page.contains(&hidden.licence_id),
        "another organization's licence"
    );
    assert!(page.contains("1–3 of 3"));
    assert!(
        !page.contains("data-dialog=\"import-license\""),
        "viewers cannot add"
    );

    let searched = app.get_html("/licenses?q=chat").await;
    assert!(searched.contains("1–1 of 1") && searched.contains("<td>CHAT</td>"));

    // Sorted by a column, either way: the limits 2, 3, 7 and back.
    let order = |page: String| -> Vec<usize> {
        ["<td>CALL_CENTER</td>", "<td>CHAT</td>", "<td>EMAIL</td>"]
            .iter()
            .map(|product| page.find(product).unwrap())
            .collect()
    };
    let up = order(app.get_html("/licenses?sort=limit").await);
    assert!(
        up[2] < up[1] && up[1] < up[0],
        "by limit: EMAIL, CHAT, CALL_CENTER"
    );
    let down = order(app.get_html("/licenses?sort=limit&dir=desc").await);
    assert!(
        down[0] < down[1] && down[1] < down[2],
        "by limit, largest first"
    );
    assert!(
        app.get_html("/licenses?sort=limit")
            .await
            .contains("aria-sort=\"ascending\"")
    );

    assert_eq!(
        app.get(&format!("/licenses/{}/used", hidden.id))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(&format!("/licenses/{}/key", hidden.id))
            .await
            .status(),
        404
    );
    let import = app.post_form("/licenses/import", &[("key", "x")]).await;
    assert_eq!(import.status(), 403);
    assert!(
        import
            .text()
            .await
            .unwrap()
            .contains("Your role does not allow you to add licences.")
    );
}

#[tokio::test]
async fn nominal_seats_are_assigned_in_the_used_modal_never_beyond_the_limit_and_taken_back() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let chat = app
        .import(&app.current_key(Product::Chat, 2, false, &[&acme], 30))
        .await;
    let users = [
        app.add_mobile_user(&acme, "Ann Field", UserState::Enabled)
            .await,
        app.add_mobile_user(&acme, "Bob Road", UserState::Enabled)
            .await,
        app.add_mobile_user(&acme, "Cy Late", UserState::Enabled)
            .await,
    ];
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    for user in &users {
        app.post_form(
            &format!("/licenses/{}/assign", chat.id),
            &[("user_id", &user.user_id.to_uppercase())],
        )
        .await;
    }
    let used = app.get_html(&format!("/licenses/{}/used", chat.id)).await;
    assert!(
        used.contains("Not assigned: all 2 seats of this licence are assigned."),
        "{used}"
    );
    assert!(used.contains("Ann Field") && used.contains("Bob Road") && !used.contains("Cy Late"));
    assert!(
        app.get_html("/licenses").await.contains(">2</a>"),
        "Used shows 2"
    );

    let searched = app
        .get_html(&format!("/licenses/{}/used?q=bob", chat.id))
        .await;
    assert!(searched.contains("Bob Road") && !searched.contains("Ann Field"));

    let released = app
        .post_form(
            &format!("/licenses/{}/used/{}/release", chat.id, users[0].id),
            &[],
        )
        .await;
    assert_eq!(released.status(), 303);
    let used = app.get_html(&format!("/licenses/{}/used", chat.id)).await;
    assert!(used.contains("was taken back") && !used.contains("Ann Field</td>"));
    assert!(
        app.get_html("/licenses").await.contains(">1</a>"),
        "Used drops to 1"
    );

    let unknown = app
        .post_form(
            &format!("/licenses/{}/assign", chat.id),
            &[("user_id", "nobody")],
        )
        .await;
    assert_eq!(unknown.status(), 303);
    assert!(
        app.get_html(&format!("/licenses/{}/used", chat.id))
            .await
            .contains("No mobile user with the id")
    );

    let audit = app.get_html("/audit").await;
    assert!(audit.contains("license.assign") && audit.contains("license.unassign"));
}

#[tokio::test]
async fn users_of_another_organization_show_a_disabled_switch_and_the_server_refuses() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    let shared = app
        .import(&app.current_key(Product::QualityAuditor, 5, false, &[&acme, &globex], 30))
        .await;
    let ours = app
        .add_mobile_user(&acme, "Ann Field", UserState::Enabled)
        .await;
    let theirs = app
        .add_mobile_user(&globex, "Gus Globex", UserState::Enabled)
        .await;
    for user in [&ours, &theirs] {
        let licence = storage::licenses::find(&app.db, user.organization_id, shared.id)
            .await
            .unwrap()
            .unwrap();
        licensedesk::app::licenses::assign_seat(
            &app.db,
            &licensedesk::storage::audit::Actor::command_line(),
            &licence,
            user,
        )
        .await
        .unwrap();
    }
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let used = app.get_html(&format!("/licenses/{}/used", shared.id)).await;
    assert!(used.contains("Gus Globex") && used.contains("Globex"));
    assert!(used.contains("Gus Globex uses a seat (another organization)"));
    assert_eq!(
        used.matches(" disabled>").count(),
        1,
        "only the other organization's switch is disabled"
    );
    assert!(!used.contains(&format!("/used/{}/release", theirs.id)));
    assert!(used.contains(&format!("/used/{}/release", ours.id)));

    let refused = app
        .post_form(
            &format!("/licenses/{}/used/{}/release", shared.id, theirs.id),
            &[],
        )
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(storage::seats::used(&app.db, &shared).await.unwrap(), 2);
}

#[tokio::test]
async fn mobile_seats_are_enabled_users_and_switching_one_off_disables_the_user() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let mobile = app
        .import(&app.current_key(Product::Mobile, 10, false, &[&acme], 90))
        .await;
    let ann = app
        .add_mobile_user(&acme, "Ann Field", UserState::Enabled)
        .await;
    app.add_mobile_user(&acme, "Bob Road", UserState::Enabled)
        .await;
    app.add_mobile_user(&acme, "Pat Pending", UserState::Pending)
        .await;
    app.logged_in_operator().await;

    let registry = app.get_html("/licenses").await;
    assert!(
        registry.contains(">2</a>"),
        "two Enabled users use MOBILE seats"
    );
    let used = app.get_html(&format!("/licenses/{}/used", mobile.id)).await;
    assert!(used.contains("Ann Field") && !used.contains("Pat Pending"));
    assert!(
        !used.contains("Add a user"),
        "MOBILE seats come from enabling users"
    );

    app.post_form(
        &format!("/licenses/{}/used/{}/release", mobile.id, ann.id),
        &[],
    )
    .await;
    let ann = storage::mobile_users::find_in(&app.db, acme.id, ann.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ann.state, UserState::Disabled);
    assert!(app.get_html("/licenses").await.contains(">1</a>"));
    assert!(app.get_html("/audit").await.contains("mobile_user.disable"));
}

#[tokio::test]
async fn nominal_licences_are_assigned_from_the_mobile_users_detail_page() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    let chat = app
        .import(&app.current_key(Product::Chat, 1, false, &[&acme], 30))
        .await;
    let ann = app
        .add_mobile_user(&acme, "Ann Field", UserState::Enabled)
        .await;
    let bob = app
        .add_mobile_user(&acme, "Bob Road", UserState::Enabled)
        .await;
    let gus = app
        .add_mobile_user(&globex, "Gus Globex", UserState::Enabled)
        .await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let page = app.get_html(&format!("/mobile-users/{}", ann.id)).await;
    assert!(
        page.contains("Ann Field") && page.contains("CHAT (0 of 1 seats used"),
        "{page}"
    );
    app.post_form(
        &format!("/mobile-users/{}/licenses/{}", ann.id, chat.id),
        &[("assigned", "on")],
    )
    .await;
    assert!(
        app.get_html(&format!("/mobile-users/{}", ann.id))
            .await
            .contains("Ann Field now has a seat of the CHAT licence.")
    );

    app.post_form(
        &format!("/mobile-users/{}/licenses/{}", bob.id, chat.id),
        &[("assigned", "on")],
    )
    .await;
    assert!(
        app.get_html(&format!("/mobile-users/{}", bob.id))
            .await
            .contains("Not assigned: all 1 seats of this licence are assigned.")
    );

    app.post_form(
        &format!("/mobile-users/{}/licenses/{}", ann.id, chat.id),
        &[],
    )
    .await;
    assert!(
        app.get_html(&format!("/mobile-users/{}", ann.id))
            .await
            .contains("The CHAT seat of Ann Field was taken back.")
    );
    assert_eq!(storage::seats::used(&app.db, &chat).await.unwrap(), 0);

    assert_eq!(
        app.get(&format!("/mobile-users/{}", gus.id)).await.status(),
        404
    );
}

#[tokio::test]
async fn an_administrator_imports_only_keys_of_their_own_organization() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    for organizations in [vec![&globex], vec![&acme, &globex]] {
        let key = app.current_key(Product::Email, 5, false, &organizations, 90);
        let refused = app.post_form("/licenses/import", &[("key", &key)]).await;
        assert_eq!(refused.status(), 422);
        let page = refused.text().await.unwrap();
        assert!(page.contains("only an operator can import"), "{page}");
        assert!(
            page.contains(&globex.organization_id.to_lowercase())
                || page.contains(&globex.organization_id)
        );
    }
    assert_eq!(licence_count(&app).await, 0, "nothing was linked anywhere");

    // Her own organization's key imports, and the message names where it went.
    let own = app.current_key(Product::Email, 5, false, &[&acme], 90);
    app.post_form("/licenses/import", &[("key", &own)]).await;
    let page = app.get_html("/licenses").await;
    assert!(page.contains("Imported the EMAIL licence"), "{page}");
    assert!(page.contains(" for Acme ("), "{page}");

    // An operator may import a key for several organizations.
    let operator = app.second_client();
    operator.logged_in_operator().await;
    let shared = app.current_key(Product::Email, 5, false, &[&acme, &globex], 90);
    operator
        .post_form(
            "/organization/select",
            &[("organization", &acme.id.to_string()), ("back", "/")],
        )
        .await;
    let imported = operator
        .post_form("/licenses/import", &[("key", &shared)])
        .await;
    assert_eq!(imported.status(), 303);
    assert!(
        operator
            .get_html("/licenses")
            .await
            .contains("for Acme, Globex")
    );
}

/// The users a licence's Used modal lists (the user ids on its page).
async fn listed_in_used(app: &common::TestApp, licence: i64) -> Vec<String> {
    let html = app
        .get_html(&format!("/licenses/{licence}/used?size=100"))
        .await;
    html.match_indices("data-user-id=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

/// The Used number of a licence in the registry.
async fn used_number(app: &common::TestApp, licence: i64) -> u64 {
    let html = app.get_html("/licenses?size=100").await;
    let link = format!("href=\"/licenses/{licence}/used\"");
    let at = html
        .find(&link)
        .unwrap_or_else(|| panic!("no Used link for {licence}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find("</a>").unwrap();
    rest[start..end].trim().parse().unwrap()
}

#[tokio::test]
async fn each_mobile_licence_lists_exactly_the_users_its_used_count_names() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    let today = chrono::Utc::now().date_naive();
    let soon = app
        .import(&app.current_key(Product::Mobile, 10, false, &[&acme], 30))
        .await;
    let later = app
        .import(&app.current_key(Product::Mobile, 30, false, &[&acme, &globex], 300))
        .await;
    let expired = app
        .import(&app.issue_key(
            Product::Mobile,
            50,
            false,
            &[&acme],
            today - chrono::Duration::days(400),
            today - chrono::Duration::days(10),
        ))
        .await;
    let mut enabled = Vec::new();
    for i in 0..14 {
        enabled.push(
            app.add_mobile_user(&acme, &format!("Acme {i:02}"), UserState::Enabled)
                .await,
        );
    }
    app.add_mobile_user(&acme, "Acme Disabled", UserState::Disabled)
        .await;
    for i in 0..4 {
        app.add_mobile_user(&globex, &format!("Globex {i}"), UserState::Enabled)
            .await;
    }
    app.create_administrator("vic@acme.example", Role::Viewer, Some(acme.id))
        .await;
    app.login_ok("vic@acme.example").await;

    let mut everyone = Vec::new();
    for licence in [&soon, &later, &expired] {
        let listed = listed_in_used(&app, licence.id).await;
        assert_eq!(
            listed.len() as u64,
            used_number(&app, licence.id).await,
            "licence {} lists as many users as its Used count",
            licence.licence_id
        );
        everyone.extend(listed);
    }
    assert_eq!(
        listed_in_used(&app, soon.id).await.len(),
        10,
        "the licence ending first fills first"
    );
    assert_eq!(
        listed_in_used(&app, expired.id).await.len(),
        0,
        "an expired licence holds no one"
    );
    everyone.sort();
    let mut expected: Vec<String> = enabled.iter().map(|u| u.user_id.clone()).collect();
    expected.sort();
    assert_eq!(
        everyone, expected,
        "together they name every Enabled user of Acme once"
    );
    let page = app.get_html(&format!("/licenses/{}/used", later.id)).await;
    assert!(
        !page.contains("Globex"),
        "another organization's users are not listed"
    );
    assert!(
        !page.contains("uses a seat (another organization)"),
        "a viewer's own users are not labelled as another organization's: {page}"
    );
}
