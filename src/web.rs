//! The HTTP edge: routes, middleware (session, CSRF, security headers, metrics, logging).

pub mod api;
pub mod assets;
pub mod confirm;
pub mod csrf;
pub mod error;
pub mod guard;
pub mod input;
pub mod metrics;
pub mod ops;
pub mod page;
pub mod pages;
pub mod password_work;
pub mod read_only;
pub mod session;
pub mod session_store;
pub mod state;

use actix_session::{SessionMiddleware, config::CookieContentSecurity};
use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Key, SameSite},
    get, middleware, web,
};

use self::{error::AppError, guard::CurrentAdmin, page::redirect};
use crate::domain::permissions::{Action, ObjectClass, Permission};

/// Largest form or JSON body the UI accepts.
const BODY_LIMIT: usize = 64 * 1024;

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Registers every route and the middleware that wraps them.
pub fn configure(cfg: &mut web::ServiceConfig) {
    use pages::*;
    cfg.app_data(
        web::FormConfig::default()
            .limit(BODY_LIMIT)
            .error_handler(|error, _| {
                AppError::BadRequest(format!("The form could not be read: {error}")).into()
            }),
    )
    .app_data(web::QueryConfig::default().error_handler(|error, _| {
        AppError::BadRequest(format!("The address has a bad parameter: {error}")).into()
    }))
    .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
    .app_data(web::PayloadConfig::new(BODY_LIMIT))
    .app_data(api::json_config())
    .service(api::license_check::license_check)
    .service(api::license_check::offline_licence)
    .service(api::devices::register)
    .service(api::sessions::start_session)
    .service(api::sessions::heartbeat)
    .service(api::sessions::end_session)
    .service(api::sync::sync)
    .service(ops::healthz)
    .service(ops::readyz)
    .service(ops::metrics)
    .service(assets::asset)
    .service(home)
    .service(setup::setup_page)
    .service(setup::create_first_operator)
    .service(login::login_page)
    .service(login::log_in)
    .service(login::log_out)
    .service(account::change_password_page)
    .service(account::change_password)
    .service(account::sign_out_everywhere)
    .service(account::set_password_page)
    .service(account::set_password)
    .service(organizations::organizations_page)
    .service(organizations::new_organization_page)
    .service(organizations::create_organization)
    .service(organizations::edit_organization_page)
    .service(organizations::update_organization)
    .service(organizations::select_organization)
    .service(administrators::administrators_page)
    .service(administrators::new_administrator_page)
    .service(administrators::create_administrator)
    .service(administrators::administrator_page)
    .service(administrators::update_administrator_access)
    .service(administrators::reset_administrator_password)
    .service(licenses::licenses_page)
    .service(licenses::import_license_page)
    .service(licenses::import_license)
    .service(licenses::license_key_page)
    .service(license_usage::used_page)
    .service(license_usage::release_seat)
    .service(license_usage::assign_seat)
    .service(channels::chat_gateways_page)
    .service(channels::create_chat_gateway)
    .service(channels::enable_chat_gateway)
    .service(channels::delete_chat_gateway)
    .service(channels::email_profiles_page)
    .service(channels::create_email_profile)
    .service(channels::enable_email_profile)
    .service(channels::delete_email_profile)
    .service(mobile_users::mobile_users_page)
    .service(mobile_users_import::import_page)
    .service(mobile_users_import::import_mobile_users)
    .service(mobile_users::new_mobile_user_page)
    .service(mobile_users::add_mobile_user)
    .service(mobile_users::mobile_users_action)
    .service(mobile_users::export_mobile_users)
    .service(mobile_users::update_offline_licence)
    .service(mobile_users::download_offline_licence)
    .service(mobile_user::mobile_user_page)
    .service(mobile_user::set_licence)
    .service(settings::settings_page)
    .service(settings::update_settings)
    .service(subscriptions::notice_page)
    .service(subscriptions::subscriptions_page)
    .service(subscriptions::update_subscription)
    .service(subscriptions::one_click_unsubscribe)
    .service(devices::devices_page)
    .service(devices::devices_report)
    .service(device_form::new_device_page)
    .service(device_form::create_device)
    .service(device_form::edit_device_page)
    .service(device_form::update_device)
    .service(devices::replace_code_page)
    .service(devices::replace_code)
    .service(devices::delete_device)
    .service(entities::entities_page)
    .service(entities::create_entity)
    .service(entities::entity_page)
    .service(entities::update_entity)
    .service(mobile_user::set_profile)
    .service(sync_log::sync_log_page)
    .service(sync_log::user_sync_page)
    .service(sync_log::revert)
    .service(sync_log::request_access)
    .service(records::records_page)
    .service(records::record_view)
    .service(records::update_record)
    .service(records::delete_record)
    .service(access_profiles::access_profiles_page)
    .service(access_profiles::create_access_profile)
    .service(access_profiles::access_profile_page)
    .service(access_profiles::update_access_profile)
    .service(access_profiles::delete_access_profile)
    .service(lookups::teams_page)
    .service(lookups::create_team)
    .service(lookups::team_page)
    .service(lookups::update_team)
    .service(lookups::delete_team)
    .service(lookups::areas_page)
    .service(lookups::create_area)
    .service(lookups::area_page)
    .service(lookups::update_area)
    .service(lookups::delete_area)
    .service(lookups::employees_page)
    .service(lookups::create_employee)
    .service(lookups::employee_page)
    .service(lookups::update_employee)
    .service(lookups::delete_employee)
    .service(clients::clients_page)
    .service(clients::create_client)
    .service(clients::client_page)
    .service(clients::update_client)
    .service(clients::delete_client)
    .service(audit::audit_page)
    .service(audit::export_audit)
    .service(outbox::outbox_page)
    .service(outbox::mail_page)
    .service(outbox::mail_html)
    .service(outbox::resend_mail);
}

