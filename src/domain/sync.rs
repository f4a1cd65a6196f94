//! The rules of a sync (docs/behaviour.md#sync-api): what becomes of each change a device
//! pushes. Field by field the later change wins — by the change's time corrected by the
//! device's clock offset and never later than its arrival — and the server copy wins a tie.
//! Nothing here reads or writes: `decide` gets the record as it stands and says what to do.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    access_profiles::Rights,
    ids::Guid,
    sync_entities::{Field, FieldType},
};

/// At most this many changes in one push.
pub const MAX_CHANGES: usize = 500;
/// At most this many held-back changes reported in one push.
pub const MAX_PENDING: usize = 1000;
/// At most this many records in one answer.
pub const PAGE_SIZE: u64 = 500;
/// The records a user worked with most recently that online and hybrid devices keep.
pub const WORKING_SET_SIZE: usize = 10;
/// A text value's longest length, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// What a change does to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Create,
    Update,
    Delete,
}

impl Op {
    pub const ALL: [Op; 3] = [Self::Create, Self::Update, Self::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.as_str() == text)
    }

    /// Whether `rights` allow this operation.
    pub fn allowed(self, rights: Rights) -> bool {
        match self {
            Self::Create => rights.create,
            Self::Update => rights.update,
            Self::Delete => rights.delete,
        }
    }
}

/// Why a change was refused. A conflict changes nothing and is written to the user's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    PermissionDenied,
    RequiredFieldMissing,
    RecordDeleted,
    Invalid,
}

impl ConflictKind {
    pub const ALL: [ConflictKind; 4] = [
        Self::PermissionDenied,
        Self::RequiredFieldMissing,
        Self::RecordDeleted,
        Self::Invalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PermissionDenied => "permission_denied",
            Self::RequiredFieldMissing => "required_field_missing",
            Self::RecordDeleted => "record_deleted",
            Self::Invalid => "invalid",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// The kind in words, for the sync log page.
    pub fn label(self) -> &'static str {
        match self {
            Self::PermissionDenied => "Permission denied",
            Self::RequiredFieldMissing => "Required field missing",
            Self::RecordDeleted => "Record deleted",
            Self::Invalid => "Invalid",
        }
    }
}

/// Why a change is in the synchronization log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogOutcome {
    /// A later change to the same field had already won.
    Superseded,
    Conflict,
}

impl LogOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Superseded => "superseded",
            Self::Conflict => "conflict",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Superseded, Self::Conflict]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

/// Whether a logged change still waits for an administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogState {
    Open,
    /// An administrator dropped the device's change; the device is told to discard it.
    Reverted,
}

impl LogState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Reverted => "reverted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Reverted]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// Who changed a record last, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangedBy<'a> {
    MobileUser(&'a str),
    Administrator(&'a str),
}

impl std::fmt::Display for ChangedBy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MobileUser(user) => write!(f, "mobile user {user}"),
            Self::Administrator(email) => write!(f, "administrator {email}"),
        }
    }
}

/// One change as a device sent it, checked for shape (the entity and fields are checked
/// against the organization's entities by `decide`).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub change_id: Guid,
    pub entity: String,
    pub record_id: Guid,
    pub op: Op,
    pub base_version: i64,
    pub changed_at: DateTime<Utc>,
    pub fields: Map<String, Value>,
}

/// A change the device still holds back, as it reported it (shown on the sync log page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChange {
    pub entity: String,
    pub id: String,
    pub op: String,
    #[serde(default)]
    pub changed_at: Option<DateTime<Utc>>,
}

/// One change as it arrives in JSON, before it is checked.
#[derive(Debug, Clone, Deserialize)]
pub struct ChangeInput {
    pub change_id: String,
    pub entity: String,
    pub id: String,
    pub op: String,
    #[serde(default)]
    pub base_version: Option<i64>,
    pub changed_at: String,
    #[serde(default)]
    pub fields: Option<Map<String, Value>>,
}

