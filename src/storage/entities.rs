//! One sea-orm entity per table.

pub mod administrators;
pub mod audit_log;
pub mod auth_tokens;
pub mod login_failures;
pub mod organizations;
pub mod outbox;
