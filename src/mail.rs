//! Outgoing mail: messages rendered from templates, the transports (SMTP or .eml files) and
//! the worker that drains the outbox.

pub mod messages;
pub mod transport;
pub mod worker;
