use sea_orm::DatabaseConnection;

use super::metrics::Metrics;
use crate::{config::Config, domain::license_key::VendorPublicKey};

/// What every handler can reach through `web::Data<AppState>`.
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Config,
    pub metrics: Metrics,
    /// Licence keys must verify against it; `None` until configured.
    pub vendor_key: Option<VendorPublicKey>,
}
