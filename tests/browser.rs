//! The newcomer's walk in real headless Chromium: setup → sign in → create an organization →
//! create an administrator → see both in the audit log. Every page is checked with axe-core.

mod common;

use common::{
    PASSWORD,
    browser::{assert_accessible, fill, main_text, screenshot, wait_for_text, with_browser},
    smtp, spawn_app,
};
use fantoccini::Locator;

#[tokio::test]
async fn newcomer_sets_up_signs_in_creates_an_organization_and_an_administrator() {
    let app = spawn_app().await;
    let setup_url = app.setup_url.clone().expect("setup link");
    let address = app.address.clone();

    with_browser(|browser| async move {
        // Setup page: the first operator.
        browser.goto(&setup_url).await.unwrap();
        assert_accessible(&browser).await;
        screenshot(&browser, "01-setup").await;
        fill(&browser, "name", "Olga Operator").await;
        fill(&browser, "email", "olga@example.com").await;
        fill(&browser, "password", PASSWORD).await;
        fill(&browser, "password_confirmation", PASSWORD).await;
        browser
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The setup page has an <h1> too: wait for the new page's words, not for any heading.
        wait_for_text(&browser, "Welcome to LicenseDesk").await;

        // Sign out from the user menu, then sign in again.
        browser
            .find(Locator::Css(".usermenu summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .find(Locator::XPath("//button[normalize-space()='Sign out']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::Id("email"))
            .await
            .unwrap();
        assert!(
            browser
                .current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/login")
        );
        // …and the sign-in page says so.
        wait_for_text(&browser, "You are signed out.").await;
        assert_accessible(&browser).await;
        screenshot(&browser, "02-login").await;
        fill(&browser, "email", "olga@example.com").await;
        fill(&browser, "password", "wrong password!").await;
        browser
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::Css("[role=alert]"))
            .await
            .unwrap();
        assert!(
            main_text(&browser)
                .await
                .contains("Wrong email or password.")
        );
        fill(&browser, "password", PASSWORD).await;
        browser
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::Css(".mainnav"))
            .await
            .unwrap();

        // Organizations: the New organization button opens the dialog in place.
        assert!(
            browser
                .current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/organizations")
        );
        assert_accessible(&browser).await;
        browser
            .find(Locator::LinkText("New organization"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let dialog = browser.find(Locator::Id("new-organization")).await.unwrap();
        assert!(
            dialog.is_displayed().await.unwrap(),
            "the dialog opened in place"
        );
        assert!(
            browser
                .current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/organizations")
        );
        fill(&browser, "org-name", "Acme Field Service").await;
        fill(&browser, "org-url", "https://crm.acme.example").await;
        assert_accessible(&browser).await;
        screenshot(&browser, "03-new-organization").await;
        dialog
            .find(Locator::XPath(
                ".//button[normalize-space()='Create organization']",
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
        let text = main_text(&browser).await;
        assert!(text.contains("Organization Acme Field Service created."));
        assert!(text.contains("https://crm.acme.example"));
        screenshot(&browser, "04-organizations").await;

        // Administrators: the new organization is selected in the header.
        browser
            .find(Locator::LinkText("Administrators"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::LinkText("New administrator"))
            .await
            .unwrap();
        let selected = browser
            .find(Locator::Css("#organization-select option:checked"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(selected, "Acme Field Service");
        assert_accessible(&browser).await;
        browser
            .find(Locator::LinkText("New administrator"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        fill(&browser, "admin-email", "ada@acme.example").await;
        fill(&browser, "admin-name", "Ada Admin").await;
        browser
            .find(Locator::XPath(
                "//dialog//button[normalize-space()='Create administrator']",
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
        let text = main_text(&browser).await;
        assert!(
            text.contains("Ada Admin") && text.contains("Invited"),
            "{text}"
        );
        screenshot(&browser, "05-administrators").await;

        // The audit log shows both changes.
        browser
            .find(Locator::LinkText("Audit log"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::Css("table"))
            .await
            .unwrap();
        let text = main_text(&browser).await;
        assert!(text.contains("organization.create"), "{text}");
        assert!(text.contains("administrator.create"));
        assert!(text.contains("olga@example.com"));
        assert_accessible(&browser).await;
        screenshot(&browser, "06-audit").await;

        // The outbox holds the welcome mail.
        browser
            .find(Locator::LinkText("Outbox"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait()
            .for_element(Locator::Css("table"))
            .await
            .unwrap();
        assert!(main_text(&browser).await.contains("ada@acme.example"));
        assert_accessible(&browser).await;
        screenshot(&browser, "07-outbox").await;

        // A page without the right: the 403 page is accessible too.
        browser
            .goto(&format!("{address}/no/such/page"))
            .await
            .unwrap();
        assert!(main_text(&browser).await.contains("Not found"));
        assert_accessible(&browser).await;
    })
    .await;

    // The welcome mail reached the SMTP server.
    let mails = app.mail().wait_for(1).await;
    assert!(smtp::header(&mails[0], "To").contains("ada@acme.example"));
}

#[tokio::test]
async fn without_javascript_the_new_organization_button_is_a_plain_page() {
    let app = spawn_app().await;
    app.logged_in_operator().await;
    // What a browser without JavaScript gets by following the link.
    let page = app.get_html("/organizations/new").await;
    assert!(page.contains("<form method=\"post\" action=\"/organizations\""));
    assert!(page.contains("Create organization"));
}
