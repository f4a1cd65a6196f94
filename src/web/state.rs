use sea_orm::DatabaseConnection;

use super::metrics::Metrics;
use crate::{
    app::notifications::NoticeLinks,
    config::Config,
    domain::{keys::KeyPair, license_key::VendorPublicKey, signed_links::LinkSigner},
};

/// What every handler can reach through `web::Data<AppState>`.
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Config,
    pub metrics: Metrics,
    /// Licence keys must verify against it; `None` until configured.
    pub vendor_key: Option<VendorPublicKey>,
    /// Signs the links in notification mail.
    pub signer: LinkSigner,
    /// Signs offline licence files.
    pub offline_key: KeyPair,
    /// Last-sync bookkeeping waiting to be written (flushed every second).
    pub bookkeeping: std::sync::Arc<crate::storage::sync_bookkeeping::SyncBookkeeping>,
    /// Organization facts of the licence check, for a second.
    pub organization_cache: crate::storage::organization_cache::OrganizationCache,
    /// Password hashing and verification, bounded.
    pub passwords: super::password_work::PasswordWork,
    /// Devices' pushes, written in groups by one task.
    pub pushes: crate::app::sync::PushQueue,
    pub new_users: crate::app::new_users::NewUserQueue,
}

impl AppState {
    pub fn notice_links(&self) -> NoticeLinks<'_> {
        NoticeLinks {
            base_url: &self.config.base_url,
            signer: &self.signer,
        }
    }
}
