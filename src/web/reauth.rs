//! Sensitive account changes (password, second factor, the practice's sign-in rules) ask
//! for the password again when the counselor last entered it more than 15 minutes ago.

use chrono::Duration;

use crate::auth::Counselor;
use crate::db;
use crate::error::AppError;
use crate::web::State;

/// How long an entered password counts as recent.
pub const RECENT_MINUTES: i64 = 15;
/// Where a counselor confirms their password.
pub const CONFIRM_PATH: &str = "/account/confirm";

/// `Ok` when the password was entered recently in this session; otherwise the answer
/// sends the counselor to confirm it (and back to their account page after).
pub async fn require_recent(state: &State, counselor: &Counselor) -> Result<(), AppError> {
    let session = counselor.session_id;
    let at = state
        .db
        .read(move |conn| Ok(db::sessions::authenticated_at(conn, session)?))
        .await?;
    if db::now() - at > Duration::minutes(RECENT_MINUTES) {
        return Err(AppError::SignInRequired(CONFIRM_PATH));
    }
    Ok(())
}
