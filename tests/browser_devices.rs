//! Devices in real headless Chromium: add an area and a team (time zone typed with the
//! list's help), edit the team, add an employee, add a device for the employee, see it
//! pending, replace its code, register it through the API, see it active with its version
//! in the chart, fetch the report, then edit it through the dialog's tabs (a wholesale client
//! and a custom functionality); every page passes axe.

mod common;

use common::{
    browser::{
        answer_confirmation, assert_accessible, clipboard_text, fill, main_text, screenshot,
        sign_in, wait_for_text, with_browser,
    },
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
        click(&browser, "//button[normalize-space()='Add area']").await;
        wait_for_text(&browser, "Area Bohemia added.").await;
        assert_accessible(&browser).await;

        browser.goto(&format!("{address}/teams")).await.unwrap();
        fill(&browser, "team-name", "North crew").await;
        fill(&browser, "team-tz", "Europe/Prague").await;
        click_css(&browser, "#team-area option:nth-child(2)").await;
        assert_accessible(&browser).await;
        click(&browser, "//button[normalize-space()='Add team']").await;
        let text = wait_for_text(&browser, "Team North crew added.").await;
        assert!(
            text.contains("Europe/Prague") && text.contains("Bohemia"),
            "{text}"
        );
        screenshot(&browser, "devices-01-teams").await;

        click_css(&browser, "td.actions a.button").await;
        assert_accessible(&browser).await;
        fill(&browser, "team-tz", "Europe/Vienna").await;
        click(&browser, "//button[normalize-space()='Save']").await;
        let text = wait_for_text(&browser, "Team North crew saved.").await;
        assert!(text.contains("Europe/Vienna"), "{text}");

        browser.goto(&format!("{address}/employees")).await.unwrap();
        fill(&browser, "employee-name", "Eve Field").await;
        fill(&browser, "employee-email", "eve@acme.example").await;
        click(&browser, "//button[normalize-space()='Add employee']").await;
        let text = wait_for_text(&browser, "Employee Eve Field added.").await;
        assert!(text.contains("eve@acme.example"), "{text}");
        assert_accessible(&browser).await;

        // Add a device for Eve: the code is shown once on the Active devices page.
        browser
            .goto(&format!("{address}/devices/new"))
            .await
            .unwrap();
        click_css(&browser, "#device-team option:nth-child(2)").await;
        fill(&browser, "device-nickname", "Van 7").await;
        click_css(&browser, "input[name=employee]").await;
        assert_accessible(&browser).await;
        screenshot(&browser, "devices-02-new").await;
        click(&browser, "//button[normalize-space()='Add device']").await;
        let text = wait_for_text(&browser, "Registration code for Van 7:").await;
        assert!(text.contains("mailed to 1 recipient"), "{text}");
        assert_accessible(&browser).await;
        screenshot(&browser, "devices-03-pending").await;
        let first_code = code_in(&text);

        // Replace the code: a new one is shown, the first one is dead.
        click(&browser, "//section[@aria-labelledby='pending-title']//a[starts-with(normalize-space(), 'Replace code')]").await;
        // The Replace page asks, offering the validity the code was issued with.
        wait_for_text(&browser, "Replace the registration code of “Van 7”?").await;
        assert_accessible(&browser).await;
        screenshot(&browser, "devices-04-replace").await;
        click(&browser, "//button[normalize-space()='Replace the code']").await;
        // The old page (with the first code) can still be there for a moment.
        let mut code = first_code.clone();
        for _ in 0..100 {
            // Between the two documents <main> can vanish under us: then look again.
            if let Ok(main) = browser.find(Locator::Css("main")).await
                && let Ok(text) = main.text().await
                && text.contains("Registration code for Van 7:")
            {
                code = code_in(&text);
                if code != first_code {
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_ne!(code, first_code, "Replace showed a new code");
        click(&browser, "//button[normalize-space()='Copy code']").await;
        wait_for_text(&browser, "Copied to clipboard!").await;
        assert_eq!(clipboard_text(&browser).await, code, "Copy code copies the new code");
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
        assert!(report.starts_with("\"Team\",\"Platform\""), "{report}");
        assert!(report.contains("Van 7") && report.contains("5.3.0"));

        // A wholesale client, then the device's dialog on edit: three tabs.
        browser.goto(&format!("{address}/clients")).await.unwrap();
        fill(&browser, "client-name", "Rent-a-Van").await;
        click(&browser, "//button[normalize-space()='Add client']").await;
        wait_for_text(&browser, "Client Rent-a-Van added.").await;
        assert_accessible(&browser).await;
        browser.goto(&format!("{address}/devices")).await.unwrap();
        click(&browser, "//a[normalize-space()='Edit Van 7']").await;
        let text = wait_for_text(&browser, "Edit device Van 7").await;
        assert!(text.contains("R58N-0042"), "what the device reported: {text}");
        let tabs = browser.find_all(Locator::Css("[role=tab]")).await.unwrap();
        let mut labels = Vec::new();
        for tab in &tabs {
            labels.push(tab.text().await.unwrap());
        }
        assert_eq!(labels, ["Device settings", "Clients", "Allowed functionality"]);
        assert_accessible(&browser).await;
        assert!(!shown(&browser, "device-clients").await, "one tab at a time");

        click(&browser, "//button[@role='tab'][normalize-space()='Clients']").await;
        assert!(shown(&browser, "device-clients").await && !shown(&browser, "device-settings").await);
        click(&browser, "//input[@name='client_type'][@value='wholesale']").await;
        click(&browser, "//input[@name='client_scope'][@value='selected']").await;
        click(&browser, "//label[normalize-space()='Rent-a-Van']/input").await;
        assert_accessible(&browser).await;
        screenshot(&browser, "devices-05-edit-clients").await;
        click(&browser, "//button[@role='tab'][normalize-space()='Allowed functionality']").await;
        click(&browser, "//input[@name='functionality'][@value='custom']").await;
        click(&browser, "//label[normalize-space()='Work orders']/input").await;

        // An empty nickname on a hidden tab: the browser refuses, and its tab opens.
        browser
            .execute("document.getElementById('device-nickname').value = '';", vec![])
            .await
            .unwrap();
        click(&browser, "//button[normalize-space()='Save']").await;
        assert!(shown(&browser, "device-settings").await, "the tab with the empty field");
        fill(&browser, "device-nickname", "Van 7 spare").await;
        click(&browser, "//button[normalize-space()='Save']").await;
        let text = wait_for_text(&browser, "Device Van 7 spare saved.").await;
        assert!(text.contains("Van 7 spare"), "{text}");

        // Reopened, the dialog shows what was saved.
        click(&browser, "//a[normalize-space()='Edit Van 7 spare']").await;
        wait_for_text(&browser, "Edit device Van 7 spare").await;
        for (xpath, what) in [
            ("//input[@name='client_type'][@value='wholesale']", "wholesale"),
            ("//label[normalize-space()='Rent-a-Van']/input", "the client"),
            ("//input[@name='functionality'][@value='custom']", "custom"),
            ("//label[normalize-space()='Work orders']/input", "the feature"),
        ] {
            let checked = browser
                .find(Locator::XPath(xpath))
                .await
                .unwrap()
                .prop("checked")
                .await
                .unwrap();
            assert_eq!(checked.as_deref(), Some("true"), "{what} is kept");
        }

        // Delete asks first: dismissed, nothing happens; accepted, the device is gone.
        browser.goto(&format!("{address}/devices")).await.unwrap();
        let delete = "//button[normalize-space()='Delete Van 7 spare']";
        click(&browser, delete).await;
        let question = answer_confirmation(&browser, false).await;
        assert!(question.contains("Delete device Van 7 spare?"), "{question}");
        assert!(main_text(&browser).await.contains("Van 7 spare"));
        click(&browser, delete).await;
        answer_confirmation(&browser, true).await;
        let text = wait_for_text(&browser, "Device Van 7 spare deleted; its seat is free.").await;
        assert!(text.contains("No registered device yet."), "{text}");
    })
    .await;
}

async fn click_css(browser: &fantoccini::Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"))
        .click()
        .await
        .unwrap();
}

async fn click(browser: &fantoccini::Client, xpath: &str) {
    browser
        .find(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|_| panic!("{xpath}"))
        .click()
        .await
        .unwrap();
}

/// Whether the element with this id is displayed (its tab is open).
async fn shown(browser: &fantoccini::Client, id: &str) -> bool {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap()
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
