//! actix-session's storage interface over the `web_sessions` table, so that sessions live on
//! the server and every instance sees the same ones: signing out deletes the row, and a
//! copied cookie is worthless from then on.

use std::collections::HashMap;

use actix_session::storage::{
    CookieSessionStore, LoadError, SaveError, SessionKey, SessionStore, UpdateError,
};
use actix_web::cookie::time::Duration;
use chrono::Utc;
use rand::{Rng, distr::Alphanumeric};
use sea_orm::DatabaseConnection;

use super::session::ADMIN_ID;
use crate::storage::web_sessions;

/// Where sessions live: in the database, or — on a read-only backup (docs/behaviour.md#read-only-replica), which cannot
/// write — in the cookie itself, as before; signing out there only clears the cookie.
pub enum AppSessionStore {
    Database(DatabaseSessionStore),
    Cookie(CookieSessionStore),
}

impl AppSessionStore {
    pub fn new(db: DatabaseConnection, read_only: bool) -> Self {
        if read_only {
            Self::Cookie(CookieSessionStore::default())
        } else {
            Self::Database(DatabaseSessionStore { db })
        }
    }
}

impl SessionStore for AppSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        match self {
            Self::Database(store) => store.load(key).await,
            Self::Cookie(store) => store.load(key).await,
        }
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        match self {
            Self::Database(store) => store.save(state, ttl).await,
            Self::Cookie(store) => store.save(state, ttl).await,
        }
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        match self {
            Self::Database(store) => store.update(key, state, ttl).await,
            Self::Cookie(store) => store.update(key, state, ttl).await,
        }
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> anyhow::Result<()> {
        match self {
            Self::Database(store) => store.update_ttl(key, ttl).await,
            Self::Cookie(store) => store.update_ttl(key, ttl).await,
        }
    }

    async fn delete(&self, key: &SessionKey) -> anyhow::Result<()> {
        match self {
            Self::Database(store) => store.delete(key).await,
            Self::Cookie(store) => store.delete(key).await,
        }
    }
}

pub struct DatabaseSessionStore {
    db: DatabaseConnection,
}

type State = HashMap<String, String>;

/// Wraps the session middleware: when the session store (the database) fails, the visitor
/// gets the "database unavailable" page (503) instead of actix-session's empty 500.
pub async fn explain_failures(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::error::InternalError;
    next.call(req).await.map_err(|error| {
        let store_failed = error.as_error::<InternalError<LoadError>>().is_some()
            || error.as_error::<InternalError<SaveError>>().is_some()
            || error.as_error::<InternalError<UpdateError>>().is_some()
            || error.as_error::<InternalError<anyhow::Error>>().is_some();
        if store_failed {
            super::error::AppError::Unavailable(format!("session store: {error}")).into()
        } else {
            error
        }
    })
}

/// 64 random letters and digits (~380 bits): the cookie's whole content.
fn new_key() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(64)
        .map(char::from)
        .collect()
}

fn expiry(ttl: &Duration) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(ttl.whole_seconds())
}

/// The administrator a state belongs to (values are JSON, as actix-session stores them).
fn administrator_of(state: &State) -> Option<i64> {
    state.get(ADMIN_ID).and_then(|v| v.parse().ok())
}

impl SessionStore for DatabaseSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        let Some(state) = web_sessions::load(&self.db, session_key.as_ref(), Utc::now())
            .await
            .map_err(|e| LoadError::Other(e.into()))?
        else {
            return Ok(None);
        };
        serde_json::from_str(&state)
            .map(Some)
            .map_err(|e| LoadError::Deserialization(e.into()))
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        let key = new_key();
        let json = serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        web_sessions::insert(&self.db, &key, administrator_of(&state), json, expiry(ttl))
            .await
            .map_err(|e| SaveError::Other(e.into()))?;
        SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))
    }

    async fn update(
        &self,
        session_key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let json =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let updated = web_sessions::update(
            &self.db,
            session_key.as_ref(),
            administrator_of(&state),
            json,
            expiry(ttl),
        )
        .await
        .map_err(|e| UpdateError::Other(e.into()))?;
        if updated {
            return Ok(session_key);
        }
        // The session ended while this request ran (signed out elsewhere, expired): start
        // an empty one rather than bring the ended one back under a new key.
        self.save(State::new(), ttl).await.map_err(|e| match e {
            SaveError::Serialization(e) => UpdateError::Serialization(e),
            SaveError::Other(e) => UpdateError::Other(e),
        })
    }

    async fn update_ttl(&self, session_key: &SessionKey, ttl: &Duration) -> anyhow::Result<()> {
        web_sessions::extend(&self.db, session_key.as_ref(), expiry(ttl)).await?;
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        web_sessions::delete(&self.db, session_key.as_ref()).await?;
        Ok(())
    }
}
