//! One module per page, handlers in pairs: `x_page` shows, the others change.

pub mod access_profiles;
pub mod account;
pub mod administrators;
pub mod audit;
pub mod channels;
pub mod clients;
pub mod device_form;
pub mod devices;
pub mod entities;
pub mod license_usage;
pub mod licenses;
pub mod login;
pub mod lookups;
pub mod mobile_user;
pub mod mobile_users;
pub mod mobile_users_import;
pub mod organizations;
pub mod outbox;
pub mod records;
pub mod settings;
pub mod setup;
pub mod subscriptions;
pub mod sync_log;
