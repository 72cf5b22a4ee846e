//! Session-prep reports and CSV exports. Only the couple's counselor reaches a couple's
//! report or export (anyone else: 404); the practice summary is the admin's, and each
//! counselor has the same summary for their own caseload. Every view and export writes an
//! audit row before anything is sent.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use crate::auth::{Admin, Counselor};
use crate::db::{self, audit::NewAudit, export, report::Loaded, report::ReportRequest};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::{csv_stream, html, html_invalid, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/couples/{id}/report", web::get().to(report_page))
        .route("/couples/{id}/report.csv", web::get().to(report_csv))
        .route("/couples/{id}/export.csv", web::get().to(couple_csv))
        .route(
            "/couples/{id}/completion.csv",
            web::get().to(completion_csv),
        )
        .route("/practice/summary.csv", web::get().to(practice_summary))
        .route("/reports/summary.csv", web::get().to(caseload_summary));
}

/// The report form's fields as they came in the query string (kept to re-fill the form).
#[derive(Debug, Clone, Default)]
pub struct ReportQuery {
    pub from: String,
    pub to: String,
    pub include_safety: bool,
}

impl ReportQuery {
    /// Unknown keys and unreadable query strings are ignored rather than refused.
    pub fn parse(query: &str) -> ReportQuery {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        ReportQuery {
            from: get("from"),
            to: get("to"),
            include_safety: matches!(get("include_safety").as_str(), "1" | "on" | "yes" | "true"),
        }
    }

    fn request(&self) -> ReportRequest {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        ReportRequest {
            from: some(&self.from),
            to: some(&self.to),
            include_safety: self.include_safety,
        }
    }

    fn detail(&self) -> String {
        // Dates only (never free text): the audit detail is structured.
        let date = |s: &str| {
            crate::domain::report::parse_date(s)
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        format!(
            "from={};to={};include_safety={}",
            date(&self.from),
            date(&self.to),
            u8::from(self.include_safety)
        )
    }
}

async fn audit(
    state: &State,
    req: &HttpRequest,
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
    // Page views share the group-commit writer with the dashboard when it is registered.
    match req.app_data::<web::Data<db::audit_batch::AuditBatcher>>() {
        Some(batcher) => batcher.record(&state.db, event).await,
        None => {
            state
                .db
                .write(move |conn| Ok(db::audit::record(conn, &event)?))
                .await
        }
    }
}

/// The session-prep figures for one of this counselor's couples (NotFound otherwise).
async fn load_report(
    state: &State,
    counselor_id: i32,
    couple_id: i32,
    q: &ReportQuery,
) -> Result<Loaded, AppError> {
    let rq = q.request();
    state
        .db
        .read(move |conn| {
            Ok(db::report::session_report(
                conn,
                counselor_id,
                couple_id,
                &rq,
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
    let couple_id = path.into_inner();
    let q = ReportQuery::parse(req.query_string());
    let loaded = load_report(&state, me.id, couple_id, &q).await?;
    audit(
        &state,
        &req,
        &me,
        &ctx,
        AuditAction::ReportView,
        Some(couple_id),
        q.detail(),
    )
    .await?;
    Ok(match loaded {
        Loaded::Ready(r) => html(views::report::page(&ctx, &r, &q)),
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
    let loaded = load_report(&state, me.id, couple_id, &q).await?;
    let report = match loaded {
        Loaded::Ready(r) => r,
        Loaded::BadPeriod { error, .. } => return Err(AppError::BadRequest(error.message.into())),
    };
    audit(
        &state,
        &req,
        &me,
        &ctx,
        AuditAction::ReportExport,
        Some(couple_id),
        q.detail(),
    )
    .await?;
    let mut out = csv_stream::csv_writer(Vec::new());
    export::report_csv(&report, &mut out)?;
    let body = out
        .into_inner()
        .map_err(|e| AppError::unexpected(e, "finish the CSV"))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"trellis-session-prep-{couple_id}-{}.csv\"",
                report.period.to
            ),
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
    state
        .db
        .write(move |conn| {
            let couple = db::couples::find_for_counselor(conn, me_id, couple_id)?;
            let tz = db::report::counselor_tz(conn, me_id)?;
            db::audit::record(conn, &event)?;
            Ok((couple, tz))
        })
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
        move |conn, out| export::couple_csv(conn, &couple, tz, safety, out, &mut |_| {}),
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
        move |conn, out| {
            export::completion_csv(conn, &couple, safety, Utc::now(), out, &mut |_| {})
        },
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
        move |conn, out| {
            export::practice_csv(
                conn,
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