/// Cookie sessions: nothing to share between instances but the key.
/// Sessions live on the server (`session_store`); the cookie carries only their random key,
/// signed and encrypted. They end when the browser closes or after 12 hours.
pub fn session_middleware(
    key: &[u8],
    secure: bool,
    db: sea_orm::DatabaseConnection,
    read_only: bool,
) -> SessionMiddleware<session_store::AppSessionStore> {
    SessionMiddleware::builder(
        session_store::AppSessionStore::new(db, read_only),
        Key::from(key),
    )
    .cookie_name("licensedesk".to_owned())
    .cookie_http_only(true)
    .cookie_same_site(SameSite::Lax)
    .cookie_secure(secure)
    .cookie_content_security(CookieContentSecurity::Private)
    .session_lifecycle(
        actix_session::config::BrowserSession::default()
            .state_ttl(actix_web::cookie::time::Duration::hours(12)),
    )
    .build()
}

/// Headers on every response unless a handler set its own. Nothing is cached by default
/// (pages behind login, exports and keys must not come back from a browser's cache after
/// sign-out); static assets say otherwise themselves. HSTS when served over TLS.
pub fn security_headers(tls: bool) -> middleware::DefaultHeaders {
    let headers = middleware::DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cache-Control", "no-store"));
    if tls {
        headers.add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        headers
    }
}

/// The start page: the first page of the navigation this administrator may see.
#[get("/")]
async fn home(admin: CurrentAdmin) -> Result<HttpResponse, AppError> {
    let target = [
        (ObjectClass::Licenses, "/licenses"),
        (ObjectClass::Organizations, "/organizations"),
        (ObjectClass::Administrators, "/administrators"),
        (ObjectClass::Audit, "/audit"),
    ]
    .into_iter()
    // Licences are an organization's: an operator without one starts with organizations.
    .filter(|(class, _)| *class != ObjectClass::Licenses || admin.organization.is_some())
    .find(|(class, _)| admin.can(Permission::new(*class, Action::Select)))
    .map_or("/account/password", |(_, href)| href);
    Ok(redirect(target))
}

/// Anything unrouted: a real 404 page.
/// No route: the error page, or for API clients (`/api/…`) a JSON error.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    if req.path().starts_with("/api/") {
        return Ok(
            HttpResponse::NotFound().json(serde_json::json!({ "error": "no such API endpoint" }))
        );
    }
    Err(AppError::NotFound)
}
