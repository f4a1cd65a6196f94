//! What every page needs besides its own data: the layout context (who is logged in, the
//! navigation, the CSRF token, the flash message) and list state (search, sort, paging).

use actix_web::{HttpResponse, http::header};
use askama::Template;
use serde::Deserialize;

use super::{
    error::AppError,
    guard::CurrentAdmin,
    session::{Flash, TypedSession},
    state::AppState,
};
use crate::{
    domain::{
        paging::{Anchor, PAGE_SIZES, Page, PageRequest},
        permissions::{Action, ObjectClass, Permission},
    },
    storage,
};

pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

pub struct OrganizationOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// The layout's data. Pages hold one as `ctx`.
pub struct PageContext {
    pub admin_name: Option<String>,
    pub admin_role: &'static str,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub flash: Option<Flash>,
    /// For operators: every organization, for the selector in the header.
    pub organizations: Vec<OrganizationOption>,
    /// The organization the page is about, shown in the header.
    pub organization_name: Option<String>,
    /// A read-only backup instance: the layout says so.
    pub read_only: bool,
}

const NAV: [(&str, &str, ObjectClass); 9] = [
    ("Mobile users", "/mobile-users", ObjectClass::MobileUsers),
    ("Devices", "/devices", ObjectClass::Devices),
    ("All licenses", "/licenses", ObjectClass::Licenses),
    ("Records", "/records", ObjectClass::Records),
    ("Settings", "/settings", ObjectClass::Settings),
    (
        "Organizations",
        "/organizations",
        ObjectClass::Organizations,
    ),
    (
        "Administrators",
        "/administrators",
        ObjectClass::Administrators,
    ),
    ("Audit log", "/audit", ObjectClass::Audit),
    ("Outbox", "/outbox", ObjectClass::Outbox),
];

impl PageContext {
    /// For pages outside login (setup, login, set password).
    pub fn public(session: &TypedSession) -> Result<Self, AppError> {
        Ok(Self {
            admin_name: None,
            admin_role: "",
            nav: Vec::new(),
            csrf: session.csrf_token()?,
            flash: session.take_flash(),
            organizations: Vec::new(),
            organization_name: None,
            read_only: false,
        })
    }

