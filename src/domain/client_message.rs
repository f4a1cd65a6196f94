//! The `<MobileClient>` message of the licence check (docs/behaviour.md#license-check), parsed with quick-xml + serde:
//! element order is free, unknown elements are ignored, GUIDs match case-insensitively.

use serde::{Deserialize, Serialize};

use super::{
    ids::Guid,
    license_check::{Answer, Status},
};

#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "Version")]
    version: Option<String>,
    #[serde(rename = "DeviceId")]
    device_id: Option<String>,
    #[serde(rename = "DeviceInfo")]
    device_info: Option<String>,
    #[serde(rename = "OrganizationId")]
    organization_id: Option<String>,
    #[serde(rename = "UserId")]
    user_id: Option<String>,
}

/// A well-formed licence check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRequest {
    pub organization_id: Guid,
    pub user_id: Guid,
    pub app_version: Option<String>,
    pub device_id: Option<String>,
    pub device_info: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    #[error("the body is not UTF-8 text")]
    NotText,
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("<{0}> is missing")]
    Missing(&'static str),
    #[error("<{0}> is not a GUID: “{1}”")]
    NotAGuid(&'static str, String),
    #[error("the body is larger than 64 KiB")]
    TooLarge,
}

/// Longest text kept from the optional fields (device info, version).
const FIELD_LIMIT: usize = 256;

fn optional(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().chars().take(FIELD_LIMIT).collect::<String>())
        .filter(|v| !v.is_empty())
}

fn guid(value: Option<String>, element: &'static str) -> Result<Guid, RequestError> {
    let value = value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or(RequestError::Missing(element))?;
    Guid::parse(&value)
        .map_err(|_| RequestError::NotAGuid(element, value.chars().take(80).collect()))
}

pub fn parse_xml(body: &[u8]) -> Result<CheckRequest, RequestError> {
    let text = std::str::from_utf8(body).map_err(|_| RequestError::NotText)?;
    if !text.trim_start().starts_with('<') {
        return Err(RequestError::Malformed(
            "the body is not an XML document".to_owned(),
        ));
    }
    let wire: Wire =
        quick_xml::de::from_str(text).map_err(|e| RequestError::Malformed(e.to_string()))?;
    Ok(CheckRequest {
        organization_id: guid(wire.organization_id, "OrganizationId")?,
        user_id: guid(wire.user_id, "UserId")?,
        app_version: optional(wire.version),
        device_id: optional(wire.device_id),
        device_info: optional(wire.device_info),
    })
}

/// The answer as it travels, XML (`<LicenseResponse>`) or JSON.
#[derive(Debug, Serialize)]
#[serde(rename = "LicenseResponse")]
pub struct LicenseResponse {
    #[serde(rename = "Status")]
    pub status: &'static str,
    #[serde(rename = "State")]
    pub state: &'static str,
    #[serde(rename = "ValidUntil", skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(rename = "SyncMode")]
    pub sync_mode: String,
}

impl LicenseResponse {
    pub fn new(answer: &Answer, sync_mode: &str) -> Self {
        Self {
            status: answer.status.as_str(),
            state: answer.state.as_str(),
            valid_until: answer
                .valid_until
                .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            sync_mode: sync_mode.to_owned(),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok.as_str()
    }

    pub fn to_xml(&self) -> String {
        quick_xml::se::to_string(self).unwrap_or_default()
    }
}

#[derive(Serialize)]
#[serde(rename = "Error")]
struct ErrorBody<'a> {
    #[serde(rename = "$text")]
    message: &'a str,
}

/// `<Error>what is wrong</Error>`
pub fn error_xml(message: &str) -> String {
    quick_xml::se::to_string(&ErrorBody { message }).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SAMPLE: &str = r#"<MobileClient>
  <Version>6.1.0.0</Version>
  <Edition>Resco</Edition>
  <DeviceId>45d780e4f18354949676f743b0h11633951652bc</DeviceId>
  <DeviceInfo>iPad 2 Wi-Fi only (iPad2,1) iPhone OS 6.0</DeviceInfo>
  <OrganizationId>4F767AFF-B33F-437C-A7CB-00249948C82B</OrganizationId>
  <OrganizationUrl>https://testcrm.example.com</OrganizationUrl>
  <OrganizationName>testcrm</OrganizationName>
  <UserId>661BAC34-1128-40B1-9653-00B9F54158CD</UserId>
</MobileClient>"#;

    #[test]
    fn the_sample_message_parses() {
        let request = parse_xml(SAMPLE.as_bytes()).unwrap();
        assert_eq!(
            request.organization_id.to_string(),
            "4f767aff-b33f-437c-a7cb-00249948c82b"
        );
        assert_eq!(
            request.user_id.to_string(),
            "661bac34-1128-40b1-9653-00b9f54158cd"
        );
        assert_eq!(request.app_version.as_deref(), Some("6.1.0.0"));
        assert_eq!(
            request.device_info.as_deref(),
            Some("iPad 2 Wi-Fi only (iPad2,1) iPhone OS 6.0")
        );
    }

    #[test]
    fn element_order_is_free_and_unknown_elements_are_ignored() {
        let xml = "<MobileClient><UserId>661bac34-1128-40b1-9653-00b9f54158cd</UserId><Extra><Deep>1</Deep></Extra>\
                   <OrganizationId>{4f767aff-b33f-437c-a7cb-00249948c82b}</OrganizationId></MobileClient>";
        assert!(parse_xml(xml.as_bytes()).is_ok());
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        assert!(matches!(
            parse_xml(b"<MobileClient><UserId>"),
            Err(RequestError::Malformed(_))
        ));
        assert!(matches!(
            parse_xml(b"hello"),
            Err(RequestError::Malformed(_))
        ));
        assert_eq!(
            parse_xml(b"<MobileClient><UserId>661bac34-1128-40b1-9653-00b9f54158cd</UserId></MobileClient>"),
            Err(RequestError::Missing("OrganizationId"))
        );
        let bad_guid = "<MobileClient><OrganizationId>nope</OrganizationId><UserId>661bac34-1128-40b1-9653-00b9f54158cd</UserId></MobileClient>";
        assert_eq!(
            parse_xml(bad_guid.as_bytes()),
            Err(RequestError::NotAGuid("OrganizationId", "nope".to_owned()))
        );
        assert_eq!(parse_xml(&[0xff, 0xfe]), Err(RequestError::NotText));
    }

    #[test]
    fn answers_and_errors_serialise_as_xml() {
        let answer = Answer {
            status: Status::Ok,
            state: crate::domain::license_check::AnswerState::Trial,
            valid_until: Some("2026-12-07T10:00:00Z".parse().unwrap()),
        };
        assert_eq!(
            LicenseResponse::new(&answer, "offline").to_xml(),
            "<LicenseResponse><Status>OK</Status><State>Trial</State><ValidUntil>2026-12-07T10:00:00Z</ValidUntil><SyncMode>offline</SyncMode></LicenseResponse>"
        );
        assert_eq!(error_xml("a < b"), "<Error>a &lt; b</Error>");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn no_input_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_xml(&bytes);
        }

        #[test]
        fn no_xml_like_input_panics(text in "<[A-Za-z<>/ =\"'&;{}-]{0,200}") {
            let _ = parse_xml(text.as_bytes());
        }
    }
}