impl ChangeInput {
    /// The change, or what is wrong with it (naming its place in the batch).
    pub fn check(self, index: usize) -> Result<Change, String> {
        let at = |what: String| format!("changes[{index}]: {what}");
        let change_id = Guid::parse(&self.change_id).map_err(|e| at(format!("change_id: {e}")))?;
        let record_id = Guid::parse(&self.id).map_err(|e| at(format!("id: {e}")))?;
        let op = Op::parse(self.op.trim()).ok_or_else(|| {
            at(format!(
                "op is “{}”; it is create, update or delete",
                self.op
            ))
        })?;
        let base_version = match (op, self.base_version) {
            (Op::Update, None) => {
                return Err(at(
                    "an update needs the base_version the device changed".to_owned()
                ));
            }
            (_, Some(v)) if v < 0 => return Err(at("base_version is negative".to_owned())),
            (_, v) => v.unwrap_or(0),
        };
        let changed_at = DateTime::parse_from_rfc3339(self.changed_at.trim())
            .map_err(|_| {
                at(format!(
                    "changed_at is “{}”, not a time like 2026-12-01T08:01:10Z",
                    self.changed_at
                ))
            })?
            .with_timezone(&Utc);
        let fields = match (op, self.fields) {
            (Op::Delete, _) => Map::new(),
            (_, Some(fields)) => fields,
            (_, None) => return Err(at(format!("a {} needs fields", op.as_str()))),
        };
        Ok(Change {
            change_id,
            entity: self.entity.trim().to_owned(),
            record_id,
            op,
            base_version,
            changed_at,
            fields,
        })
    }
}

/// When a field last changed: the version that changed it and the time of that change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    #[serde(rename = "v")]
    pub version: i64,
    pub at: DateTime<Utc>,
}

/// A record as the server holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordState {
    pub version: i64,
    pub deleted: bool,
    pub fields: Map<String, Value>,
    pub stamps: BTreeMap<String, Stamp>,
}

/// The device's clock against the server's: a change's time moves by the offset seen at
/// this push, and is never later than the moment the push arrived.
#[derive(Debug, Clone, Copy)]
pub struct DeviceClock {
    offset: TimeDelta,
    received_at: DateTime<Utc>,
}

impl DeviceClock {
    /// `device_time` is what the device's clock said when it sent the push; without it the
    /// device's times are taken as they are (and still clamped).
    pub fn new(device_time: Option<DateTime<Utc>>, received_at: DateTime<Utc>) -> Self {
        Self {
            offset: device_time.map_or(TimeDelta::zero(), |t| received_at - t),
            received_at,
        }
    }

    /// The change's time on the server's clock.
    pub fn correct(&self, changed_at: DateTime<Utc>) -> DateTime<Utc> {
        changed_at
            .checked_add_signed(self.offset)
            .unwrap_or(self.received_at)
            .min(self.received_at)
    }
}

/// What the entity and the user's profile allow, for `decide`.
#[derive(Debug, Clone, Copy)]
pub struct Allowed<'a> {
    pub entity: Option<&'a [Field]>,
    pub rights: Rights,
    /// The user's profile's name, for messages; none when the organization has none.
    pub profile: Option<&'a str>,
}

/// What becomes of a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Write `record` (its version is the one given to `decide`); `lost` names the fields a
    /// later change had already set, which stay as they are.
    Write {
        record: RecordState,
        lost: Vec<String>,
    },
    /// Nothing to write, and nothing lost: a delete of a tombstone, an update without fields.
    Unchanged { version: i64 },
    /// Every field the change set had a later change already.
    Superseded { version: i64, lost: Vec<String> },
    Conflict {
        kind: ConflictKind,
        message: String,
        /// The fields a `required_field_missing` conflict is about.
        fields: Vec<String>,
    },
}

fn conflict(kind: ConflictKind, message: String) -> Decision {
    Decision::Conflict {
        kind,
        message,
        fields: Vec::new(),
    }
}

/// Why a value does not fit its field, if it does not.
fn type_error(field: &Field, value: &Value) -> Option<String> {
    let fits = match (field.kind, value) {
        (_, Value::Null) => true,
        (FieldType::Text, Value::String(text)) => text.chars().count() <= MAX_TEXT_CHARS,
        (FieldType::Number, Value::Number(_)) => true,
        (FieldType::Boolean, Value::Bool(_)) => true,
        (FieldType::Date, Value::String(text)) => {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
                || DateTime::parse_from_rfc3339(text).is_ok()
        }
        _ => false,
    };
    (!fits).then(|| match field.kind {
        FieldType::Text => format!(
            "{} is text (a string of at most {MAX_TEXT_CHARS} characters)",
            field.name
        ),
        FieldType::Number => format!("{} is a number", field.name),
        FieldType::Boolean => format!("{} is true or false", field.name),
        FieldType::Date => format!(
            "{} is a date (2026-12-01 or 2026-12-01T08:15:03Z)",
            field.name
        ),
    })
}

/// A required field has no value when it is missing, null or blank text.
fn blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(text)) => text.trim().is_empty(),
        Some(_) => false,
    }
}

