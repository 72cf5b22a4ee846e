//! Couples: the caseload, a couple's page, create, edit, pause/resume/close, reassign.
//!
//! Every lookup is scoped to the signed-in counselor through `web::scope`: another
//! counselor's couple is a 404, and the attempt is audited.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::auth::{token, Admin, Counselor};
use crate::db::{self, audit::NewAudit, couples::CoupleRow, DbConnection};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::couple::CoupleStatus;
use crate::domain::couple_form::{CoupleForm, ValidCouple};
use crate::domain::dashboard::{completion, next_due, Submitted};
use crate::domain::status::AssignmentStatus;
use crate::domain::validation::Errors;
use crate::error::AppError;
use crate::views::{self, couples::AssignmentView, Ctx};
use crate::web::scope::{
    after_change, audit_event, change_couple, counselor_tz, parse_id, view_couple, with_couple,
    Change,
};
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/couples", web::get().to(list))
        .route("/couples/new", web::get().to(new_form))
        .route("/couples/new", web::post().to(create))
        .route("/couples/{id}", web::get().to(show))
        .route("/couples/{id}/edit", web::get().to(edit_form))
        .route("/couples/{id}/edit", web::post().to(update))
        .route("/couples/{id}/status", web::post().to(set_status))
        .route("/couples/{id}/reassign", web::get().to(reassign_form))
        .route("/couples/{id}/reassign", web::post().to(reassign));
}

fn to_new_couple(v: ValidCouple) -> db::couples::NewCouple {
    let [a, b] = v.partners;
    let p = |x: crate::domain::couple_form::ValidPartner| db::couples::NewPartner {
        display_name: x.display_name,
        email: x.email,
        time_zone: x.time_zone,
    };
    db::couples::NewCouple {
        label: v.label,
        breach_by: v.breach_by,
        confidentiality: v.confidentiality,
        start_date: v.start_date,
        partners: [p(a), p(b)],
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    closed: Option<String>,
}

async fn list(
    state: State,
    ctx: Ctx,
    me: Counselor,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let search: String = q.q.clone().unwrap_or_default().chars().take(100).collect();
    let include_closed = q.closed.is_some();
    let is_admin = me.is_admin;
    let term = search.clone();
    let (couples, partners, practice) = state
        .db
        .read(move |conn| {
            let couples =
                db::couples::list_for_counselor(conn, me.id, Some(&term), include_closed)?;
            let ids: Vec<i32> = couples.iter().map(|c| c.id).collect();
            let partners = db::couples::partners_of_couples(conn, &ids)?;
            let practice = if is_admin {
                Some(db::couples::practice_overview(conn)?)
            } else {
                None
            };
            Ok((couples, partners, practice))
        })
        .await?;
    let rows: Vec<views::couples::CaseloadRow> = couples
        .into_iter()
        .map(|c| views::couples::CaseloadRow {
            partner_names: partners
                .iter()
                .filter(|p| p.couple_id == c.id)
                .map(|p| p.display_name.clone())
                .collect(),
            couple: c,
        })
        .collect();
    let practice: Option<Vec<views::couples::PracticeCouple>> = practice.map(|all| {
        all.into_iter()
            .map(
                |(id, label, status, counselor)| views::couples::PracticeCouple {
                    id,
                    label,
                    status: status.to_string(),
                    counselor,
                },
            )
            .collect()
    });
    let request_id = ctx.request_id.clone();
    let shown = rows.len();
    state
        .db
        .write(move |conn| {
            Ok(db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(me.id),
                    AuditAction::CaseloadView,
                    &request_id,
                )
                .detail(format!("couples={shown}")),
            )?)
        })
        .await?;
    Ok(html(views::couples::caseload(
        &ctx,
        &rows,
        &search,
        include_closed,
        practice.as_deref(),
    )))
}

async fn new_form(state: State, ctx: Ctx, me: Counselor) -> Result<HttpResponse, AppError> {
    let tz = state.db.read(move |conn| counselor_tz(conn, me.id)).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let form = CoupleForm {
        breach_by: "unstated".into(),
        confidentiality: "no_secrets".into(),
        start_date: today.to_string(),
        a_time_zone: tz.name().into(),
        b_time_zone: tz.name().into(),
        ..CoupleForm::default()
    };
    let once = token::generate();
    Ok(html(views::couples::couple_form(
        &ctx,
        "Add a couple",
        "/couples/new",
        &form,
        &Errors::default(),
        Some(&once),
        "/couples",
    )))
}

