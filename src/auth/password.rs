//! Password hashing (argon2id) and the rules a new password must meet.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 256;

/// [`check_new_for`] with nothing known about the account.
pub fn check_new(password: &str) -> Result<(), String> {
    check_new_for(password, &[])
}

/// At least 12 characters and not easy to guess (zxcvbn's estimate, which also knows the
/// account's own email and name from `user_inputs`); no composition rules: long
/// passphrases beat them. The message says why a password was refused.
pub fn check_new_for(password: &str, user_inputs: &[&str]) -> Result<(), String> {
    check_length(password)?;
    super::strength::check(password, user_inputs)
}

fn check_length(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!(
            "Use at least {MIN_LEN} characters. A short phrase of several words works well."
        ));
    }
    if n > MAX_LEN {
        return Err(format!("Use at most {MAX_LEN} characters."));
    }
    Ok(())
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::Error::new(e).context("Failed to hash a password"))
}

pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A real argon2id hash (of "not a real password at all") made with the same parameters
/// as [`hash`], so checking a password against it costs what a real check costs. A constant
/// rather than computed at run time, so it can never silently be empty; the tests below
/// check that it parses, verifies, and matches what [`hash`] produces today.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$L1nE8vRp4QJMH7eeIhK5Ew$14WvKPiYM88nV+xnhILuZw2UehmcRKWRj7nfiHGJRdc";

/// Spend the same time as a real check when the account does not exist, so a wrong
/// email and a wrong password cannot be told apart by timing.
pub fn verify_dummy(password: &str) {
    let _ = verify(password, DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_password() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse battery!", &h));
    }

    #[test]
    fn the_dummy_hash_is_a_real_hash_with_todays_parameters() {
        assert!(verify("not a real password at all", DUMMY_HASH));
        assert!(!verify("anything else", DUMMY_HASH));
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        let fresh_string = hash("any password at all").unwrap();
        let fresh = PasswordHash::new(&fresh_string).unwrap();
        assert_eq!(dummy.algorithm, fresh.algorithm);
        assert_eq!(dummy.version, fresh.version);
        assert_eq!(
            argon2::Params::try_from(&dummy).unwrap(),
            argon2::Params::try_from(&fresh).unwrap()
        );
    }

    #[test]
    fn short_passwords_are_refused_and_long_ones_accepted() {
        assert!(check_new("elevenchars").is_err());
        assert!(check_length("twelve chars").is_ok());
        assert!(check_new("a long enough passphrase").is_ok());
        assert!(check_new(&"x".repeat(257)).is_err());
    }
}
