//! The one guard: who is logged in, which organization they work in, and whether their role
//! has the permission a handler declares in its signature (`Can<ReadAudit>`).

use std::marker::PhantomData;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::future::LocalBoxFuture;

use super::{error::AppError, session::TypedSession, state::AppState};
use crate::{
    domain::permissions::{Action, ObjectClass, Permission, Role},
    storage::{
        self,
        administrators::AdministratorScope,
        audit::Actor,
        entities::{administrators, organizations},
    },
};

/// Sessions end this long after login, whatever happens.
const SESSION_LIFETIME_SECS: i64 = 12 * 3600;

/// The logged-in administrator, loaded fresh from the database on every request so that a
/// deactivation or password change takes effect at once.
pub struct CurrentAdmin {
    pub account: administrators::Model,
    pub role: Role,
    /// The organization whose data this request sees: the administrator's own, or for an
    /// operator the one chosen in the header.
    pub organization: Option<organizations::Model>,
    pub session: TypedSession,
}

impl CurrentAdmin {
    pub fn actor(&self) -> Actor {
        Actor::administrator(self.account.id, &self.account.email)
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden(permission))
        }
    }

    /// The organization of this request, or an error page asking to choose one.
    pub fn organization(&self) -> Result<&organizations::Model, AppError> {
        self.organization.as_ref().ok_or(AppError::NoOrganization)
    }

    /// `None` for an operator looking at everything, otherwise the organization's id.
    pub fn organization_filter(&self) -> Option<i64> {
        if self.role.is_global() {
            None
        } else {
            self.organization.as_ref().map(|o| o.id)
        }
    }

    /// Which administrators this person may see and manage.
    pub fn administrator_scope(&self) -> AdministratorScope {
        match (&self.organization, self.role.is_global()) {
            (Some(org), with_operators) => AdministratorScope::Organization {
                id: org.id,
                with_operators,
            },
            (None, _) => AdministratorScope::Operators,
        }
    }

    async fn load(req: HttpRequest) -> Result<Self, AppError> {
        let session = TypedSession::extract(&req)
            .await
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("session: {e}")))?;
        // A page opened while signed out is opened again after signing in.
        let wanted = (req.method() == actix_web::http::Method::GET)
            .then(|| req.uri().path_and_query().map(|p| p.as_str().to_owned()))
            .flatten()
            .filter(|path| super::page::is_own_path(path) && path != "/");
        let Some((id, epoch, logged_in_at)) = session.logged_in()? else {
            return Err(AppError::LoginRequired(wanted));
        };
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("application state missing")))?;
        let expired = chrono::Utc::now().timestamp() - logged_in_at > SESSION_LIFETIME_SECS;
        let account = storage::administrators::find(&state.db, id)
            .await?
            .filter(|a| a.active && a.session_epoch == epoch && !expired);
        let Some(account) = account else {
            session.log_out();
            return Err(AppError::LoginRequired(wanted));
        };
        let role = account.role;
        let organization_id = if role.is_global() {
            session.selected_organization()?
        } else {
            account.organization_id
        };
        let organization = match organization_id {
            Some(org) => storage::organizations::find(&state.db, org).await?,
            None => None,
        };
        // An operator who has not chosen yet works in the first organization by name.
        let organization = match organization {
            None if role.is_global() => storage::organizations::all(&state.db)
                .await?
                .into_iter()
                .next(),
            found => found,
        };
        Ok(Self {
            account,
            role,
            organization,
            session,
        })
    }
}

impl FromRequest for CurrentAdmin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(Self::load(req))
    }
}

/// A permission a handler needs, named by a marker type.
pub trait Requirement {
    const PERMISSION: Permission;
}

/// The logged-in administrator, known to have `R::PERMISSION`; a 403 page otherwise.
pub struct Can<R: Requirement> {
    pub admin: CurrentAdmin,
    _requirement: PhantomData<R>,
}

impl<R: Requirement> std::ops::Deref for Can<R> {
    type Target = CurrentAdmin;

    fn deref(&self) -> &CurrentAdmin {
        &self.admin
    }
}

impl<R: Requirement + 'static> FromRequest for Can<R> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let admin = CurrentAdmin::load(req).await?;
            admin.require(R::PERMISSION)?;
            Ok(Self {
                admin,
                _requirement: PhantomData,
            })
        })
    }
}

macro_rules! requirements {
    ($($name:ident => $class:ident / $action:ident),* $(,)?) => {
        $(
            pub struct $name;
            impl Requirement for $name {
                const PERMISSION: Permission = Permission::new(ObjectClass::$class, Action::$action);
            }
        )*
    };
}

requirements! {
    ReadOrganizations => Organizations / Select,
    CreateOrganizations => Organizations / Create,
    UpdateOrganizations => Organizations / Update,
    ReadAdministrators => Administrators / Select,
    CreateAdministrators => Administrators / Create,
    UpdateAdministrators => Administrators / Update,
    ReadAudit => Audit / Select,
    ReadOutbox => Outbox / Select,
    ReadLicenses => Licenses / Select,
    ReadSettings => Settings / Select,
    ReadMobileUsers => MobileUsers / Select,
    CreateMobileUsers => MobileUsers / Create,
    ChangeMobileUsers => MobileUsers / Update,
    UpdateSettings => Settings / Update,
    CreateLicenses => Licenses / Create,
    UpdateLicenses => Licenses / Update,
    UpdateOutbox => Outbox / Update,
    ReadDevices => Devices / Select,
    ChangeDevices => Devices / Update,
    ReadRecords => Records / Select,
    ChangeRecords => Records / Update,
    ReadSyncLog => SyncLog / Select,
    ChangeSyncLog => SyncLog / Update,
}