fn field(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn create(
    state: State,
    ctx: Ctx,
    me: Counselor,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pairs = form_pairs(&body)?;
    let form = CoupleForm::from_pairs(&pairs);
    let once = field(&pairs, "form_once");
    let valid = match form.validate() {
        Ok(v) => v,
        Err(errors) => {
            return Ok(html_invalid(views::couples::couple_form(
                &ctx,
                "Add a couple",
                "/couples/new",
                &form,
                &errors,
                Some(&once),
                "/couples",
            )));
        }
    };
    let new = to_new_couple(valid);
    let default_hour = i32::try_from(state.settings.reminders.default_hour).unwrap_or(19);
    let request_id = ctx.request_id.clone();
    let settings = state.settings.clone();
    let created = state
        .db
        .write(move |conn| {
            if !db::forms::claim(conn, &once)? {
                return Ok(None);
            }
            let (id, partner_ids) = db::couples::create(conn, me.id, &new, default_hour)?;
            db::audit::record(
                conn,
                &audit_event(me.id, AuditAction::CoupleCreate, id, &request_id),
            )?;
            // Both partners are invited in the same transaction: no couple without invitations.
            crate::web::invitations::queue_invitations(conn, &settings, id, &partner_ids)?;
            Ok(Some(id))
        })
        .await?;
    Ok(match created {
        Some(id) => see_other(&format!("/couples/{id}?notice=couple-created")),
        None => see_other("/couples?notice=already-submitted"),
    })
}

/// What the couple page shows, read in one go.
struct PageData {
    partners: Vec<db::couples::PartnerRow>,
    assignments: Vec<db::assignments::AssignmentRow>,
    pauses: Vec<db::assignments::PauseRow>,
    /// Exercise id, title, and whether it is a private safety check.
    titles: Vec<(i32, String, bool)>,
    submitted: Vec<Submitted>,
    sessions: Vec<db::therapy_sessions::SessionRow>,
    next: Option<db::therapy_sessions::SessionRow>,
    tz: chrono_tz::Tz,
    trust: db::report::TrustChartData,
    alerts: Vec<db::alerts::AlertRow>,
    changes: Vec<db::assignment_changes::ChangeRow>,
}

fn load_page(
    conn: &mut DbConnection,
    me: i32,
    c: &CoupleRow,
    now: DateTime<Utc>,
) -> Result<PageData, AppError> {
    let assignments = db::assignments::for_couple(conn, c.id)?;
    let ids: Vec<i32> = assignments.iter().map(|a| a.id).collect();
    let exercise_ids: Vec<i32> = assignments.iter().map(|a| a.exercise_id).collect();
    let tz = counselor_tz(conn, me)?;
    let today = now.with_timezone(&tz).date_naive();
    Ok(PageData {
        partners: db::couples::partners_of(conn, c.id)?,
        pauses: db::assignments::pauses_for(conn, &ids)?,
        changes: db::assignment_changes::for_assignments(conn, &ids)?,
        titles: db::assignments::exercise_titles(conn, &exercise_ids)?,
        submitted: db::dashboard::submitted_for_couple(conn, c.id, now)?,
        sessions: db::therapy_sessions::for_couple(conn, c.id, 50)?,
        next: db::therapy_sessions::next_for_couple(conn, c.id, now.naive_utc())?,
        trust: db::report::couple_trust_chart(
            conn,
            me,
            c.id,
            today - chrono::Duration::days(90),
            today,
        )?,
        alerts: db::alerts::for_couple(conn, c.id)?,
        assignments,
        tz,
    })
}

/// Each assignment with its schedule in words and, per partner it is for, completion over
/// the window and the next date owed (in that partner's zone).
fn assignment_views(d: &mut PageData, now: DateTime<Utc>) -> Vec<AssignmentView> {
    let done: std::collections::HashSet<Submitted> = d.submitted.drain(..).collect();
    let (partners, pauses, titles) = (&d.partners, &d.pauses, &d.titles);
    let replaced: std::collections::HashSet<i32> =
        d.assignments.iter().filter_map(|a| a.replaces_id).collect();
    let replaces: std::collections::HashMap<i32, Option<i32>> = d
        .assignments
        .iter()
        .map(|a| (a.id, a.replaces_id))
        .collect();
    let changes = &d.changes;
    d.assignments
        .drain(..)
        .map(|a| {
            // This version's changes and those of the versions it continues.
            let mut chain = vec![a.id];
            while let Some(Some(prev)) = chain.last().and_then(|id| replaces.get(id)) {
                if chain.contains(prev) {
                    break;
                }
                chain.push(*prev);
            }
            let history = changes
                .iter()
                .filter(|ch| chain.contains(&ch.assignment_id))
                .map(|ch| (ch.effective_from, ch.summary.clone()))
                .collect();
            let schedule = a.schedule(pauses);
            let per_partner = partners
                .iter()
                .filter(|p| a.is_for_slot(&p.slot))
                .map(|p| {
                    let tz = p.tz();
                    let c = completion(&schedule, tz, now, |date| {
                        done.contains(&Submitted {
                            partner_id: p.id,
                            assignment_id: a.id,
                            date,
                        })
                    });
                    let next = if a.status == AssignmentStatus::Active {
                        next_due(&schedule, tz, now)
                    } else {
                        None
                    };
                    (p.display_name.clone(), c, next)
                })
                .collect();
            AssignmentView {
                title: titles
                    .iter()
                    .find(|t| t.0 == a.exercise_id)
                    .map(|t| t.1.clone())
                    .unwrap_or_else(|| "Exercise".into()),
                schedule_text: schedule.describe(),
                partners: per_partner,
                history,
                replaced: replaced.contains(&a.id),
                row: a,
            }
        })
        .collect()
}

async fn show(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let now = Utc::now();
    let (couple, mut d) = view_couple(
        &state,
        me.id,
        id,
        AuditAction::CoupleView,
        &ctx.request_id,
        move |conn, c| load_page(conn, me.id, c, now),
    )
    .await?;
    let assignments = assignment_views(&mut d, now);
    let promises = crate::web::couple_promises::section(&state, couple.id, d.tz).await?;
    Ok(html(views::couples::couple_page(
        &ctx,
        &views::couples::CouplePage {
            couple: &couple,
            partners: &d.partners,
            assignments: &assignments,
            sessions: &d.sessions,
            next_session: d.next.as_ref(),
            counselor_tz: d.tz,
            now: now.naive_utc(),
            trust: &d.trust,
            alerts: &d.alerts,
            promises: &promises,
        },
    )))
}

async fn edit_form(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let (couple, partners) = view_couple(
        &state,
        me.id,
        id,
        AuditAction::CoupleViewEdit,
        &ctx.request_id,
        |conn, c| Ok(db::couples::partners_of(conn, c.id)?),
    )
    .await?;
    if couple.is_closed() {
        return Ok(see_other(&format!("/couples/{id}?notice=couple-closed")));
    }
    let get = |i: usize| partners.get(i);
    let form = CoupleForm {
        label: couple.label.clone(),
        breach_by: couple.breach_by.clone(),
        confidentiality: couple.confidentiality.clone(),
        start_date: couple.start_date.to_string(),
        a_name: get(0).map(|p| p.display_name.clone()).unwrap_or_default(),
        a_email: get(0).map(|p| p.email.clone()).unwrap_or_default(),
        a_time_zone: get(0).map(|p| p.time_zone.clone()).unwrap_or_default(),
        b_name: get(1).map(|p| p.display_name.clone()).unwrap_or_default(),
        b_email: get(1).map(|p| p.email.clone()).unwrap_or_default(),
        b_time_zone: get(1).map(|p| p.time_zone.clone()).unwrap_or_default(),
    };
    let back = format!("/couples/{id}");
    Ok(html(views::couples::couple_form(
        &ctx,
        "Edit the couple's details",
        &format!("/couples/{id}/edit"),
        &form,
        &Errors::default(),
        None,
        &back,
    )))
}

async fn update(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let pairs = form_pairs(&body)?;
    let form = CoupleForm::from_pairs(&pairs);
    let valid = match form.validate() {
        Ok(v) => v,
        Err(errors) => {
            // Only the couple's own counselor may see the form come back.
            view_couple(
                &state,
                me.id,
                id,
                AuditAction::CoupleViewEdit,
                &ctx.request_id,
                |_, _| Ok(()),
            )
            .await?;
            let back = format!("/couples/{id}");
            return Ok(html_invalid(views::couples::couple_form(
                &ctx,
                "Edit the couple's details",
                &format!("/couples/{id}/edit"),
                &form,
                &errors,
                None,
                &back,
            )));
        }
    };
    let new = to_new_couple(valid);
    let request_id = ctx.request_id.clone();
    let outcome = change_couple(
        &state,
        me.id,
        id,
        AuditAction::CoupleUpdate,
        &ctx.request_id,
        move |conn, c| {
            db::couples::update(conn, c.id, &new)?;
            db::audit::record(
                conn,
                &audit_event(me.id, AuditAction::CoupleUpdate, c.id, &request_id),
            )?;
            Ok(())
        },
    )
    .await?;
    Ok(after_change(id, outcome, "couple-updated"))
}

async fn set_status(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let pairs = form_pairs(&body)?;
    let Some(status) = CoupleStatus::parse(field(&pairs, "status").trim()) else {
        return Err(AppError::BadRequest("unknown status".into()));
    };
    // Closing is only ever done from its confirmation page.
    if status == CoupleStatus::Closed && !crate::web::confirm::confirmed(&pairs) {
        return Ok(see_other(&format!("/couples/{id}/close")));
    }
    let request_id = ctx.request_id.clone();
    // A closed couple takes one change only: reopening, which `change_couple` would refuse.
    let outcome = with_couple(
        &state,
        me.id,
        id,
        AuditAction::CoupleStatus,
        &ctx.request_id,
        move |conn, c| {
            let was = c.status();
            if was == status {
                return Ok(Change::Done(false));
            }
            if was == CoupleStatus::Closed && status != CoupleStatus::Active {
                return Ok(Change::Closed);
            }
            db::couples::set_status(conn, c.id, status)?;
            let action = match (was, status) {
                (CoupleStatus::Closed, _) => AuditAction::CoupleReopen,
                (_, CoupleStatus::Active) => AuditAction::CoupleResume,
                (_, CoupleStatus::Paused) => AuditAction::CouplePause,
                (_, CoupleStatus::Closed) => AuditAction::CoupleClose,
            };
            db::audit::record(conn, &audit_event(me.id, action, c.id, &request_id))?;
            Ok(Change::Done(action == AuditAction::CoupleReopen))
        },
    )
    .await?;
    let notice = match (status, &outcome) {
        (CoupleStatus::Active, Change::Done(true)) => "couple-reopened",
        (CoupleStatus::Active, _) => "couple-resumed",
        (CoupleStatus::Paused, _) => "couple-paused",
        (CoupleStatus::Closed, _) => "couple-closed-now",
    };
    Ok(after_change(id, outcome, notice))
}

async fn reassign_form(
    state: State,
    ctx: Ctx,
    _admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let (couple, counselors) = state
        .db
        .read(move |conn| Ok((db::couples::by_id(conn, id)?, db::counselors::all(conn)?)))
        .await?;
    Ok(html(views::couples::reassign_form(
        &ctx,
        couple.id,
        &couple.label,
        couple.counselor_id,
        &counselors,
        &Errors::default(),
    )))
}

async fn reassign(
    state: State,
    ctx: Ctx,
    admin: Admin,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let pairs = form_pairs(&body)?;
    let target: Option<i32> = field(&pairs, "counselor_id").trim().parse().ok();
    let (admin_id, request_id) = (admin.0.id, ctx.request_id.clone());
    let done = state
        .db
        .write(move |conn| {
            let couple = db::couples::by_id(conn, id)?;
            let Some(target) = target else {
                return Ok(Err(couple));
            };
            match db::counselors::by_id(conn, target) {
                Ok(c) if c.active => {}
                Ok(_) | Err(diesel::result::Error::NotFound) => return Ok(Err(couple)),
                Err(e) => return Err(e.into()),
            }
            if couple.counselor_id != target {
                db::couples::reassign(conn, id, target)?;
                db::audit::record(
                    conn,
                    &audit_event(admin_id, AuditAction::CoupleReassign, id, &request_id)
                        .detail(format!("from={} to={target}", couple.counselor_id)),
                )?;
            }
            Ok(Ok(target))
        })
        .await?;
    match done {
        Ok(target) if target == admin.0.id => Ok(see_other(&format!(
            "/couples/{id}?notice=couple-reassigned"
        ))),
        Ok(_) => Ok(see_other("/couples?notice=couple-reassigned")),
        Err(couple) => {
            let counselors = state.db.read(|conn| Ok(db::counselors::all(conn)?)).await?;
            let mut errors = Errors::default();
            errors.add(
                "counselor_id",
                "Choose an active counselor of the practice.",
            );
            Ok(html_invalid(views::couples::reassign_form(
                &ctx,
                couple.id,
                &couple.label,
                couple.counselor_id,
                &counselors,
                &errors,
            )))
        }
    }
}
