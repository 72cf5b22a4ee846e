//! The stylesheet, embedded in the binary and served with a long cache lifetime; its URL
//! carries a content hash so a new build is fetched at once.

use actix_web::{web, HttpResponse};

pub use crate::views::assets::{
    ICON_PATH, QUICK_EXIT_SCRIPT_PATH, STYLESHEET_PATH, TZ_SCRIPT_PATH,
};

const STYLESHEET: &str = include_str!("../assets/style.css");
const ICON: &str = include_str!("../assets/icon.svg");
const QUICK_EXIT_SCRIPT: &str = include_str!("../assets/quick-exit.js");
const TZ_SCRIPT: &str = include_str!("../assets/tz.js");

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(STYLESHEET_PATH, web::get().to(stylesheet))
        .route(ICON_PATH, web::get().to(icon))
        .route(QUICK_EXIT_SCRIPT_PATH, web::get().to(quick_exit_script))
        .route(TZ_SCRIPT_PATH, web::get().to(tz_script))
        // Browsers and feed readers ask for it whatever the page says.
        .route("/favicon.ico", web::get().to(icon));
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(STYLESHEET)
}

async fn icon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(ICON)
}

async fn quick_exit_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(QUICK_EXIT_SCRIPT)
}

async fn tz_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(TZ_SCRIPT)
}
