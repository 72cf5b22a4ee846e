//! Session-prep reports and CSV exports. Only the couple's counselor reaches a couple's
//! report or export (anyone else: 404); the practice summary is the admin's, and each
//! counselor has the same summary for their own caseload. Every view and export writes an
//! audit row before anything is sent.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use crate::auth::{Admin, Counselor};
use crate::db::{self, audit::NewAudit, report::Loaded};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::report::{arrange, choices_from_pairs, suggest, Choice, ReportQuery};
use crate::error::AppError;
use crate::export;
use crate::views::{self, Ctx};
use crate::web::couple_promises;
use crate::web::portal::prompts_of;
use crate::web::scope::{or_deny, with_couple};
use crate::web::{csv_stream, form_pairs, html, html_invalid, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/couples/{id}/report", web::get().to(report_page))
        .route("/couples/{id}/report", web::post().to(report_arranged))
        .route("/couples/{id}/report.csv", web::get().to(report_csv))
        .route("/couples/{id}/export.csv", web::get().to(couple_csv))
        .route(
            "/couples/{id}/completion.csv",
            web::get().to(completion_csv),
        )
        .route("/practice/summary.csv", web::get().to(practice_summary))
        .route("/reports/summary.csv", web::get().to(caseload_summary));
}

async fn audit(
    state: &State,
    me: &Counselor,
    ctx: &Ctx,
    action: AuditAction,
    couple_id: Option<i32>,
    detail: String,
) -> Result<(), AppError> {
    let event = {
        let e = NewAudit::new(ActorKind::Counselor, Some(me.id), action, &ctx.request_id)
            .detail(detail);
        match couple_id {
            Some(id) => e.target("couple", id).couple(id),
            None => e,
        }
    };
    state.audit_view(event).await
}

/// The session-prep figures for one of this counselor's couples (NotFound otherwise).
async fn load_report(
    state: &State,
    counselor_id: i32,
    couple_id: i32,
    q: &ReportQuery,
) -> Result<Loaded, AppError> {
    let q = q.clone();
    state
        .db
        .read(move |conn| {
            Ok(db::report::session_report(
                conn,
                counselor_id,
                couple_id,
                &q,
                Utc::now(),
            )?)
        })
        .await
}

async fn report_page(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    render_report(state, ctx, me, path.into_inner(), req, Vec::new()).await
}

/// The report again with the agenda in the counselor's order and with their notes, ready
/// to print. Nothing is stored: the arrangement lives in the page.
async fn report_arranged(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let choices = choices_from_pairs(&form_pairs(&body)?);
    render_report(state, ctx, me, path.into_inner(), req, choices).await
}

async fn render_report(
    state: State,
    ctx: Ctx,
    me: Counselor,
    couple_id: i32,
    req: HttpRequest,
    choices: Vec<Choice>,
) -> Result<HttpResponse, AppError> {
    let q = ReportQuery::parse(req.query_string());
    let loaded = load_report(&state, me.id, couple_id, &q).await;
    let loaded = or_deny(
        &state,
        me.id,
        couple_id,
        AuditAction::ReportView,
        &ctx.request_id,
        loaded,
    )
    .await?;
    audit(
        &state,
        &me,
        &ctx,
        AuditAction::ReportView,
        Some(couple_id),
        q.audit_detail(),
    )
    .await?;
    Ok(match loaded {
        Loaded::Ready(r) => {
            let counselor_only = if q.include_safety {
                let (period, tz) = (r.period, r.counselor_tz);
                let items = state
                    .db
                    .read(move |conn| {
                        let mut out = Vec::new();
                        for item in db::report::safety::safety_in_period(conn, couple_id, period)? {
                            let prompts = prompts_of(conn, item.exercise_id)?;
                            out.push((item, prompts));
                        }
                        Ok(out)
                    })
                    .await?;
                views::report::safety::section(&items, couple_id, tz)
            } else {
                maud::html! {}
            };
            let (from, to, tz) = (r.period.from, r.period.to, r.counselor_tz);
            let (rows, names) = state
                .db
                .read(move |conn| couple_promises::in_period(conn, couple_id, from, to))
                .await?;
            let promises = couple_promises::report_section(&rows, &names, tz);
            let now = Utc::now();
            let next = state
                .db
                .read(move |conn| {
                    Ok(db::therapy_sessions::next_for_couple(
                        conn,
                        couple_id,
                        now.naive_utc(),
                    )?)
                })
                .await?;
            let t = state.settings.thresholds();
            let suggested = suggest(&r, t.severe_setback_min, t.trust_drop);
            let extras = views::report::Extras {
                prepared_on: now.with_timezone(&r.counselor_tz).date_naive(),
                counselor: me.name.clone(),
                next_session: next.map(|s| s.starts_at),
                agenda: arrange(&suggested, &choices),
                suggested,
                arranged: !choices.is_empty(),
            };
            html(views::report::page(
                &ctx,
                &r,
                &q,
                &extras,
                &promises,
                counselor_only,
            ))
        }
        Loaded::BadPeriod { couple, error } => {
            html_invalid(views::report::invalid(&ctx, &couple, &q, &error))
        }
    })
}

