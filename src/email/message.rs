//! Turn an outbox row into a MIME message. The same row always gives the same Message-ID
//! and Date, so a resend after a lost acknowledgement is recognisably the same message.

use std::time::SystemTime;

use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};

use super::headers::{ListUnsubscribe, ListUnsubscribePost};
use super::SendError;
use crate::db::outbox::OutboxRow;

/// `<outbox-{id}.{created_at unix seconds}@{domain of From}>`.
pub fn message_id(row: &OutboxRow, from: &Mailbox) -> String {
    format!(
        "<outbox-{}.{}@{}>",
        row.id,
        row.created_at.and_utc().timestamp(),
        from.email.domain()
    )
}

/// Build the message for `row`, sent from `from` (the `email.from` setting). A row that
/// cannot make a valid message (a malformed address) is a permanent failure.
pub fn build_message(row: &OutboxRow, from: &str) -> Result<Message, SendError> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| SendError::Permanent(format!("invalid sender address: {e}")))?;
    let address: Address = row
        .to_address
        .parse()
        .map_err(|e| SendError::Permanent(format!("invalid recipient address: {e}")))?;
    let name = row.to_name.trim();
    let to = Mailbox::new((!name.is_empty()).then(|| name.to_string()), address);
    let mut builder = Message::builder()
        .message_id(Some(message_id(row, &from)))
        .date(SystemTime::from(row.created_at.and_utc()))
        .from(from)
        .to(to)
        .subject(row.subject.clone());
    if let Some(url) = &row.unsubscribe_url {
        builder = builder
            .header(ListUnsubscribe(url.clone()))
            .header(ListUnsubscribePost);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            row.body_text.clone(),
            row.body_html.clone(),
        ))
        .map_err(|e| SendError::Permanent(format!("could not build the message: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn row() -> OutboxRow {
        let at = NaiveDate::from_ymd_opt(2026, 11, 23)
            .and_then(|d| d.and_hms_opt(19, 0, 0))
            .unwrap();
        OutboxRow {
            id: 7,
            dedupe_key: None,
            kind: "reminder".into(),
            to_address: "sam@example.org".into(),
            to_name: "Sam Doe".into(),
            subject: "Something is waiting for you".into(),
            body_text: "Plain body".into(),
            body_html: "<p>HTML body</p>".into(),
            unsubscribe_url: Some("https://trellis.example/unsubscribe/abc".into()),
            partner_id: None,
            counselor_id: None,
            status: crate::domain::status::OutboxStatus::Sending,
            attempts: 0,
            next_attempt_at: at,
            lease_until: None,
            lease_owner: None,
            last_error: None,
            sent_at: None,
            created_at: at,
            expires_at: None,
        }
    }

    #[test]
    fn the_message_carries_a_stable_id_and_unsubscribe_headers() {
        let message = build_message(&row(), "Trellis <no-reply@trellis.example>").unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        let id = format!(
            "Message-ID: <outbox-7.{}@trellis.example>",
            row().created_at.and_utc().timestamp()
        );
        assert!(raw.contains(&id), "{raw}");
        assert!(raw.contains("List-Unsubscribe: <https://trellis.example/unsubscribe/abc>"));
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(raw.contains("To: \"Sam Doe\" <sam@example.org>"), "{raw}");
        assert!(raw.contains("multipart/alternative"));
        let again = String::from_utf8(
            build_message(&row(), "Trellis <no-reply@trellis.example>")
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(again.contains(&id));
    }

    #[test]
    fn no_unsubscribe_headers_without_a_link() {
        let mut r = row();
        r.unsubscribe_url = None;
        let raw = String::from_utf8(
            build_message(&r, "no-reply@trellis.example")
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(!raw.contains("List-Unsubscribe"));
    }

    #[test]
    fn a_malformed_recipient_is_a_permanent_failure() {
        let mut r = row();
        r.to_address = "not an address".into();
        assert!(build_message(&r, "no-reply@trellis.example")
            .unwrap_err()
            .is_permanent());
    }
}
