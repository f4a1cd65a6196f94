//! The keyboard in real headless Chromium (issue 13, point 4): stepping through the
//! organization selector with the arrow keys does not switch until Enter; Esc closes the
//! user menu and gives the focus back to its button; the focus ring stands out from the page
//! by at least 3:1.

mod common;

use std::time::Duration;

use common::{
    browser::{assert_accessible, sign_in, with_browser},
    spawn_app,
};
use fantoccini::{Client, Locator, key::Key};
use licensedesk::domain::permissions::Role;
use serde_json::Value;

async fn script(browser: &Client, code: &str) -> Value {
    browser.execute(code, vec![]).await.unwrap()
}

async fn selected_organization(browser: &Client) -> String {
    script(
        browser,
        "const s = document.getElementById('organization-select');
         return s.options[s.selectedIndex].text;",
    )
    .await
    .as_str()
    .unwrap()
    .to_owned()
}

#[tokio::test]
async fn keyboard_users_step_through_selects_and_close_menus() {
    let app = spawn_app().await;
    app.create_organization("Acme").await;
    app.create_organization("Globex").await;
    app.create_administrator("op@example.com", Role::Operator, None)
        .await;
    let address = app.address.clone();

    with_browser(|browser| async move {
        sign_in(&browser, &address, "op@example.com").await;
        browser
            .goto(&format!("{address}/organizations"))
            .await
            .unwrap();
        let before = selected_organization(&browser).await;
        // A marker that lives only as long as this page does.
        script(&browser, "window.stillHere = true; return null;").await;
        let select = browser
            .find(Locator::Id("organization-select"))
            .await
            .unwrap();
        select.send_keys(&Key::Down).await.unwrap();
        // Time for a submit and a new page, were there one.
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(
            script(&browser, "return window.stillHere === true;").await,
            Value::Bool(true),
            "one arrow key must not switch the organization"
        );
        let switch = browser
            .find(Locator::Css(".org-select button[type=submit]"))
            .await
            .unwrap();
        assert!(
            switch.is_displayed().await.unwrap(),
            "the Switch button shows once the choice came from the keyboard"
        );
        select.send_keys(&Key::Enter).await.unwrap();
        browser
            .wait()
            .for_element(Locator::Css(".org-select"))
            .await
            .unwrap();
        for _ in 0..50 {
            if script(&browser, "return window.stillHere === true;").await != Value::Bool(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let after = selected_organization(&browser).await;
        assert_ne!(after, before, "Enter switches to the organization chosen");

        // Esc closes the user menu, from its button or from inside it.
        let summary = browser.find(Locator::Css(".usermenu summary")).await.unwrap();
        summary.click().await.unwrap();
        let open = "return document.querySelector('.usermenu').open;";
        assert_eq!(script(&browser, open).await, Value::Bool(true));
        summary.send_keys(&Key::Tab).await.unwrap();
        browser
            .active_element()
            .await
            .unwrap()
            .send_keys(&Key::Escape)
            .await
            .unwrap();
        assert_eq!(script(&browser, open).await, Value::Bool(false));
        assert_eq!(
            script(
                &browser,
                "return document.activeElement === document.querySelector('.usermenu summary');"
            )
            .await,
            Value::Bool(true),
            "the focus is back on the menu's button"
        );

        // The focus ring of a control on the page, reached with Tab: at least 3:1 against
        // the white card behind it.
        browser
            .goto(&format!("{address}/organizations"))
            .await
            .unwrap();
        let contrast = script(
            &browser,
            "const link = document.querySelector('main a, main button');
             link.focus({ focusVisible: true });
             if (!link.matches(':focus-visible')) { return -1; }
             const color = getComputedStyle(link).outlineColor.match(/\\d+/g).map(Number);
             const lum = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
             const l = 0.2126 * lum(color[0]) + 0.7152 * lum(color[1]) + 0.0722 * lum(color[2]);
             return 1.05 / (l + 0.05);",
        )
        .await
        .as_f64()
        .unwrap();
        assert!(contrast >= 3.0, "focus ring contrast {contrast:.2}:1");
        assert_accessible(&browser).await;
    })
    .await;
}