async fn report_csv(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let couple_id = path.into_inner();
    let q = ReportQuery::parse(req.query_string());
    let loaded = load_report(&state, me.id, couple_id, &q).await;
    let loaded = or_deny(
        &state,
        me.id,
        couple_id,
        AuditAction::ReportExport,
        &ctx.request_id,
        loaded,
    )
    .await?;
    let report = match loaded {
        Loaded::Ready(r) => r,
        Loaded::BadPeriod { error, .. } => return Err(AppError::BadRequest(error.message.into())),
    };
    audit(
        &state,
        &me,
        &ctx,
        AuditAction::ReportExport,
        Some(couple_id),
        q.audit_detail(),
    )
    .await?;
    let period = (report.period.from, report.period.to);
    let (promises, names) = state
        .db
        .read(move |conn| couple_promises::in_period(conn, couple_id, period.0, period.1))
        .await?;
    let mut out = export::csv_writer(Vec::new());
    export::report_csv(&report, &mut out)?;
    let name_of = |id: i32| {
        names
            .iter()
            .find(|(p, _)| *p == id)
            .map_or(String::new(), |(_, n)| n.clone())
    };
    export::promise_rows(&promises, &name_of, &mut out)?;
    let body = out
        .into_inner()
        .map_err(|e| anyhow::Error::new(e.into_error()).context("Failed to finish the CSV"))?;
    Ok(csv_stream::csv_response(&format!(
        "trellis-session-prep-{couple_id}-{}.csv",
        report.period.to
    ))
    .body(body))
}

/// Check the couple is this counselor's and record the export, in one transaction.
async fn open_couple_export(
    state: &State,
    me: &Counselor,
    ctx: &Ctx,
    couple_id: i32,
    action: AuditAction,
    include_safety: bool,
) -> Result<(db::couples::CoupleRow, chrono_tz::Tz), AppError> {
    let event = NewAudit::new(ActorKind::Counselor, Some(me.id), action, &ctx.request_id)
        .target("couple", couple_id)
        .couple(couple_id)
        .detail(format!("include_safety={}", u8::from(include_safety)));
    let me_id = me.id;
    with_couple(
        state,
        me_id,
        couple_id,
        action,
        &ctx.request_id,
        move |conn, couple| {
            let tz = db::report::counselor_tz(conn, me_id)?;
            db::audit::record(conn, &event)?;
            Ok((couple.clone(), tz))
        },
    )
    .await
}

async fn couple_csv(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let safety = ReportQuery::parse(req.query_string()).include_safety;
    let (couple, tz) =
        open_couple_export(&state, &me, &ctx, id, AuditAction::CoupleExport, safety).await?;
    Ok(csv_stream::stream(
        state.db.clone(),
        &format!("trellis-couple-{id}.csv"),
        move |db, out| export::couple_csv(db, &couple, tz, safety, out, &mut |_| {}),
    ))
}

async fn completion_csv(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let safety = ReportQuery::parse(req.query_string()).include_safety;
    let (couple, _) =
        open_couple_export(&state, &me, &ctx, id, AuditAction::CompletionExport, safety).await?;
    Ok(csv_stream::stream(
        state.db.clone(),
        &format!("trellis-completion-{id}.csv"),
        move |db, out| export::completion_csv(db, &couple, safety, Utc::now(), out, &mut |_| {}),
    ))
}

async fn summary(
    state: State,
    ctx: Ctx,
    me: Counselor,
    scope: Option<i32>,
    safety: bool,
) -> Result<HttpResponse, AppError> {
    let me_id = me.id;
    let event = NewAudit::new(
        ActorKind::Counselor,
        Some(me.id),
        AuditAction::PracticeExport,
        &ctx.request_id,
    )
    .detail(format!(
        "scope={};include_safety={}",
        if scope.is_some() {
            "caseload"
        } else {
            "practice"
        },
        u8::from(safety)
    ));
    let tz = state
        .db
        .write(move |conn| {
            db::audit::record(conn, &event)?;
            Ok(db::report::counselor_tz(conn, me_id)?)
        })
        .await?;
    let thresholds = state.settings.thresholds();
    let name = if scope.is_some() {
        "trellis-caseload-summary.csv"
    } else {
        "trellis-practice-summary.csv"
    };
    Ok(csv_stream::stream(
        state.db.clone(),
        name,
        move |db, out| {
            export::practice_csv(
                db,
                scope,
                tz,
                &thresholds,
                safety,
                Utc::now(),
                out,
                &mut |_| {},
            )
        },
    ))
}

async fn practice_summary(
    state: State,
    ctx: Ctx,
    admin: Admin,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let safety = ReportQuery::parse(req.query_string()).include_safety;
    summary(state, ctx, admin.0, None, safety).await
}

async fn caseload_summary(
    state: State,
    ctx: Ctx,
    me: Counselor,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let safety = ReportQuery::parse(req.query_string()).include_safety;
    let id = me.id;
    summary(state, ctx, me, Some(id), safety).await
}
