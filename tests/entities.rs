//! Entities (docs/behaviour.md#mobile-sync) through the pages: an administrator defines the
//! fields devices sync, a mistake comes back with what was typed and nothing saved, every
//! change is audited, and viewers only look.

mod common;

use common::{location, spawn_app};
use licensedesk::{
    domain::{permissions::Role, sync_entities::FieldType},
    storage,
};

#[tokio::test]
async fn an_administrator_defines_entities_and_their_fields() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    assert!(app.get_html("/entities").await.contains("No entities yet."));

    let added = app
        .post_form(
            "/entities",
            &[
                ("name", "work_order"),
                ("label", "Work order"),
                ("fields", "title: text required\nhours: number\n"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    assert_eq!(location(&added), "/entities");
    let page = app.get_html("/entities").await;
    assert!(page.contains("Entity work_order added."), "{page}");
    assert!(page.contains("2 fields, 1 required"), "{page}");
    let entity = storage::sync_entities::all(&app.db, acme.id).await.unwrap()[0].clone();
    let fields = storage::sync_entities::fields(&entity).unwrap();
    assert_eq!(fields[1].kind, FieldType::Number);

    // A mistake: 422, the form as typed, the line at fault, nothing saved.
    let refused = app
        .post_form(
            "/entities",
            &[("name", "visit"), ("fields", "when: date\nwho: person")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("line 2: “who: person” is not a field"),
        "{page}"
    );
    assert!(page.contains("when: date"), "what was typed stays: {page}");
    // The same name again.
    let taken = app
        .post_form(
            "/entities",
            &[("name", "work_order"), ("fields", "a: text")],
        )
        .await;
    assert_eq!(taken.status(), 422);
    assert!(
        taken
            .text()
            .await
            .unwrap()
            .contains("there is already an entity named work_order")
    );
    assert_eq!(
        storage::sync_entities::all(&app.db, acme.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // Making a field required later is allowed, and audited with before and after.
    let edit = app.get_html(&format!("/entities/{}", entity.id)).await;
    assert!(
        edit.contains("title: text required\nhours: number"),
        "{edit}"
    );
    let saved = app
        .post_form(
            &format!("/entities/{}", entity.id),
            &[
                ("name", "work_order"),
                ("label", "Work order"),
                ("fields", "title: text required\nhours: number required"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let entity = storage::sync_entities::find(&app.db, acme.id, entity.id)
        .await
        .unwrap()
        .unwrap();
    assert!(storage::sync_entities::fields(&entity).unwrap()[1].required);
    let audit = app.get_html("/audit").await;
    assert!(audit.contains("entity.create") && audit.contains("entity.update"));

    // Another organization's entity is not found here; the same name is free there.
    assert_eq!(
        app.get(&format!("/entities/{}", entity.id + 1000))
            .await
            .status(),
        404
    );
    assert!(
        storage::sync_entities::all(&app.db, globex.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn viewers_see_entities_but_cannot_change_them() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("vic@acme.example", Role::Viewer, Some(acme.id))
        .await;
    app.login_ok("vic@acme.example").await;
    let page = app.get_html("/entities").await;
    assert!(page.contains("No entities yet.") && !page.contains("Add an entity"));
    let refused = app
        .post_form("/entities", &[("name", "x"), ("fields", "a: text")])
        .await;
    assert_eq!(refused.status(), 403);
    assert!(
        storage::sync_entities::all(&app.db, acme.id)
            .await
            .unwrap()
            .is_empty()
    );
}
