//! Server-side sessions: one row per signed-in browser, found by the hash of its cookie.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{counselors, couples, partners, web_sessions};
use super::DbConnection;
use crate::domain::couple::CoupleStatus;
use crate::domain::status::UserKind;
use crate::insert_returning_id;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = web_sessions)]
pub struct WebSession {
    pub id: i32,
    pub user_kind: UserKind,
    pub user_id: i32,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = web_sessions)]
pub struct NewWebSession<'a> {
    pub token_hash: &'a str,
    pub user_kind: UserKind,
    pub user_id: i32,
    pub csrf_token: &'a str,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

pub fn create(conn: &mut DbConnection, new: &NewWebSession<'_>) -> QueryResult<i32> {
    insert_returning_id!(conn, web_sessions, new)
}

pub fn find(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<WebSession>> {
    web_sessions::table
        .filter(web_sessions::token_hash.eq(token_hash))
        .select(WebSession::as_select())
        .first(conn)
        .optional()
}

pub fn touch(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(web_sessions::table.find(id))
        .set(web_sessions::last_seen_at.eq(at))
        .execute(conn)
}

pub fn delete(conn: &mut DbConnection, id: i32) -> QueryResult<usize> {
    diesel::delete(web_sessions::table.find(id)).execute(conn)
}

pub fn delete_for_user(
    conn: &mut DbConnection,
    kind: UserKind,
    user_id: i32,
) -> QueryResult<usize> {
    diesel::delete(
        web_sessions::table
            .filter(web_sessions::user_kind.eq(kind))
            .filter(web_sessions::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// Remove sessions idle since `idle_before` or created before `created_before`.
pub fn purge_expired(
    conn: &mut DbConnection,
    idle_before: NaiveDateTime,
    created_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        web_sessions::table.filter(
            web_sessions::last_seen_at
                .lt(idle_before)
                .or(web_sessions::created_at.lt(created_before)),
        ),
    )
    .execute(conn)
}

/// Who a session belongs to, as the pages need it.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub display_name: String,
    pub is_admin: bool,
    pub active: bool,
    /// For partners: their couple.
    pub couple_id: Option<i32>,
}

pub fn user_of(conn: &mut DbConnection, s: &WebSession) -> QueryResult<Option<SessionUser>> {
    if s.user_kind == UserKind::Counselor {
        counselors::table
            .find(s.user_id)
            .select((
                counselors::display_name,
                counselors::is_admin,
                counselors::active,
            ))
            .first::<(String, bool, bool)>(conn)
            .optional()
            .map(|o| {
                o.map(|(display_name, is_admin, active)| SessionUser {
                    display_name,
                    is_admin,
                    active,
                    couple_id: None,
                })
            })
    } else {
        // A closed couple's partners are signed out on their next request, however the
        // couple was closed: the session middleware ends sessions of inactive users.
        partners::table
            .inner_join(couples::table)
            .filter(partners::id.eq(s.user_id))
            .select((partners::display_name, partners::couple_id, couples::status))
            .first::<(String, i32, String)>(conn)
            .optional()
            .map(|o| {
                o.map(|(display_name, couple_id, status)| SessionUser {
                    display_name,
                    is_admin: false,
                    active: status != CoupleStatus::Closed.as_str(),
                    couple_id: Some(couple_id),
                })
            })
    }
}

// Counselor accounts: what "Your sessions" shows and the re-authentication rule reads.

/// Remember the browser and when its user last entered their password.
pub fn set_details(
    conn: &mut DbConnection,
    id: i32,
    user_agent: &str,
    authenticated_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(web_sessions::table.find(id))
        .set((
            web_sessions::user_agent.eq(user_agent),
            web_sessions::authenticated_at.eq(Some(authenticated_at)),
        ))
        .execute(conn)
}

/// The password was entered again in this session.
pub fn mark_authenticated(
    conn: &mut DbConnection,
    id: i32,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(web_sessions::table.find(id))
        .set(web_sessions::authenticated_at.eq(Some(at)))
        .execute(conn)
}

/// When the password was last entered in this session (its start, for older rows).
pub fn authenticated_at(conn: &mut DbConnection, id: i32) -> QueryResult<NaiveDateTime> {
    let (at, created): (Option<NaiveDateTime>, NaiveDateTime) = web_sessions::table
        .find(id)
        .select((web_sessions::authenticated_at, web_sessions::created_at))
        .first(conn)?;
    Ok(at.unwrap_or(created))
}

/// One signed-in browser as "Your sessions" lists it.
#[derive(Debug, Clone, Queryable)]
pub struct SessionListing {
    pub id: i32,
    pub user_agent: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

pub fn of_user(
    conn: &mut DbConnection,
    kind: UserKind,
    user_id: i32,
) -> QueryResult<Vec<SessionListing>> {
    web_sessions::table
        .filter(web_sessions::user_kind.eq(kind))
        .filter(web_sessions::user_id.eq(user_id))
        .order(web_sessions::last_seen_at.desc())
        .select((
            web_sessions::id,
            web_sessions::user_agent,
            web_sessions::created_at,
            web_sessions::last_seen_at,
        ))
        .load(conn)
}

/// End every session of this user but `keep`.
pub fn delete_others(
    conn: &mut DbConnection,
    kind: UserKind,
    user_id: i32,
    keep: i32,
) -> QueryResult<usize> {
    diesel::delete(
        web_sessions::table
            .filter(web_sessions::user_kind.eq(kind))
            .filter(web_sessions::user_id.eq(user_id))
            .filter(web_sessions::id.ne(keep)),
    )
    .execute(conn)
}
