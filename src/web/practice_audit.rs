//! The practice admin's audit page: every event, newest first, in pages of 50, narrowed
//! by who, couple, action and dates (in the admin's own time zone), with names instead of
//! ids; and the same rows as CSV. Reading the log is itself audited. The page lists events
//! only: nothing any partner or counselor wrote is shown.

use actix_web::{web, HttpResponse};
use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};

use crate::auth::Admin;
use crate::db::{self, audit::NewAudit, audit_page::AuditFilter};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::audit_query::AuditQuery as Query;
use crate::domain::validation::Errors;
use crate::error::AppError;
use crate::views::{self, audit_page::AuditPage, Ctx};
use crate::web::{csv_stream, html, html_invalid, State};

/// Rows per page.
const PAGE: i64 = 50;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/practice/audit", web::get().to(show))
        .route("/practice/audit.csv", web::get().to(csv));
}

fn local_midnight(d: NaiveDate, tz: chrono_tz::Tz) -> NaiveDateTime {
    let local = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
        .unwrap_or(local)
}

/// Parse the query into a filter, with a message beside each field that made no sense.
pub fn parse(q: &Query, tz: chrono_tz::Tz) -> (AuditFilter, Option<i32>, Errors) {
    let mut errors = Errors::default();
    let mut f = AuditFilter::default();
    let id = |s: &str| s.trim().parse::<i32>().ok().filter(|n| *n > 0);
    if !q.who.trim().is_empty() {
        f.counselor = id(&q.who);
        if f.counselor.is_none() {
            errors.add("who", "Choose a counselor from the list.");
        }
    }
    if !q.couple.trim().is_empty() {
        f.couple = id(&q.couple);
        if f.couple.is_none() {
            errors.add("couple", "Choose a couple from the list.");
        }
    }
    if !q.action.trim().is_empty() {
        f.action = AuditAction::parse(q.action.trim());
        if f.action.is_none() {
            errors.add("action", "Choose an action from the list.");
        }
    }
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    if !q.from.trim().is_empty() {
        match date(&q.from) {
            Some(d) => f.from = Some(local_midnight(d, tz)),
            None => errors.add("from", "Enter a date like 2026-03-01."),
        }
    }
    if !q.to.trim().is_empty() {
        match date(&q.to).and_then(|d| d.checked_add_signed(Duration::days(1))) {
            Some(d) => f.until = Some(local_midnight(d, tz)),
            None => errors.add("to", "Enter a date like 2026-03-31."),
        }
    }
    if let (Some(a), Some(b)) = (f.from, f.until) {
        if a >= b {
            errors.add("to", "The end date is before the start date.");
        }
    }
    (f, id(&q.before), errors)
}

fn describe(f: &AuditFilter) -> String {
    let mut parts = Vec::new();
    if let Some(c) = f.counselor {
        parts.push(format!("counselor={c}"));
    }
    if let Some(c) = f.couple {
        parts.push(format!("couple={c}"));
    }
    if let Some(a) = f.action {
        parts.push(format!("action={a}"));
    }
    if let Some(t) = f.from {
        parts.push(format!("from={t}"));
    }
    if let Some(t) = f.until {
        parts.push(format!("until={t}"));
    }
    parts.join(" ")
}

async fn show(
    state: State,
    ctx: Ctx,
    admin: Admin,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let me = admin.0.id;
    let tz = state
        .db
        .read(move |conn| Ok(db::counselors::time_zone(conn, me)?))
        .await?;
    let (filter, before, errors) = parse(&q, tz);
    let valid = errors.is_empty();
    state
        .audit_view(
            NewAudit::new(
                ActorKind::Counselor,
                Some(me),
                AuditAction::AuditView,
                &ctx.request_id,
            )
            .detail(describe(&filter)),
        )
        .await?;
    let view = state
        .db
        .read(move |conn| {
            let mut rows = if valid {
                db::audit_page::page(conn, &filter, before, PAGE + 1)?
            } else {
                Vec::new()
            };
            let more = rows.len() as i64 > PAGE;
            rows.truncate(PAGE as usize);
            let names = db::audit_page::names_for(conn, &rows)?;
            Ok(AuditPage {
                rows,
                names,
                more,
                counselors: db::counselors::all(conn)?,
                couples: db::audit_page::couple_choices(conn)?,
                tz,
            })
        })
        .await?;
    let page = views::audit_page::audit(&ctx, &view, &q, &errors);
    Ok(if valid {
        html(page)
    } else {
        html_invalid(page)
    })
}

async fn csv(
    state: State,
    ctx: Ctx,
    admin: Admin,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let me = admin.0.id;
    let tz = state
        .db
        .read(move |conn| Ok(db::counselors::time_zone(conn, me)?))
        .await?;
    let (filter, _, errors) = parse(&q, tz);
    if !errors.is_empty() {
        return Err(AppError::BadRequest(
            "the audit filter could not be read".into(),
        ));
    }
    let request_id = ctx.request_id.clone();
    let detail = describe(&filter);
    state
        .db
        .write(move |conn| {
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(me),
                    AuditAction::AuditExport,
                    &request_id,
                )
                .detail(detail),
            )?;
            Ok(())
        })
        .await?;
    Ok(csv_stream::stream(
        state.db.clone(),
        "audit-log.csv",
        move |db, out| crate::export::audit::audit_csv(db, &filter, tz, out),
    ))
}
