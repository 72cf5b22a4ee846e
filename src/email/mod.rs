//! Outgoing email: the [`Mailer`] (SMTP, `.eml` files, or memory for tests), the building
//! of a message from an outbox row, and the worker that delivers the outbox.
//!
//! Nothing here is called from a request handler: handlers write outbox rows
//! ([`crate::db::outbox::enqueue`]) and the [`worker`] sends them.

pub mod cli;
pub mod headers;
pub mod message;
pub mod smtp;
pub mod worker;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use lettre::message::Message;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;
use lettre::transport::smtp::response::{Category, Code, Detail, Severity};
use secrecy::ExposeSecret;

use crate::config::EmailSettings;

pub use message::build_message;
pub use worker::{spawn_worker, DeliveryReport, Worker};

/// A message the memory backend kept, for tests to inspect.
#[derive(Debug, Clone)]
pub struct SentMessage {
    /// The outbox row it was built from.
    pub outbox_id: i32,
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The whole message as it would go on the wire.
    pub raw: String,
}

/// Where messages go. Cheap to clone: every backend shares its state.
#[derive(Clone)]
pub enum Mailer {
    /// A mail server, over connections kept open between messages ([`smtp`]).
    Smtp(Arc<smtp::SmtpClient>),
    /// One `outbox-{id}.eml` file per outbox row in this folder.
    File(PathBuf),
    /// Kept in memory (tests).
    Memory(Arc<Mutex<Vec<SentMessage>>>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => write!(f, "Mailer::Smtp"),
            Mailer::File(dir) => write!(f, "Mailer::File({})", dir.display()),
            Mailer::Memory(_) => write!(f, "Mailer::Memory"),
        }
    }
}

/// Why a send did not go through, and whether trying again could help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The server refused the message for good (5xx), or the row cannot make a message.
    Permanent(String),
    /// The server said "later" (4xx) about this message, or the disk failed.
    Transient(String),
    /// The server could not be reached at all (refused, timed out, TLS or network
    /// trouble): transient, and true of every other message too.
    Unreachable(String),
}

impl SendError {
    /// The text stored in `last_error` and logged.
    pub fn message(&self) -> &str {
        match self {
            SendError::Permanent(m) | SendError::Transient(m) | SendError::Unreachable(m) => m,
        }
    }

