//! Helpers the partner portal's handlers share (home, entries, co-journal, setbacks): the
//! partner's calendar day, their audit events, and the prompts forms show.

use chrono::{NaiveDate, Utc};
use diesel::QueryResult;

use crate::auth::Partner;
use crate::db::{self, audit::NewAudit, couples::PartnerRow, exercises::ExerciseRow, DbConnection};
use crate::domain::answers::FormPrompt;
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::occurrence::local_date;
use crate::domain::safety::partner_title;
use crate::error::AppError;
use crate::web::State;
use diesel::OptionalExtension;

/// The prompts of an exercise as forms show them.
pub fn prompts_of(conn: &mut DbConnection, exercise_id: i32) -> QueryResult<Vec<FormPrompt>> {
    Ok(db::exercises::prompts(conn, exercise_id)?
        .iter()
        .map(|r| FormPrompt {
            id: r.id,
            def: r.to_def(),
        })
        .collect())
}

/// The title a partner sees for an exercise: a safety check goes by its discreet title
/// (the one chosen on its assignment, or the default), everything else by its own.
pub fn title_for_partner(
    conn: &mut DbConnection,
    couple_id: i32,
    exercise: &ExerciseRow,
    assignment_id: Option<i32>,
) -> QueryResult<String> {
    if !exercise.safety_check {
        return Ok(exercise.title.clone());
    }
    let chosen = match assignment_id {
        Some(a) => db::assignments::find_in_couple(conn, couple_id, a)
            .optional()?
            .map(|a| a.partner_title)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(partner_title(&exercise.title, true, &chosen).to_string())
}

/// The partner's calendar date now.
pub fn today_for(p: &PartnerRow) -> NaiveDate {
    local_date(Utc::now(), p.tz())
}

/// An audit event by this partner about their couple.
pub fn event(me: &Partner, action: AuditAction, request_id: &str) -> NewAudit {
    NewAudit::new(ActorKind::Partner, Some(me.id), action, request_id).couple(me.couple_id)
}

/// Record a view (its own small write).
pub async fn audit_view(state: &State, event: NewAudit) -> Result<(), AppError> {
    state.audit_view(event).await
}
