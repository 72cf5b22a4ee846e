//! Hashing a new password, off the async workers: argon2 is slow on purpose (tens of
//! milliseconds of CPU), and a worker busy hashing answers no one else meanwhile.

use anyhow::Context;

use super::password;

/// Hash `password` on the blocking thread pool; for request handlers. Code that is
/// already off the async workers (the CLI) calls `password::hash` directly.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    actix_web::web::block(move || password::hash(&password))
        .await
        .context("Failed to run the password hashing task")?
}