    /// Whether retrying is pointless.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent(_))
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Whether an SMTP reply code means "do not try again" (5yz).
pub fn is_permanent_code(code: Code) -> bool {
    matches!(code.severity, Severity::PermanentNegativeCompletion)
}

/// Whether an SMTP reply code says the service itself is unavailable (421): the server
/// closes the connection whatever the message, so it counts as unreachable.
pub fn is_service_unavailable_code(code: Code) -> bool {
    matches!(
        (code.severity, code.category, code.detail),
        (
            Severity::TransientNegativeCompletion,
            Category::Connections,
            Detail::One
        )
    )
}

/// Sort an SMTP failure: 5xx replies are permanent; 421 ("service not available") means
/// the server is unreachable; other 4xx replies and garbled answers are transient;
/// refused connections, timeouts, TLS and I/O trouble mean the server is unreachable.
pub fn classify_smtp(e: &lettre::transport::smtp::Error) -> SendError {
    let text = error_chain(e);
    if e.status().is_some_and(is_service_unavailable_code) {
        SendError::Unreachable(text)
    } else if e.is_permanent() || e.status().is_some_and(is_permanent_code) {
        SendError::Permanent(text)
    } else if e.status().is_some() || e.is_response() || e.is_client() {
        SendError::Transient(text)
    } else {
        SendError::Unreachable(text)
    }
}

/// The error and its causes on one line. lettre's messages carry the server's reply and
/// never the message itself.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    // Keep stored errors short; some servers answer at length.
    if text.len() > 500 {
        let mut cut = 500;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

impl Mailer {
    /// The backend `email.transport` names.
    pub fn from_settings(settings: &EmailSettings) -> anyhow::Result<Mailer> {
        match settings.transport.as_str() {
            "smtp" => Ok(Mailer::Smtp(Arc::new(smtp_client(settings)?))),
            "file" => Ok(Mailer::File(PathBuf::from(&settings.outbox_dir))),
            "memory" => Ok(Mailer::memory()),
            other => anyhow::bail!("unknown email transport {other:?}"),
        }
    }

    /// An empty memory backend.
    pub fn memory() -> Mailer {
        Mailer::Memory(Arc::new(Mutex::new(Vec::new())))
    }

    /// What the memory backend holds (empty for the others).
    pub fn sent(&self) -> Vec<SentMessage> {
        match self {
            Mailer::Memory(store) => store.lock().map(|v| v.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Deliver one message built from outbox row `outbox_id`.
    pub async fn send(&self, outbox_id: i32, message: &Message) -> Result<(), SendError> {
        match self {
            Mailer::Smtp(client) => client.send(message.envelope(), &message.formatted()).await,
            Mailer::File(dir) => {
                let dir = dir.clone();
                let raw = message.formatted();
                actix_web::web::block(move || write_eml(&dir, outbox_id, &raw))
                    .await
                    .map_err(|e| SendError::Transient(format!("file transport: {e}")))?
                    .map_err(|e| SendError::Transient(format!("file transport: {e:#}")))
            }
            Mailer::Memory(store) => {
                let sent = SentMessage {
                    outbox_id,
                    to: message
                        .envelope()
                        .to()
                        .iter()
                        .map(|a| a.to_string())
                        .collect(),
                    raw: String::from_utf8_lossy(&message.formatted()).into_owned(),
                };
                store
                    .lock()
                    .map_err(|_| SendError::Transient("memory transport poisoned".into()))?
                    .push(sent);
                Ok(())
            }
        }
    }
}

/// Write `outbox-{id}.eml`, replacing any earlier copy in one step (write, then rename), so
/// a resend overwrites rather than duplicates and a reader never sees half a file.
fn write_eml(dir: &std::path::Path, outbox_id: i32, raw: &[u8]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    let path = dir.join(format!("outbox-{outbox_id}.eml"));
    let tmp = dir.join(format!(".outbox-{outbox_id}.eml.tmp"));
    std::fs::write(&tmp, raw).with_context(|| format!("write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("rename to {}", path.display()))?;
    Ok(())
}

fn smtp_client(settings: &EmailSettings) -> anyhow::Result<smtp::SmtpClient> {
    let host = settings.smtp_host.as_str();
    let tls = || TlsParameters::new(host.into()).context("Failed to set up TLS for SMTP");
    let security = match settings.smtp_tls.as_str() {
        "none" => smtp::Security::None,
        "tls" => smtp::Security::Wrapper(tls()?),
        _ => smtp::Security::StartTls(tls()?),
    };
    let credentials = (!settings.smtp_username.is_empty()).then(|| {
        Credentials::new(
            settings.smtp_username.clone(),
            settings.smtp_password.expose_secret().to_string(),
        )
    });
    Ok(smtp::SmtpClient::new(smtp::SmtpConfig {
        host: host.to_string(),
        port: settings.smtp_port,
        security,
        credentials,
        timeout: Duration::from_secs(30),
        // Connections stay open between messages: one per message the worker sends at once.
        max_idle: worker::send_concurrency(settings),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_hundred_codes_are_permanent_and_four_hundred_codes_are_not() {
        let rejected = Code::new(
            Severity::PermanentNegativeCompletion,
            Category::MailSystem,
            Detail::Zero,
        );
        let busy = Code::new(
            Severity::TransientNegativeCompletion,
            Category::MailSystem,
            Detail::One,
        );
        assert!(is_permanent_code(rejected));
        assert!(!is_permanent_code(busy));
    }

    #[test]
    fn only_421_means_the_service_is_unavailable() {
        let unavailable = Code::new(
            Severity::TransientNegativeCompletion,
            Category::Connections,
            Detail::One,
        );
        let mailbox_busy = Code::new(
            Severity::TransientNegativeCompletion,
            Category::MailSystem,
            Detail::Zero,
        );
        assert!(is_service_unavailable_code(unavailable));
        assert!(!is_service_unavailable_code(mailbox_busy));
        assert!(!is_service_unavailable_code(Code::new(
            Severity::PermanentNegativeCompletion,
            Category::Connections,
            Detail::One,
        )));
    }

    #[test]
    fn long_errors_are_cut_on_a_character_boundary() {
        #[derive(Debug)]
        struct Long;
        impl std::fmt::Display for Long {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&"é".repeat(400))
            }
        }
        impl std::error::Error for Long {}
        assert!(error_chain(&Long).len() <= 500);
    }
}
