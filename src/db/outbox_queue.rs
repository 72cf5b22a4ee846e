//! Queue an email: one row in `email_outbox`, written in the caller's transaction so the
//! message goes out if and only if the change that caused it is committed. Delivery is the
//! mailer's job.

use diesel::prelude::*;

use super::schema::email_outbox;
use super::DbConnection;
use crate::insert_returning_id;

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
}

/// Insert a pending message; returns its id.
pub fn queue(conn: &mut DbConnection, email: &NewEmail) -> QueryResult<i32> {
    let now = super::now();
    insert_returning_id!(
        conn,
        email_outbox,
        (
            email_outbox::kind.eq(email.kind),
            email_outbox::to_address.eq(&email.to_address),
            email_outbox::to_name.eq(&email.to_name),
            email_outbox::subject.eq(&email.subject),
            email_outbox::body_text.eq(&email.body_text),
            email_outbox::body_html.eq(&email.body_html),
            email_outbox::unsubscribe_url.eq(email.unsubscribe_url.as_deref()),
            email_outbox::partner_id.eq(email.partner_id),
            email_outbox::status.eq("pending"),
            email_outbox::attempts.eq(0),
            email_outbox::next_attempt_at.eq(now),
            email_outbox::created_at.eq(now),
        )
    )
}
