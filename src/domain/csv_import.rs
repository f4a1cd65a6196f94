//! Import CSV of the Mobile Users page (docs/behaviour.md#mobile-users-page): columns user id, name, email, state (by
//! header, any order, case-insensitive). Every row is checked before anything is written;
//! one bad row rejects the file, and the report says which and why.

use std::collections::HashSet;

use super::{email::Email, ids::Guid, license_check::UserState};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// 1-based line in the file (the header is line 1).
    pub line: usize,
    pub user_id: Guid,
    pub name: Option<String>,
    pub email: Option<Email>,
    pub state: UserState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub reason: String,
}

/// Largest file accepted, in rows.
pub const MAX_ROWS: usize = 100_000;

pub fn parse(bytes: &[u8]) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let file_error = |reason: &str| {
        vec![RowError {
            line: 1,
            reason: reason.to_owned(),
        }]
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| file_error(&format!("not a CSV file: {e}")))?
        .clone();
    let column = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let user_id_column = column(&["user_id", "user id", "userid"]).ok_or_else(|| {
        file_error("the header has no user_id column (expected user_id, name, email, state)")
    })?;
    let (name_column, email_column, state_column) =
        (column(&["name"]), column(&["email"]), column(&["state"]));

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        if index >= MAX_ROWS {
            errors.push(RowError {
                line,
                reason: format!("more than {MAX_ROWS} rows"),
            });
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                errors.push(RowError {
                    line,
                    reason: format!("unreadable row: {error}"),
                });
                continue;
            }
        };
        let field = |column: Option<usize>| column.and_then(|c| record.get(c)).unwrap_or("").trim();
        let mut reasons = Vec::new();
        let user_id = match Guid::parse(field(Some(user_id_column))) {
            Ok(guid) => Some(guid),
            Err(error) => {
                reasons.push(error.to_string());
                None
            }
        };
        if let Some(guid) = user_id
            && !seen.insert(guid)
        {
            reasons.push(format!("user id {guid} appears twice in the file"));
        }
        if !super::text::is_one_line(field(name_column)) {
            reasons.push(
                "the name has a line break, tab, control or text-direction character".to_owned(),
            );
        }
        let email = match field(email_column) {
            "" => None,
            text => match Email::parse(text) {
                Ok(email) => Some(email),
                Err(error) => {
                    reasons.push(error.to_string());
                    None
                }
            },
        };
        let state = match field(state_column) {
            "" => Some(UserState::Enabled),
            text => {
                let state = UserState::ALL
                    .into_iter()
                    .find(|s| s.as_str().eq_ignore_ascii_case(text));
                if state.is_none() {
                    reasons.push(format!(
                        "“{text}” is not a state (Enabled, Pending or Disabled)"
                    ));
                }
                state
            }
        };
        match (user_id, state, reasons.is_empty()) {
            (Some(user_id), Some(state), true) => rows.push(ImportRow {
                line,
                user_id,
                name: Some(field(name_column).to_owned()).filter(|n| !n.is_empty()),
                email,
                state,
            }),
            _ => errors.push(RowError {
                line,
                reason: reasons.join("; "),
            }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(capped(errors))
    }
}

/// The report names at most this many rows: a large file of bad rows gives a page that
/// says how many more there are, not a page as large as the file.
pub const MAX_REPORTED_ERRORS: usize = 100;

fn capped(mut errors: Vec<RowError>) -> Vec<RowError> {
    if errors.len() > MAX_REPORTED_ERRORS {
        let more = errors.len() - MAX_REPORTED_ERRORS;
        errors.truncate(MAX_REPORTED_ERRORS);
        let line = errors.last().map_or(0, |e| e.line);
        errors.push(RowError {
            line,
            reason: format!("and {more} more rows with errors after this one (fix these first)"),
        });
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_parse_by_header_in_any_order() {
        let csv = "State,Email,user_id,Name\nPending,ann@x.example,661BAC34-1128-40B1-9653-00B9F54158CD,Ann\n,,4f767aff-b33f-437c-a7cb-00249948c82b,\n";
        let rows = parse(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].state, UserState::Pending);
        assert_eq!(rows[0].name.as_deref(), Some("Ann"));
        assert_eq!(
            rows[1].state,
            UserState::Enabled,
            "an empty state means Enabled"
        );
        assert_eq!(rows[1].line, 3);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = "user_id,name,email,state\nnope,A,,\n4f767aff-b33f-437c-a7cb-00249948c82b,B,bad,Sleeping\n4f767aff-b33f-437c-a7cb-00249948c82b,C,,\n";
        let errors = parse(csv.as_bytes()).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
        assert!(
            errors[1].reason.contains("not an email") && errors[1].reason.contains("not a state")
        );
        assert!(errors[2].reason.contains("appears twice"));
        assert!(
            parse(b"name,email\nA,\n").unwrap_err()[0]
                .reason
                .contains("no user_id column")
        );
    }
}
