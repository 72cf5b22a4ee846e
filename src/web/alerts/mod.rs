//! Safety alerts, counselor side: the open-alerts page, one alert with the acknowledge
//! form, and the practice admin's practice-wide list and safety settings. Every couple's
//! alert is reached through `web::scope`, so another counselor's alert is a 404 and the
//! attempt is audited. Partners never reach any of this (the guards answer 404).

pub mod raise;
mod settings;

use actix_web::{web, HttpResponse};

use crate::auth::{Admin, Counselor};
use crate::db::{self, audit::NewAudit, DbConnection};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::safety::{concerning_prompts, AckForm};
use crate::domain::validation::Errors;
use crate::error::AppError;
use crate::views::alerts::{self, AlertPage};
use crate::views::Ctx;
use crate::web::portal::prompts_of;
use crate::web::scope::{counselor_tz, parse_id, view_couple, with_couple};
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/alerts", web::get().to(list))
        .route("/couples/{id}/alerts/{aid}", web::get().to(show))
        .route(
            "/couples/{id}/alerts/{aid}/acknowledge",
            web::post().to(acknowledge),
        )
        .route("/practice/alerts", web::get().to(practice_list))
        .configure(settings::configure);
}

async fn list(state: State, ctx: Ctx, me: Counselor) -> Result<HttpResponse, AppError> {
    let id = me.id;
    let (open, tz) = state
        .db
        .read(move |conn| {
            Ok((
                db::alerts::open_list(conn, Some(id))?,
                counselor_tz(conn, id)?,
            ))
        })
        .await?;
    state
        .audit_view(
            NewAudit::new(
                ActorKind::Counselor,
                Some(me.id),
                AuditAction::SafetyAlertsView,
                &ctx.request_id,
            )
            .detail("scope=own"),
        )
        .await?;
    Ok(html(alerts::list(&ctx, &open, tz, false)))
}

async fn practice_list(state: State, ctx: Ctx, admin: Admin) -> Result<HttpResponse, AppError> {
    let id = admin.0.id;
    let (open, tz) = state
        .db
        .read(move |conn| Ok((db::alerts::open_list(conn, None)?, counselor_tz(conn, id)?)))
        .await?;
    state
        .audit_view(
            NewAudit::new(
                ActorKind::Counselor,
                Some(id),
                AuditAction::SafetyAlertsView,
                &ctx.request_id,
            )
            .detail("scope=practice"),
        )
        .await?;
    Ok(html(alerts::list(&ctx, &open, tz, true)))
}

/// Everything one alert's page shows.
struct Loaded {
    label: String,
    partner_name: String,
    alert: db::alerts::AlertRow,
    prompts: Vec<crate::domain::answers::FormPrompt>,
    answers: Vec<(i32, String)>,
    submitted_at: Option<chrono::NaiveDateTime>,
    acknowledged_by: Option<String>,
    tz: chrono_tz::Tz,
}

fn load(
    conn: &mut DbConnection,
    me: i32,
    couple: &db::couples::CoupleRow,
    alert_id: i32,
) -> Result<Loaded, AppError> {
    let alert = db::alerts::find_in_couple(conn, couple.id, alert_id)?;
    let partner = db::couples::partner_by_id(conn, alert.partner_id)?;
    let (entry, exercise) = db::entries::find_in_couple(conn, couple.id, alert.entry_id)?;
    let acknowledged_by = match alert.acknowledged_by {
        Some(c) => Some(db::counselors::by_id(conn, c)?.display_name),
        None => None,
    };
    Ok(Loaded {
        label: couple.label.clone(),
        partner_name: partner.display_name,
        prompts: prompts_of(conn, exercise.id)?,
        answers: db::entries::answers(conn, entry.id)?,
        submitted_at: entry.submitted_at,
        acknowledged_by,
        alert,
        tz: counselor_tz(conn, me)?,
    })
}

fn render(ctx: &Ctx, couple_id: i32, l: &Loaded, form: &AckForm, errors: &Errors) -> maud::Markup {
    let concerning = concerning_prompts(&l.prompts, &l.answers);
    alerts::detail(
        ctx,
        &AlertPage {
            couple_id,
            couple_label: &l.label,
            partner_name: &l.partner_name,
            alert: &l.alert,
            prompts: &l.prompts,
            answers: &l.answers,
            concerning: &concerning,
            submitted_at: l.submitted_at,
            acknowledged_by: l.acknowledged_by.as_deref(),
            form,
            errors,
            tz: l.tz,
        },
    )
}

fn ids(path: &(String, String)) -> Result<(i32, i32), AppError> {
    Ok((parse_id(&path.0)?, parse_id(&path.1)?))
}

async fn show(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (couple_id, alert_id) = ids(&path)?;
    let (_, l) = view_couple(
        &state,
        me.id,
        couple_id,
        AuditAction::SafetyAlertView,
        &ctx.request_id,
        move |conn, c| load(conn, me.id, c, alert_id),
    )
    .await?;
    Ok(html(render(
        &ctx,
        couple_id,
        &l,
        &AckForm::default(),
        &Errors::default(),
    )))
}

async fn acknowledge(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (couple_id, alert_id) = ids(&path)?;
    let pairs = form_pairs(&body)?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let form = AckForm {
        action: get("action"),
        note: get("note"),
    };
    let ack = match form.validate() {
        Ok(a) => a,
        Err(errors) => {
            let (_, l) = view_couple(
                &state,
                me.id,
                couple_id,
                AuditAction::SafetyAlertView,
                &ctx.request_id,
                move |conn, c| load(conn, me.id, c, alert_id),
            )
            .await?;
            return Ok(html_invalid(render(&ctx, couple_id, &l, &form, &errors)));
        }
    };
    let request_id = ctx.request_id.clone();
    let recorded = with_couple(
        &state,
        me.id,
        couple_id,
        AuditAction::SafetyAlertAcknowledge,
        &ctx.request_id,
        move |conn, c| {
            // A miss (another couple's alert id) is a 404 like any other.
            db::alerts::find_in_couple(conn, c.id, alert_id)?;
            let done = db::alerts::acknowledge(conn, c.id, alert_id, me.id, &ack, db::now())?;
            if done {
                db::audit::record(
                    conn,
                    &NewAudit::new(
                        ActorKind::Counselor,
                        Some(me.id),
                        AuditAction::SafetyAlertAcknowledge,
                        &request_id,
                    )
                    .target("safety_alert", alert_id)
                    .couple(c.id)
                    .detail(format!("action={}", ack.action.as_str())),
                )?;
            }
            Ok(done)
        },
    )
    .await?;
    let notice = if recorded {
        "alert-acknowledged"
    } else {
        "alert-already-acknowledged"
    };
    Ok(see_other(&format!(
        "{}?notice={notice}",
        alerts::alert_href(couple_id, alert_id)
    )))
}
