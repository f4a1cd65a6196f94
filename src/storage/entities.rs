//! One sea-orm entity per table.

pub mod administrators;
pub mod areas;
pub mod assignment_notices;
pub mod audit_log;
pub mod auth_tokens;
pub mod channels;
pub mod clients;
pub mod device_clients;
pub mod devices;
pub mod employees;
pub mod license_assignments;
pub mod license_organizations;
pub mod license_sessions;
pub mod license_warnings;
pub mod licenses;
pub mod login_failures;
pub mod mobile_users;
pub mod notification_optouts;
pub mod offline_licences;
pub mod organization_settings;
pub mod organizations;
pub mod outbox;
pub mod registration_codes;
pub mod registration_failures;
pub mod teams;
pub mod web_sessions;
