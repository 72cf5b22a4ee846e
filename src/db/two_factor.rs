//! Counselors' second factor: the TOTP secret, recovery codes (stored hashed), sign-ins
//! waiting for their second step, and browsers remembered for 30 days.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{login_challenges, recovery_codes, remembered_browsers, two_factor};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = two_factor)]
pub struct TwoFactorRow {
    pub counselor_id: i32,
    pub secret: String,
    pub confirmed_at: Option<NaiveDateTime>,
    pub last_step: i64,
    pub created_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, counselor_id: i32) -> QueryResult<Option<TwoFactorRow>> {
    two_factor::table
        .find(counselor_id)
        .select(TwoFactorRow::as_select())
        .first(conn)
        .optional()
}

/// Whether the counselor has a confirmed second factor.
pub fn is_on(conn: &mut DbConnection, counselor_id: i32) -> QueryResult<bool> {
    Ok(find(conn, counselor_id)?.is_some_and(|r| r.confirmed_at.is_some()))
}

/// The counselors (ids) with a confirmed second factor.
pub fn enabled_ids(conn: &mut DbConnection) -> QueryResult<Vec<i32>> {
    two_factor::table
        .filter(two_factor::confirmed_at.is_not_null())
        .select(two_factor::counselor_id)
        .load(conn)
}

/// Start (or restart) enrolment with a new, unconfirmed secret.
pub fn begin(conn: &mut DbConnection, counselor_id: i32, secret: &str) -> QueryResult<()> {
    remove(conn, counselor_id)?;
    diesel::insert_into(two_factor::table)
        .values((
            two_factor::counselor_id.eq(counselor_id),
            two_factor::secret.eq(secret),
            two_factor::last_step.eq(0i64),
            two_factor::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Turn the factor on, remembering the step of the code that confirmed it.
pub fn confirm(conn: &mut DbConnection, counselor_id: i32, step: i64) -> QueryResult<usize> {
    diesel::update(two_factor::table.find(counselor_id))
        .set((
            two_factor::confirmed_at.eq(Some(super::now())),
            two_factor::last_step.eq(step),
        ))
        .execute(conn)
}

/// Record `step` as used, only if it is later than the last one used: `Ok(false)` means
/// the code was already used (a replay). The check and the write are one statement, so
/// two requests with the same code cannot both pass.
pub fn use_step(conn: &mut DbConnection, counselor_id: i32, step: i64) -> QueryResult<bool> {
    let n = diesel::update(
        two_factor::table
            .find(counselor_id)
            .filter(two_factor::last_step.lt(step)),
    )
    .set(two_factor::last_step.eq(step))
    .execute(conn)?;
    Ok(n == 1)
}

/// Remove the second factor and everything hanging on it.
pub fn remove(conn: &mut DbConnection, counselor_id: i32) -> QueryResult<()> {
    diesel::delete(two_factor::table.find(counselor_id)).execute(conn)?;
    diesel::delete(recovery_codes::table.filter(recovery_codes::counselor_id.eq(counselor_id)))
        .execute(conn)?;
    diesel::delete(
        remembered_browsers::table.filter(remembered_browsers::counselor_id.eq(counselor_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// Replace the counselor's recovery codes with these (already hashed).
pub fn set_recovery_codes(
    conn: &mut DbConnection,
    counselor_id: i32,
    hashes: &[String],
) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::counselor_id.eq(counselor_id)))
        .execute(conn)?;
    let now = super::now();
    for h in hashes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::counselor_id.eq(counselor_id),
                recovery_codes::code_hash.eq(h),
                recovery_codes::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Use a recovery code once: `Ok(true)` if an unused code with this hash was found and is
/// now spent.
pub fn use_recovery_code(
    conn: &mut DbConnection,
    counselor_id: i32,
    code_hash: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::counselor_id.eq(counselor_id))
            .filter(recovery_codes::code_hash.eq(code_hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(Some(super::now())))
    .execute(conn)?;
    Ok(n >= 1)
}

pub fn unused_recovery_codes(conn: &mut DbConnection, counselor_id: i32) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::counselor_id.eq(counselor_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}

/// A sign-in that passed the password and waits for its second step.
pub fn create_challenge(
    conn: &mut DbConnection,
    token_hash: &str,
    counselor_id: i32,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(login_challenges::table)
        .values((
            login_challenges::token_hash.eq(token_hash),
            login_challenges::counselor_id.eq(counselor_id),
            login_challenges::created_at.eq(super::now()),
            login_challenges::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The counselor a live challenge is for.
pub fn challenge(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<i32>> {
    login_challenges::table
        .filter(login_challenges::token_hash.eq(token_hash))
        .filter(login_challenges::expires_at.gt(now))
        .select(login_challenges::counselor_id)
        .first(conn)
        .optional()
}

pub fn end_challenge(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(login_challenges::table.filter(login_challenges::token_hash.eq(token_hash)))
        .execute(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = remembered_browsers)]
pub struct RememberedBrowser {
    pub id: i32,
    pub counselor_id: i32,
    pub user_agent: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn remember_browser(
    conn: &mut DbConnection,
    token_hash: &str,
    counselor_id: i32,
    user_agent: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(remembered_browsers::table)
        .values((
            remembered_browsers::token_hash.eq(token_hash),
            remembered_browsers::counselor_id.eq(counselor_id),
            remembered_browsers::user_agent.eq(user_agent),
            remembered_browsers::created_at.eq(super::now()),
            remembered_browsers::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether this browser's token is a live remembered browser of this counselor.
pub fn is_remembered(
    conn: &mut DbConnection,
    token_hash: &str,
    counselor_id: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        remembered_browsers::table
            .filter(remembered_browsers::token_hash.eq(token_hash))
            .filter(remembered_browsers::counselor_id.eq(counselor_id))
            .filter(remembered_browsers::expires_at.gt(now)),
    ))
    .get_result(conn)
}

pub fn remembered_browsers(
    conn: &mut DbConnection,
    counselor_id: i32,
    now: NaiveDateTime,
) -> QueryResult<Vec<RememberedBrowser>> {
    remembered_browsers::table
        .filter(remembered_browsers::counselor_id.eq(counselor_id))
        .filter(remembered_browsers::expires_at.gt(now))
        .order(remembered_browsers::created_at.desc())
        .select(RememberedBrowser::as_select())
        .load(conn)
}

/// Forget one remembered browser; scoped to its counselor.
pub fn forget_browser(conn: &mut DbConnection, counselor_id: i32, id: i32) -> QueryResult<usize> {
    diesel::delete(
        remembered_browsers::table
            .filter(remembered_browsers::id.eq(id))
            .filter(remembered_browsers::counselor_id.eq(counselor_id)),
    )
    .execute(conn)
}
