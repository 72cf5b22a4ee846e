//! Queue an email: one row in `email_outbox`, written in the caller's transaction so the
//! message goes out if and only if the change that caused it is committed. Delivery is the
//! mailer's job.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::outbox::{enqueue, NewOutboxMessage};
use super::DbConnection;

/// An email to queue. Bodies never carry anything a partner wrote.
#[derive(Debug, Clone)]
pub struct NewEmail {
    /// What sort of message this is, e.g. `invitation` or `sign_in_link`.
    pub kind: &'static str,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub unsubscribe_url: Option<String>,
    pub partner_id: Option<i32>,
    /// When the link inside stops working (sign-in and invitation links): the worker does
    /// not send the message after this time.
    pub expires_at: Option<NaiveDateTime>,
}

/// Insert a pending message due now; returns its id.
pub fn queue(conn: &mut DbConnection, email: &NewEmail) -> QueryResult<i32> {
    let mut message = NewOutboxMessage::new(
        email.kind,
        &email.to_address,
        &email.to_name,
        &email.subject,
        email.body_text.clone(),
        email.body_html.clone(),
        super::now(),
    );
    message.unsubscribe_url = email.unsubscribe_url.clone();
    message.partner_id = email.partner_id;
    message.expires_at = email.expires_at;
    // Without a dedupe key the insert always happens.
    enqueue(conn, &message)?.ok_or(diesel::result::Error::NotFound)
}
