//! The counselor's home page.

use actix_web::{web, HttpResponse};
use maud::html;

use crate::auth::Counselor;
use crate::error::AppError;
use crate::views::{page, Ctx};
use crate::web::html;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard", web::get().to(show));
}

async fn show(ctx: Ctx, me: Counselor) -> Result<HttpResponse, AppError> {
    Ok(html(page(
        &ctx,
        "Dashboard",
        html! {
            h1 { "Good to see you, " (me.name) }
            div.empty-state {
                p { "Your caseload will appear here." }
                a.btn.btn-primary href="/exercises" { "Browse the exercise library" }
            }
        },
    )))
}
