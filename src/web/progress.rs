//! "Your progress": the partner's own trust ratings and kept promises, and the other
//! partner's ratings only where they were shared with this partner.

use actix_web::{web, HttpResponse};

use crate::auth::Partner;
use crate::db;
use crate::domain::audit_action::AuditAction;
use crate::domain::progress::window_start;
use crate::domain::promise::record;
use crate::domain::visibility::{entry_access, Access, EntryFacts, Viewer};
use crate::error::AppError;
use crate::views::progress::Progress;
use crate::views::{self, Ctx};
use crate::web::portal::{audit_view, event, today_for};
use crate::web::promises::RECORD_WEEKS;
use crate::web::{html, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/progress", web::get().to(show));
}

async fn show(state: State, ctx: Ctx, me: Partner) -> Result<HttpResponse, AppError> {
    let (my_id, couple_id) = (me.id, me.couple_id);
    let view = state
        .db
        .read(move |conn| {
            let partner = db::couples::partner_by_id(conn, my_id)?;
            let other = db::couples::other_partner(conn, couple_id, my_id)?;
            let today = today_for(&partner);
            let from = window_start(today);
            let mine_rows = db::partner_data::trust_points(conn, couple_id, my_id, from)?;
            let done = db::entries::submitted_pairs(conn, my_id)?;
            let mine = mine_rows
                .iter()
                .filter_map(|p| Some((p.day?, p.trust?)))
                .collect();
            let theirs = db::partner_data::trust_points(conn, couple_id, other.id, from)?
                .into_iter()
                .filter(|p| {
                    let facts = EntryFacts {
                        submitted: true,
                        visibility: p.visibility,
                        safety_check: false,
                        shared_journal: p.shared_journal,
                        paired_reveal: p.paired_reveal,
                    };
                    let pair = match (p.assignment_id, p.day) {
                        (Some(a), Some(d)) => done.contains(&(a, d)),
                        _ => false,
                    };
                    entry_access(Viewer::OtherPartner, &facts, pair) == Access::Visible
                })
                .filter_map(|p| Some((p.day?, p.trust?)))
                .collect();
            let lines: Vec<_> = db::promises::for_couple(conn, couple_id, None)?
                .iter()
                .filter(|p| p.promiser_id == my_id)
                .map(|p| p.line())
                .collect();
            Ok(Progress {
                from,
                today,
                mine,
                theirs,
                other_name: other.first_name().to_string(),
                promises: record(&lines, today, RECORD_WEEKS),
            })
        })
        .await?;
    audit_view(
        &state,
        event(&me, AuditAction::ProgressView, &ctx.request_id),
    )
    .await?;
    Ok(html(views::progress::page_for(&ctx, &view)))
}
