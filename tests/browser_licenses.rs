//! The All licenses page in real headless Chromium: import a key through the modal, copy
//! it, open Used, switch a user off and see the count drop.

mod common;

use common::{
    browser::{
        answer_confirmation, assert_accessible, clipboard_text, fill, main_text, screenshot,
        sign_in, wait_for_text, with_browser,
    },
    spawn_app,
};
use fantoccini::Locator;
use licensedesk::domain::{license_check::UserState, permissions::Role, products::Product};

#[tokio::test]
async fn administrator_imports_a_key_copies_it_and_takes_a_seat_back() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme Field Service").await;
    let key = app.current_key(Product::Chat, 5, false, &[&acme], 45);
    let ann = app
        .add_mobile_user(&acme, "Ann Field", UserState::Enabled)
        .await;
    let bob = app
        .add_mobile_user(&acme, "Bob Road", UserState::Enabled)
        .await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    let address = app.address.clone();
    let db = app.db.clone();

    with_browser(|browser| async move {
        sign_in(&browser, &address, "ada@acme.example").await;
        assert!(
            browser
                .current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/licenses")
        );
        let current = browser
            .find(Locator::Css(".mainnav a[aria-current=page]"))
            .await
            .unwrap();
        assert_eq!(current.text().await.unwrap(), "All licenses");
        assert_accessible(&browser).await;

        // Import license: Add is inactive until the field has text.
        browser
            .find(Locator::LinkText("Add"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let submit = browser.find(Locator::Id("import-submit")).await.unwrap();
        assert!(!submit.is_enabled().await.unwrap(), "Add starts inactive");
        fill(&browser, "license-key", &key).await;
        assert!(
            submit.is_enabled().await.unwrap(),
            "Add is active with text"
        );
        assert_accessible(&browser).await;
        screenshot(&browser, "11-import-license").await;
        submit.click().await.unwrap();
        browser
            .wait()
            .for_element(Locator::Css(".flash-success"))
            .await
            .unwrap();
        let text = main_text(&browser).await;
        assert!(text.contains("Imported the CHAT licence"), "{text}");
        assert!(
            text.contains("CHAT") && text.contains("45 days left"),
            "{text}"
        );

        // Copy key.
        browser
            .find(Locator::Css(".copy-key"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let toast = browser.find(Locator::Id("copy-status")).await.unwrap();
        browser
            .wait()
            .for_element(Locator::XPath(
                "//*[@id='copy-status'][normalize-space()='Copied to clipboard!']",
            ))
            .await
            .unwrap();
        assert_eq!(
            toast.prop("textContent").await.unwrap().as_deref(),
            Some("Copied to clipboard!")
        );
        assert!(
            toast
                .attr("class")
                .await
                .unwrap()
                .unwrap_or_default()
                .contains("visible")
        );
        assert_eq!(clipboard_text(&browser).await, key);
        assert!(
            browser
                .current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/licenses"),
            "no navigation"
        );
        screenshot(&browser, "12-registry").await;
    })
    .await;

    // Two users get a seat (the modal's Add form is covered by the API tests).
    let licence = storage_licence(&db, acme.id).await;
    for user in [&ann, &bob] {
        licensedesk::app::licenses::assign_seat(
            &db,
            &licensedesk::storage::audit::Actor::command_line(),
            &licence,
            user,
        )
        .await
        .unwrap();
    }

    let address = app.address.clone();
    with_browser(|browser| async move {
        sign_in(&browser, &address, "ada@acme.example").await;
        browser
            .wait()
            .for_element(Locator::Css("table"))
            .await
            .unwrap();
        let used_link = browser
            .find(Locator::Css("a[data-fragment-dialog]"))
            .await
            .unwrap();
        assert_eq!(used_link.text().await.unwrap(), "2");

        // Used opens in place.
        used_link.click().await.unwrap();
        browser
            .wait()
            .for_element(Locator::Css("#used-dialog[open] table"))
            .await
            .unwrap();
        let dialog = browser.find(Locator::Id("used-dialog")).await.unwrap();
        let text = dialog.text().await.unwrap();
        assert!(
            text.contains("Ann Field") && text.contains("Bob Road"),
            "{text}"
        );
        assert_accessible(&browser).await;
        screenshot(&browser, "13-used").await;

        // Switch Ann off: the seat is taken back and the list follows.
        let switch = dialog
            .find(Locator::Css(&format!("label[for='used-{}']", ann.id)))
            .await
            .unwrap();
        switch.click().await.unwrap();
        browser
            .wait()
            .for_element(Locator::Css("#used-dialog .flash-success"))
            .await
            .unwrap();
        let flash = browser
            .find(Locator::Css("#used-dialog .flash-success"))
            .await
            .unwrap();
        assert!(
            flash
                .text()
                .await
                .unwrap()
                .contains("The seat of Ann Field was taken back.")
        );
        let mut gone = false;
        for _ in 0..50 {
            let rows = browser
                .find(Locator::Css("#used-dialog tbody"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if !rows.contains("Ann Field") && rows.contains("Bob Road") {
                gone = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(gone, "Ann left the Used list");
        let focused = browser
            .execute(
                "const a = document.activeElement;
                 return a && a.closest('#used-dialog') !== null;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            focused,
            serde_json::Value::Bool(true),
            "the focus stays in the dialog after the switch"
        );

        // Closing the modal refreshes the registry: the count dropped.
        browser
            .find(Locator::Css("#used-dialog [data-close-dialog]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let mut dropped = false;
        for _ in 0..50 {
            if let Ok(link) = browser.find(Locator::Css("a[data-fragment-dialog]")).await
                && link.text().await.unwrap_or_default() == "1"
            {
                dropped = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(dropped, "Used shows 1 after the switch");
        let mut returned = false;
        for _ in 0..50 {
            let on_link = browser
                .execute(
                    "return document.activeElement
                       && document.activeElement.matches('a[data-fragment-dialog]');",
                    vec![],
                )
                .await
                .unwrap();
            if on_link == serde_json::Value::Bool(true) {
                returned = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            returned,
            "closing the dialog gives the focus back to its link"
        );
        screenshot(&browser, "14-registry-after").await;
    })
    .await;
}

async fn storage_licence(
    db: &sea_orm::DatabaseConnection,
    organization: i64,
) -> licensedesk::storage::entities::licenses::Model {
    licensedesk::storage::licenses::of_product(db, organization, Product::Chat)
        .await
        .unwrap()
        .remove(0)
}

#[tokio::test]
async fn the_mobile_users_settings_and_channel_pages_work_in_a_browser_and_are_accessible() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme Field Service").await;
    app.import(&app.current_key(Product::Mobile, 3, false, &[&acme], 60))
        .await;
    app.import(&app.current_key(Product::Chat, 2, false, &[&acme], 60))
        .await;
    let ann = app
        .add_mobile_user(&acme, "Ann Field", UserState::Enabled)
        .await;
    let bob = app
        .add_mobile_user(&acme, "Bob Road", UserState::Enabled)
        .await;
    app.add_mobile_user(&acme, "Pat Pending", UserState::Pending)
        .await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    let mut settings = licensedesk::storage::settings::get(&app.db, acme.id)
        .await
        .unwrap();
    settings.offline_licenses_enabled = true;
    licensedesk::storage::settings::save(&app.db, settings)
        .await
        .unwrap();
    let address = app.address.clone();
    let db = app.db.clone();
    let org_id = acme.id;

    with_browser(|browser| async move {
        sign_in(&browser, &address, "ada@acme.example").await;
        browser
            .goto(&format!("{address}/mobile-users"))
            .await
            .unwrap();
        assert_accessible(&browser).await;
        screenshot(&browser, "21-mobile-users").await;

        // Select two users and disable them together.
        for user in [&ann, &bob] {
            browser
                .find(Locator::Id(&format!("select-{}", user.id)))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        browser
            .find(Locator::XPath(
                "//div[@class='bulk-actions']/button[@value='disable']",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::Css(".flash-success"))
            .await
            .unwrap();
        wait_for_text(&browser, "Disabled: Ann Field, Bob Road.").await;

        // ADD opens in place; a refusal stays in the dialog, with what was typed.
        browser
            .find(Locator::LinkText("Add user"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        fill(&browser, "add-user-id", "661BAC34-not-a-guid").await;
        fill(&browser, "add-name", "Nina New").await;
        browser
            .find(Locator::XPath("//dialog//button[normalize-space()='Add']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let refused = browser
            .wait()
            .for_element(Locator::Css("dialog#add-user[open] .flash-error"))
            .await
            .expect("the reason shows in the dialog");
        assert!(
            refused.text().await.unwrap().contains("is not a GUID"),
            "{}",
            refused.text().await.unwrap()
        );
        let kept = browser
            .find(Locator::Id("add-name"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(kept.as_deref(), Some("Nina New"), "what was typed is kept");
        assert_accessible(&browser).await;
        fill(
            &browser,
            "add-user-id",
            "661BAC34-1128-40B1-9653-00B9F54158CD",
        )
        .await;
        assert_accessible(&browser).await;
        browser
            .find(Locator::XPath("//dialog//button[normalize-space()='Add']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::Css(".flash-success"))
            .await
            .unwrap();
        wait_for_text(&browser, "Nina New added and Enabled.").await;

        // Enable one disabled user from its row, delete the new one from its row.
        click_row_button(&browser, &format!("enable:{}", ann.id)).await;
        wait_for_text(&browser, "Enabled: Ann Field.").await;
        let nina = licensedesk::storage::mobile_users::find_by_user_id(
            &db,
            org_id,
            "661bac34-1128-40b1-9653-00b9f54158cd",
        )
        .await
        .unwrap()
        .unwrap();
        click_row_button(&browser, &format!("delete:{}", nina.id)).await;
        let question = answer_confirmation(&browser, true).await;
        assert!(
            question.contains("Delete mobile user Nina New?"),
            "{question}"
        );
        wait_for_text(&browser, "Deleted: Nina New.").await;

        // Update the offline licence.
        browser
            .find(Locator::XPath(
                "//form[@action='/mobile-users/offline']/button",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let text = wait_for_text(&browser, "Offline licence updated: 1 Enabled users.").await;
        assert!(text.contains("Download the file"));

        // Change a setting.
        browser.goto(&format!("{address}/settings")).await.unwrap();
        browser
            .find(Locator::Css("label[for='auto_assign_licenses']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        fill(&browser, "temporary_license_days", "21").await;
        browser
            .find(Locator::XPath(
                "//button[normalize-space()='Save settings']",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::Css(".flash-success"))
            .await
            .unwrap();
        wait_for_text(&browser, "Settings saved.").await;
        let saved = licensedesk::storage::settings::get(&db, org_id)
            .await
            .unwrap();
        assert!(saved.auto_assign_licenses && saved.temporary_license_days == 21);

        browser
            .goto(&format!("{address}/mobile-users/{}", ann.id))
            .await
            .unwrap();
        assert_accessible(&browser).await;
        browser.goto(&format!("{address}/settings")).await.unwrap();
        assert_accessible(&browser).await;
        screenshot(&browser, "22-settings").await;
        browser
            .find(Locator::LinkText("Chat gateways"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        fill(&browser, "channel-name", "Web chat").await;
        browser
            .find(Locator::Css(".assign-form button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::Css(".switch"))
            .await
            .unwrap();
        browser
            .find(Locator::Css(".switch"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::XPath(
                "//*[contains(@class,'flash-success')][contains(., 'Web chat is enabled.')]",
            ))
            .await
            .unwrap();
        assert_accessible(&browser).await;
    })
    .await;
}

/// Clicks the row button with this `row` value and waits for the answer.
async fn click_row_button(browser: &fantoccini::Client, value: &str) {
    browser
        .find(Locator::Css(&format!(
            "button[name='row'][value='{value}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .for_element(Locator::Css(".flash-success"))
        .await
        .unwrap();
}
