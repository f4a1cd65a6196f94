//! Demo data of mobile synchronisation: entities with required fields, access profiles,
//! records, and a sync history written the way devices write it (through the sync use
//! case) — superseded edits, a conflict of each kind, a reverted one, pending changes.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};
use serde_json::{Value, json};

use crate::{
    app::{self, license_check::CheckOutcome, sync::Push},
    domain::{
        access_profiles::{ProfileInput, Rights},
        ids::Guid,
        license_check::{Answer, AnswerState, Status, UserState},
        sync::{Change, Cursor, Op, PendingChange},
        sync_entities::EntityInput,
        tokens,
    },
    storage::{
        self,
        audit::Actor,
        entities::{devices, mobile_users, organizations},
    },
};

const ENTITIES: [(&str, &str, &str); 3] = [
    (
        "work_order",
        "Work order",
        "title: text required\nstatus: text required\nhours: number\ndue: date\ndone: boolean",
    ),
    (
        "inspection",
        "Inspection",
        "site: text required\nresult: text\npassed: boolean required\ninspected_on: date",
    ),
    (
        "client_visit",
        "Client visit",
        "client: text required\nnotes: text\nvisited_on: date",
    ),
];

const STATUSES: [&str; 4] = ["open", "in progress", "waiting for parts", "done"];
const SITES: [&str; 5] = [
    "Pump station 4",
    "Substation North",
    "Depot Hamburg",
    "Water tower 2",
    "Warehouse B",
];

fn rights(read: bool, create: bool, update: bool, delete: bool) -> Rights {
    Rights {
        read,
        create,
        update,
        delete,
    }
}

/// A change as a device would send it.
fn change(entity: &str, id: Guid, op: Op, base: i64, at: DateTime<Utc>, fields: Value) -> Change {
    Change {
        change_id: Guid::new_random(),
        entity: entity.to_owned(),
        record_id: id,
        op,
        base_version: base,
        changed_at: at,
        fields: fields.as_object().cloned().unwrap_or_default(),
    }
}

/// A registered device and its user, syncing.
struct Syncer<'a> {
    db: &'a DatabaseConnection,
    device: devices::Model,
    user: mobile_users::Model,
}

impl Syncer<'_> {
    async fn push(
        &self,
        changes: Vec<Change>,
        pending: Vec<PendingChange>,
        at: DateTime<Utc>,
    ) -> anyhow::Result<Vec<i64>> {
        let check = CheckOutcome {
            answer: Answer {
                status: Status::Ok,
                state: AnswerState::User(UserState::Enabled),
                valid_until: None,
            },
            sync_mode: crate::domain::settings::SyncMode::Offline,
        };
        let user_id = Guid::parse(&self.user.user_id)?;
        let results = app::sync::apply_checked(
            self.db,
            &self.device,
            &self.user,
            &check,
            Push {
                user_id,
                cursor: Cursor::default(),
                device_time: Some(at),
                changes,
                pending,
                app_version: None,
            },
            at,
        )
        .await
        .map_err(app::Error::into_anyhow)?;
        Ok(results.iter().filter_map(|r| r.version).collect())
    }
}

/// Tells PostgreSQL's planner how large the sync tables have grown, as autovacuum would
/// (if it runs at all) only a minute later: a planner that believes them empty reads every
/// record of an entity to find the 500 a push names.
async fn refresh_statistics(db: &DatabaseConnection) -> anyhow::Result<()> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        sea_orm::ConnectionTrait::execute_unprepared(
            db,
            "ANALYZE sync_records, sync_changes, sync_record_versions",
        )
        .await?;
    }
    Ok(())
}

