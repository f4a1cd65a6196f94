//! The device lookups in real headless Chromium: add an area and a team (time zone typed
//! with the list's help), edit the team, add an employee; every page passes axe.

mod common;

use common::{
    browser::{assert_accessible, fill, main_text, screenshot, sign_in, with_browser},
    spawn_app,
};
use fantoccini::Locator;
use licensedesk::domain::permissions::Role;

#[tokio::test]
async fn administrator_adds_an_area_and_a_team_and_edits_the_team() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme Field Service").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    let address = app.address.clone();

    with_browser(|browser| async move {
        sign_in(&browser, &address, "ada@acme.example").await;
        browser
            .find(Locator::LinkText("Devices"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_accessible(&browser).await;
        browser
            .find(Locator::LinkText("Areas"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        fill(&browser, "area-name", "Bohemia").await;
        browser
            .find(Locator::XPath("//button[normalize-space()='Add area']"))
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
        assert!(main_text(&browser).await.contains("Area Bohemia added."));
        assert_accessible(&browser).await;

        browser.goto(&format!("{address}/teams")).await.unwrap();
        fill(&browser, "team-name", "North crew").await;
        fill(&browser, "team-tz", "Europe/Prague").await;
        browser
            .find(Locator::Css("#team-area option:nth-child(2)"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_accessible(&browser).await;
        browser
            .find(Locator::XPath("//button[normalize-space()='Add team']"))
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
        assert!(text.contains("Team North crew added."), "{text}");
        assert!(
            text.contains("Europe/Prague") && text.contains("Bohemia"),
            "{text}"
        );
        screenshot(&browser, "devices-01-teams").await;

        browser
            .find(Locator::Css("td.actions a.button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_accessible(&browser).await;
        fill(&browser, "team-tz", "Europe/Vienna").await;
        browser
            .find(Locator::XPath("//button[normalize-space()='Save']"))
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
        assert!(main_text(&browser).await.contains("Europe/Vienna"));

        browser.goto(&format!("{address}/employees")).await.unwrap();
        fill(&browser, "employee-name", "Eve Field").await;
        fill(&browser, "employee-email", "eve@acme.example").await;
        browser
            .find(Locator::XPath("//button[normalize-space()='Add employee']"))
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
        assert!(main_text(&browser).await.contains("eve@acme.example"));
        assert_accessible(&browser).await;

        // Add a device for Eve: the code is shown once on the Active devices page.
        browser
            .goto(&format!("{address}/devices/new"))
            .await
            .unwrap();
        browser
            .find(Locator::Css("#device-team option:nth-child(2)"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        fill(&browser, "device-nickname", "Van 7").await;
        browser
            .find(Locator::Css("input[name=employee]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_accessible(&browser).await;
        screenshot(&browser, "devices-02-new").await;
        browser
            .find(Locator::XPath("//button[normalize-space()='Add device']"))
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
            text.contains("Registration code for Van 7:") && text.contains("mailed to 1 recipient"),
            "{text}"
        );
        assert_accessible(&browser).await;
        screenshot(&browser, "devices-03-pending").await;
    })
    .await;
}
