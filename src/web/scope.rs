//! A couple's data, reached by the counselor handlers of every couple area (couples,
//! assignments, sessions, invitations, timeline, reports and exports).
//!
//! The one door is [`find_or_deny`]: it finds the couple only if it is this counselor's,
//! and otherwise writes the denial audit row and answers "not there". Every helper below
//! goes through it, so a handler cannot reach a couple without the denial being audited;
//! another counselor's couple is a 404, the same answer as a couple that does not exist.

use actix_web::HttpResponse;

use crate::db::{self, audit::NewAudit, couples::CoupleRow, DbConnection};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::error::AppError;
use crate::web::{see_other, State};

/// An audit event by this counselor about this couple.
pub fn audit_event(me: i32, action: AuditAction, couple_id: i32, request_id: &str) -> NewAudit {
    NewAudit::new(ActorKind::Counselor, Some(me), action, request_id)
        .target("couple", couple_id)
        .couple(couple_id)
}

/// Record that a counselor asked for something that is not theirs (or does not exist):
/// `denied` is "couple.denied", "assignment.denied" or "session.denied"; `what` is the
/// attempted action, e.g. "couple.view".
pub fn record_denied(
    conn: &mut DbConnection,
    me: i32,
    couple_id: i32,
    denied: AuditAction,
    what: AuditAction,
    request_id: &str,
) -> Result<(), AppError> {
    db::audit::record(
        conn,
        &audit_event(me, denied, couple_id, request_id).detail(what.as_str()),
    )?;
    Ok(())
}

/// The couple if it is this counselor's; otherwise the attempted `action` is recorded as
/// "couple.denied" and the answer is `None`. Runs on the writing connection, inside the
/// caller's transaction, which must commit for the denial row to stay (so callers turn
/// `None` into [`AppError::NotFound`] after the transaction, not inside it).
pub fn find_or_deny(
    conn: &mut DbConnection,
    me: i32,
    couple_id: i32,
    action: AuditAction,
    request_id: &str,
) -> Result<Option<CoupleRow>, AppError> {
    match db::couples::find_for_counselor(conn, me, couple_id).optional_found()? {
        Some(c) => Ok(Some(c)),
        None => {
            record_denied(
                conn,
                me,
                couple_id,
                AuditAction::CoupleDenied,
                action,
                request_id,
            )?;
            Ok(None)
        }
    }
}

/// Read a couple's data for a page: `f` runs with the couple only if it is this
/// counselor's. The view (or the denied attempt) is audited either way.
pub async fn view_couple<T, F>(
    state: &State,
    me: i32,
    couple_id: i32,
    action: AuditAction,
    request_id: &str,
    f: F,
) -> Result<(CoupleRow, T), AppError>
where
    F: FnOnce(&mut DbConnection, &CoupleRow) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    // The couple and its data are read in one go, on a reading connection.
    let found = state
        .db
        .read(move |conn| {
            match db::couples::find_for_counselor(conn, me, couple_id).optional_found()? {
                Some(c) => {
                    let t = f(conn, &c)?;
                    Ok(Some((c, t)))
                }
                None => Ok(None),
            }
        })
        .await?;
    if found.is_some() {
        state
            .audit_view(audit_event(me, action, couple_id, request_id))
            .await?;
    } else {
        let request_id = request_id.to_string();
        state
            .db
            .write(move |conn| find_or_deny(conn, me, couple_id, action, &request_id).map(|_| ()))
            .await?;
    }
    found.ok_or(AppError::NotFound)
}

/// The outcome of a change to a couple's data.
pub enum Change<T> {
    Done(T),
    /// The couple is closed: read-only.
    Closed,
}

/// Change a couple's data in one transaction: `f` runs only if the couple is this
/// counselor's and not closed. Denied attempts are audited and answered with 404; `f`
/// records its own audit row.
pub async fn change_couple<T, F>(
    state: &State,
    me: i32,
    couple_id: i32,
    action: AuditAction,
    request_id: &str,
    f: F,
) -> Result<Change<T>, AppError>
where
    F: FnOnce(&mut DbConnection, &CoupleRow) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    with_couple(state, me, couple_id, action, request_id, move |conn, c| {
        Ok(if c.is_closed() {
            Change::Closed
        } else {
            Change::Done(f(conn, c)?)
        })
    })
    .await
}

/// Work on a couple in one writing transaction, closed or not (flags, comments, exports):
/// `f` runs only if the couple is this counselor's; denied attempts are audited and
/// answered with 404; `f` records its own audit row.
pub async fn with_couple<T, F>(
    state: &State,
    me: i32,
    couple_id: i32,
    action: AuditAction,
    request_id: &str,
    f: F,
) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection, &CoupleRow) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let request_id = request_id.to_string();
    let outcome = state
        .db
        .write(
            move |conn| match find_or_deny(conn, me, couple_id, action, &request_id)? {
                None => Ok(None),
                Some(c) => Ok(Some(f(conn, &c)?)),
            },
        )
        .await?;
    outcome.ok_or(AppError::NotFound)
}

/// For reads that the db layer scopes itself (the session-prep report): a 404 from
/// `result` is checked through [`find_or_deny`], so the denied attempt is audited too.
pub async fn or_deny<T>(
    state: &State,
    me: i32,
    couple_id: i32,
    action: AuditAction,
    request_id: &str,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    match result {
        Err(AppError::NotFound) => {
            let request_id = request_id.to_string();
            state
                .db
                .write(move |conn| {
                    find_or_deny(conn, me, couple_id, action, &request_id).map(|_| ())
                })
                .await?;
            Err(AppError::NotFound)
        }
        other => other,
    }
}

/// Where to go after a change: the couple page with a notice.
pub fn after_change<T>(couple_id: i32, outcome: Change<T>, notice: &str) -> HttpResponse {
    match outcome {
        Change::Done(_) => see_other(&format!("/couples/{couple_id}?notice={notice}")),
        Change::Closed => see_other(&format!("/couples/{couple_id}?notice=couple-closed")),
    }
}

/// A path id; anything that is not a positive number is a 404.
pub fn parse_id(s: &str) -> Result<i32, AppError> {
    match s.parse::<i32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(AppError::NotFound),
    }
}

/// The counselor's time zone (UTC if unreadable).
pub fn counselor_tz(conn: &mut DbConnection, me: i32) -> Result<chrono_tz::Tz, AppError> {
    Ok(db::counselors::time_zone(conn, me)?)
}

/// `.optional()` for query results, named so it reads in the helpers above.
trait OptionalFound<T> {
    fn optional_found(self) -> Result<Option<T>, diesel::result::Error>;
}

impl<T> OptionalFound<T> for Result<T, diesel::result::Error> {
    fn optional_found(self) -> Result<Option<T>, diesel::result::Error> {
        match self {
            Ok(t) => Ok(Some(t)),
            Err(diesel::result::Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
