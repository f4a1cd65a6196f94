//! Rules of LicenseDesk as plain Rust: no actix, no sea-orm. Each type that comes from the
//! outside has a constructor that parses it and says in words what was wrong.

pub mod access_profiles;
pub mod audit;
pub mod channels;
pub mod chart;
pub mod client_message;
pub mod csv_export;
pub mod csv_import;
pub mod devices;
pub mod email;
pub mod ids;
pub mod keys;
pub mod license_check;
pub mod license_key;
pub mod lookups;
pub mod offline_file;
pub mod organization;
pub mod outbox;
pub mod paging;
pub mod password;
pub mod permissions;
pub mod products;
pub mod registration;
pub mod settings;
pub mod signed_links;
pub mod sync;
pub mod sync_entities;
pub mod text;
pub mod tokens;
