//! The licence check's per-instance cache of an organization's mobile users: after any
//! sequence of changes, made through the storage functions the pages and the check use, a
//! cache that refreshes incrementally agrees with the database — and a second instance's
//! cache (another process in production) sees the changes within its time to live.

mod common;

use std::time::Duration;

use chrono::Utc;
use licensedesk::storage::entities::mobile_users;
use licensedesk::{
    domain::{csv_import, ids::Guid, license_check::UserState},
    storage::{
        self,
        organization_cache::{Clock, Lookup, OrganizationCache},
    },
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use common::spawn_app;

async fn cached_state(
    cache: &OrganizationCache,
    app: &common::TestApp,
    organization: Guid,
    user: Guid,
) -> Option<UserState> {
    match cache
        .lookup(&app.db, organization, user, Utc::now())
        .await
        .unwrap()
    {
        Lookup::Organization { user, .. } => user.map(|u| u.known.state),
        Lookup::UnknownOrganization => panic!("the organization exists"),
    }
}

#[tokio::test]
async fn an_incrementally_refreshed_cache_agrees_with_the_database_after_any_changes() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    let org_guid = Guid::parse(&org.organization_id).unwrap();
    // Refreshes at every lookup, so every step exercises the incremental refresh.
    let cache = OrganizationCache::new(Duration::ZERO);
    let mut rng = StdRng::seed_from_u64(7);
    let mut ever: Vec<Guid> = Vec::new();

    for step in 0..60 {
        let users: Vec<_> = mobile_users::Entity::find()
            .filter(mobile_users::Column::OrganizationId.eq(org.id))
            .all(&app.db)
            .await
            .unwrap();
        let txn = storage::begin_write(&app.db).await.unwrap();
        match rng.random_range(0..5) {
            0 | 1 => {
                // Add a new user, or bring back one deleted earlier.
                let guid = match ever.choose(&mut rng) {
                    Some(old)
                        if rng.random_bool(0.3)
                            && !users.iter().any(|u| u.user_id == old.to_string()) =>
                    {
                        *old
                    }
                    _ => Guid::new_random(),
                };
                let state = *[UserState::Enabled, UserState::Disabled, UserState::Pending]
                    .choose(&mut rng)
                    .unwrap();
                storage::mobile_users::insert(&txn, org.id, &guid.to_string(), None, state)
                    .await
                    .unwrap();
                ever.push(guid);
            }
            2 => {
                if let Some(user) = users.choose(&mut rng) {
                    let state = *[UserState::Enabled, UserState::Disabled, UserState::Pending]
                        .choose(&mut rng)
                        .unwrap();
                    storage::mobile_users::set_state(&txn, user, state)
                        .await
                        .unwrap();
                }
            }
            3 => {
                if let Some(user) = users.choose(&mut rng) {
                    storage::mobile_users::delete(&txn, user).await.unwrap();
                }
            }
            _ => {
                // An import that changes one user and adds another.
                let mut csv = String::from("user_id,state\n");
                if let Some(user) = users.choose(&mut rng) {
                    csv.push_str(&format!("{},Disabled\n", user.user_id));
                }
                let added = Guid::new_random();
                csv.push_str(&format!("{added},Pending\n"));
                let rows = csv_import::parse(csv.as_bytes()).unwrap();
                let ids: Vec<String> = rows.iter().map(|r| r.user_id.to_string()).collect();
                let existing = storage::mobile_users::find_by_user_ids(&txn, org.id, &ids)
                    .await
                    .unwrap();
                storage::mobile_users::apply_import(&txn, org.id, &rows, &existing, 14)
                    .await
                    .unwrap();
                ever.push(added);
            }
        }
        txn.commit().await.unwrap();

        for guid in &ever {
            let stored = storage::mobile_users::find_by_user_id(&app.db, org.id, &guid.to_string())
                .await
                .unwrap()
                .map(|u| u.state);
            assert_eq!(
                cached_state(&cache, &app, org_guid, *guid).await,
                stored,
                "user {guid} after step {step}"
            );
        }
    }
}

#[tokio::test]
async fn another_instance_sees_a_change_once_its_time_to_live_has_passed() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    let org_guid = Guid::parse(&org.organization_id).unwrap();
    let user = app.add_mobile_user(&org, "Pat", UserState::Enabled).await;
    let user_guid = Guid::parse(&user.user_id).unwrap();
    let ttl = Duration::from_secs(30);
    let clock = Clock::manual();
    let other_instance = OrganizationCache::new(ttl).with_clock(clock.clone());
    assert_eq!(
        cached_state(&other_instance, &app, org_guid, user_guid).await,
        Some(UserState::Enabled)
    );

    storage::mobile_users::set_state(&app.db, &user, UserState::Disabled)
        .await
        .unwrap();
    clock.advance(ttl - Duration::from_secs(1));
    assert_eq!(
        cached_state(&other_instance, &app, org_guid, user_guid).await,
        Some(UserState::Enabled),
        "within its time to live the other instance answers from its copy"
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        cached_state(&other_instance, &app, org_guid, user_guid).await,
        Some(UserState::Disabled),
        "the disable reached the other instance"
    );

    storage::mobile_users::delete(&app.db, &user).await.unwrap();
    clock.advance(ttl);
    assert_eq!(
        cached_state(&other_instance, &app, org_guid, user_guid).await,
        None,
        "the deletion reached the other instance"
    );
}
