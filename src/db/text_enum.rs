//! The domain's word enums (statuses, kinds, slots, audit actions) stored as `Text`.
//!
//! `domain/` may not import diesel, so the derives cannot sit on the enums; one macro writes
//! the same impls `#[derive(AsExpression, FromSqlRow)]` plus `ToSql`/`FromSql` would. They
//! are generic over the backend, so SQLite, PostgreSQL and the `MultiConnection`'s backend
//! all get them. An unknown text read from the database is a deserialization error (the
//! query fails with it), never a panic.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Nullable, SingleValue, Text};

use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::couple::{CoupleStatus, Slot};
use crate::domain::exercise::Visibility;
use crate::domain::status::{
    AssignmentStatus, EntryStatus, OutboxStatus, SessionStatus, TextWord, TokenPurpose, UserKind,
};

/// The bound value of a word: its text, bound as a `&'static str`.
type BoundText<ST> = <&'static str as AsExpression<ST>>::Expression;

macro_rules! text_enum {
    ($($ty:ty),+ $(,)?) => {$(
        impl<DB> ToSql<Text, DB> for $ty
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(TextWord::as_str(*self), out)
            }
        }

        impl<DB> FromSql<Text, DB> for $ty
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, DB>>::from_sql(bytes)?;
                Ok(<$ty as TextWord>::try_from_text(&text)?)
            }
        }

        impl<DB, ST> Queryable<ST, DB> for $ty
        where
            DB: Backend,
            ST: SingleValue,
            Self: FromSql<ST, DB>,
        {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }

        impl AsExpression<Text> for $ty {
            type Expression = BoundText<Text>;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(TextWord::as_str(self))
            }
        }

        impl AsExpression<Text> for &$ty {
            type Expression = BoundText<Text>;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(TextWord::as_str(*self))
            }
        }

        impl AsExpression<Nullable<Text>> for $ty {
            type Expression = BoundText<Nullable<Text>>;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Nullable<Text>>>::as_expression(TextWord::as_str(self))
            }
        }

        impl AsExpression<Nullable<Text>> for &$ty {
            type Expression = BoundText<Nullable<Text>>;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Nullable<Text>>>::as_expression(TextWord::as_str(*self))
            }
        }
    )+};
}

text_enum!(
    AssignmentStatus,
    EntryStatus,
    SessionStatus,
    OutboxStatus,
    CoupleStatus,
    Slot,
    Visibility,
    UserKind,
    TokenPurpose,
    AuditAction,
    ActorKind,
);