/// Decides what becomes of `change` against `record` (none: no such record). `version` is
/// the version a write gets; `at` the change's corrected time.
pub fn decide(
    allowed: Allowed<'_>,
    record: Option<&RecordState>,
    change: &Change,
    at: DateTime<Utc>,
    version: i64,
) -> Decision {
    let Some(fields) = allowed.entity else {
        return conflict(
            ConflictKind::Invalid,
            format!("there is no entity named {}", change.entity),
        );
    };
    if !change.op.allowed(allowed.rights) {
        let who = match allowed.profile {
            Some(profile) => format!("the profile {profile}"),
            None => "a user without an access profile".to_owned(),
        };
        return conflict(
            ConflictKind::PermissionDenied,
            format!("{who} may not {} {}", change.op.as_str(), change.entity),
        );
    }
    if change.op == Op::Delete {
        return match record {
            None => conflict(
                ConflictKind::Invalid,
                format!(
                    "there is no {} {} to delete",
                    change.entity, change.record_id
                ),
            ),
            Some(record) if record.deleted => Decision::Unchanged {
                version: record.version,
            },
            Some(record) => Decision::Write {
                record: RecordState {
                    version,
                    deleted: true,
                    ..record.clone()
                },
                lost: Vec::new(),
            },
        };
    }
    for (name, value) in &change.fields {
        let Some(field) = fields.iter().find(|f| &f.name == name) else {
            return conflict(
                ConflictKind::Invalid,
                format!("{} has no field named {name}", change.entity),
            );
        };
        if let Some(error) = type_error(field, value) {
            return conflict(ConflictKind::Invalid, error);
        }
    }
    // A create must fill every required field; an update must not blank one (records from
    // before a field became required keep their empty value until someone sets it).
    let missing: Vec<String> = fields
        .iter()
        .filter(|f| f.required)
        .filter(|f| match change.op {
            Op::Create => blank(change.fields.get(&f.name)),
            _ => change.fields.contains_key(&f.name) && blank(change.fields.get(&f.name)),
        })
        .map(|f| f.name.clone())
        .collect();
    if !missing.is_empty() {
        return Decision::Conflict {
            kind: ConflictKind::RequiredFieldMissing,
            message: format!("{} needs a value for {}", change.entity, missing.join(", ")),
            fields: missing,
        };
    }
    let stamp = Stamp { version, at };
    match (change.op, record) {
        (Op::Create, None) => Decision::Write {
            record: RecordState {
                version,
                deleted: false,
                fields: change.fields.clone(),
                stamps: change.fields.keys().map(|k| (k.clone(), stamp)).collect(),
            },
            lost: Vec::new(),
        },
        (_, Some(record)) if record.deleted => conflict(
            ConflictKind::RecordDeleted,
            format!(
                "{} {} was deleted at version {}",
                change.entity, change.record_id, record.version
            ),
        ),
        (Op::Create, Some(_)) => conflict(
            ConflictKind::Invalid,
            format!(
                "there is already a {} with the id {}",
                change.entity, change.record_id
            ),
        ),
        (_, None) => conflict(
            ConflictKind::Invalid,
            format!("there is no {} {}", change.entity, change.record_id),
        ),
        (_, Some(record)) => merge(record, change, stamp),
    }
}

/// Field by field: a field nobody changed since the device's base version is the device's;
/// one changed since goes to the later change, the server copy on a tie.
fn merge(record: &RecordState, change: &Change, stamp: Stamp) -> Decision {
    let mut next = record.clone();
    let mut lost = Vec::new();
    let mut applied = 0;
    for (name, value) in &change.fields {
        let wins = match record.stamps.get(name) {
            Some(server) if server.version > change.base_version => stamp.at > server.at,
            _ => true,
        };
        if wins {
            next.fields.insert(name.clone(), value.clone());
            next.stamps.insert(name.clone(), stamp);
            applied += 1;
        } else {
            lost.push(name.clone());
        }
    }
    if applied == 0 {
        return if lost.is_empty() {
            Decision::Unchanged {
                version: record.version,
            }
        } else {
            Decision::Superseded {
                version: record.version,
                lost,
            }
        };
    }
    next.version = stamp.version;
    Decision::Write { record: next, lost }
}

/// An administrator's edit on the Records page: every field given is set, at the server's
/// time, so a device's change made before it loses and one made after wins.
pub fn edit(record: &RecordState, fields: &Map<String, Value>, stamp: Stamp) -> RecordState {
    let mut next = record.clone();
    for (name, value) in fields {
        if next.fields.get(name) != Some(value) {
            next.fields.insert(name.clone(), value.clone());
            next.stamps.insert(name.clone(), stamp);
        }
    }
    next.version = stamp.version;
    next
}

