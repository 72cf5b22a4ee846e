//! The co-journal: one shared timeline both partners write in, visible to both partners
//! and the counselor. No assignment needed.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};

use crate::auth::{token, Partner};
use crate::db::{self, DbConnection};
use crate::domain::answers::{self, FormPrompt, RawAnswers, Strictness};
use crate::domain::audit_action::AuditAction;
use crate::domain::exercise::Visibility;
use crate::domain::occurrence::occurrences;
use crate::domain::status::AssignmentStatus;
use crate::domain::validation::Errors;
use crate::error::AppError;
use crate::views::form;
use crate::views::partner::JournalPost;
use crate::views::{self, entry_form, Ctx};
use crate::web::portal::{audit_view, event, prompts_of, today_for};
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub const JOURNAL_SLUG: &str = "co-journal";
const SHOWN: i64 = 100;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/journal", web::get().to(show))
        .route("/me/journal", web::post().to(add));
}

struct Journal {
    prompts: Vec<FormPrompt>,
    today: NaiveDate,
    posts: Vec<JournalPost>,
}

fn load(conn: &mut DbConnection, me: &Partner) -> Result<Journal, AppError> {
    let partner = db::couples::partner_by_id(conn, me.id)?;
    let exercise = db::exercises::find_by_slug(conn, JOURNAL_SLUG)?;
    let prompts = prompts_of(conn, exercise.id)?;
    let rows = db::entries::journal(conn, me.couple_id, SHOWN)?;
    let ids: Vec<i32> = rows.iter().map(|(e, _)| e.id).collect();
    let all_answers = db::entries::answers_for(conn, &ids)?;
    let names: Vec<(i32, String)> = db::couples::partners_of(conn, me.couple_id)?
        .iter()
        .map(|p| (p.id, p.first_name().to_string()))
        .collect();
    let mut posts = Vec::new();
    for (e, x) in rows {
        let entry_prompts = if x.id == exercise.id {
            prompts.clone()
        } else {
            prompts_of(conn, x.id)?
        };
        posts.push(JournalPost {
            author: names
                .iter()
                .find(|(id, _)| *id == e.partner_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            mine: e.partner_id == me.id,
            day: e.day(),
            entry_id: e.id,
            prompts: entry_prompts,
            answers: all_answers
                .iter()
                .filter(|a| a.entry_id == e.id)
                .map(|a| (a.prompt_id, a.value.clone()))
                .collect(),
        });
    }
    Ok(Journal {
        prompts,
        today: today_for(&partner),
        posts,
    })
}

/// The co-journal assignment this partner owes today and has not submitted yet, with a
/// draft already started for it, if any.
fn owed_today(
    conn: &mut DbConnection,
    partner: &db::couples::PartnerRow,
    exercise_id: i32,
    today: NaiveDate,
) -> Result<Option<(i32, Option<db::entries::EntryRow>)>, AppError> {
    let assignments: Vec<_> = db::assignments::for_couple(conn, partner.couple_id)?
        .into_iter()
        .filter(|a| {
            a.exercise_id == exercise_id
                && a.status == AssignmentStatus::Active
                && a.is_for_slot(&partner.slot)
        })
        .collect();
    if assignments.is_empty() {
        return Ok(None);
    }
    let ids: Vec<i32> = assignments.iter().map(|a| a.id).collect();
    let pauses = db::assignments::pauses_for(conn, &ids)?;
    for a in assignments {
        if occurrences(&a.schedule(&pauses), today, today).is_empty() {
            continue;
        }
        match db::entries::for_occurrence(conn, partner.id, a.id, today)? {
            Some(e) if e.is_submitted() => continue,
            existing => return Ok(Some((a.id, existing))),
        }
    }
    Ok(None)
}

fn write_form(ctx: &Ctx, j: &Journal, raw: &RawAnswers, errors: &Errors, once: &str) -> Markup {
    html! {
        section.card {
            h2 { "Add to the journal" }
            form.form method="post" action="/me/journal" novalidate {
                (ctx.csrf_field())
                (form::once_field(once))
                (form::summary(errors))
                div.visibility-note {
                    p { strong { "Who will see this: your partner and your counselor." } }
                }
                @for p in &j.prompts { (entry_form::prompt_field(p, raw, errors)) }
                div.actions { button.btn.btn-primary type="submit" { "Add to the journal" } }
            }
        }
    }
}

async fn show(state: State, ctx: Ctx, me: Partner) -> Result<HttpResponse, AppError> {
    let who = me.clone();
    let j = state.db.read(move |conn| load(conn, &who)).await?;
    audit_view(
        &state,
        event(&me, AuditAction::JournalView, &ctx.request_id),
    )
    .await?;
    let once = token::generate();
    let form = write_form(&ctx, &j, &RawAnswers::default(), &Errors::default(), &once);
    Ok(html(views::partner::journal(&ctx, j.today, form, &j.posts)))
}

async fn add(
    state: State,
    ctx: Ctx,
    me: Partner,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pairs = form_pairs(&body)?;
    let raw = RawAnswers::from_pairs(&pairs);
    let once = pairs
        .iter()
        .find(|(k, _)| k == "form_once")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let claimed = once.clone();
    let who = me.clone();
    let request_id = ctx.request_id.clone();
    let kept = raw.clone();
    let result = state
        .db
        .write(move |conn| {
            let partner = db::couples::partner_by_id(conn, who.id)?;
            let exercise = db::exercises::find_by_slug(conn, JOURNAL_SLUG)?;
            let prompts = prompts_of(conn, exercise.id)?;
            let answers = match answers::validate(&prompts, &raw, Strictness::Submit) {
                Ok(a) => a,
                Err(errors) => return Ok(Err(errors)),
            };
            if !db::forms::claim(conn, &claimed)? {
                return Ok(Ok(None));
            }
            let today = today_for(&partner);
            // A post on a day the co-journal is assigned and still owed fulfils it.
            let (assignment_id, draft) = match owed_today(conn, &partner, exercise.id, today)? {
                Some((a, draft)) => (Some(a), draft),
                None => (None, None),
            };
            let save = db::entries::SaveEntry {
                couple_id: who.couple_id,
                partner_id: who.id,
                exercise_id: exercise.id,
                assignment_id,
                occurrence_date: today,
                visibility: Visibility::CounselorAndPartner,
                submit: true,
                answers,
                trust: None,
                mood: None,
                safety_check: false,
            };
            let id = db::entries::save(conn, draft.as_ref(), &save)?;
            db::audit::record(
                conn,
                &event(&who, AuditAction::JournalAdd, &request_id).target("entry", id),
            )?;
            Ok(Ok(Some(id)))
        })
        .await?;
    match result {
        Ok(Some(id)) => Ok(see_other(&format!(
            "/me/journal?notice=journal-added#entry-{id}"
        ))),
        Ok(None) => Ok(see_other("/me/journal?notice=already-submitted")),
        Err(errors) => {
            let who = me.clone();
            let j = state.db.read(move |conn| load(conn, &who)).await?;
            let form = write_form(&ctx, &j, &kept, &errors, &once);
            Ok(html_invalid(views::partner::journal(
                &ctx, j.today, form, &j.posts,
            )))
        }
    }
}
