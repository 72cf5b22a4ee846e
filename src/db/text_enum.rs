//! The domain's word enums (statuses, kinds, slots, audit actions) stored as `Text`.
//!
//! `domain/` may not import diesel, so the derives cannot sit on the enums; one macro writes
//! the same impls `#[derive(AsExpression, FromSqlRow)]` (for `sql_type = Text`) plus `ToSql`/`FromSql`
//! would. They
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
use crate::domain::promise::PromiseOutcome;
use crate::domain::safety::AlertAction;
use crate::domain::status::{
    AssignmentStatus, EntryStatus, OutboxStatus, PasswordTokenPurpose, SessionStatus, TextWord,
    TokenPurpose, UserKind,
};

// What `#[derive(AsExpression)]` binds a value with; the derive's own output names this
// path, so it is as stable as the derive.
use diesel::internal::derives::as_expression::Bound;

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
            type Expression = Bound<Text, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }

        impl AsExpression<Nullable<Text>> for $ty {
            type Expression = Bound<Nullable<Text>, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }

        impl<'e> AsExpression<Text> for &'e $ty {
            type Expression = Bound<Text, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }

        impl<'e> AsExpression<Nullable<Text>> for &'e $ty {
            type Expression = Bound<Nullable<Text>, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }

        impl<'e2, 'e> AsExpression<Text> for &'e2 &'e $ty {
            type Expression = Bound<Text, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }

        impl<DB> ToSql<Nullable<Text>, DB> for $ty
        where
            DB: Backend,
            Self: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <Self as ToSql<Text, DB>>::to_sql(self, out)
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
    PasswordTokenPurpose,
    AuditAction,
    ActorKind,
    AlertAction,
    // partner area
    PromiseOutcome,
);