/// The result a device gets for one change (and gets again when it sends the change again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeResult {
    pub change_id: String,
    /// `applied`, `superseded` or `conflict`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A `required_field_missing` conflict's missing fields; the lost fields of a change
    /// that was superseded (in part, when it was applied).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

impl ChangeResult {
    /// The result of `decision` for the change `change_id`.
    pub fn of(change_id: Guid, decision: &Decision) -> Self {
        let base = Self {
            change_id: change_id.to_string(),
            status: "applied".to_owned(),
            version: None,
            kind: None,
            message: None,
            fields: Vec::new(),
        };
        match decision {
            Decision::Write { record, lost } => Self {
                version: Some(record.version),
                message: (!lost.is_empty())
                    .then(|| format!("a later change had already set {}", lost.join(", "))),
                fields: lost.clone(),
                ..base
            },
            Decision::Unchanged { version } => Self {
                version: Some(*version),
                ..base
            },
            Decision::Superseded { version, lost } => Self {
                status: "superseded".to_owned(),
                version: Some(*version),
                message: Some(format!(
                    "a later change had already set {}",
                    lost.join(", ")
                )),
                fields: lost.clone(),
                ..base
            },
            Decision::Conflict {
                kind,
                message,
                fields,
            } => Self {
                status: "conflict".to_owned(),
                kind: Some(kind.as_str().to_owned()),
                message: Some(message.clone()),
                fields: fields.clone(),
                ..base
            },
        }
    }
}

/// The position of a device in an organization's stream of changes. Opaque to devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor(pub i64);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the cursor is not one this server gave out; send an empty cursor to sync from the start")]
pub struct BadCursor;

impl Cursor {
    const PREFIX: &'static str = "v1.";

    pub fn parse(text: &str) -> Result<Self, BadCursor> {
        use base64::Engine;
        let text = text.trim();
        if text.is_empty() {
            return Ok(Self(0));
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| BadCursor)?;
        let decoded = String::from_utf8(bytes).map_err(|_| BadCursor)?;
        decoded
            .strip_prefix(Self::PREFIX)
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .map(Self)
            .ok_or(BadCursor)
    }

