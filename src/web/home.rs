//! `/`: sends each visitor where they belong.

use actix_web::{web, HttpResponse};

use crate::auth::{UserKind, Visitor};
use crate::db;
use crate::error::AppError;
use crate::web::{see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home));
}

async fn home(state: State, visitor: Visitor) -> Result<HttpResponse, AppError> {
    Ok(match visitor.0.map(|i| i.kind) {
        Some(UserKind::Counselor) => see_other("/dashboard"),
        Some(UserKind::Partner) => see_other("/me"),
        None => {
            let counselors = state.db.read(|c| Ok(db::counselors::count(c)?)).await?;
            if counselors == 0 {
                see_other("/setup")
            } else {
                see_other("/login")
            }
        }
    })
}
