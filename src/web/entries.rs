//! Exercise forms for one occurrence of an assignment (draft, submit, edit within the
//! window), and reading one entry.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;

use crate::auth::Partner;
use crate::db::{self, assignments::AssignmentRow, entries::EntryRow};
use crate::db::{exercises::ExerciseRow, DbConnection};
use crate::domain::answers::{self, metric_value, FormPrompt, RawAnswers, Strictness};
use crate::domain::audit_action::AuditAction;
use crate::domain::entry::{is_fillable, Intent};
use crate::domain::exercise::Metric;
use crate::domain::safety::partner_title;
use crate::domain::validation::Errors;
use crate::domain::visibility::{
    effective_visibility, entry_access, within_edit_window, Access, Viewer,
};
use crate::error::AppError;
use crate::views::entry_form::{self, EntryForm};
use crate::views::{self, page, Ctx};
use crate::web::alerts::raise::raise_if_concerning;
use crate::web::portal::{audit_view, event, prompts_of, title_for_partner, today_for};
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/do/{assignment}/{date}", web::get().to(show_form))
        .route("/me/do/{assignment}/{date}", web::post().to(submit))
        .route("/me/entries/{id}", web::get().to(show_entry));
}

/// One occurrence the signed-in partner may fill in, with what is already saved.
struct Occurrence {
    assignment: AssignmentRow,
    exercise: ExerciseRow,
    prompts: Vec<FormPrompt>,
    existing: Option<EntryRow>,
    stored: Vec<(i32, String)>,
    date: NaiveDate,
    /// The practice's crisis text, on a safety check.
    crisis: Option<String>,
}

/// NotFound unless the assignment is this couple's, given to this partner, and `date` is
/// one of its occurrences they may fill in now.
fn load(
    conn: &mut DbConnection,
    me: &Partner,
    assignment_id: i32,
    date: NaiveDate,
) -> Result<Occurrence, AppError> {
    let partner = db::couples::partner_by_id(conn, me.id)?;
    let assignment = db::assignments::find_in_couple(conn, me.couple_id, assignment_id)?;
    if !assignment.is_for_slot(&partner.slot) {
        return Err(AppError::NotFound);
    }
    let pauses = db::assignments::pauses_for(conn, &[assignment.id])?;
    let existing = db::entries::for_occurrence(conn, me.id, assignment.id, date)?;
    // An entry already started stays reachable even if the schedule changed since.
    if existing.is_none() && !is_fillable(&assignment.schedule(&pauses), date, today_for(&partner))
    {
        return Err(AppError::NotFound);
    }
    let exercise = db::exercises::by_id(conn, assignment.exercise_id)?;
    let prompts = prompts_of(conn, exercise.id)?;
    let stored = match &existing {
        Some(e) => db::entries::answers(conn, e.id)?,
        None => Vec::new(),
    };
    let crisis = if exercise.safety_check {
        Some(
            db::practice_settings::safety(conn)?
                .crisis_text()
                .to_string(),
        )
    } else {
        None
    };
    Ok(Occurrence {
        crisis,
        assignment,
        exercise,
        prompts,
        existing,
        stored,
        date,
    })
}

fn parse_date(s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| AppError::NotFound)
}

fn render_form(
    ctx: &Ctx,
    o: &Occurrence,
    raw: &RawAnswers,
    errors: &Errors,
    visibility: crate::domain::exercise::Visibility,
) -> maud::Markup {
    let action = format!("/me/do/{}/{}", o.assignment.id, o.date.format("%Y-%m-%d"));
    let submitted = o.existing.as_ref().is_some_and(EntryRow::is_submitted);
    let title = partner_title(
        &o.exercise.title,
        o.exercise.safety_check,
        &o.assignment.partner_title,
    );
    let f = EntryForm {
        title,
        summary: &o.exercise.summary,
        note: &o.assignment.note,
        action: &action,
        prompts: &o.prompts,
        raw,
        errors,
        visibility,
        visibility_choice: o.exercise.visibility_choice,
        safety_check: o.exercise.safety_check,
        shared_journal: o.exercise.shared_journal,
        paired_reveal: o.exercise.paired_reveal,
        allow_draft: !submitted,
        editing_submitted: submitted,
        due: Some(o.date),
        submit_label: if submitted {
            "Save my changes"
        } else {
            "Submit"
        },
        crisis: o.crisis.as_deref(),
    };
    page(ctx, title, entry_form::render(ctx.csrf_field(), &f))
}