    pub fn encode(self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
            "{}{}",
            Self::PREFIX,
            self.0
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields() -> Vec<Field> {
        vec![
            Field {
                name: "status".into(),
                kind: FieldType::Text,
                required: true,
            },
            Field {
                name: "hours".into(),
                kind: FieldType::Number,
                required: false,
            },
            Field {
                name: "due".into(),
                kind: FieldType::Date,
                required: false,
            },
        ]
    }

    fn all_rights() -> Rights {
        Rights {
            read: true,
            create: true,
            update: true,
            delete: true,
        }
    }

    fn time(h: u32, m: u32) -> DateTime<Utc> {
        format!("2026-12-01T{h:02}:{m:02}:00Z").parse().unwrap()
    }

    fn change(op: Op, base: i64, at: DateTime<Utc>, values: Value) -> Change {
        Change {
            change_id: Guid::new_random(),
            entity: "work_order".into(),
            record_id: Guid::new_random(),
            op,
            base_version: base,
            changed_at: at,
            fields: values.as_object().unwrap().clone(),
        }
    }

    fn decide_with(rights: Rights, record: Option<&RecordState>, c: &Change, v: i64) -> Decision {
        let f = fields();
        decide(
            Allowed {
                entity: Some(&f),
                rights,
                profile: Some("Field staff"),
            },
            record,
            c,
            c.changed_at,
            v,
        )
    }

    fn created(values: Value, at: DateTime<Utc>, version: i64) -> RecordState {
        match decide_with(
            all_rights(),
            None,
            &change(Op::Create, 0, at, values),
            version,
        ) {
            Decision::Write { record, .. } => record,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_clock_an_hour_behind_is_corrected_and_a_clock_ahead_is_clamped() {
        let received = time(9, 0);
        let behind = DeviceClock::new(Some(time(8, 0)), received);
        assert_eq!(behind.correct(time(7, 50)), time(8, 50));
        let ahead_no_time = DeviceClock::new(None, received);
        assert_eq!(
            ahead_no_time.correct(time(9, 0) + TimeDelta::days(1)),
            received
        );
    }

    #[test]
    fn the_later_change_to_a_field_wins_in_either_order() {
        let base = created(json!({"status": "new"}), time(7, 0), 1);
        let early = change(Op::Update, 1, time(8, 0), json!({"status": "early"}));
        let late = change(Op::Update, 1, time(8, 30), json!({"status": "late"}));

        // Late first, then early: early is superseded.
        let Decision::Write {
            record: after_late, ..
        } = decide_with(all_rights(), Some(&base), &late, 2)
        else {
            panic!()
        };
        assert_eq!(
            decide_with(all_rights(), Some(&after_late), &early, 3),
            Decision::Superseded {
                version: 2,
                lost: vec!["status".into()]
            }
        );
        // Early first, then late: late wins over it.
        let Decision::Write {
            record: after_early,
            ..
        } = decide_with(all_rights(), Some(&base), &early, 2)
        else {
            panic!()
        };
        let Decision::Write { record: last, lost } =
            decide_with(all_rights(), Some(&after_early), &late, 3)
        else {
            panic!()
        };
        assert!(lost.is_empty());
        assert_eq!(last.fields["status"], json!("late"));
    }

    #[test]
    fn different_fields_both_survive_and_a_tie_keeps_the_server_copy() {
        let base = created(json!({"status": "new"}), time(7, 0), 1);
        let status = change(Op::Update, 1, time(8, 0), json!({"status": "done"}));
        let hours = change(Op::Update, 1, time(8, 0), json!({"hours": 3}));
        let Decision::Write { record: one, .. } =
            decide_with(all_rights(), Some(&base), &status, 2)
        else {
            panic!()
        };
        let Decision::Write { record: two, .. } = decide_with(all_rights(), Some(&one), &hours, 3)
        else {
            panic!()
        };
        assert_eq!(two.fields["status"], json!("done"));
        assert_eq!(two.fields["hours"], json!(3));

        let tie = change(Op::Update, 1, time(8, 0), json!({"status": "other"}));
        assert!(matches!(
            decide_with(all_rights(), Some(&two), &tie, 4),
            Decision::Superseded { .. }
        ));
    }

    #[test]
    fn refusals_name_what_is_wrong() {
        let none = Rights {
            read: true,
            ..Rights::default()
        };
        let create = change(Op::Create, 0, time(8, 0), json!({"status": "x"}));
        let Decision::Conflict { kind, message, .. } = decide_with(none, None, &create, 1) else {
            panic!()
        };
        assert_eq!(kind, ConflictKind::PermissionDenied);
        assert_eq!(message, "the profile Field staff may not create work_order");

        let missing = change(Op::Create, 0, time(8, 0), json!({"hours": 2}));
        assert_eq!(
            decide_with(all_rights(), None, &missing, 1),
            Decision::Conflict {
                kind: ConflictKind::RequiredFieldMissing,
                message: "work_order needs a value for status".into(),
                fields: vec!["status".into()],
            }
        );
        let wrong_type = change(
            Op::Create,
            0,
            time(8, 0),
            json!({"status": "x", "hours": "two"}),
        );
        assert!(matches!(
            decide_with(all_rights(), None, &wrong_type, 1),
            Decision::Conflict { kind: ConflictKind::Invalid, message, .. } if message == "hours is a number"
        ));
        let unknown = change(
            Op::Create,
            0,
            time(8, 0),
            json!({"status": "x", "colour": "red"}),
        );
        assert!(matches!(
            decide_with(all_rights(), None, &unknown, 1),
            Decision::Conflict {
                kind: ConflictKind::Invalid,
                ..
            }
        ));
    }

    #[test]
    fn tombstones_refuse_updates_and_take_deletes_harmlessly() {
        let mut record = created(json!({"status": "new"}), time(7, 0), 1);
        record.deleted = true;
        let update = change(Op::Update, 1, time(8, 0), json!({"status": "x"}));
        assert!(matches!(
            decide_with(all_rights(), Some(&record), &update, 2),
            Decision::Conflict {
                kind: ConflictKind::RecordDeleted,
                ..
            }
        ));
        let delete = change(Op::Delete, 1, time(8, 0), json!({}));
        assert_eq!(
            decide_with(all_rights(), Some(&record), &delete, 2),
            Decision::Unchanged { version: 1 }
        );
    }

    #[test]
    fn cursors_round_trip_and_refuse_what_the_server_did_not_give() {
        assert_eq!(Cursor::parse("").unwrap(), Cursor(0));
        assert_eq!(Cursor::parse(&Cursor(1207).encode()).unwrap(), Cursor(1207));
        assert_eq!(Cursor::parse("1207"), Err(BadCursor));
        assert_eq!(Cursor::parse("!!"), Err(BadCursor));
    }
}
