//! Typed settings. Layers, later ones winning: the built-in `config/default.toml`, the file
//! named with `--config`, then `TRELLIS__SECTION__KEY` environment variables.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::path::Path;

use anyhow::{bail, Context};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub entries: EntrySettings,
    pub attention: AttentionSettings,
    pub email: EmailSettings,
    pub reminders: ReminderSettings,
    pub backup: BackupSettings,
    pub alerts: AlertSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// Hours an unacknowledged safety alert waits before the practice admin is told.
    pub escalate_after_hours: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Interface to listen on.
    pub host: String,
    /// Port to listen on; 0 picks a free one (tests).
    pub port: u16,
    /// Public address used in links sent by email.
    pub base_url: String,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://PATH`, a plain path, or `postgres://...`. Secret: a PostgreSQL URL can
    /// hold a password, so `Debug` prints it redacted.
    pub url: SecretString,
    /// Reading connections in the pool.
    pub pool_size: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub idle_timeout_minutes: i64,
    pub absolute_timeout_hours: i64,
    pub invitation_expiry_hours: i64,
    pub sign_in_link_expiry_minutes: i64,
    pub sign_in_links_per_hour: i32,
    pub login_attempts_per_window: i32,
    /// Counselor sign-in: failed attempts per account with no wait.
    pub throttle_account_free_attempts: i32,
    /// Counselor sign-in: failed attempts per client address with no wait.
    pub throttle_address_free_attempts: i32,
    /// The first wait after the free attempts; it doubles with each further failure.
    pub throttle_base_delay_seconds: i64,
    /// The longest wait, however many failures.
    pub throttle_max_delay_seconds: i64,
    /// Failures are forgotten this long after the first of them.
    pub throttle_window_minutes: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySettings {
    pub edit_window_hours: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttentionSettings {
    pub severe_setback_min: i32,
    pub trust_drop: i32,
    pub trust_gap: i32,
    pub silence_days: i64,
    pub overdue_min: i32,
    /// Share of owed entries (percent) a partner must have missed for the overdue flag.
    #[serde(default = "default_overdue_percent")]
    pub overdue_percent: i32,
}

fn default_overdue_percent() -> i32 {
    30
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// `file`, `smtp` or `memory` (tests).
    pub transport: String,
    pub from: String,
    pub outbox_dir: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `starttls`, `tls` or `none`.
    pub smtp_tls: String,
    pub smtp_username: String,
    pub smtp_password: SecretString,
    pub max_attempts: i32,
    pub lease_seconds: i64,
    /// SMTP connections kept open, and messages a worker sends at once.
    pub smtp_connections: usize,
    /// Hours a message may wait past its due time before it is marked failed (1-8760).
    pub max_age_hours: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    pub enabled: bool,
    pub interval_seconds: u64,
    pub default_hour: u32,
    pub digest_hour: u32,
}

/// The values each numeric setting may take, listed in the README's configuration table;
/// start-up refuses anything else. Besides keeping out values the portal cannot work with,
/// they keep every duration computed from a setting far inside chrono's limits, so no
/// setting can make a request panic.
pub mod ranges {
    use std::ops::RangeInclusive;

    /// `server.port`: 0 picks a free one (tests).
    pub const PORT: RangeInclusive<u16> = 0..=u16::MAX;
    /// `server.workers`: 0 means one per core.
    pub const WORKERS: RangeInclusive<usize> = 0..=64;
    pub const POOL_SIZE: RangeInclusive<u32> = 1..=64;
    /// `auth.idle_timeout_minutes`: up to a day.
    pub const IDLE_TIMEOUT_MINUTES: RangeInclusive<i64> = 1..=1440;
    /// `auth.absolute_timeout_hours`: up to a week.
    pub const ABSOLUTE_TIMEOUT_HOURS: RangeInclusive<i64> = 1..=168;
    /// `auth.invitation_expiry_hours`: up to 30 days.
    pub const INVITATION_EXPIRY_HOURS: RangeInclusive<i64> = 1..=720;
    /// `auth.sign_in_link_expiry_minutes`: long enough for the mail to arrive, at most a day.
    pub const SIGN_IN_LINK_EXPIRY_MINUTES: RangeInclusive<i64> = 5..=1440;
    /// `auth.sign_in_links_per_hour` and `auth.login_attempts_per_window`.
    pub const RATE_LIMIT: RangeInclusive<i32> = 1..=1000;
    /// `entries.edit_window_hours`: 0 means a submitted entry is final.
    pub const EDIT_WINDOW_HOURS: RangeInclusive<i64> = 0..=720;
    /// `attention.severe_setback_min`: the setback severity scale.
    pub const SEVERITY: RangeInclusive<i32> = 1..=5;
    /// `attention.trust_drop` and `attention.trust_gap`: points on the 0-10 trust scale.
    pub const TRUST_POINTS: RangeInclusive<i32> = 1..=10;
    pub const SILENCE_DAYS: RangeInclusive<i64> = 1..=90;
    pub const OVERDUE_MIN: RangeInclusive<i32> = 1..=100;
    /// `attention.overdue_percent`: share of the owed entries missed.
    pub const OVERDUE_PERCENT: RangeInclusive<i32> = 1..=100;
    pub const SMTP_PORT: RangeInclusive<u16> = 1..=u16::MAX;
    pub const MAX_ATTEMPTS: RangeInclusive<i32> = 1..=100;
    pub const LEASE_SECONDS: RangeInclusive<i64> = 10..=3600;
    pub const SMTP_CONNECTIONS: RangeInclusive<usize> = 1..=32;
    pub const MAX_AGE_HOURS: RangeInclusive<i64> = 1..=8760;
    pub const INTERVAL_SECONDS: RangeInclusive<u64> = 5..=3600;
    /// `reminders.default_hour` and `reminders.digest_hour`: an hour of the local day.
    pub const HOUR: RangeInclusive<u32> = 0..=23;
    /// `backup.every_hours`: 0 turns scheduled backups off.
    pub const BACKUP_EVERY_HOURS: RangeInclusive<u32> = 0..=8760;
    pub const BACKUP_KEEP: RangeInclusive<usize> = 1..=10_000;
    /// `alerts.escalate_after_hours`: at most three days.
    pub const ESCALATE_AFTER_HOURS: RangeInclusive<i64> = 1..=72;
    /// `auth.throttle_account_free_attempts` and `auth.throttle_address_free_attempts`.
    pub const THROTTLE_FREE_ATTEMPTS: RangeInclusive<i32> = 1..=10_000;
    /// `auth.throttle_base_delay_seconds`.
    pub const THROTTLE_BASE_DELAY_SECONDS: RangeInclusive<i64> = 1..=600;
    /// `auth.throttle_max_delay_seconds`: at most an hour, so nobody is locked out long.
    pub const THROTTLE_MAX_DELAY_SECONDS: RangeInclusive<i64> = 1..=3600;
    /// `auth.throttle_window_minutes`: up to a day.
    pub const THROTTLE_WINDOW_MINUTES: RangeInclusive<i64> = 1..=1440;
}

/// Refuse `value` outside `range` in one line naming the key, the value and the range.
fn within<T: PartialOrd + Display>(
    key: &str,
    value: T,
    range: RangeInclusive<T>,
) -> anyhow::Result<()> {
    if range.contains(&value) {
        return Ok(());
    }
    let (start, end) = range.into_inner();
    bail!("invalid configuration: {key} = {value} is outside {start}..={end}")
}

/// `check_ranges!(settings, { section.key in RANGE; ... })`: [`within`] for each line, the
/// key spelled as in the configuration file, returning the first refusal.
macro_rules! check_ranges {
    ($settings:expr, { $($section:ident . $key:ident in $range:expr;)* }) => {
        $(
            within(
                concat!(stringify!($section), ".", stringify!($key)),
                $settings.$section.$key,
                $range,
            )?;
        )*
    };
}

/// Scheduled backups of the SQLite database (see `src/backup/`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSettings {
    /// Folder for backup files, also the default of `trellis backup`.
    pub dir: String,
    /// Hours between scheduled backups; 0 turns them off. 0-8760.
    pub every_hours: u32,
    /// Scheduled backups kept; older ones are deleted. 1-10000.
    pub keep: usize,
}

