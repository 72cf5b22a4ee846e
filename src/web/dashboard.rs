//! The counselor's home page: every active couple, who needs attention and why.
//!
//! Computing the page takes a dozen queries and a few milliseconds; it is asked for far more
//! often than the couples' data changes. So each counselor's computed rows are kept in
//! [`DashboardCache`] together with the stamp they were computed from (every active
//! couple's id and `data_version`, which database triggers bump on any change the
//! dashboard shows) and the instant the figures would move on by themselves (a partner's
//! midnight, a session starting). A request reads the stamp (one index-only query) and
//! reuses the rows only if the stamp is the same and that instant has not come.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use maud::Markup;
use serde::Deserialize;

use crate::auth::Counselor;
use crate::db::{self, audit::NewAudit};
use crate::db::{dashboard::Stamp, DbConnection};
use crate::domain::attention::{Flag, Thresholds};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::dashboard::{flag_counts, next_change, summarize, CoupleSummary};
use crate::error::AppError;
use crate::views::{self, dashboard::DashboardPage, Ctx};
use crate::web::{html, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard", web::get().to(show));
}

/// One counselor's computed dashboard.
pub struct Snapshot {
    stamp: Stamp,
    tz: Tz,
    /// When its stamp was read: it holds everything committed before then.
    read_at: Instant,
    until: DateTime<Utc>,
    pub rows: Vec<CoupleSummary>,
    /// Each couple's table rows, drawn once.
    pub drawn: Vec<Markup>,
    pub counts: Vec<(Flag, usize)>,
    /// The audit detail naming the couples shown.
    audit_detail: String,
}

impl Snapshot {
    /// Current for a request that read `stamp` and `tz` at `now`.
    fn fits(&self, stamp: &Stamp, tz: Tz, now: DateTime<Utc>) -> bool {
        now < self.until && self.tz == tz && self.stamp == *stamp
    }

    /// Computed from a read made after a request `arrived`: it shows everything committed
    /// before that request, so it may answer it even if its stamp has moved on since.
    fn newer_than(&self, arrived: Instant, now: DateTime<Utc>) -> bool {
        now < self.until && self.read_at >= arrived
    }
}

#[derive(Default)]
struct Slot {
    current: Mutex<Option<Arc<Snapshot>>>,
    /// Held while computing, so that a burst of requests after a change computes once.
    computing: tokio::sync::Mutex<()>,
}

/// Computed dashboards by counselor, shared by all workers of one process. Each process
/// checks the database's stamp on every request, so several processes (PostgreSQL
/// deployments) never show one another stale figures.
#[derive(Default)]
pub struct DashboardCache {
    slots: Mutex<HashMap<i32, Arc<Slot>>>,
}

/// Counselors kept at most; beyond this the cache starts again (a practice has far fewer).
const MAX_COUNSELORS: usize = 4096;

