//! "Download my entries": the signed-in partner's own data as a CSV file, audited.

use actix_web::{web, HttpResponse};

use crate::auth::Partner;
use crate::db;
use crate::domain::audit_action::AuditAction;
use crate::error::AppError;
use crate::export::{csv_writer, partner_csv};
use crate::views::Ctx;
use crate::web::csv_stream::csv_response;
use crate::web::portal::event;
use crate::web::State;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/download.csv", web::get().to(download));
}

async fn download(state: State, ctx: Ctx, me: Partner) -> Result<HttpResponse, AppError> {
    let who = me.clone();
    let request_id = ctx.request_id.clone();
    // A partner's own data is small; it is read in one go and the audit row is written in
    // the same step, before any of it leaves.
    let bytes = state
        .db
        .write(move |conn| {
            let partner = db::couples::partner_by_id(conn, who.id)?;
            let mut out = csv_writer(Vec::new());
            let rows = partner_csv(conn, who.couple_id, who.id, partner.tz(), &mut out)?;
            db::audit::record(
                conn,
                &event(&who, AuditAction::PartnerDownload, &request_id)
                    .detail(format!("rows={rows}")),
            )?;
            Ok(out.into_inner().map_err(|e| {
                anyhow::Error::new(e.into_error()).context("Failed to finish the CSV")
            })?)
        })
        .await?;
    Ok(csv_response("my-trellis-entries.csv").body(bytes))
}
