//! Raising an alert, inside the transaction that saves the partner's submission: the alert
//! row, its audit row and the counselor's content-free email all commit with the entry or
//! not at all.

use crate::auth::Partner;
use crate::db::outbox::NewOutboxMessage;
use crate::db::{self, DbConnection};
use crate::domain::answers::FormPrompt;
use crate::domain::audit_action::AuditAction;
use crate::domain::safety;
use crate::error::AppError;
use crate::views::alerts::alert_href;
use crate::views::emails;
use crate::web::portal::event;

/// The outbox `kind` of the counselor's alert email.
pub const KIND_ALERT: &str = "attention";

/// If the submitted answers are concerning (and no alert for this entry is still open),
/// raise one: returns its id. `base_url` is the portal's public address for the link.
pub fn raise_if_concerning(
    conn: &mut DbConnection,
    base_url: &str,
    who: &Partner,
    entry_id: i32,
    prompts: &[FormPrompt],
    answers: &[(i32, String)],
    request_id: &str,
) -> Result<Option<i32>, AppError> {
    let open = db::alerts::open_for_entry(conn, entry_id)?;
    if !safety::raises_alert(prompts, answers, true, open) {
        return Ok(None);
    }
    let now = db::now();
    let id = db::alerts::raise(conn, who.couple_id, who.id, entry_id, now)?;
    db::audit::record(
        conn,
        &event(who, AuditAction::SafetyAlertRaise, request_id).target("safety_alert", id),
    )?;
    let couple = db::couples::by_id(conn, who.couple_id)?;
    let counselor = db::counselors::by_id(conn, couple.counselor_id)?;
    let first = counselor
        .display_name
        .split_whitespace()
        .next()
        .unwrap_or("there")
        .to_string();
    let link = format!(
        "{}{}",
        base_url.trim_end_matches('/'),
        alert_href(couple.id, id)
    );
    let body = emails::attention_needed(&first, &link);
    let mut m = NewOutboxMessage::new(
        KIND_ALERT,
        &counselor.email,
        &first,
        &body.subject,
        body.text,
        body.html,
        now,
    );
    m.counselor_id = Some(counselor.id);
    m.dedupe_key = Some(format!("alert:{id}"));
    db::outbox::enqueue(conn, &m)?;
    Ok(Some(id))
}
