//! Couples: the caseload, a couple's page, create, edit, pause/resume/close, reassign.
//!
//! Every lookup is scoped to the signed-in counselor through [`view_couple`] and
//! [`change_couple`]: another counselor's couple is a 404, and the attempt is audited.

use actix_web::{web, HttpResponse};
use chrono::Utc;
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

/// An audit event by this counselor about this couple.
pub fn audit_event(me: i32, action: AuditAction, couple_id: i32, request_id: &str) -> NewAudit {
    NewAudit::new(ActorKind::Counselor, Some(me), action, request_id)
        .target("couple", couple_id)
        .couple(couple_id)
}

/// Record that a counselor asked for something that is not theirs (or does not exist):
/// `denied` is "couple.denied", "assignment.denied" or "session.denied"; `what` is the
/// attempted action, e.g. "couple.view".
pub fn record_denied(
    conn: &mut DbConnection,
    me: i32,
    couple_id: i32,
    denied: AuditAction,
    what: AuditAction,
    request_id: &str,
) -> Result<(), AppError> {
    db::audit::record(
        conn,
        &audit_event(me, denied, couple_id, request_id).detail(what.as_str()),
    )?;
    Ok(())
}

/// Read a couple's data for a page: `f` runs with the couple only if it is this
/// counselor's. The view (or the denied attempt) is audited either way.
pub async fn view_couple<T, F>(
    state: &State,
    me: i32,
    couple_id: i32,
    action: AuditAction,
    request_id: &str,
    f: F,
) -> Result<(CoupleRow, T), AppError>
where
    F: FnOnce(&mut DbConnection, &CoupleRow) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let found = state
        .db
        .read(move |conn| {
            match db::couples::find_for_counselor(conn, me, couple_id).optional_found()? {
                Some(c) => {
                    let t = f(conn, &c)?;
                    Ok(Some((c, t)))
                }
                None => Ok(None),
            }
        })
        .await?;
    let request_id = request_id.to_string();
    let ok = found.is_some();
    state
        .db
        .write(move |conn| {
            if ok {
                db::audit::record(conn, &audit_event(me, action, couple_id, &request_id))?;
                Ok(())
            } else {
                record_denied(
                    conn,
                    me,
                    couple_id,
                    AuditAction::CoupleDenied,
                    action,
                    &request_id,
                )
            }
        })
        .await?;
    found.ok_or(AppError::NotFound)
}

/// The outcome of a change to a couple's data.
pub enum Change<T> {
    Done(T),
    /// The couple is closed: read-only.
    Closed,
}

/// Change a couple's data in one transaction: `f` runs only if the couple is this
/// counselor's and (unless `allow_closed`) not closed. Denied attempts are audited and
/// answered with 404; `f` records its own audit row.
pub async fn change_couple<T, F>(
    state: &State,
    me: i32,
    couple_id: i32,
    action: AuditAction,
    request_id: &str,
    f: F,
) -> Result<Change<T>, AppError>
where
    F: FnOnce(&mut DbConnection, &CoupleRow) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let request_id = request_id.to_string();
    let outcome = state
        .db
        .write(move |conn| {
            match db::couples::find_for_counselor(conn, me, couple_id).optional_found()? {
                None => {
                    record_denied(
                        conn,
                        me,
                        couple_id,
                        AuditAction::CoupleDenied,
                        action,
                        &request_id,
                    )?;
                    Ok(None)
                }
                Some(c) if c.is_closed() => Ok(Some(Change::Closed)),
                Some(c) => Ok(Some(Change::Done(f(conn, &c)?))),
            }
        })
        .await?;
    outcome.ok_or(AppError::NotFound)
}

/// `.optional()` for query results, named so it reads in the helpers above.
trait OptionalFound<T> {
    fn optional_found(self) -> Result<Option<T>, diesel::result::Error>;
}

