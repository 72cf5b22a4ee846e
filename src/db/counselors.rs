//! Counselor accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::counselors;
use super::DbConnection;
use crate::insert_returning_id;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = counselors)]
pub struct CounselorRow {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub time_zone: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub deactivated_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = counselors)]
pub struct NewCounselor<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub is_admin: bool,
    pub time_zone: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    counselors::table.count().get_result(conn)
}

pub fn insert(conn: &mut DbConnection, new: &NewCounselor<'_>) -> QueryResult<i32> {
    insert_returning_id!(conn, counselors, new)
}

/// A counselor account to open; the password is already hashed (`auth::hash_password`).
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub is_admin: bool,
    pub time_zone: &'a str,
}

/// Open an active counselor account; the one way setup, the practice admin and the CLI
/// create counselors. The caller checks the email is free and records the audit row.
pub fn create_counselor(conn: &mut DbConnection, a: &NewAccount<'_>) -> QueryResult<i32> {
    insert(
        conn,
        &NewCounselor {
            email: a.email,
            display_name: a.display_name,
            password_hash: a.password_hash,
            is_admin: a.is_admin,
            time_zone: a.time_zone,
            active: true,
            created_at: super::now(),
        },
    )
}

pub fn by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<CounselorRow>> {
    counselors::table
        .filter(counselors::email.eq(email))
        .select(CounselorRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<CounselorRow> {
    counselors::table
        .find(id)
        .select(CounselorRow::as_select())
        .first(conn)
}

/// The counselor's IANA time zone (UTC if the stored name is not one).
pub fn time_zone(conn: &mut DbConnection, id: i32) -> QueryResult<chrono_tz::Tz> {
    let tz: String = counselors::table
        .find(id)
        .select(counselors::time_zone)
        .first(conn)?;
    Ok(tz.parse().unwrap_or(chrono_tz::UTC))
}

pub fn email_taken(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        counselors::table.filter(counselors::email.eq(email)),
    ))
    .get_result(conn)
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<CounselorRow>> {
    counselors::table
        .order((counselors::active.desc(), counselors::display_name.asc()))
        .select(CounselorRow::as_select())
        .load(conn)
}

pub fn set_active(
    conn: &mut DbConnection,
    id: i32,
    active: bool,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(counselors::table.find(id))
        .set((
            counselors::active.eq(active),
            counselors::deactivated_at.eq((!active).then_some(at)),
        ))
        .execute(conn)
}

// Counselor accounts.

/// Store a new password hash (already hashed with `auth::hash_password`).
pub fn set_password(conn: &mut DbConnection, id: i32, password_hash: &str) -> QueryResult<usize> {
    diesel::update(counselors::table.find(id))
        .set(counselors::password_hash.eq(password_hash))
        .execute(conn)
}

/// What an invited counselor's password hash is until they choose one: no password
/// verifies against it (it is not a hash at all).
pub const NO_PASSWORD_YET: &str = "!invited";
