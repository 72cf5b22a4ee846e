//! Slowing down guessing at counselor sign-in: every failure counts against the account
//! and against the client address, in the database so every server shares the count.
//! After a few free tries each failure makes the next try wait longer (doubling, up to
//! `auth.throttle_max_delay_seconds`); nobody is locked out by a hard limit a stranger
//! could trigger for long.

use actix_web::HttpRequest;

use crate::db::{self, DbConnection};
use crate::domain::throttle::Policy;
use crate::error::AppError;
use crate::web::State;

/// The two counters one attempt touches.
#[derive(Debug, Clone)]
pub struct Keys {
    pub address: String,
    pub account: String,
}

impl Keys {
    /// `account` names what is being guessed at (an email, a counselor's second step).
    pub fn new(req: &HttpRequest, account: &str) -> Keys {
        let address = req
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        Keys {
            address: format!("address:{address}"),
            account: format!("account:{account}"),
        }
    }
}

/// Seconds to wait before another try is looked at, if any.
pub async fn wait_left(state: &State, keys: &Keys) -> Result<Option<i64>, AppError> {
    let keys = [keys.address.clone(), keys.account.clone()];
    state
        .db
        .read(move |conn| Ok(db::throttle::wait_left(conn, &keys, db::now())?))
        .await
}

/// Count a failure against both keys. Call inside the write transaction that records it.
pub fn fail(
    conn: &mut DbConnection,
    keys: &Keys,
    (account, address): &(Policy, Policy),
) -> diesel::QueryResult<()> {
    let now = db::now();
    db::throttle::fail(conn, &keys.account, account, now)?;
    db::throttle::fail(conn, &keys.address, address, now)
}

/// What the form says while a wait is on.
pub fn wait_message(seconds: i64) -> String {
    let wait = if seconds >= 90 {
        format!("{} minutes", (seconds + 59) / 60)
    } else if seconds == 1 {
        "1 second".to_string()
    } else {
        format!("{seconds} seconds")
    };
    format!("Too many unsuccessful attempts. For your safety, please wait {wait} and try again.")
}

/// Count a failure against the client address alone (a wrong link names no account).
pub fn fail_address(
    conn: &mut DbConnection,
    keys: &Keys,
    (_, address): &(Policy, Policy),
) -> diesel::QueryResult<()> {
    db::throttle::fail(conn, &keys.address, address, db::now())
}
