//! Database schema of LicenseDesk, one migration per file, each with a working `down`.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_organizations;
mod m20261123_000002_create_administrators;
mod m20261123_000003_create_audit_log;
mod m20261123_000004_create_outbox;
mod m20261123_000005_create_auth_tokens;
mod m20261123_000006_create_login_failures;
mod m20261123_000007_create_mobile_users;
mod m20261123_000008_create_licenses;
mod m20261123_000009_create_license_seats;
mod m20261123_000010_create_channels;
mod m20261123_000011_create_license_warnings;
mod m20261123_000012_create_organization_settings;
mod m20261123_000013_create_notifications;
mod m20261123_000014_create_offline_licences;
mod m20261123_000015_index_mobile_users_state;
mod m20261123_000016_mobile_user_versions;
mod m20261123_000017_mobile_users_fillfactor;
mod m20261124_000018_create_areas;
mod m20261124_000019_create_teams;
mod m20261124_000020_create_employees;
mod m20261124_000021_create_clients;
mod m20261124_000022_create_devices;
mod m20261124_000023_create_device_clients;
mod m20261124_000024_create_registration_codes;
mod m20261124_000025_create_registration_failures;
mod m20261124_000026_device_search;
mod m20261130_000027_create_readiness;
mod m20261130_000028_create_web_sessions;
mod m20261130_000029_outbox_mail_headers;
mod m20261130_000030_create_sync_entities;
mod m20261130_000031_create_sync_data;
mod m20261201_000032_large_lists;
mod m20261201_000033_list_walk_indexes;

/// The text of a row that a search looks in, as SQL over the row's columns: the indexes of
/// `large_lists` are built on these very expressions, and the queries must repeat them.
pub mod search_text {
    /// A mobile user: name, email and user id.
    pub const MOBILE_USER_TEXT: &str =
        "coalesce(display_name, '') || ' ' || coalesce(email, '') || ' ' || user_id";
    /// An audit entry, for the search box: action, target and the before/after snapshots.
    pub const AUDIT_TEXT: &str = "action || ' ' || target || ' ' || coalesce(\"before\", '') \
         || ' ' || coalesce(\"after\", '')";
    /// An audit entry, for the Actor filter.
    pub const AUDIT_ACTOR: &str = "actor";
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_organizations::Migration),
            Box::new(m20261123_000002_create_administrators::Migration),
            Box::new(m20261123_000003_create_audit_log::Migration),
            Box::new(m20261123_000004_create_outbox::Migration),
            Box::new(m20261123_000005_create_auth_tokens::Migration),
            Box::new(m20261123_000006_create_login_failures::Migration),
            Box::new(m20261123_000007_create_mobile_users::Migration),
            Box::new(m20261123_000008_create_licenses::Migration),
            Box::new(m20261123_000009_create_license_seats::Migration),
            Box::new(m20261123_000010_create_channels::Migration),
            Box::new(m20261123_000011_create_license_warnings::Migration),
            Box::new(m20261123_000012_create_organization_settings::Migration),
            Box::new(m20261123_000013_create_notifications::Migration),
            Box::new(m20261123_000014_create_offline_licences::Migration),
            Box::new(m20261123_000015_index_mobile_users_state::Migration),
            Box::new(m20261123_000016_mobile_user_versions::Migration),
            Box::new(m20261123_000017_mobile_users_fillfactor::Migration),
            Box::new(m20261124_000018_create_areas::Migration),
            Box::new(m20261124_000019_create_teams::Migration),
            Box::new(m20261124_000020_create_employees::Migration),
            Box::new(m20261124_000021_create_clients::Migration),
            Box::new(m20261124_000022_create_devices::Migration),
            Box::new(m20261124_000023_create_device_clients::Migration),
            Box::new(m20261124_000024_create_registration_codes::Migration),
            Box::new(m20261124_000025_create_registration_failures::Migration),
            Box::new(m20261124_000026_device_search::Migration),
            Box::new(m20261130_000027_create_readiness::Migration),
            Box::new(m20261130_000028_create_web_sessions::Migration),
            Box::new(m20261130_000029_outbox_mail_headers::Migration),
            Box::new(m20261130_000030_create_sync_entities::Migration),
            Box::new(m20261130_000031_create_sync_data::Migration),
            Box::new(m20261201_000032_large_lists::Migration),
            Box::new(m20261201_000033_list_walk_indexes::Migration),
        ]
    }
}
