//! For load balancers and orchestrators. `/health` is liveness: the process answers HTTP
//! (it touches no database, so a database outage never gets a healthy process restarted).
//! `/ready` is readiness: this process can read and write the database right now (a read,
//! then a write inside a transaction that is rolled back); 503 with a short reason if not.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::error::RETRY_AFTER_SECONDS;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health))
        .route("/ready", web::get().to(ready));
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

async fn ready(state: crate::web::State) -> HttpResponse {
    let db = state.db.clone();
    let checked = match web::block(move || db.check_ready()).await {
        Ok(checked) => checked.map_err(|e| {
            let reason = e.reason();
            let e = anyhow::Error::new(e);
            tracing::warn!(error.cause_chain = ?e, reason, "not ready");
            reason
        }),
        Err(e) => {
            tracing::warn!(error = %e, "the readiness check did not finish");
            Err("readiness check did not finish")
        }
    };
    match checked {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Err(reason) => HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS))
            .body(format!("not ready: {reason}")),
    }
}