async fn show_form(
    state: State,
    ctx: Ctx,
    me: Partner,
    path: web::Path<(i32, String)>,
) -> Result<HttpResponse, AppError> {
    let (assignment_id, date) = path.into_inner();
    let date = parse_date(&date)?;
    let who = me.clone();
    let o = state
        .db
        .read(move |conn| load(conn, &who, assignment_id, date))
        .await?;
    let window = state.settings.entries.edit_window_hours;
    if let Some(e) = &o.existing {
        if e.is_submitted() && !within_edit_window(e.submitted_at, db::now(), window) {
            return Ok(see_other(&format!(
                "/me/entries/{}?notice=edit-window-closed",
                e.id
            )));
        }
    }
    let visibility = o
        .existing
        .as_ref()
        .map(EntryRow::visibility)
        .unwrap_or_else(|| o.exercise.visibility());
    let raw = RawAnswers::from_stored(&o.prompts, &o.stored);
    audit_view(
        &state,
        event(&me, AuditAction::EntryFormView, &ctx.request_id)
            .target("assignment", o.assignment.id),
    )
    .await?;
    Ok(html(render_form(
        &ctx,
        &o,
        &raw,
        &Errors::default(),
        visibility,
    )))
}

enum Outcome {
    Saved {
        id: i32,
        submitted: bool,
        edited: bool,
        /// A private safety check (its own confirmation).
        safety: bool,
    },
    Locked(i32),
    Invalid(
        Box<Occurrence>,
        RawAnswers,
        Errors,
        crate::domain::exercise::Visibility,
    ),
}

async fn submit(
    state: State,
    ctx: Ctx,
    me: Partner,
    path: web::Path<(i32, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (assignment_id, date) = path.into_inner();
    let date = parse_date(&date)?;
    let pairs = form_pairs(&body)?;
    let field = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let intent = Intent::parse(field("intent").as_deref().unwrap_or("submit"));
    let requested_visibility = field("visibility");
    let raw = RawAnswers::from_pairs(&pairs);
    let window = state.settings.entries.edit_window_hours;
    let request_id = ctx.request_id.clone();
    let who = me.clone();
    let base_url = state.settings.server.base_url.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let o = load(conn, &who, assignment_id, date)?;
            let already = o.existing.as_ref().is_some_and(EntryRow::is_submitted);
            if let Some(e) = o.existing.as_ref().filter(|e| e.is_submitted()) {
                if !within_edit_window(e.submitted_at, db::now(), window) {
                    return Ok(Outcome::Locked(e.id));
                }
            }
            let visibility = effective_visibility(
                o.exercise.visibility(),
                o.exercise.visibility_choice,
                o.exercise.safety_check,
                o.exercise.shared_journal,
                requested_visibility.as_deref(),
            );
            let submit = already || intent == Intent::Submit;
            let mode = if submit {
                Strictness::Submit
            } else {
                Strictness::Draft
            };
            let answers = match answers::validate(&o.prompts, &raw, mode) {
                Ok(a) => a,
                Err(errors) => return Ok(Outcome::Invalid(Box::new(o), raw, errors, visibility)),
            };
            let save = db::entries::SaveEntry {
                couple_id: who.couple_id,
                partner_id: who.id,
                exercise_id: o.exercise.id,
                assignment_id: Some(o.assignment.id),
                occurrence_date: o.date,
                visibility,
                submit,
                trust: metric_value(&o.prompts, &answers, Metric::Trust),
                mood: metric_value(&o.prompts, &answers, Metric::Mood),
                safety_check: o.exercise.safety_check,
                answers,
            };
            let id = db::entries::save(conn, o.existing.as_ref(), &save)?;
            let action = match (already, submit) {
                (true, _) => AuditAction::EntryEdit,
                (false, true) => AuditAction::EntrySubmit,
                (false, false) => AuditAction::EntryDraft,
            };
            db::audit::record(conn, &event(&who, action, &request_id).target("entry", id))?;
            if submit {
                raise_if_concerning(
                    conn,
                    &base_url,
                    &who,
                    id,
                    &o.prompts,
                    &save.answers,
                    &request_id,
                )?;
            }
            Ok(Outcome::Saved {
                id,
                submitted: submit,
                edited: already,
                safety: o.exercise.safety_check,
            })
        })
        .await?;
    Ok(match outcome {
        Outcome::Saved {
            id, edited: true, ..
        } => see_other(&format!("/me/entries/{id}?notice=entry-updated")),
        Outcome::Saved {
            id,
            submitted: true,
            safety: true,
            ..
        } => see_other(&format!("/me/entries/{id}?notice=checkin-sent")),
        Outcome::Saved {
            id,
            submitted: true,
            ..
        } => see_other(&format!("/me/entries/{id}?notice=entry-submitted")),
        Outcome::Saved { .. } => see_other("/me?notice=draft-saved"),
        Outcome::Locked(id) => see_other(&format!("/me/entries/{id}?notice=edit-window-closed")),
        Outcome::Invalid(o, raw, errors, visibility) => {
            html_invalid(render_form(&ctx, &o, &raw, &errors, visibility))
        }
    })
}

