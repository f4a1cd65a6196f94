//! Single-use tokens sent out of band: the setup link and set-password links.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, sea_query::Expr,
};

use super::entities::auth_tokens::{self, Column, Entity, Model};
use crate::domain::tokens::{hash_token, new_token};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Creates the first operator; dead once any administrator exists.
    Setup,
    /// Lets an administrator choose a password (welcome mail, reset).
    SetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::SetPassword => "password",
        }
    }
}

/// Issues a token and returns it in clear (the only time it exists in clear). A new
/// set-password token revokes the administrator's earlier ones.
pub async fn issue(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    administrator_id: Option<i64>,
    valid_for: Duration,
) -> Result<String, DbErr> {
    let now = Utc::now();
    if let Some(admin) = administrator_id {
        revoke_for(db, purpose, admin).await?;
    }
    let token = new_token();
    auth_tokens::ActiveModel {
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(hash_token(&token)),
        administrator_id: Set(administrator_id),
        expires_at: Set(now + valid_for),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The token's row if it is unused and unexpired; does not use it up.
pub async fn peek(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    token: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::TokenHash.eq(hash_token(token)))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await
}

/// Uses the token up, atomically: of two concurrent requests with one token, one wins.
pub async fn consume(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    token: &str,
) -> Result<Option<Model>, DbErr> {
    let Some(found) = peek(db, purpose, token).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let result = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::Id.eq(found.id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok((result.rows_affected == 1).then_some(found))
}

/// Marks every unused token of this purpose (and administrator, if given) as used.
pub async fn revoke_all(db: &impl ConnectionTrait, purpose: Purpose) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(Utc::now()))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn revoke_for(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    administrator_id: i64,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(Utc::now()))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::AdministratorId.eq(administrator_id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
