//! Typed settings. Layers, later ones winning: the built-in `config/default.toml`, the file
//! named with `--config`, then `TRELLIS__SECTION__KEY` environment variables.

use std::path::Path;

use anyhow::{bail, Context};
use secrecy::SecretString;
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
    /// `sqlite://PATH`, a plain path, or `postgres://...`.
    pub url: String,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    pub enabled: bool,
    pub interval_seconds: u64,
    pub default_hour: u32,
    pub digest_hour: u32,
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
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !(self.server.base_url.starts_with("http://")
            || self.server.base_url.starts_with("https://"))
        {
            bail!("invalid configuration: server.base_url must start with http:// or https://");
        }
        if self.database.url.trim().is_empty() {
            bail!("invalid configuration: database.url is empty");
        }
        if self.database.pool_size == 0 {
            bail!("invalid configuration: database.pool_size must be at least 1");
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
        if self.auth.idle_timeout_minutes <= 0 || self.auth.absolute_timeout_hours <= 0 {
            bail!("invalid configuration: auth timeouts must be positive");
        }
        if self.reminders.default_hour > 23 || self.reminders.digest_hour > 23 {
            bail!("invalid configuration: reminders hours must be 0-23");
        }
        if self.backup.every_hours > 8760 || !(1..=10_000).contains(&self.backup.keep) {
            bail!(
                "invalid configuration: backup.every_hours must be 0-8760 and backup.keep 1-10000"
            );
        }
        Ok(())
    }

    /// Whether cookies must carry the Secure attribute.
    pub fn secure_cookies(&self) -> bool {
        self.server.base_url.starts_with("https://")
    }

    pub fn thresholds(&self) -> crate::domain::attention::Thresholds {
        crate::domain::attention::Thresholds {
            severe_setback_min: self.attention.severe_setback_min,
            trust_drop: self.attention.trust_drop,
            trust_gap: self.attention.trust_gap,
            silence_days: self.attention.silence_days,
            overdue_min: self.attention.overdue_min,
        }
    }
}