async fn show_entry(
    state: State,
    ctx: Ctx,
    me: Partner,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let who = me.clone();
    let window = state.settings.entries.edit_window_hours;
    let loaded = state
        .db
        .read(move |conn| {
            let (entry, exercise) = db::entries::find_in_couple(conn, who.couple_id, id)?;
            let own = entry.partner_id == who.id;
            let viewer = if own {
                Viewer::Author
            } else {
                Viewer::OtherPartner
            };
            let pair = match (own, entry.assignment_id, entry.occurrence_date) {
                (false, Some(a), Some(d)) => db::entries::for_occurrence(conn, who.id, a, d)?
                    .is_some_and(|e| e.is_submitted()),
                _ => false,
            };
            if entry_access(viewer, &entry.facts(&exercise), pair) != Access::Visible {
                return Err(AppError::NotFound);
            }
            let author = db::couples::partner_by_id(conn, entry.partner_id)?;
            // Times are shown in the reader's zone.
            let reader_tz = if own {
                author.tz()
            } else {
                db::couples::partner_by_id(conn, who.id)?.tz()
            };
            let prompts = prompts_of(conn, exercise.id)?;
            let answers = db::entries::answers(conn, entry.id)?;
            let comments = if own {
                db::entries::comments_for(conn, &[entry.id])?
            } else {
                Vec::new()
            };
            let versions = db::entries::version_count(conn, entry.id)?;
            let title = title_for_partner(conn, who.couple_id, &exercise, entry.assignment_id)?;
            // Only the author ever reaches a safety check (checked above).
            let crisis = if own && exercise.safety_check {
                Some((
                    db::practice_settings::safety(conn)?
                        .crisis_text()
                        .to_string(),
                    db::alerts::open_for_entry(conn, entry.id)?,
                ))
            } else {
                None
            };
            Ok((
                entry,
                exercise,
                author.first_name().to_string(),
                prompts,
                answers,
                comments,
                versions,
                (own, reader_tz, title, crisis),
            ))
        })
        .await?;
    let (entry, exercise, author, prompts, answers, comments, versions, extra) = loaded;
    let (own, reader_tz, title, crisis) = extra;
    let editable =
        own && (!entry.is_submitted() || within_edit_window(entry.submitted_at, db::now(), window));
    let edit_href = match (editable, entry.assignment_id, entry.occurrence_date) {
        (true, Some(a), Some(d)) => Some(format!("/me/do/{a}/{}", d.format("%Y-%m-%d"))),
        _ => None,
    };
    let words = if exercise.safety_check {
        "only your counselor".to_string()
    } else if exercise.shared_journal {
        "your partner and your counselor".to_string()
    } else {
        entry.visibility().label().to_lowercase()
    };
    audit_view(
        &state,
        event(&me, AuditAction::EntryView, &ctx.request_id).target("entry", entry.id),
    )
    .await?;
    Ok(html(views::partner::entry(
        &ctx,
        &views::partner::EntryPage {
            title: &title,
            entry: &entry,
            own,
            author_name: &author,
            prompts: &prompts,
            answers: &answers,
            comments: &comments,
            earlier_versions: versions,
            edit_href,
            visibility_words: &words,
            reader_tz,
            crisis: crisis.as_ref().map(|(t, told)| (t.as_str(), *told)),
        },
    )))
}