impl<T> OptionalFound<T> for Result<T, diesel::result::Error> {
    fn optional_found(self) -> Result<Option<T>, diesel::result::Error> {
        match self {
            Ok(t) => Ok(Some(t)),
            Err(diesel::result::Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The counselor's time zone (UTC if unreadable).
pub fn counselor_tz(conn: &mut DbConnection, me: i32) -> Result<chrono_tz::Tz, AppError> {
    Ok(db::counselors::time_zone(conn, me)?)
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
                    status,
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

async fn show(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let now = Utc::now();
    let (couple, (partners, assignments, titles, pauses, submitted, sessions, next, tz)) =
        view_couple(
            &state,
            me.id,
            id,
            AuditAction::CoupleView,
            &ctx.request_id,
            move |conn, c| {
                let partners = db::couples::partners_of(conn, c.id)?;
                let assignments = db::assignments::for_couple(conn, c.id)?;
                let ids: Vec<i32> = assignments.iter().map(|a| a.id).collect();
                let pauses = db::assignments::pauses_for(conn, &ids)?;
                let exercise_ids: Vec<i32> = assignments.iter().map(|a| a.exercise_id).collect();
                let titles = db::assignments::exercise_titles(conn, &exercise_ids)?;
                let submitted = db::dashboard::submitted_for_couple(conn, c.id, now)?;
                let sessions = db::therapy_sessions::for_couple(conn, c.id, 50)?;
                let next = db::therapy_sessions::next_for_couple(conn, c.id, now.naive_utc())?;
                let tz = counselor_tz(conn, me.id)?;
                let today = now.with_timezone(&tz).date_naive();
                let trust = db::report::couple_trust_chart(
                    conn,
                    me.id,
                    c.id,
                    today - chrono::Duration::days(90),
                    today,
                )?;
                Ok((
                    partners,
                    assignments,
                    titles,
                    pauses,
                    submitted,
                    sessions,
                    next,
                    (tz, trust),
                ))
            },
        )
        .await?;
    let (tz, trust) = tz;
    let done: std::collections::HashSet<Submitted> = submitted.into_iter().collect();
    let views: Vec<AssignmentView> = assignments
        .into_iter()
        .map(|a| {
            let schedule = a.schedule(&pauses);
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
                row: a,
            }
        })
        .collect();
    Ok(html(views::couples::couple_page(
        &ctx,
        &views::couples::CouplePage {
            couple: &couple,
            partners: &partners,
            assignments: &views,
            sessions: &sessions,
            next_session: next.as_ref(),
            counselor_tz: tz,
            now: now.naive_utc(),
            trust: &trust,
        },
    )))
}

/// A path id; anything that is not a positive number is a 404.
pub fn parse_id(s: &str) -> Result<i32, AppError> {
    match s.parse::<i32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(AppError::NotFound),
    }
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

/// Where to go after a change: the couple page with a notice.
pub fn after_change<T>(couple_id: i32, outcome: Change<T>, notice: &str) -> HttpResponse {
    match outcome {
        Change::Done(_) => see_other(&format!("/couples/{couple_id}?notice={notice}")),
        Change::Closed => see_other(&format!("/couples/{couple_id}?notice=couple-closed")),
    }
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
    let request_id = ctx.request_id.clone();
    let outcome = change_couple(
        &state,
        me.id,
        id,
        AuditAction::CoupleStatus,
        &ctx.request_id,
        move |conn, c| {
            if c.status() == status {
                return Ok(false);
            }
            db::couples::set_status(conn, c.id, status)?;
            let action = match status {
                CoupleStatus::Active => AuditAction::CoupleResume,
                CoupleStatus::Paused => AuditAction::CouplePause,
                CoupleStatus::Closed => AuditAction::CoupleClose,
            };
            db::audit::record(conn, &audit_event(me.id, action, c.id, &request_id))?;
            Ok(true)
        },
    )
    .await?;
    let notice = match status {
        CoupleStatus::Active => "couple-resumed",
        CoupleStatus::Paused => "couple-paused",
        CoupleStatus::Closed => "couple-closed-now",
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