impl Settings {
    /// Load the layers and check the values; errors name the offending key.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(path) = file {
            if !path.exists() {
                bail!("configuration file {} does not exist", path.display());
            }
            builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("TRELLIS")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        let settings: Settings = builder
            .build()
            .context("could not read the configuration")?
            .try_deserialize()
            .context("invalid configuration")?;
        settings.validate()?;
        Ok(settings)
    }

    /// Check values the types alone allow but the portal cannot work with. [`Settings::load`]
    /// calls it; code that changes loaded settings (tests) may call it again.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(self.server.base_url.starts_with("http://")
            || self.server.base_url.starts_with("https://"))
        {
            bail!("invalid configuration: server.base_url must start with http:// or https://");
        }
        if self.database.url.expose_secret().trim().is_empty() {
            bail!("invalid configuration: database.url is empty");
        }
        if !matches!(self.email.transport.as_str(), "file" | "smtp" | "memory") {
            bail!("invalid configuration: email.transport must be file, smtp or memory");
        }
        if !matches!(self.email.smtp_tls.as_str(), "starttls" | "tls" | "none") {
            bail!("invalid configuration: email.smtp_tls must be starttls, tls or none");
        }
        if self.email.from.parse::<lettre::message::Mailbox>().is_err() {
            bail!("invalid configuration: email.from is not a valid address");
        }
        self.check_ranges()
    }

    /// Every numeric setting against its range in [`ranges`].
    fn check_ranges(&self) -> anyhow::Result<()> {
        use ranges as r;
        check_ranges!(self, {
            server.port in r::PORT;
            server.workers in r::WORKERS;
            database.pool_size in r::POOL_SIZE;
            auth.idle_timeout_minutes in r::IDLE_TIMEOUT_MINUTES;
            auth.absolute_timeout_hours in r::ABSOLUTE_TIMEOUT_HOURS;
            auth.invitation_expiry_hours in r::INVITATION_EXPIRY_HOURS;
            auth.sign_in_link_expiry_minutes in r::SIGN_IN_LINK_EXPIRY_MINUTES;
            auth.sign_in_links_per_hour in r::RATE_LIMIT;
            auth.login_attempts_per_window in r::RATE_LIMIT;
            auth.throttle_account_free_attempts in r::THROTTLE_FREE_ATTEMPTS;
            auth.throttle_address_free_attempts in r::THROTTLE_FREE_ATTEMPTS;
            auth.throttle_base_delay_seconds in r::THROTTLE_BASE_DELAY_SECONDS;
            auth.throttle_max_delay_seconds in r::THROTTLE_MAX_DELAY_SECONDS;
            auth.throttle_window_minutes in r::THROTTLE_WINDOW_MINUTES;
            entries.edit_window_hours in r::EDIT_WINDOW_HOURS;
            attention.severe_setback_min in r::SEVERITY;
            attention.trust_drop in r::TRUST_POINTS;
            attention.trust_gap in r::TRUST_POINTS;
            attention.silence_days in r::SILENCE_DAYS;
            attention.overdue_min in r::OVERDUE_MIN;
            attention.overdue_percent in r::OVERDUE_PERCENT;
            email.smtp_port in r::SMTP_PORT;
            email.max_attempts in r::MAX_ATTEMPTS;
            email.lease_seconds in r::LEASE_SECONDS;
            email.smtp_connections in r::SMTP_CONNECTIONS;
            email.max_age_hours in r::MAX_AGE_HOURS;
            reminders.interval_seconds in r::INTERVAL_SECONDS;
            reminders.default_hour in r::HOUR;
            reminders.digest_hour in r::HOUR;
            backup.every_hours in r::BACKUP_EVERY_HOURS;
            backup.keep in r::BACKUP_KEEP;
            alerts.escalate_after_hours in r::ESCALATE_AFTER_HOURS;
        });
        Ok(())
    }

    /// Whether cookies must carry the Secure attribute.
    pub fn secure_cookies(&self) -> bool {
        self.server.base_url.starts_with("https://")
    }

    /// How counselor sign-in failures are slowed down: `(per account, per address)`.
    pub fn throttles(
        &self,
    ) -> (
        crate::domain::throttle::Policy,
        crate::domain::throttle::Policy,
    ) {
        use chrono::Duration;
        let a = &self.auth;
        let policy = |free| crate::domain::throttle::Policy {
            free_attempts: free,
            base_delay: Duration::seconds(a.throttle_base_delay_seconds),
            max_delay: Duration::seconds(a.throttle_max_delay_seconds),
            window: Duration::minutes(a.throttle_window_minutes),
        };
        (
            policy(a.throttle_account_free_attempts),
            policy(a.throttle_address_free_attempts),
        )
    }

    pub fn thresholds(&self) -> crate::domain::attention::Thresholds {
        crate::domain::attention::Thresholds {
            severe_setback_min: self.attention.severe_setback_min,
            trust_drop: self.attention.trust_drop,
            trust_gap: self.attention.trust_gap,
            silence_days: self.attention.silence_days,
            overdue_min: self.attention.overdue_min,
            overdue_percent: self.attention.overdue_percent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_database_url() {
        let mut settings = Settings::load(None).unwrap();
        settings.database.url = "postgres://trellis:hunter2-secret@db.internal/trellis".into();
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter2-secret"), "{printed}");
        assert!(!printed.contains("db.internal"), "{printed}");
        assert!(printed.contains("pool_size"), "{printed}");
    }

    /// The built-in defaults alone (no environment), as `load` would read them.
    fn defaults() -> Settings {
        config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .build()
            .unwrap()
            .try_deserialize()
            .unwrap()
    }

    fn accepted(key: &str, value: impl Display, set: impl FnOnce(&mut Settings)) {
        let mut s = defaults();
        set(&mut s);
        if let Err(e) = s.validate() {
            panic!("{key} = {value} should be accepted: {e:#}");
        }
    }

    fn refused(key: &str, value: impl Display, range: &str, set: impl FnOnce(&mut Settings)) {
        let mut s = defaults();
        set(&mut s);
        let Err(e) = s.validate() else {
            panic!("{key} = {value} should be refused");
        };
        assert_eq!(
            format!("{e:#}"),
            format!("invalid configuration: {key} = {value} is outside {range}")
        );
    }

    /// For each `section.key in RANGE;`: both ends are accepted, one step beyond each end is
    /// refused with the one-line message (unless the key's type cannot hold it). Returns
    /// the keys with their ranges as the README spells them.
    macro_rules! edges {
        ($($section:ident . $key:ident in $range:expr;)*) => {{
            let mut checked: Vec<(&str, String)> = Vec::new();
            $(
                let key = concat!(stringify!($section), ".", stringify!($key));
                let (lo, hi) = $range.into_inner();
                let range = format!("{lo}..={hi}");
                accepted(key, lo, |s| s.$section.$key = lo);
                accepted(key, hi, |s| s.$section.$key = hi);
                if let Some(below) = lo.checked_sub(1) {
                    refused(key, below, &range, |s| s.$section.$key = below);
                }
                if let Some(above) = hi.checked_add(1) {
                    refused(key, above, &range, |s| s.$section.$key = above);
                }
                checked.push((key, range));
            )*
            checked
        }};
    }

    fn every_numeric_setting() -> Vec<(&'static str, String)> {
        edges! {
            server.port in 0..=65535_u16;
            server.workers in 0..=64_usize;
            database.pool_size in 1..=64_u32;
            auth.idle_timeout_minutes in 1..=1440_i64;
            auth.absolute_timeout_hours in 1..=168_i64;
            auth.invitation_expiry_hours in 1..=720_i64;
            auth.sign_in_link_expiry_minutes in 5..=1440_i64;
            auth.sign_in_links_per_hour in 1..=1000_i32;
            auth.login_attempts_per_window in 1..=1000_i32;
            auth.throttle_account_free_attempts in 1..=10000_i32;
            auth.throttle_address_free_attempts in 1..=10000_i32;
            auth.throttle_base_delay_seconds in 1..=600_i64;
            auth.throttle_max_delay_seconds in 1..=3600_i64;
            auth.throttle_window_minutes in 1..=1440_i64;
            entries.edit_window_hours in 0..=720_i64;
            attention.severe_setback_min in 1..=5_i32;
            attention.trust_drop in 1..=10_i32;
            attention.trust_gap in 1..=10_i32;
            attention.silence_days in 1..=90_i64;
            attention.overdue_min in 1..=100_i32;
            attention.overdue_percent in 1..=100_i32;
            email.smtp_port in 1..=65535_u16;
            email.max_attempts in 1..=100_i32;
            email.lease_seconds in 10..=3600_i64;
            email.smtp_connections in 1..=32_usize;
            reminders.interval_seconds in 5..=3600_u64;
            reminders.default_hour in 0..=23_u32;
            reminders.digest_hour in 0..=23_u32;
        }
    }

    #[test]
    fn each_bound_is_accepted_at_the_edge_and_refused_just_outside() {
        assert_eq!(every_numeric_setting().len(), 28);
    }

    #[test]
    fn the_values_reported_broken_are_refused_naming_key_and_range() {
        refused("auth.absolute_timeout_hours", i64::MAX, "1..=168", |s| {
            s.auth.absolute_timeout_hours = i64::MAX
        });
        refused("auth.idle_timeout_minutes", i64::MAX, "1..=1440", |s| {
            s.auth.idle_timeout_minutes = i64::MAX
        });
        refused("auth.invitation_expiry_hours", -5, "1..=720", |s| {
            s.auth.invitation_expiry_hours = -5
        });
        refused("server.workers", 5000, "0..=64", |s| {
            s.server.workers = 5000
        });
        refused("email.max_attempts", -1, "1..=100", |s| {
            s.email.max_attempts = -1
        });
        refused("email.lease_seconds", -1, "10..=3600", |s| {
            s.email.lease_seconds = -1
        });
        refused("entries.edit_window_hours", -1, "0..=720", |s| {
            s.entries.edit_window_hours = -1
        });
        refused("attention.silence_days", -1, "1..=90", |s| {
            s.attention.silence_days = -1
        });
    }

    #[test]
    fn the_defaults_are_inside_their_ranges() {
        defaults().validate().unwrap();
    }

    #[test]
    fn the_readme_documents_every_range() {
        let readme = include_str!("../README.md");
        for (key, range) in every_numeric_setting() {
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| `{key}` |")))
                .unwrap_or_else(|| panic!("no README row for {key}"));
            assert!(row.contains(&format!("`{range}`")), "{key}: {row}");
        }
    }
}
