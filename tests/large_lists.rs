//! Large lists (issue 14): pages reached through Next and Previous seek to their anchor row
//! instead of counting off every row in front; searches of mobile users and the audit log go
//! through trigram indexes. Both must show exactly what the plain reading shows: the same
//! rows in the same order as counting pages off from the top, and every row whose text
//! contains the search, ignoring case — with names, emails and sync times missing, ties,
//! renames and deletions, other organizations' rows, and more than 1 000 matches (where
//! SQLite walks the rows in order instead of fetching every match).

mod common;

use chrono::{Duration, Utc};
use common::{TestApp, spawn_app};
use licensedesk::{
    domain::{
        license_check::UserState,
        paging::{Anchor, Page, PageRequest},
        permissions::Role,
    },
    storage::{
        self,
        audit::AuditFilter,
        entities::{audit_log, mobile_users},
        mobile_users::{UserFilter, UserSort},
    },
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

const SIZE: u64 = 25;

/// `count` users of the organization: every third without a name, every fourth without an
/// email, every fifth never synced; names repeat (ties broken by id).
async fn add_users(app: &TestApp, organization: i64, label: &str, count: usize) {
    let now = Utc::now();
    let users: Vec<mobile_users::ActiveModel> = (0..count)
        .map(|n| mobile_users::ActiveModel {
            organization_id: Set(organization),
            user_id: Set(uuid::Uuid::new_v4().to_string()),
            display_name: Set((n % 3 != 0).then(|| format!("{label} {}", n % 7))),
            email: Set((n % 4 != 0).then(|| format!("{}.{n}@field.example", label.to_lowercase()))),
            state: Set([UserState::Enabled, UserState::Pending, UserState::Disabled][n % 3]),
            created_at: Set(now - Duration::days((n % 9) as i64)),
            last_sync_at: Set((n % 5 != 0).then(|| now - Duration::minutes((n % 11) as i64))),
            device_info: Set(None),
            app_version: Set((n % 6 != 0).then(|| format!("6.{}.0", n % 4))),
            temporary_license_until: Set(None),
            version: Set(0),
            access_profile_id: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in users.chunks(300) {
        mobile_users::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .unwrap();
    }
}

async fn users_page(
    app: &TestApp,
    organization: i64,
    filter: &UserFilter,
    sort: UserSort,
    descending: bool,
    request: PageRequest,
) -> Page<mobile_users::Model> {
    storage::mobile_users::list(&app.db, organization, filter, sort, descending, request)
        .await
        .unwrap()
}

fn ids<T>(page: &Page<T>, id: impl Fn(&T) -> i64) -> Vec<i64> {
    page.items.iter().map(id).collect()
}

/// Every page of a list, reached by Next links, by page number, and back by Previous: the
/// three must agree. Returns the ids in list order.
async fn walk<T, F, Fut>(fetch: F, id: impl Fn(&T) -> i64 + Copy) -> Vec<i64>
where
    F: Fn(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Page<T>>,
{
    let mut by_next: Vec<Vec<i64>> = Vec::new();
    let mut anchor = None;
    for number in 1.. {
        let page = fetch(PageRequest::new(Some(number), Some(SIZE)).anchored(anchor)).await;
        by_next.push(ids(&page, id));
        // The count is capped, but the page knows whether another follows.
        if !page.has_next() {
            assert!(!page.more, "the last page knows the exact total");
            assert_eq!(
                page.total,
                (number - 1) * SIZE + page.items.len() as u64,
                "the last page's total"
            );
            break;
        }
        let (_, last) = page.ends.expect("a seeking list names its ends");
        anchor = Some(Anchor::After(last));
    }
    for (index, expected) in by_next.iter().enumerate() {
        let number = index as u64 + 1;
        let counted = fetch(PageRequest::new(Some(number), Some(SIZE))).await;
        assert_eq!(&ids(&counted, id), expected, "page {number} by number");
        if let Some(following) = by_next.get(index + 1).and_then(|page| page.first()) {
            let back = fetch(
                PageRequest::new(Some(number), Some(SIZE))
                    .anchored(Some(Anchor::Before(*following))),
            )
            .await;
            assert_eq!(&ids(&back, id), expected, "page {number} by Previous");
            assert!(back.has_next());
        }
    }
    let all: Vec<i64> = by_next.into_iter().flatten().collect();
    let mut unique = all.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "no row on two pages");
    all
}

#[tokio::test]
async fn mobile_user_pages_by_next_and_previous_show_what_page_numbers_show_in_every_order() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let other = app.create_organization("Other").await;
    add_users(&app, acme.id, "Novak", 130).await;
    add_users(&app, other.id, "Novak", 40).await;
    let filter = UserFilter::default();
    for sort in ["name", "user_id", "email", "state", "last_sync", "version"] {
        for descending in [false, true] {
            let sort = UserSort::parse(sort);
            let all = walk(
                |request| users_page(&app, acme.id, &filter, sort, descending, request),
                |u| u.id,
            )
            .await;
            assert_eq!(all.len(), 130, "{sort:?} descending={descending}");
        }
    }
    // A Next link whose row is gone still shows its page, by number.
    let first = users_page(
        &app,
        acme.id,
        &filter,
        UserSort::Name,
        false,
        PageRequest::new(None, Some(SIZE)),
    )
    .await;
    let second = users_page(
        &app,
        acme.id,
        &filter,
        UserSort::Name,
        false,
        PageRequest::new(Some(2), Some(SIZE)),
    )
    .await;
    let (_, last) = first.ends.unwrap();
    let gone = storage::mobile_users::find_in(&app.db, acme.id, last)
        .await
        .unwrap()
        .unwrap();
    storage::mobile_users::delete(&app.db, &gone).await.unwrap();
    let anchored = PageRequest::new(Some(2), Some(SIZE)).anchored(Some(Anchor::After(last)));
    let after_gone = users_page(&app, acme.id, &filter, UserSort::Name, false, anchored).await;
    // One row moved up onto the first page; the rest is the page it was.
    assert_eq!(
        ids(&after_gone, |u| u.id)[..SIZE as usize - 1],
        ids(&second, |u| u.id)[1..]
    );
    // Another organization's row as the anchor shows nothing of that organization.
    let foreign = users_page(
        &app,
        other.id,
        &filter,
        UserSort::Name,
        false,
        PageRequest::new(None, Some(SIZE)),
    )
    .await;
    let (_, foreign_last) = foreign.ends.unwrap();
    let crossed = users_page(
        &app,
        acme.id,
        &filter,
        UserSort::Name,
        false,
        PageRequest::new(Some(2), Some(SIZE)).anchored(Some(Anchor::After(foreign_last))),
    )
    .await;
    assert!(crossed.items.iter().all(|u| u.organization_id == acme.id));
}

/// The plain reading of the Mobile Users search.
fn user_matches(user: &mobile_users::Model, text: &str) -> bool {
    let text = text.trim().to_lowercase();
    [
        user.display_name.clone().unwrap_or_default(),
        user.email.clone().unwrap_or_default(),
        user.user_id.clone(),
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(&text))
}

#[tokio::test]
async fn the_mobile_user_search_finds_what_a_plain_reading_finds_also_past_a_thousand_matches() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let other = app.create_organization("Other").await;
    add_users(&app, acme.id, "Novak", 1_200).await;
    add_users(&app, acme.id, "Berg", 30).await;
    add_users(&app, other.id, "Novak", 30).await;
    // Changed after they were indexed: a rename, an email, a deletion.
    let mut users = storage::mobile_users::list(
        &app.db,
        acme.id,
        &UserFilter {
            search: "berg 1".into(),
            state: None,
        },
        UserSort::Name,
        false,
        PageRequest::new(None, Some(100)),
    )
    .await
    .unwrap()
    .items;
    let renamed = users.remove(0);
    let mut active = renamed.clone().into_active_model();
    active.display_name = Set(Some("Zoë Quinn-Smith".to_owned()));
    active.update(&app.db).await.unwrap();
    storage::mobile_users::set_email(&app.db, &users[0], "q.smith@elsewhere.example")
        .await
        .unwrap();
    storage::mobile_users::delete(&app.db, &users[1])
        .await
        .unwrap();

    let everyone = mobile_users::Entity::find().all(&app.db).await.unwrap();
    let guid_part = everyone[7].user_id[9..17].to_uppercase();
    for text in [
        "novak",
        "NOVAK 3",
        "berg",
        "smith",
        "quinn-",
        "@ELSEWHERE",
        "no",
        "k",
        "%",
        "_1",
        "\"b",
        guid_part.as_str(),
        "nobody here",
    ] {
        let filter = UserFilter {
            search: text.to_owned(),
            state: None,
        };
        let found = walk(
            |request| users_page(&app, acme.id, &filter, UserSort::Name, false, request),
            |u| u.id,
        )
        .await;
        let mut expected: Vec<i64> = everyone
            .iter()
            .filter(|u| u.organization_id == acme.id && user_matches(u, text))
            .map(|u| u.id)
            .collect();
        expected.sort_unstable();
        let mut found_sorted = found.clone();
        found_sorted.sort_unstable();
        assert_eq!(found_sorted, expected, "search {text:?}");
        // With the state filter too.
        let enabled = UserFilter {
            search: text.to_owned(),
            state: Some(UserState::Enabled),
        };
        let page = users_page(
            &app,
            acme.id,
            &enabled,
            UserSort::Name,
            false,
            PageRequest::new(None, Some(100)),
        )
        .await;
        assert!(
            page.items
                .iter()
                .all(|u| u.state == UserState::Enabled && user_matches(u, text))
        );
    }
    let many = users_page(
        &app,
        acme.id,
        &UserFilter {
            search: "novak".into(),
            state: None,
        },
        UserSort::Name,
        false,
        PageRequest::new(None, Some(SIZE)),
    )
    .await;
    assert!(many.more, "more than 1 000 matches are counted to 1 000");
    assert_eq!(many.total, 1_000);
}

/// `count` entries of the organization, one a minute back from now; every other one by
/// "admin3@example.com".
async fn add_entries(app: &TestApp, organization: Option<i64>, action: &str, count: usize) {
    let now = Utc::now();
    let entries: Vec<audit_log::ActiveModel> = (0..count)
        .map(|n| audit_log::ActiveModel {
            at: Set(now - Duration::minutes(n as i64 % 400)),
            organization_id: Set(organization),
            actor_id: Set(None),
            actor: Set(if n % 2 == 0 {
                "admin3@example.com"
            } else {
                "ada@demo.example"
            }
            .to_owned()),
            action: Set(action.to_owned()),
            target: Set(format!("user {}", uuid::Uuid::new_v4())),
            before: Set(Some(r#"{"state":"Pending"}"#.to_owned())),
            after: Set((n % 3 != 0).then(|| r#"{"state":"Enabled"}"#.to_owned())),
            ..Default::default()
        })
        .collect();
    for chunk in entries.chunks(300) {
        audit_log::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .unwrap();
    }
}

/// The plain reading of the Audit page's search and Actor filter.
fn entry_matches(entry: &audit_log::Model, text: &str, actor: &str) -> bool {
    let contains =
        |field: &str, text: &str| field.to_lowercase().contains(&text.trim().to_lowercase());
    let texts = [
        entry.action.as_str(),
        entry.target.as_str(),
        entry.before.as_deref().unwrap_or(""),
        entry.after.as_deref().unwrap_or(""),
    ];
    texts.iter().any(|field| contains(field, text)) && contains(&entry.actor, actor)
}

#[tokio::test]
async fn audit_pages_and_searches_show_what_a_plain_reading_shows() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let other = app.create_organization("Other").await;
    add_entries(&app, Some(acme.id), "mobile_user.enable", 1_100).await;
    add_entries(&app, Some(acme.id), "team.update", 60).await;
    add_entries(&app, Some(other.id), "mobile_user.enable", 40).await;
    add_entries(&app, None, "organization.create", 5).await;
    let everyone = audit_log::Entity::find().all(&app.db).await.unwrap();
    let target_part = everyone[3].target[10..16].to_uppercase();
    for (organization, text, actor) in [
        (Some(acme.id), "", ""),
        (Some(acme.id), "enabled", ""),
        (Some(acme.id), "team.", "ADMIN3"),
        (Some(acme.id), "", "ad"),
        (Some(acme.id), target_part.as_str(), ""),
        (Some(acme.id), "nothing like it", ""),
        (None, "create", ""),
        (None, "pending", "ada@"),
    ] {
        let filter = AuditFilter {
            organization_id: organization,
            text: text.to_owned(),
            actor: actor.to_owned(),
            ..Default::default()
        };
        let found = walk(
            |request| {
                let filter = filter.clone();
                let db = app.db.clone();
                async move { storage::audit::search(&db, &filter, request).await.unwrap() }
            },
            |e| e.id,
        )
        .await;
        let mut expected: Vec<&audit_log::Model> = everyone
            .iter()
            .filter(|e| organization.is_none() || e.organization_id == organization)
            .filter(|e| entry_matches(e, text, actor))
            .collect();
        // Newest first.
        expected.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        let expected: Vec<i64> = expected.iter().map(|e| e.id).collect();
        assert_eq!(found, expected, "{organization:?} {text:?} {actor:?}");
    }
}

#[tokio::test]
async fn next_and_previous_links_carry_the_anchor_row_and_lead_to_the_neighbouring_pages() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    add_users(&app, acme.id, "Larsen", 60).await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    let first = app.get_html("/mobile-users?size=25").await;
    let next = link(&first, "next");
    assert!(next.contains("page=2") && next.contains("after="), "{next}");
    let second = app.get_html(&next).await;
    assert!(
        second.contains("26–50 of 60"),
        "the count is exact below the cap: {}",
        &second[second.find("pagination-info").unwrap_or(0)..][..200]
    );
    let third = app.get_html(&link(&second, "next")).await;
    assert!(third.contains("51–60 of 60"));
    assert!(
        !third.contains(r#"rel="next""#),
        "the last page has no Next"
    );
    let previous = link(&third, "prev");
    assert!(
        previous.contains("page=2") && previous.contains("before="),
        "{previous}"
    );
    let back = app.get_html(&previous).await;
    assert_eq!(
        rows(&back),
        rows(&second),
        "Previous shows the page Next showed"
    );
    // From page 2, Previous is page 1 itself, without an anchor.
    assert_eq!(link(&second, "prev"), "/mobile-users?sort=name&size=25");
}

fn link(html: &str, rel: &str) -> String {
    let marker = format!(r#"" rel="{rel}""#);
    let end = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {rel} link"));
    let start = html[..end].rfind("href=\"").unwrap() + 6;
    html[start..end].replace("&#38;", "&").replace("&amp;", "&")
}

fn rows(html: &str) -> Vec<String> {
    html.split("<tr")
        .skip(2)
        .map(|row| row.split("</tr>").next().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn a_search_matching_more_rows_than_the_index_hands_over_pages_through_them_in_order() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    // More matches than `FETCHED_THROUGH_INDEX` (10 000): SQLite walks the users in name
    // order and tests each. Zero-padded names sort alike under every collation.
    let count = 10_100;
    let users: Vec<mobile_users::ActiveModel> = (0..count)
        .map(|n| mobile_users::ActiveModel {
            organization_id: Set(acme.id),
            user_id: Set(uuid::Uuid::new_v4().to_string()),
            display_name: Set(Some(format!("novak {:05}", (n * 7919) % count))),
            email: Set(None),
            state: Set(if n % 10 == 0 {
                UserState::Enabled
            } else {
                UserState::Pending
            }),
            created_at: Set(Utc::now()),
            last_sync_at: Set(None),
            device_info: Set(None),
            app_version: Set(None),
            temporary_license_until: Set(None),
            version: Set(0),
            access_profile_id: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in users.chunks(500) {
        mobile_users::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .unwrap();
    }
    add_users(&app, acme.id, "Berg", 20).await;
    let mut expected: Vec<mobile_users::Model> = mobile_users::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| user_matches(u, "NOVAK"))
        .collect();
    expected.sort_by(|a, b| a.display_name.cmp(&b.display_name).then(a.id.cmp(&b.id)));
    let expected: Vec<i64> = expected.iter().map(|u| u.id).collect();
    let filter = UserFilter {
        search: "NOVAK".into(),
        state: None,
    };
    let page = |request| users_page(&app, acme.id, &filter, UserSort::Name, false, request);
    let first = page(PageRequest::new(None, Some(SIZE))).await;
    assert_eq!(ids(&first, |u| u.id), expected[..25]);
    assert!(first.more && first.total == 1_000, "more than 1 000");
    let (_, last) = first.ends.unwrap();
    let second =
        page(PageRequest::new(Some(2), Some(SIZE)).anchored(Some(Anchor::After(last)))).await;
    assert_eq!(ids(&second, |u| u.id), expected[25..50]);
    let deep = page(PageRequest::new(Some(300), Some(SIZE))).await;
    assert_eq!(ids(&deep, |u| u.id), expected[7_475..7_500]);
    let (_, last) = deep.ends.unwrap();
    let next =
        page(PageRequest::new(Some(301), Some(SIZE)).anchored(Some(Anchor::After(last)))).await;
    assert_eq!(ids(&next, |u| u.id), expected[7_500..7_525]);
    let end = page(PageRequest::new(Some(404), Some(SIZE))).await;
    assert_eq!(ids(&end, |u| u.id), expected[10_075..]);
    assert!(
        !end.has_next() && !end.more && end.total == 10_100,
        "the last page knows the total"
    );
    // With the state filter the count is the filtered one.
    let enabled = UserFilter {
        search: "novak".into(),
        state: Some(UserState::Enabled),
    };
    let page = users_page(
        &app,
        acme.id,
        &enabled,
        UserSort::Name,
        false,
        PageRequest::new(None, Some(100)),
    )
    .await;
    assert_eq!((page.total, page.more), (1_000, true));
    assert!(page.items.iter().all(|u| u.state == UserState::Enabled));
}
