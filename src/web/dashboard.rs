//! The counselor's home page: every active couple, who needs attention and why.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use crate::auth::Counselor;
use crate::db::{self, audit::NewAudit, audit_batch::AuditBatcher};
use crate::domain::attention::Flag;
use crate::domain::dashboard::{flag_counts, summarize};
use crate::error::AppError;
use crate::views::{self, dashboard::DashboardPage, Ctx};
use crate::web::{html, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // One group-commit audit writer per worker: see db::audit_batch.
    cfg.app_data(web::Data::new(AuditBatcher::default()))
        .route("/dashboard", web::get().to(show));
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    flag: Option<String>,
}

async fn show(
    state: State,
    ctx: Ctx,
    me: Counselor,
    audit: web::Data<AuditBatcher>,
    q: Option<web::Query<DashboardQuery>>,
) -> Result<HttpResponse, AppError> {
    // Unknown or malformed filters are ignored: the whole dashboard is shown.
    let filter = q.and_then(|q| q.flag.as_deref().and_then(Flag::parse));
    let thresholds = state.settings.thresholds();
    let now = Utc::now();
    let severe_min = thresholds.severe_setback_min;
    let (loaded, tz) = state
        .db
        .read(move |conn| {
            let loaded = db::dashboard::load(conn, me.id, now, severe_min)?;
            let tz = crate::web::couples::counselor_tz(conn, me.id)?;
            Ok((loaded, tz))
        })
        .await?;
    let rows = summarize(&loaded, &thresholds, now);
    // One audit row per view, naming the couples whose figures were shown.
    let shown: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    audit
        .record(
            &state.db,
            NewAudit::new("counselor", Some(me.id), "dashboard.view", &ctx.request_id)
                .detail(format!("couples={}", shown.join(","))),
        )
        .await?;
    let counts = flag_counts(&rows);
    let total = rows.len();
    let visible: Vec<_> = match filter {
        Some(f) => rows.into_iter().filter(|r| r.has_flag(f)).collect(),
        None => rows,
    };
    Ok(html(views::dashboard::dashboard(
        &ctx,
        &DashboardPage {
            name: &me.name,
            rows: &visible,
            total,
            counts: &counts,
            filter,
            tz,
        },
    )))
}