    pub async fn for_admin(
        state: &AppState,
        admin: &CurrentAdmin,
        active: &str,
    ) -> Result<Self, AppError> {
        let nav = NAV
            .iter()
            .filter(|(_, _, class)| admin.can(Permission::new(*class, Action::Select)))
            .map(|(label, href, _)| NavItem {
                label,
                href,
                active: *href == active,
            })
            .collect();
        let selected = admin.organization.as_ref().map(|o| o.id);
        let organizations = if admin.role.is_global() {
            storage::organizations::all(&state.db)
                .await?
                .into_iter()
                .map(|o| OrganizationOption {
                    selected: Some(o.id) == selected,
                    id: o.id,
                    name: o.name,
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            admin_name: Some(admin.account.display_name.clone()),
            admin_role: admin.role.label(),
            nav,
            csrf: admin.session.csrf_token()?,
            flash: admin.session.take_flash(),
            organizations,
            organization_name: admin.organization.as_ref().map(|o| o.name.clone()),
            read_only: state.config.read_only,
        })
    }
}

pub fn render(page: &impl Template) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// Renders a page with an error status (a form sent back with a message).
pub fn render_with_status(
    status: actix_web::http::StatusCode,
    page: &impl Template,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// A form page: shown fresh (200), or shown again with what was typed and why it was
/// refused (422 Unprocessable Content). The one rule for every form.
pub fn render_form(refused: bool, page: &impl Template) -> Result<HttpResponse, AppError> {
    let status = if refused {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    render_with_status(status, page)
}

/// Post/redirect/get: the answer to every successful form. Only to a path of this site:
/// anything else (another host, `/\\host`, control characters that browsers drop) goes
/// to the start page, so no form field can send a user elsewhere.
pub fn redirect(to: &str) -> HttpResponse {
    let to = if is_own_path(to) { to } else { "/" };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// A path on this site: `/` and not `//` or `/\\` (which browsers read as another host),
/// with no backslash, whitespace or control character anywhere.
pub fn is_own_path(to: &str) -> bool {
    to.starts_with('/')
        && !to.starts_with("//")
        && !to
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
}

/// Search, sort and page as they come in the query string of every list page.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    pub sort: Option<String>,
    pub dir: Option<String>,
    /// Text, not numbers: a flattened struct (filters + list) hands numbers over as strings,
    /// and a hand-edited `page=abc` should show page 1, not an error.
    pub page: Option<String>,
    pub size: Option<String>,
    /// The row before the page (a Next link) or after it (a Previous link): see `Anchor`.
    pub after: Option<String>,
    pub before: Option<String>,
}

impl ListParams {
    pub fn page_request(&self) -> PageRequest {
        fn number<N: std::str::FromStr>(value: &Option<String>) -> Option<N> {
            value.as_deref().and_then(|v| v.trim().parse().ok())
        }
        let anchor = number(&self.after)
            .map(Anchor::After)
            .or_else(|| number(&self.before).map(Anchor::Before));
        PageRequest::new(number(&self.page), number(&self.size)).anchored(anchor)
    }

    pub fn descending(&self) -> bool {
        self.dir.as_deref() == Some("desc")
    }
}

/// A list as displayed: builds the links of sortable headers and pagination, keeping every
/// other parameter (search, filters) in place.
pub struct Listing {
    path: String,
    /// Search text and filters, kept in every link.
    filters: Vec<(&'static str, String)>,
    pub sort: String,
    pub descending: bool,
    pub page: u64,
    pub size: u64,
    pub total: u64,
    /// There are more than `total`.
    pub more: bool,
    pub page_count: u64,
    pub first_shown: u64,
    pub last_shown: u64,
    /// Where this page was found from, kept in `current_url`.
    anchor: Option<Anchor>,
    /// The ids of the first and last row, for lists that seek.
    ends: Option<(i64, i64)>,
    has_next: bool,
}

impl Listing {
    pub fn new<T>(
        path: impl Into<String>,
        params: &ListParams,
        sort: &str,
        page: &Page<T>,
        filters: Vec<(&'static str, String)>,
    ) -> Self {
        let mut kept = vec![("q", params.q.clone())];
        kept.extend(filters);
        kept.retain(|(_, value)| !value.is_empty());
        let (first_shown, last_shown) = page.shown_range();
        Self {
            path: path.into(),
            filters: kept,
            sort: sort.to_owned(),
            descending: params.descending(),
            page: page.request.page,
            size: page.request.size,
            total: page.total,
            more: page.more,
            page_count: page.page_count(),
            first_shown,
            last_shown,
            anchor: page.request.anchor,
            ends: page.ends,
            has_next: page.has_next(),
        }
    }

    /// "more than 1 000", or on a page past the count's cap, more than the rows up to it.
    pub fn shown_total(&self) -> u64 {
        if self.more {
            self.total.max(self.last_shown)
        } else {
            self.total
        }
    }

    fn url(&self, sort: &str, descending: bool, page: u64) -> String {
        self.anchored_url(sort, descending, page, None)
    }

    fn anchored_url(
        &self,
        sort: &str,
        descending: bool,
        page: u64,
        anchor: Option<Anchor>,
    ) -> String {
        let mut pairs: Vec<(&str, String)> = self.filters.clone();
        pairs.push(("sort", sort.to_owned()));
        if descending {
            pairs.push(("dir", "desc".to_owned()));
        }
        pairs.push(("size", self.size.to_string()));
        if page > 1 {
            pairs.push(("page", page.to_string()));
            match anchor {
                Some(Anchor::After(id)) => pairs.push(("after", id.to_string())),
                Some(Anchor::Before(id)) => pairs.push(("before", id.to_string())),
                None => {}
            }
        }
        format!(
            "{}?{}",
            self.path,
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }

    /// This very page (search, filters, sort, size and page): where an action on its rows
    /// comes back to.
    pub fn current_url(&self) -> String {
        self.anchored_url(&self.sort, self.descending, self.page, self.anchor)
    }

    /// Link of a column header: sorts by it, or reverses the order if it is already sorted.
    pub fn sort_url(&self, key: &str) -> String {
        let descending = self.sort == key && !self.descending;
        self.url(key, descending, 1)
    }

    /// `aria-sort` of a column header.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        match (self.sort == key, self.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    pub fn previous_url(&self) -> Option<String> {
        (self.page > 1).then(|| {
            let anchor = self.ends.map(|(first, _)| Anchor::Before(first));
            self.anchored_url(&self.sort, self.descending, self.page - 1, anchor)
        })
    }

    pub fn next_url(&self) -> Option<String> {
        self.has_next.then(|| {
            let anchor = self.ends.map(|(_, last)| Anchor::After(last));
            self.anchored_url(&self.sort, self.descending, self.page + 1, anchor)
        })
    }

    /// Hidden fields that carry filters and sort into the search and page-size forms.
    pub fn hidden_fields(&self, except: &str) -> Vec<(&'static str, String)> {
        let mut fields: Vec<(&'static str, String)> = self
            .filters
            .iter()
            .filter(|(name, _)| *name != except)
            .cloned()
            .collect();
        fields.push(("sort", self.sort.clone()));
        if self.descending {
            fields.push(("dir", "desc".to_owned()));
        }
        if except != "size" {
            fields.push(("size", self.size.to_string()));
        }
        fields
    }

    pub fn query(&self) -> String {
        self.filters
            .iter()
            .find(|(name, _)| *name == "q")
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }

    pub fn page_sizes(&self) -> [u64; 3] {
        PAGE_SIZES
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}

/// A refusal's reason as a sentence of its own: "no seat is free" → "No seat is free."
pub fn sentence(reason: &impl std::fmt::Display) -> String {
    let text = reason.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// A use case's result for a form: the outcome, or the refusal's sentence to show beside the
/// form (with 422); a failure stays an error.
pub fn form_result<T, R: std::fmt::Display>(
    result: crate::app::Outcome<T, R>,
) -> Result<Result<T, String>, AppError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(crate::app::Error::Refused(reason)) => Ok(Err(reason.to_string())),
        Err(crate::app::Error::Failed(failure)) => Err(failure.into()),
    }
}
