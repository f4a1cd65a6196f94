//! Domain enums stored as text columns. The schema keeps its text values (so existing
//! databases and the column values in the docs do not change), while the entities hold the
//! enum: a misspelt state is a compile error, and a value no variant knows is a read error
//! naming the column type instead of a silent mismatch.
//!
//! The impls live here, not as derives in `domain`, so that `domain` stays free of sea-orm.

/// Implements what sea-orm needs to use `$ty` as a text column: `$to` turns a value into
/// its stored text, `$from` reads stored text back (`None` for unknown text).
macro_rules! stored_as_text {
    ($ty:ty, $to:expr, $from:expr) => {
        impl From<$ty> for sea_orm::Value {
            fn from(value: $ty) -> Self {
                let to: fn($ty) -> &'static str = $to;
                sea_orm::Value::String(Some(to(value).to_owned()))
            }
        }

        impl sea_orm::TryGetable for $ty {
            fn try_get_by<I: sea_orm::ColIdx>(
                res: &sea_orm::QueryResult,
                idx: I,
            ) -> Result<Self, sea_orm::TryGetError> {
                let text = String::try_get_by(res, idx)?;
                let from: fn(&str) -> Option<$ty> = $from;
                from(&text).ok_or_else(|| {
                    sea_orm::TryGetError::DbErr(sea_orm::DbErr::Type(format!(
                        "“{text}” is not a stored {}",
                        stringify!($ty)
                    )))
                })
            }
        }

        impl sea_orm::sea_query::ValueType for $ty {
            fn try_from(value: sea_orm::Value) -> Result<Self, sea_orm::sea_query::ValueTypeErr> {
                let text = <String as sea_orm::sea_query::ValueType>::try_from(value)?;
                let from: fn(&str) -> Option<$ty> = $from;
                from(&text).ok_or(sea_orm::sea_query::ValueTypeErr)
            }

            fn type_name() -> String {
                stringify!($ty).to_owned()
            }

            fn array_type() -> sea_orm::sea_query::ArrayType {
                sea_orm::sea_query::ArrayType::String
            }

            fn column_type() -> sea_orm::sea_query::ColumnType {
                sea_orm::sea_query::ColumnType::Text
            }
        }

        impl sea_orm::sea_query::Nullable for $ty {
            fn null() -> sea_orm::Value {
                sea_orm::Value::String(None)
            }
        }

        /// Audit snapshots show the stored text.
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let to: fn($ty) -> &'static str = $to;
                serializer.serialize_str(to(*self))
            }
        }

        impl sea_orm::IntoActiveValue<$ty> for $ty {
            fn into_active_value(self) -> sea_orm::ActiveValue<$ty> {
                sea_orm::ActiveValue::Set(self)
            }
        }
    };
}

use crate::domain::{
    channels::ChannelKind,
    license_check::UserState,
    lookups::ClientKind,
    outbox::{MailKind, MailStatus},
    permissions::Role,
    products::Product,
    settings::SyncMode,
    sync::{ConflictKind, LogOutcome, LogState, Op},
};

stored_as_text!(UserState, UserState::as_str, UserState::parse);
stored_as_text!(Role, Role::as_str, |text| Role::parse(text).ok());
stored_as_text!(Product, Product::as_str, |text| Product::parse(text).ok());
stored_as_text!(SyncMode, SyncMode::as_str, SyncMode::parse);
stored_as_text!(ClientKind, ClientKind::key, ClientKind::parse);
stored_as_text!(ChannelKind, ChannelKind::as_str, ChannelKind::parse);
stored_as_text!(MailStatus, MailStatus::as_str, MailStatus::parse);
stored_as_text!(MailKind, MailKind::as_str, MailKind::parse);
stored_as_text!(Op, Op::as_str, Op::parse);
stored_as_text!(ConflictKind, ConflictKind::as_str, ConflictKind::parse);
stored_as_text!(LogOutcome, LogOutcome::as_str, LogOutcome::parse);
stored_as_text!(LogState, LogState::as_str, LogState::parse);

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::ValueType;

    use super::*;

    #[test]
    fn a_stored_value_reads_back_as_the_same_variant() {
        for state in [UserState::Enabled, UserState::Pending, UserState::Disabled] {
            assert_eq!(
                <UserState as ValueType>::try_from(state.into()).ok(),
                Some(state)
            );
        }
        for product in Product::ALL {
            assert_eq!(
                <Product as ValueType>::try_from(product.into()).ok(),
                Some(product)
            );
        }
        for kind in MailKind::ALL {
            assert_eq!(
                <MailKind as ValueType>::try_from(kind.into()).ok(),
                Some(kind)
            );
        }
    }

    #[test]
    fn unknown_text_is_an_error_not_a_default() {
        let stored = sea_orm::Value::String(Some("Enabeld".to_owned()));
        assert!(<UserState as ValueType>::try_from(stored).is_err());
    }
}
