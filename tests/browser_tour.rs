//! Every page on a phone (390 × 844) and on a laptop (1366 × 768), in real headless Chromium
//! (issue 13): the document never scrolls sideways (a wide table scrolls inside its card), axe
//! finds no WCAG 2.1 AA violation, the phone's menu button opens the navigation, and a
//! dialog fits the screen. With `LICENSEDESK_SCREENSHOTS=DIR` every page is saved there.

mod common;

use common::{
    browser::{assert_accessible, screenshot, sign_in, with_browser},
    spawn_app,
};
use fantoccini::{Client, Locator};
use licensedesk::{
    demo,
    domain::{lookups::ClientInput, permissions::Role},
    storage::audit::Actor,
};
use serde_json::Value;

const SIZES: [(&str, u32, u32); 2] = [("phone", 390, 844), ("laptop", 1366, 768)];

/// The pages with a fixed address; detail pages are found from links on the lists.
const PAGES: [&str; 26] = [
    "/mobile-users",
    "/mobile-users/new",
    "/mobile-users/import",
    "/devices",
    "/devices/new",
    "/licenses",
    "/licenses/import",
    "/records",
    "/entities",
    "/access-profiles",
    "/sync-log",
    "/settings",
    "/chat-gateways",
    "/email-profiles",
    "/teams",
    "/areas",
    "/employees",
    "/clients",
    "/organizations",
    "/organizations/new",
    "/administrators",
    "/administrators/new",
    "/audit",
    "/outbox",
    "/account/password",
    "/no-such-page",
];

/// (list page, the CSS selector of a link on it to one item's page)
const DETAILS: [(&str, &str); 14] = [
    ("/outbox", "td a[href^='/outbox/']"),
    ("/areas", "td a[href^='/areas/']"),
    ("/mobile-users", "td a[href^='/mobile-users/']"),
    (
        "/devices",
        "td a[href^='/devices/']:not([href$='/replace'])",
    ),
    ("/licenses", "a[href$='/key']"),
    ("/licenses", "a[href$='/used']"),
    ("/records", "td a[href^='/records/']"),
    ("/entities", "td a[href^='/entities/']"),
    ("/access-profiles", "td a[href^='/access-profiles/']"),
    ("/teams", "td a[href^='/teams/']"),
    ("/employees", "td a[href^='/employees/']"),
    ("/clients", "td a[href^='/clients/']"),
    ("/organizations", "a[href$='/edit']"),
    ("/administrators", "td a[href^='/administrators/']"),
];

async fn script(browser: &Client, code: &str) -> Value {
    browser.execute(code, vec![]).await.unwrap()
}

/// Resizes the window so that the page's viewport is `width` × `height`.
async fn set_viewport(browser: &Client, width: u32, height: u32) {
    browser.set_window_size(width, height).await.unwrap();
    let inner = script(browser, "return [window.innerWidth, window.innerHeight];").await;
    let (inner_w, inner_h) = (inner[0].as_u64().unwrap(), inner[1].as_u64().unwrap());
    browser
        .set_window_size(
            width + (width - inner_w as u32),
            height + (height - inner_h as u32),
        )
        .await
        .unwrap();
    let inner = script(browser, "return window.innerWidth;").await;
    assert_eq!(inner.as_u64(), Some(u64::from(width)), "viewport width");
}

/// The document is no wider than the window: nothing to scroll to sideways.
async fn assert_no_sideways_scroll(browser: &Client, what: &str) {
    let widths = script(
        browser,
        "const wide = [...document.querySelectorAll('body *')]
           .filter(e => e.closest('dialog:not([open]), details:not([open]) > :not(summary)') === null)
           .map(e => [Math.round(e.getBoundingClientRect().right),
                      e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
                        ? '.' + e.className.trim().split(/\\s+/).join('.') : '')])
           .filter(([right]) => right > window.innerWidth)
           .sort((a, b) => b[0] - a[0])
           .slice(0, 8);
         return [document.documentElement.scrollWidth, window.innerWidth, wide];",
    )
    .await;
    let (scroll, inner) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
    assert!(
        scroll <= inner,
        "{what}: the document is {scroll} px wide in a {inner} px window; reaching furthest \
         (right edge, element): {}",
        widths[2]
    );
}

/// On a laptop every table fits its card: row actions are in view, no scrollbar to find.
async fn assert_tables_fit(browser: &Client, what: &str) {
    let scrolling = script(
        browser,
        "return [...document.querySelectorAll('.card')]
           .filter(c => c.scrollWidth > c.clientWidth + 1 && c.closest('dialog') === null)
           .map(c => (c.querySelector('caption, h2') || c).textContent.trim().slice(0, 40)
                     + ': ' + c.scrollWidth + ' in ' + c.clientWidth);",
    )
    .await;
    assert_eq!(
        scrolling,
        Value::Array(vec![]),
        "{what}: these cards scroll sideways"
    );
}