/// Adds the sync demo to `organization` unless it has entities already; `records` work
/// orders (at least 20).
pub async fn add(
    db: &DatabaseConnection,
    organization: &organizations::Model,
    records: usize,
) -> anyhow::Result<()> {
    if !storage::sync_entities::all(db, organization.id)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let actor = Actor::system("demo");
    let mut entities = Vec::new();
    for (name, label, fields) in ENTITIES {
        let input = EntityInput::parse(name, label, fields)?;
        entities.push(
            app::sync_entities::save(db, &actor, organization.id, None, &input)
                .await
                .map_err(app::Error::into_anyhow)?,
        );
    }
    let [work_order, inspection, client_visit] = [&entities[0], &entities[1], &entities[2]];
    let profiles = [
        (
            "Field staff",
            true,
            vec![
                (work_order.id, rights(true, true, true, false)),
                (inspection.id, rights(true, false, false, false)),
                (client_visit.id, rights(true, true, true, true)),
            ],
        ),
        (
            "Inspectors",
            false,
            vec![
                (work_order.id, rights(true, false, false, false)),
                (inspection.id, rights(true, true, true, true)),
            ],
        ),
        (
            "Dispatchers",
            false,
            vec![
                (work_order.id, rights(true, true, true, true)),
                (inspection.id, rights(true, false, false, false)),
                (client_visit.id, rights(true, false, false, false)),
            ],
        ),
    ];
    let mut profile_ids = Vec::new();
    for (name, is_default, rules) in profiles {
        let input = ProfileInput::parse(name, is_default, rules)?;
        profile_ids.push(
            app::access_profiles::save(db, &actor, organization.id, None, &input)
                .await
                .map_err(app::Error::into_anyhow)?
                .id,
        );
    }

    // Three Enabled users on three registered devices: Field staff, an inspector, and a
    // dispatcher.
    let users: Vec<mobile_users::Model> = storage::mobile_users::all_matching(
        db,
        organization.id,
        &storage::mobile_users::UserFilter {
            search: String::new(),
            state: Some(UserState::Enabled),
        },
    )
    .await?;
    let devices = registered_devices(db, organization.id).await?;
    if users.len() < 3 || devices.len() < 3 {
        return Ok(());
    }
    app::access_profiles::assign(db, &actor, &users[1], Some(profile_ids[1]))
        .await
        .map_err(app::Error::into_anyhow)?;
    app::access_profiles::assign(db, &actor, &users[2], Some(profile_ids[2]))
        .await
        .map_err(app::Error::into_anyhow)?;
    let mut syncers = Vec::new();
    for (n, device) in devices.into_iter().take(3).enumerate() {
        // A token nobody knows: the demo writes through the use case, not over HTTP.
        let mut active: devices::ActiveModel = device.clone().into();
        active.token_hash = Set(Some(tokens::hash_token(&tokens::new_token())));
        let device = active.update(db).await?;
        let user = storage::mobile_users::find_in(db, organization.id, users[n].id)
            .await?
            .unwrap_or_else(|| users[n].clone());
        syncers.push(Syncer { db, device, user });
    }
    let [staff, inspector, dispatcher] = [&syncers[0], &syncers[1], &syncers[2]];

    let start = Utc::now() - Duration::days(3);
    let records = records.max(20);
    let mut work_orders = Vec::new();
    let mut version_of = Vec::new();
    for (n, chunk) in (0..records).collect::<Vec<_>>().chunks(500).enumerate() {
        if n % 20 == 1 {
            refresh_statistics(db).await?;
        }
        let mut changes = Vec::new();
        for n in chunk {
            let id = Guid::new_random();
            work_orders.push(id);
            let at = start + Duration::minutes(*n as i64 % 600);
            changes.push(change(
                "work_order",
                id,
                Op::Create,
                0,
                at,
                json!({"title": format!("Work order {}", n + 1),
                       "status": STATUSES[n % 3],
                       "hours": (n % 8) + 1,
                       "due": (start + Duration::days((n % 14) as i64)).format("%Y-%m-%d").to_string(),
                       "done": false}),
            ));
        }
        version_of.extend(dispatcher.push(changes, vec![], start).await?);
    }
    let mut changes = Vec::new();
    for n in 0..25 {
        changes.push(change(
            "inspection",
            Guid::new_random(),
            Op::Create,
            0,
            start + Duration::hours(2),
            json!({"site": SITES[n % SITES.len()], "result": "no findings", "passed": n % 4 != 0,
                   "inspected_on": start.format("%Y-%m-%d").to_string()}),
        ));
    }
    inspector
        .push(changes, vec![], start + Duration::hours(3))
        .await?;
    let mut changes = Vec::new();
    for n in 0..15 {
        changes.push(change(
            "client_visit",
            Guid::new_random(),
            Op::Create,
            0,
            start + Duration::hours(4),
            json!({"client": format!("Client {}", n + 1), "notes": "", "visited_on": start.format("%Y-%m-%d").to_string()}),
        ));
    }
    staff
        .push(changes, vec![], start + Duration::hours(5))
        .await?;

    // Two technicians edit the same work orders offline: the later edit wins; the earlier
    // one is superseded and stays in its user's log.
    let day2 = start + Duration::days(1);
    let mut late = Vec::new();
    let mut early = Vec::new();
    for n in 0..6 {
        let (id, base) = (work_orders[n], version_of[n]);
        late.push(change(
            "work_order",
            id,
            Op::Update,
            base,
            day2 + Duration::hours(2),
            json!({"status": "done", "done": true}),
        ));
        early.push(change(
            "work_order",
            id,
            Op::Update,
            base,
            day2 + Duration::hours(1),
            json!({"status": "waiting for parts", "hours": 6}),
        ));
    }
    dispatcher
        .push(late, vec![], day2 + Duration::hours(3))
        .await?;
    staff.push(early, vec![], day2 + Duration::hours(4)).await?;

    // A conflict of each kind, and the changes the technician still holds back.
    let day3 = start + Duration::days(2);
    let deleted = work_orders[10];
    dispatcher
        .push(
            vec![change(
                "work_order",
                deleted,
                Op::Delete,
                version_of[10],
                day3,
                json!({}),
            )],
            vec![],
            day3,
        )
        .await?;
    let conflicts = vec![
        // Field staff may not create inspections (twice: two sites).
        change(
            "inspection",
            Guid::new_random(),
            Op::Create,
            0,
            day3 + Duration::hours(1),
            json!({"site": "Pump station 9", "passed": true}),
        ),
        change(
            "inspection",
            Guid::new_random(),
            Op::Create,
            0,
            day3 + Duration::hours(1),
            json!({"site": "Depot Hamburg", "passed": false}),
        ),
        // Field staff may not delete work orders.
        change(
            "work_order",
            work_orders[12],
            Op::Delete,
            version_of[12],
            day3 + Duration::hours(1),
            json!({}),
        ),
        // A work order without its title.
        change(
            "work_order",
            Guid::new_random(),
            Op::Create,
            0,
            day3 + Duration::hours(2),
            json!({"status": "open", "hours": 2}),
        ),
        // An edit of the work order a dispatcher deleted.
        change(
            "work_order",
            deleted,
            Op::Update,
            version_of[10],
            day3 + Duration::hours(2),
            json!({"status": "done"}),
        ),
        // A field the entity does not have, and a value of the wrong type.
        change(
            "work_order",
            work_orders[13],
            Op::Update,
            version_of[13],
            day3 + Duration::hours(2),
            json!({"priority": "high"}),
        ),
        change(
            "work_order",
            work_orders[14],
            Op::Update,
            version_of[14],
            day3 + Duration::hours(2),
            json!({"hours": "three"}),
        ),
    ];
    let pending = vec![
        PendingChange {
            entity: "work_order".into(),
            id: work_orders[15].to_string(),
            op: "update".into(),
            changed_at: Some(day3 + Duration::hours(5)),
        },
        PendingChange {
            entity: "client_visit".into(),
            id: Guid::new_random().to_string(),
            op: "create".into(),
            changed_at: Some(day3 + Duration::hours(6)),
        },
    ];
    staff
        .push(conflicts, pending, day3 + Duration::hours(3))
        .await?;

    // One conflict reverted by an administrator.
    let (open, _) = storage::sync_log::page(
        db,
        organization.id,
        &storage::sync_log::LogFilter {
            mobile_user_id: Some(staff.user.id),
            kind: Some(crate::domain::sync::ConflictKind::Invalid),
            ..Default::default()
        },
        0,
        1,
    )
    .await?;
    if let Some(entry) = open.first() {
        app::sync_log::revert(db, &actor, organization.id, entry.id)
            .await
            .map_err(app::Error::into_anyhow)?;
    }
    Ok(())
}

/// The organization's registered devices, first registered first.
async fn registered_devices(
    db: &DatabaseConnection,
    organization_id: i64,
) -> anyhow::Result<Vec<devices::Model>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    Ok(devices::Entity::find()
        .filter(devices::Column::OrganizationId.eq(organization_id))
        .filter(devices::Column::RegisteredAt.is_not_null())
        .order_by_asc(devices::Column::Id)
        .limit(3)
        .all(db)
        .await?)
}
