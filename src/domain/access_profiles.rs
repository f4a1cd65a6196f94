//! Access profiles (docs/behaviour.md#mobile-sync): per entity, whether a user's devices
//! may read, create, update and delete its records. Every mobile user has one — the
//! organization's default unless an administrator picks another.

use super::text;

/// What a profile allows on one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Rights {
    pub read: bool,
    pub create: bool,
    pub update: bool,
    pub delete: bool,
}

impl Rights {
    /// The rights in words: "read, update", or "nothing".
    pub fn summary(self) -> String {
        let names: Vec<&str> = [
            (self.read, "read"),
            (self.create, "create"),
            (self.update, "update"),
            (self.delete, "delete"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        if names.is_empty() {
            "nothing".to_owned()
        } else {
            names.join(", ")
        }
    }
}

/// A profile as an administrator typed it: its name, whether it is the organization's
/// default, and its rights per entity (by the entity's row id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInput {
    pub name: String,
    pub is_default: bool,
    pub rules: Vec<(i64, Rights)>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("give the profile a name")]
    NoName,
    #[error(
        "the name is 1 to 80 characters on one line, without control or text-direction characters"
    )]
    BadName,
}

impl ProfileInput {
    pub fn parse(
        name: &str,
        is_default: bool,
        rules: Vec<(i64, Rights)>,
    ) -> Result<Self, ProfileError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ProfileError::NoName);
        }
        if name.chars().count() > 80 || !text::is_one_line(name) {
            return Err(ProfileError::BadName);
        }
        Ok(Self {
            name: name.to_owned(),
            is_default,
            rules,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_one_short_line() {
        assert_eq!(
            ProfileInput::parse("  Field staff ", false, vec![])
                .unwrap()
                .name,
            "Field staff"
        );
        assert_eq!(
            ProfileInput::parse(" ", false, vec![]),
            Err(ProfileError::NoName)
        );
        assert_eq!(
            ProfileInput::parse("a\nb", false, vec![]),
            Err(ProfileError::BadName)
        );
    }

    #[test]
    fn rights_read_as_words() {
        assert_eq!(Rights::default().summary(), "nothing");
        let some = Rights {
            read: true,
            update: true,
            ..Rights::default()
        };
        assert_eq!(some.summary(), "read, update");
    }
}