impl DashboardCache {
    fn slot(&self, counselor_id: i32) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= MAX_COUNSELORS && !slots.contains_key(&counselor_id) {
            slots.clear();
        }
        slots.entry(counselor_id).or_default().clone()
    }

    /// This counselor's dashboard as of `now`: reused if still current, computed if not.
    pub async fn current(
        &self,
        state: &State,
        counselor_id: i32,
        thresholds: Thresholds,
        now: DateTime<Utc>,
    ) -> Result<Arc<Snapshot>, AppError> {
        let slot = self.slot(counselor_id);
        let arrived = Instant::now();
        let (stamp, tz) = state
            .db
            .read(move |conn| Ok(stamp_and_tz(conn, counselor_id)?))
            .await?;
        let fresh = |slot: &Slot| {
            let current = slot.current.lock().unwrap_or_else(|e| e.into_inner());
            current
                .clone()
                .filter(|s| s.fits(&stamp, tz, now) || s.newer_than(arrived, now))
        };
        if let Some(s) = fresh(&slot) {
            return Ok(s);
        }
        let _computing = slot.computing.lock().await;
        // Someone else may have computed it while this request waited: under a stream of
        // changes, one computation then answers every request that queued behind it.
        if let Some(s) = fresh(&slot) {
            return Ok(s);
        }
        let severe_min = thresholds.severe_setback_min;
        let (stamp, tz, read_at, loaded) = state
            .db
            .read(move |conn| {
                // The stamp is read before the data: a change in between makes the stamp
                // older than the rows, which costs one more computation, never stale rows.
                let read_at = Instant::now();
                let (stamp, tz) = stamp_and_tz(conn, counselor_id)?;
                let loaded = db::dashboard::load(conn, counselor_id, now, severe_min)?;
                Ok((stamp, tz, read_at, loaded))
            })
            .await?;
        let rows = summarize(&loaded, &thresholds, now);
        let drawn = rows
            .iter()
            .map(|r| views::dashboard::couple_rows(r, tz))
            .collect();
        let shown: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
        let snapshot = Arc::new(Snapshot {
            stamp,
            tz,
            read_at,
            until: next_change(&loaded, now),
            counts: flag_counts(&rows),
            rows,
            drawn,
            audit_detail: format!("couples={}", shown.join(",")),
        });
        *slot.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(snapshot.clone());
        Ok(snapshot)
    }
}

fn stamp_and_tz(conn: &mut DbConnection, counselor_id: i32) -> QueryResult<(Stamp, Tz)> {
    Ok((
        db::dashboard::stamp(conn, counselor_id)?,
        db::counselors::time_zone(conn, counselor_id)?,
    ))
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    flag: Option<String>,
    q: Option<String>,
}

async fn show(
    state: State,
    ctx: Ctx,
    me: Counselor,
    q: Option<web::Query<DashboardQuery>>,
) -> Result<HttpResponse, AppError> {
    // Unknown or malformed filters are ignored: the whole dashboard is shown.
    let filter = q
        .as_ref()
        .and_then(|q| q.flag.as_deref().and_then(Flag::parse));
    let query: String = q
        .as_ref()
        .and_then(|q| q.q.as_deref())
        .map(|s| s.trim().chars().take(100).collect())
        .unwrap_or_default();
    let needle = query.to_lowercase();
    let thresholds = state.settings.thresholds();
    let snapshot = state
        .dashboards
        .current(&state, me.id, thresholds, Utc::now())
        .await?;
    // One audit row per view, naming the couples whose figures were shown.
    state
        .audit_view(
            NewAudit::new(
                ActorKind::Counselor,
                Some(me.id),
                AuditAction::DashboardView,
                &ctx.request_id,
            )
            .detail(snapshot.audit_detail.clone()),
        )
        .await?;
    // The alert banner is read on every view (one indexed query), outside the cache: it
    // also names paused and closed couples, which the cached rows leave out.
    let me_id = me.id;
    let alert_banner = state
        .db
        .read(move |conn| {
            let open = db::alerts::open_list(conn, Some(me_id))?;
            let tz = db::counselors::time_zone(conn, me_id)?;
            Ok(views::alerts::dashboard_banner(&open, tz))
        })
        .await?;
    let visible: Vec<&Markup> = snapshot
        .rows
        .iter()
        .zip(&snapshot.drawn)
        .filter(|(r, _)| filter.is_none_or(|f| r.has_flag(f)))
        .filter(|(r, _)| needle.is_empty() || r.label.to_lowercase().contains(&needle))
        .map(|(_, drawn)| drawn)
        .collect();
    Ok(html(views::dashboard::dashboard(
        &ctx,
        &DashboardPage {
            name: &me.name,
            rows: &visible,
            total: snapshot.rows.len(),
            counts: &snapshot.counts,
            filter,
            query: &query,
            needing: snapshot
                .rows
                .iter()
                .filter(|r| !r.urgency.is_calm())
                .count(),
            alert_banner,
        },
    )))
}