/// The links to one item's page of each kind, found on the lists.
async fn detail_pages(browser: &Client, address: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (list, selector) in DETAILS {
        browser.goto(&format!("{address}{list}")).await.unwrap();
        let link = browser
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|_| panic!("{list} links an item with {selector}"));
        let href = link.attr("href").await.unwrap().unwrap();
        found.push(href.clone());
        if list == "/mobile-users" {
            found.push(format!("{href}/sync"));
        }
        if list == "/devices" {
            found.push(format!("{href}/replace"));
        }
    }
    found
}

#[tokio::test]
async fn every_page_fits_a_phone_and_a_laptop_and_passes_axe() {
    let app = spawn_app().await;
    let organizations = demo::fill(
        &app.db,
        app.data_dir.path(),
        demo::DemoSize {
            users: 60,
            extra_licences: 0,
            devices: 60,
            records: 30,
            audit: 40,
        },
    )
    .await
    .expect("demo data");
    let northwind = &organizations[0];
    let area = licensedesk::app::lookups::save_area(
        &app.db,
        &Actor::command_line(),
        northwind.id,
        None,
        "Bohemia",
    )
    .await
    .unwrap();
    licensedesk::app::lookups::save_client(
        &app.db,
        &Actor::command_line(),
        northwind.id,
        None,
        &ClientInput::parse("Fleet Co", "wholesale", &area.id.to_string()).unwrap(),
    )
    .await
    .unwrap();
    // The first-start setup page, while no administrator exists.
    let setup = app.setup_url.clone().expect("a setup link on first start");
    let address = app.address.clone();
    let northwind_id = northwind.id;
    let northwind_guid = northwind.organization_id.clone();
    let app = &app;

    with_browser(|browser| async move {
        // The first-start setup page, while no administrator exists.
        for (name, width, height) in SIZES {
            set_viewport(&browser, width, height).await;
            browser.goto(&setup).await.unwrap();
            browser
                .find(Locator::Id("email"))
                .await
                .expect("the setup form");
            assert_no_sideways_scroll(&browser, &format!("setup at {name}")).await;
            assert_accessible(&browser).await;
            screenshot(&browser, &format!("{name}-setup")).await;
        }
        app.create_administrator("operations.lead.north@example.com", Role::Operator, None)
            .await;
        // A welcome mail in the Outbox, for the page of one mail and its set-password link.
        app.login_ok("operations.lead.north@example.com").await;
        let invited = app
            .post_form(
                "/administrators",
                &[
                    ("email", "new@example.com"),
                    ("name", "Nova"),
                    ("role", "operator"),
                ],
            )
            .await;
        assert_eq!(invited.status(), 303, "{}", invited.text().await.unwrap());
        let welcome = common::smtp::text_body(&app.mail().wait_for(1).await[0]);
        let set_password = common::smtp::link_in(&welcome, &app.address).expect("a link");
        // An automatic assignment, for the page its notification mail links to.
        let mut settings = licensedesk::storage::settings::get(&app.db, northwind_id)
            .await
            .unwrap();
        settings.auto_assign_licenses = true;
        settings.send_assignment_notifications = true;
        settings.notification_addresses = "ops@example.com".to_owned();
        licensedesk::storage::settings::save(&app.db, settings)
            .await
            .unwrap();
        let check = format!(
            "<MobileClient><OrganizationId>{}</OrganizationId><UserId>{}</UserId></MobileClient>",
            northwind_guid,
            uuid::Uuid::new_v4()
        );
        let reply = app
            .client
            .post(app.url("/api/v1/license/check"))
            .header("content-type", "application/xml")
            .body(check)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(reply.contains("<State>Enabled</State>"), "{reply}");
        let notice = app
            .mail()
            .wait_for(2)
            .await
            .iter()
            .find_map(|mail| {
                common::smtp::link_in(
                    &common::smtp::text_body(mail),
                    &format!("{}/notices/", app.address),
                )
            })
            .expect("a notice link");
        // The page a notification mail's "manage subscriptions" link opens.
        let subscriptions = licensedesk::app::notifications::NoticeLinks {
            base_url: &app.address,
            signer: &app.signer,
        }
        .manage("ops@example.com");

        // Signed out: the sign-in page and the set-password page of the welcome mail.
        for (name, width, height) in SIZES {
            set_viewport(&browser, width, height).await;
            for (page, url) in [
                ("login", format!("{address}/login")),
                ("set-password", set_password.clone()),
                ("subscriptions", subscriptions.clone()),
                ("notice", notice.clone()),
            ] {
                browser.goto(&url).await.unwrap();
                assert_no_sideways_scroll(&browser, &format!("{page} at {name}")).await;
                assert_accessible(&browser).await;
                screenshot(&browser, &format!("{name}-{page}")).await;
            }
        }
        set_viewport(&browser, 1366, 768).await;
        sign_in(&browser, &address, "operations.lead.north@example.com").await;
        // The demo's first organization holds the sync data (records, entities, profiles).
        script(
            &browser,
            "const s = document.getElementById('organization-select');
             s.value = [...s.options].find(o => o.text.startsWith('Northwind')).value;
             s.form.submit(); return null;",
        )
        .await;
        browser
            .wait()
            .for_element(Locator::XPath(
                "//option[@selected and starts-with(., 'Northwind')]",
            ))
            .await
            .unwrap();
        let mut pages: Vec<String> = PAGES.iter().map(|p| (*p).to_owned()).collect();
        pages.extend(detail_pages(&browser, &address).await);

        for (name, width, height) in SIZES {
            set_viewport(&browser, width, height).await;
            for page in &pages {
                browser.goto(&format!("{address}{page}")).await.unwrap();
                let what = format!("{page} at {name} ({width} × {height})");
                assert_no_sideways_scroll(&browser, &what).await;
                if name == "laptop" {
                    assert_tables_fit(&browser, &what).await;
                }
                assert_accessible(&browser).await;
                let file = page.trim_start_matches('/').replace('/', "-");
                screenshot(&browser, &format!("{name}-{file}")).await;
            }
        }

        // On the phone the navigation is behind a menu button that opens it.
        set_viewport(&browser, 390, 844).await;
        browser
            .goto(&format!("{address}/mobile-users"))
            .await
            .unwrap();
        let devices_link = browser
            .find(Locator::Css(".navmenu a[href='/devices']"))
            .await
            .unwrap();
        assert!(!devices_link.is_displayed().await.unwrap());
        browser
            .find(Locator::Css(".navmenu summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert!(devices_link.is_displayed().await.unwrap());
        assert_no_sideways_scroll(&browser, "the open menu on a phone").await;
        assert_accessible(&browser).await;
        screenshot(&browser, "phone-menu").await;
        devices_link.click().await.unwrap();
        browser
            .wait()
            .for_url(&url::Url::parse(&format!("{address}/devices")).unwrap())
            .await
            .unwrap();

        // A dialog fits the phone's screen.
        browser
            .goto(&format!("{address}/mobile-users"))
            .await
            .unwrap();
        browser
            .find(Locator::Css("[data-dialog='add-user']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let rect = script(
            &browser,
            "const r = document.getElementById('add-user').getBoundingClientRect();
             return [r.left, r.right, window.innerWidth];",
        )
        .await;
        let (left, right, inner) = (
            rect[0].as_f64().unwrap(),
            rect[1].as_f64().unwrap(),
            rect[2].as_f64().unwrap(),
        );
        assert!(
            left >= 0.0 && right <= inner,
            "the Add user dialog spans {left}–{right} in a {inner} px window"
        );
        screenshot(&browser, "phone-add-user").await;

        // A confirmation page (what a browser without JavaScript gets for a delete) fits too.
        for (name, width, height) in SIZES {
            set_viewport(&browser, width, height).await;
            browser.goto(&format!("{address}/employees")).await.unwrap();
            // form.submit() skips the dialog, as a browser without JavaScript would.
            script(
                &browser,
                "document.querySelector('form[action$=\"/delete\"]').submit(); return null;",
            )
            .await;
            browser
                .wait()
                .for_element(Locator::Css(".confirm-card"))
                .await
                .unwrap();
            assert_no_sideways_scroll(&browser, &format!("a confirmation page at {name}")).await;
            assert_accessible(&browser).await;
            screenshot(&browser, &format!("{name}-confirm-delete")).await;
        }

        // An organization's admin and viewer see a header without the selector and pages
        // with fewer actions: the main pages fit for them too.
        for (email, role) in [
            ("ada@example.com", Role::Admin),
            ("vic@example.com", Role::Viewer),
        ] {
            app.create_administrator(email, role, Some(northwind_id))
                .await;
            browser.delete_all_cookies().await.unwrap();
            set_viewport(&browser, 1366, 768).await;
            sign_in(&browser, &address, email).await;
            for (name, width, height) in SIZES {
                set_viewport(&browser, width, height).await;
                for page in [
                    "/mobile-users",
                    "/devices",
                    "/licenses",
                    "/records",
                    "/audit",
                ] {
                    browser.goto(&format!("{address}{page}")).await.unwrap();
                    let what = format!("{page} as {} at {name}", role.label());
                    assert_no_sideways_scroll(&browser, &what).await;
                    assert_accessible(&browser).await;
                    let file = page.trim_start_matches('/');
                    screenshot(&browser, &format!("{name}-{file}-as-{}", role.label())).await;
                }
            }
        }
    })
    .await;
}
