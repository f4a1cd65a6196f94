//! The entities devices sync (docs/behaviour.md#mobile-sync): a name, a label, and typed
//! fields, some required. Administrators type the fields one per line — `status: text
//! required` — so the form works without JavaScript.

use serde::{Deserialize, Serialize};

use super::text;

/// The type of a field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Text,
    Number,
    Date,
    Boolean,
}

impl FieldType {
    pub const ALL: [FieldType; 4] = [Self::Text, Self::Number, Self::Date, Self::Boolean];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Boolean => "boolean",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// One field of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub required: bool,
}

impl Field {
    /// The field as the form shows it: `status: text required`.
    pub fn line(&self) -> String {
        format!(
            "{}: {}{}",
            self.name,
            self.kind.as_str(),
            if self.required { " required" } else { "" }
        )
    }
}

impl Field {
    /// A value as an administrator typed it on the Records page: empty is no value, a
    /// boolean is a checkbox (`None` when unticked).
    pub fn parse_value(&self, typed: Option<&str>) -> Result<serde_json::Value, String> {
        use serde_json::Value;
        let text = typed.map(str::trim).unwrap_or("");
        let value = match self.kind {
            FieldType::Boolean => Value::Bool(typed.is_some()),
            _ if text.is_empty() => Value::Null,
            FieldType::Text => Value::String(typed.unwrap_or_default().to_owned()),
            FieldType::Number => text
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .and_then(|n| {
                    if n.fract() == 0.0 && n.abs() < 9e15 {
                        Some(serde_json::json!(n as i64))
                    } else {
                        serde_json::Number::from_f64(n).map(Value::Number)
                    }
                })
                .ok_or_else(|| format!("{} is a number, not “{text}”", self.name))?,
            FieldType::Date => {
                chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                    format!("{} is a date like 2026-12-01, not “{text}”", self.name)
                })?;
                Value::String(text.to_owned())
            }
        };
        if self.required && value.is_null() {
            return Err(format!("{} is required", self.name));
        }
        Ok(value)
    }

    /// A stored value as the form shows it.
    pub fn form_value(&self, value: Option<&serde_json::Value>) -> String {
        match value {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(text)) => match self.kind {
                // A date stored with a time shows as its day in the date input.
                FieldType::Date => text.chars().take(10).collect(),
                _ => text.clone(),
            },
            Some(other) => other.to_string(),
        }
    }
}

/// An entity as an administrator typed it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityInput {
    pub name: String,
    pub label: String,
    pub fields: Vec<Field>,
}

/// At most this many fields per entity.
pub const MAX_FIELDS: usize = 100;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EntityError {
    #[error(
        "the name is 1 to 64 lower-case letters, digits and underscores, starting with a letter (like work_order)"
    )]
    BadName,
    #[error(
        "the label is 1 to 120 characters on one line, without control or text-direction characters"
    )]
    BadLabel,
    #[error(
        "line {line}: “{text}” is not a field; write one per line as `name: type` or `name: type required`, with a type of text, number, date or boolean"
    )]
    BadField { line: usize, text: String },
    #[error(
        "line {line}: the field name “{name}” is not 1 to 64 lower-case letters, digits and underscores, starting with a letter"
    )]
    BadFieldName { line: usize, name: String },
    #[error("the field “{0}” is there twice")]
    DuplicateField(String),
    #[error("give the entity at least one field")]
    NoFields,
    #[error("an entity has at most {MAX_FIELDS} fields")]
    TooManyFields,
}

/// `work_order`: what devices and the API use, so ASCII and stable.
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && text.len() <= 64
}

