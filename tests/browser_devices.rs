//! Devices in real headless Chromium: add an area and a team (time zone typed with the
//! list's help), edit the team, add an employee, add a device for the employee, see it
//! pending, replace its code, register it through the API, see it active with its version
//! in the chart, and fetch the report; every page passes axe.

mod common;

use common::{
    browser::{assert_accessible, fill, main_text, screenshot, sign_in, with_browser},
    code_in, spawn_app,
};
use fantoccini::Locator;
use licensedesk::domain::permissions::Role;

#[tokio::test]
async fn administrator_sets_up_lookups_and_a_device_that_registers() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme Field Service").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    let address = app.address.clone();
    let api = reqwest::Client::new();

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
        let first_code = code_in(&text);

        // Replace the code: a new one is shown, the first one is dead.
        browser
            .find(Locator::XPath("//section[@aria-labelledby='pending-title']//button[starts-with(normalize-space(), 'Replace')]"))
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
        // The old page (with the first code) can still be there for a moment.
        let mut code = first_code.clone();
        for _ in 0..100 {
            code = code_in(&main_text(&browser).await);
            if code != first_code {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_ne!(code, first_code, "Replace showed a new code");
        assert_eq!(register(&api, &address, &first_code).await, 410);
        assert_eq!(register(&api, &address, &code).await, 200);

        // Active now, with its version in the chart; the report has it.
        browser.goto(&format!("{address}/devices")).await.unwrap();
        let text = main_text(&browser).await;
        assert!(text.contains("No device is waiting for registration."), "{text}");
        assert!(text.contains("Galaxy Tab Active5") && text.contains("5.3.0: 1 (100 %)"), "{text}");
        let chart = browser
            .find(Locator::Css("figure.version-chart svg title"))
            .await
            .unwrap()
            .html(true)
            .await
            .unwrap();
        assert!(chart.contains("5.3.0 1"), "the chart names its figures: {chart}");
        assert_accessible(&browser).await;
        screenshot(&browser, "devices-04-active").await;
        let report = browser
            .execute(
                "return fetch('/devices/report').then(r => r.text());",
                vec![],
            )
            .await
            .unwrap();
        let report = report.as_str().unwrap();
        assert!(report.starts_with("Team,Platform"), "{report}");
        assert!(report.contains("Van 7") && report.contains("5.3.0"));
    })
    .await;
}

async fn register(api: &reqwest::Client, address: &str, code: &str) -> u16 {
    api.post(format!("{address}/api/v1/devices/register"))
        .json(&serde_json::json!({
            "code": code, "device_id": "R58N-0042", "os_type": "Android",
            "platform": "Galaxy Tab Active5", "app_version": "5.3.0", "device_name": "Tab"
        }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}
