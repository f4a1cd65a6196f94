use sea_orm::DatabaseConnection;

use super::metrics::Metrics;
use crate::config::Config;

/// What every handler can reach through `web::Data<AppState>`.
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Config,
    pub metrics: Metrics,
}