impl EntityInput {
    pub fn parse(name: &str, label: &str, fields: &str) -> Result<Self, EntityError> {
        let name = name.trim();
        if !is_identifier(name) {
            return Err(EntityError::BadName);
        }
        let label = label.trim();
        let label = if label.is_empty() { name } else { label };
        if label.chars().count() > 120 || !text::is_one_line(label) {
            return Err(EntityError::BadLabel);
        }
        let mut parsed: Vec<Field> = Vec::new();
        for (index, line) in fields.lines().enumerate() {
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            let line = index + 1;
            let bad = || EntityError::BadField {
                line,
                text: text.to_owned(),
            };
            let (field_name, rest) = text.split_once(':').ok_or_else(bad)?;
            let field_name = field_name.trim();
            if !is_identifier(field_name) {
                return Err(EntityError::BadFieldName {
                    line,
                    name: field_name.to_owned(),
                });
            }
            let words: Vec<String> = rest.split_whitespace().map(str::to_lowercase).collect();
            let (kind, required) = match words.as_slice() {
                [kind] => (FieldType::parse(kind).ok_or_else(bad)?, false),
                [kind, flag] if flag == "required" => {
                    (FieldType::parse(kind).ok_or_else(bad)?, true)
                }
                _ => return Err(bad()),
            };
            if parsed.iter().any(|f| f.name == field_name) {
                return Err(EntityError::DuplicateField(field_name.to_owned()));
            }
            parsed.push(Field {
                name: field_name.to_owned(),
                kind,
                required,
            });
        }
        if parsed.is_empty() {
            return Err(EntityError::NoFields);
        }
        if parsed.len() > MAX_FIELDS {
            return Err(EntityError::TooManyFields);
        }
        Ok(Self {
            name: name.to_owned(),
            label: label.to_owned(),
            fields: parsed,
        })
    }
}

/// The fields as the form's text: one per line.
pub fn fields_text(fields: &[Field]) -> String {
    fields
        .iter()
        .map(Field::line)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_follow_the_field_type() {
        let field = |kind, required| Field {
            name: "f".into(),
            kind,
            required,
        };
        use serde_json::json;
        assert_eq!(
            field(FieldType::Number, false).parse_value(Some("2")),
            Ok(json!(2))
        );
        assert_eq!(
            field(FieldType::Number, false).parse_value(Some("2.5")),
            Ok(json!(2.5))
        );
        assert!(
            field(FieldType::Number, false)
                .parse_value(Some("two"))
                .is_err()
        );
        assert_eq!(
            field(FieldType::Number, false).parse_value(Some(" ")),
            Ok(json!(null))
        );
        assert_eq!(
            field(FieldType::Boolean, false).parse_value(None),
            Ok(json!(false))
        );
        assert_eq!(
            field(FieldType::Boolean, false).parse_value(Some("on")),
            Ok(json!(true))
        );
        assert!(
            field(FieldType::Date, false)
                .parse_value(Some("1.12.2026"))
                .is_err()
        );
        assert_eq!(
            field(FieldType::Text, true).parse_value(Some("")),
            Err("f is required".to_owned())
        );
    }

    #[test]
    fn fields_are_typed_one_per_line() {
        let input = EntityInput::parse(
            " work_order ",
            "Work order",
            "title: text required\n\nhours: Number\ndue: date\ndone: boolean REQUIRED\n",
        )
        .unwrap();
        assert_eq!(input.name, "work_order");
        assert_eq!(input.fields.len(), 4);
        assert_eq!(input.fields[0].line(), "title: text required");
        assert_eq!(input.fields[1].line(), "hours: number");
        assert!(input.fields[3].required);
        let again = EntityInput::parse("work_order", "", &fields_text(&input.fields)).unwrap();
        assert_eq!(again.fields, input.fields);
        assert_eq!(
            again.label, "work_order",
            "the name stands in for a missing label"
        );
    }

    #[test]
    fn every_mistake_names_its_line_or_part() {
        assert_eq!(
            EntityInput::parse("Work Order", "", "a: text"),
            Err(EntityError::BadName)
        );
        assert_eq!(
            EntityInput::parse("w", "", "a: text\nb text"),
            Err(EntityError::BadField {
                line: 2,
                text: "b text".into()
            })
        );
        assert_eq!(
            EntityInput::parse("w", "", "a: colour"),
            Err(EntityError::BadField {
                line: 1,
                text: "a: colour".into()
            })
        );
        assert_eq!(
            EntityInput::parse("w", "", "A b: text"),
            Err(EntityError::BadFieldName {
                line: 1,
                name: "A b".into()
            })
        );
        assert_eq!(
            EntityInput::parse("w", "", "a: text\na: number"),
            Err(EntityError::DuplicateField("a".into()))
        );
        assert_eq!(
            EntityInput::parse("w", "", "  \n"),
            Err(EntityError::NoFields)
        );
        assert_eq!(
            EntityInput::parse("w", "x\u{202e}y", "a: text"),
            Err(EntityError::BadLabel)
        );
    }
}
