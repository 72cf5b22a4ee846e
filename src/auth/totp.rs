//! Time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30-second steps, as every
//! authenticator app reads them), the QR code that carries the secret to the app, and
//! recovery codes.

use anyhow::Context;
use rand::{Rng, RngCore};
use totp_rs::{Algorithm, Secret, TOTP};

use super::token;

const DIGITS: usize = 6;
const STEP_SECONDS: u64 = 30;
/// Codes from one step before or after now are accepted (clocks drift).
const SKEW_STEPS: i64 = 1;
const ISSUER: &str = "Trellis";
/// How many recovery codes a counselor gets at a time.
pub const RECOVERY_CODES: usize = 10;

/// A new random secret (160 bits, the size RFC 4226 recommends), base32 as apps show it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret_base32: &str, account: &str) -> anyhow::Result<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .context("The stored two-factor secret is not base32")?;
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS,
        bytes,
        Some(ISSUER.to_string()),
        account.replace(':', " "),
    )
    .map_err(|e| anyhow::anyhow!("{e:?}"))
    .context("Failed to set up the one-time code generator")
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn provisioning_url(secret_base32: &str, account: &str) -> anyhow::Result<String> {
    Ok(totp(secret_base32, account)?.get_url())
}

/// The QR code of `url` as an SVG document (black squares on white, no script).
pub fn qr_svg(url: &str) -> anyhow::Result<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(url.as_bytes()).context("Failed to draw the QR code")?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(220, 220)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// The time step of `code` if it is valid at `unix_seconds` (within one step either way),
/// else `None`. The caller refuses a step not later than the last one used (replay).
pub fn matching_step(secret_base32: &str, code: &str, unix_seconds: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_base32, "check").ok()?;
    let now_step = (unix_seconds / STEP_SECONDS) as i64;
    (-SKEW_STEPS..=SKEW_STEPS)
        .map(|d| now_step + d)
        .filter(|s| *s >= 0)
        .find(|s| token::constant_time_eq(&t.generate(*s as u64 * STEP_SECONDS), &code))
}

/// The code for `unix_seconds` (tests, and nothing else).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> anyhow::Result<String> {
    Ok(totp(secret_base32, "check")?.generate(unix_seconds))
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    chrono::Utc::now().timestamp().max(0) as u64
}

/// Ten new recovery codes, as shown once: `xxxxx-xxxxx` from letters and digits that are
/// hard to confuse (about 50 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut s = String::with_capacity(11);
            for i in 0..10 {
                if i == 5 {
                    s.push('-');
                }
                s.push(ALPHABET[rng.gen_range(0..ALPHABET.len())] as char);
            }
            s
        })
        .collect()
}

/// The stored form of a recovery code, ignoring case, spaces and dashes as typed.
pub fn recovery_code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    token::hash(&format!("recovery:{normal}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_own_step_and_its_neighbours_only() {
        let secret = new_secret();
        let t = 1_800_000_000;
        let code = code_at(&secret, t).unwrap();
        assert_eq!(matching_step(&secret, &code, t), Some(60_000_000));
        assert_eq!(matching_step(&secret, &code, t + 30), Some(60_000_000));
        assert_eq!(matching_step(&secret, &code, t + 90), None);
        assert_eq!(matching_step(&secret, "12345", t), None);
        assert_eq!(matching_step(&secret, "abcdef", t), None);
    }

    #[test]
    fn the_rfc_6238_test_vector_gives_the_published_code() {
        // RFC 6238 appendix B, SHA-1, T = 59: 94287082 (8 digits); the last 6 are ours.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59).unwrap(), "287082");
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_hash_as_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), 10);
        let c = &codes[0];
        assert_eq!(
            recovery_code_hash(c),
            recovery_code_hash(&c.to_uppercase().replace('-', " "))
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_with_no_script() {
        let url = provisioning_url(&new_secret(), "ada@practice.test").unwrap();
        assert!(url.starts_with("otpauth://totp/"));
        let svg = qr_svg(&url).unwrap();
        assert!(svg.contains("<svg"));
        assert!(!svg.contains("script"));
    }
}
