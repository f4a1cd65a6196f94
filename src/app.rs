//! Use cases: each opens the one write transaction it needs, loads facts through
//! `storage`, asks the rules in `domain`, writes the result with its audit entry and its
//! outbox mail, and commits. The web layer calls these; `storage` never calls back up.
//! (Moving every use case here is under way: the licence check, login attempts,
//! assignment notifications and expiry warnings live here so far.)

pub mod expiry_warnings;
pub mod license_check;
pub mod login;
pub mod notifications;
