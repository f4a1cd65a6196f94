//! The mail outbox (docs/behaviour.md#notification-mail): mail is written here in the transaction of the change that causes
//! it, and sent later by the mail worker.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, IdenStatic, Iterable, PaginatorTrait, QueryFilter, QueryOrder, Statement,
    sea_query::Expr,
};

use super::{
    entities::outbox::{self, Column, Entity, Model},
    fetch_page,
};
use crate::domain::paging::{Page, PageRequest};

pub use crate::domain::outbox::{MailKind, MailStatus};

/// A rendered mail, ready to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub organization_id: Option<i64>,
    pub kind: MailKind,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// Notification mail: the one-click unsubscribe address (`List-Unsubscribe`).
    pub unsubscribe_url: Option<String>,
}

pub async fn enqueue(db: &impl ConnectionTrait, mail: NewMail) -> Result<Model, DbErr> {
    let now = Utc::now();
    outbox::ActiveModel {
        organization_id: Set(mail.organization_id),
        kind: Set(mail.kind),
        recipient: Set(mail.recipient),
        subject: Set(mail.subject),
        body_text: Set(mail.body_text),
        body_html: Set(mail.body_html),
        status: Set(MailStatus::Pending),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        message_key: Set(Some(uuid::Uuid::new_v4().simple().to_string())),
        unsubscribe_url: Set(mail.unsubscribe_url),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Takes the next due mail for this worker until `now + lease`, counting the attempt. A mail
/// whose worker died mid-send is due again once its lease ran out. On PostgreSQL the row is
/// picked with `FOR UPDATE SKIP LOCKED`, so concurrent workers never take the same mail;
/// SQLite runs one write at a time, which gives the same guarantee.
pub async fn claim_next(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Option<Model>, DbErr> {
    let backend = db.get_database_backend();
    let (lease_end, now_param, lock) = if backend == DbBackend::Postgres {
        ("$1", "$2", "FOR UPDATE SKIP LOCKED")
    } else {
        ("?1", "?2", "")
    };
    // The columns by name, not `RETURNING *`: a prepared statement caches its column list,
    // and SQLite's `*` can widen under it when a migration adds a column (sqlx then panics
    // reading the row).
    let columns: Vec<&str> = Column::iter().map(|c| c.as_str()).collect();
    let returning = columns.join(", ");
    let (sending, pending) = (MailStatus::Sending, MailStatus::Pending);
    let sql = format!(
        "UPDATE outbox SET status = '{sending}', attempts = attempts + 1, locked_until = {lease_end} \
         WHERE id = (SELECT id FROM outbox \
           WHERE (status = '{pending}' AND next_attempt_at <= {now_param}) \
              OR (status = '{sending}' AND locked_until < {now_param}) \
           ORDER BY next_attempt_at, id LIMIT 1 {lock}) \
         RETURNING {returning}"
    );
    let statement =
        Statement::from_sql_and_values(backend, sql, [(now + lease).into(), now.into()]);
    Entity::find().from_raw_sql(statement).one(db).await
}

/// Keeps a mail being sent claimed until `until` (the worker renews its claim while the
/// SMTP exchange lasts, so no other worker takes the mail over meanwhile).
pub async fn extend_claim(
    db: &impl ConnectionTrait,
    id: i64,
    until: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LockedUntil, Expr::value(until))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(MailStatus::Sending))
        .exec(db)
        .await?;
    Ok(())
}

/// Mail carrying a device registration code: once sent, its body is not kept, so that the
/// outbox never holds a usable code for longer than it takes to send it.
const REDACTED: &str = "(This mail carried a registration code, which is not kept once sent.)";

/// Marks the mail sent — and blanks a registration code's body in the same statement, so no
/// reader ever sees it sent with the code still in it.
pub async fn mark_sent(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    let code = || Column::Kind.eq(MailKind::RegistrationCode);
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(MailStatus::Sent))
        .col_expr(Column::SentAt, Expr::value(Utc::now()))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .col_expr(
            Column::BodyText,
            Expr::case(code(), REDACTED)
                .finally(Expr::col(Column::BodyText))
                .into(),
        )
        .col_expr(
            Column::BodyHtml,
            Expr::case(code(), format!("<p>{REDACTED}</p>"))
                .finally(Expr::col(Column::BodyHtml))
                .into(),
        )
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: due again at `retry_at`, or failed for good when `None`.
pub async fn mark_attempt_failed(
    db: &impl ConnectionTrait,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let mut update = Entity::update_many()
        .col_expr(Column::LastError, Expr::value(error))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    update = match retry_at {
        Some(at) => update
            .col_expr(Column::Status, Expr::value(MailStatus::Pending))
            .col_expr(Column::NextAttemptAt, Expr::value(at)),
        None => update.col_expr(Column::Status, Expr::value(MailStatus::Failed)),
    };
    update.filter(Column::Id.eq(id)).exec(db).await?;
    Ok(())
}

/// Queues a mail again from scratch (the Resend button). Only mail that is not in flight, and
/// not a sent registration code (see `resendable`).
pub async fn resend(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::Status, Expr::value(MailStatus::Pending))
        .col_expr(Column::Attempts, Expr::value(0))
        .col_expr(Column::NextAttemptAt, Expr::value(Utc::now()))
        // A resend is a new mail to its receiver: a new Message-ID, so that a server which
        // drops repeats does not drop it.
        .col_expr(
            Column::MessageKey,
            Expr::value(uuid::Uuid::new_v4().simple().to_string()),
        )
        .filter(Column::Id.eq(id))
        .filter(Column::Status.is_in([MailStatus::Sent, MailStatus::Failed]))
        .filter(
            sea_orm::Condition::any()
                .add(Column::Kind.ne(MailKind::RegistrationCode))
                .add(Column::Status.ne(MailStatus::Sent)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Mail not yet sent (pending or being sent), for `/metrics`.
pub async fn backlog(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::Status.is_in([MailStatus::Pending, MailStatus::Sending]))
        .count(db)
        .await
}

pub async fn find(
    db: &impl ConnectionTrait,
    organization: Option<i64>,
    id: i64,
) -> Result<Option<Model>, DbErr> {
    let mut query = Entity::find_by_id(id);
    if let Some(org) = organization {
        query = query.filter(Column::OrganizationId.eq(org));
    }
    query.one(db).await
}

/// Mail of one organization (or all mail for `None`), newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    organization: Option<i64>,
    status: Option<MailStatus>,
    request: PageRequest,
) -> Result<Page<Model>, DbErr> {
    let mut query = Entity::find();
    if let Some(org) = organization {
        query = query.filter(Column::OrganizationId.eq(org));
    }
    if let Some(status) = status {
        query = query.filter(Column::Status.eq(status));
    }
    fetch_page(db, query.order_by_desc(Column::Id), request).await
}
