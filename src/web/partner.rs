//! The partner's home, their list of entries, and settings.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::{password, Partner};
use crate::db::{self, couples::PartnerRow};
use crate::domain::audit_action::AuditAction;
use crate::domain::entry::plan_home;
use crate::domain::feed;
use crate::domain::reminder_plan;
use crate::domain::safety::partner_title;
use crate::domain::status::AssignmentStatus;
use crate::domain::validation::{self, Errors};
use crate::domain::visibility::{entry_access, Access, Viewer};
use crate::error::AppError;
use crate::views::partner::{DoneItem, DueItem, HeldBack, Home, ReminderForm};
use crate::views::{self, Ctx};
use crate::web::portal::{audit_view, event, title_for_partner, today_for};
use crate::web::promises;
use crate::web::{html, html_invalid, see_other, State};

/// How many of the practice's own zones the picker lists first.
const COMMON_ZONES: usize = 6;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(home))
        .route("/me/entries", web::get().to(history))
        .route("/me/settings", web::get().to(settings))
        .route("/me/settings/password", web::post().to(set_password))
        .route("/me/settings/reminders", web::post().to(set_reminders));
}

async fn home(state: State, ctx: Ctx, me: Partner) -> Result<HttpResponse, AppError> {
    let who = me.clone();
    let my_id = me.id;
    let couple_id = me.couple_id;
    let view = state
        .db
        .read(move |conn| {
            let partner = db::couples::partner_by_id(conn, my_id)?;
            let couple = db::couples::by_id(conn, couple_id)?;
            let today = today_for(&partner);
            let slot = partner.slot;
            let assignments: Vec<_> = db::assignments::for_couple(conn, couple_id)?
                .into_iter()
                .filter(|a| a.is_for_slot(&slot) && a.status != AssignmentStatus::Ended)
                .collect();
            let ids: Vec<i32> = assignments.iter().map(|a| a.id).collect();
            let pauses = db::assignments::pauses_for(conn, &ids)?;
            let mut titles = HashMap::new();
            for a in &assignments {
                if let std::collections::hash_map::Entry::Vacant(v) = titles.entry(a.id) {
                    let x = db::exercises::by_id(conn, a.exercise_id)?;
                    v.insert(partner_title(&x.title, x.safety_check, &a.partner_title).to_string());
                }
            }
            let schedules: Vec<_> = assignments
                .iter()
                .map(|a| (a.id, a.schedule(&pauses)))
                .collect();
            let done = db::entries::submitted_pairs(conn, my_id)?;
            let drafts = db::entries::draft_pairs(conn, my_id)?;
            let plan = plan_home(&schedules, &done, today);
            let item = |o: &crate::domain::entry::Owed| DueItem {
                assignment_id: o.assignment_id,
                date: o.date,
                title: titles.get(&o.assignment_id).cloned().unwrap_or_default(),
                has_draft: drafts.contains(&(o.assignment_id, o.date)),
            };
            let mut recent = Vec::new();
            for (e, x) in db::entries::own(conn, my_id, 8)?
                .into_iter()
                .filter(|(e, _)| e.is_submitted())
            {
                recent.push(DoneItem {
                    entry_id: e.id,
                    title: title_for_partner(conn, couple_id, &x, e.assignment_id)?,
                    day: e.day(),
                    draft: false,
                });
            }
            let tz = partner.tz();
            let next_session = db::partner_home::next_session(conn, couple_id, db::now())?.map(
                |(starts, minutes)| {
                    let local = starts.and_utc().with_timezone(&tz);
                    (local.format("%A %-d %B at %H:%M").to_string(), minutes)
                },
            );
            let other = db::couples::other_partner(conn, couple_id, my_id)?;
            let since = db::now() - chrono::Duration::days(feed::FEED_DAYS);
            let feed = feed::arrange(
                db::feed::candidates(conn, couple_id, my_id, other.id, since)?,
                feed::FEED_LIMIT,
            );
            let (promises_to_rate, promise_note_choice) = promises::to_rate(conn, &who, today)?;
            Ok(Home {
                promises_to_rate,
                promise_note_choice,
                feed,
                other_name: other.first_name().to_string(),
                tz,
                first_name: partner.first_name().to_string(),
                today,
                overdue: plan.overdue.iter().map(&item).collect(),
                due_today: plan.today.iter().map(&item).collect(),
                this_week: plan.this_week.iter().map(&item).collect(),
                recent,
                confidentiality: couple.confidentiality(),
                counselor: db::partner_home::counselor_name(conn, couple_id)?,
                next_session,
            })
        })
        .await?;
    audit_view(
        &state,
        event(&me, AuditAction::PartnerHomeView, &ctx.request_id),
    )
    .await?;
    Ok(html(views::partner::home(&ctx, &view)))
}

async fn history(state: State, ctx: Ctx, me: Partner) -> Result<HttpResponse, AppError> {
    let (my_id, couple_id) = (me.id, me.couple_id);
    let (today, own, other_name, shared, held) = state
        .db
        .read(move |conn| {
            let partner = db::couples::partner_by_id(conn, my_id)?;
            let other = db::couples::other_partner(conn, couple_id, my_id)?;
            let mut own = Vec::new();
            for (e, x) in db::entries::own(conn, my_id, 200)? {
                own.push(DoneItem {
                    entry_id: e.id,
                    title: title_for_partner(conn, couple_id, &x, e.assignment_id)?,
                    day: e.day(),
                    draft: !e.is_submitted(),
                });
            }
            let mine_done = db::entries::submitted_pairs(conn, my_id)?;
            let mut shared = Vec::new();
            let mut held = Vec::new();
            for (e, x) in db::entries::shared_by(conn, couple_id, other.id, 200)? {
                let pair = match (e.assignment_id, e.occurrence_date) {
                    (Some(a), Some(d)) => mine_done.contains(&(a, d)),
                    _ => false,
                };
                match entry_access(Viewer::OtherPartner, &e.facts(&x), pair) {
                    Access::Visible => shared.push(DoneItem {
                        entry_id: e.id,
                        title: x.title,
                        day: e.day(),
                        draft: false,
                    }),
                    Access::HeldBack => {
                        // Offer the partner's own form only if it is assigned to them too.
                        let href = match (e.assignment_id, e.occurrence_date) {
                            (Some(a), Some(d)) => {
                                db::assignments::find_in_couple(conn, couple_id, a)
                                    .ok()
                                    .filter(|a| a.is_for_slot(&partner.slot))
                                    .map(|a| format!("/me/do/{}/{}", a.id, d.format("%Y-%m-%d")))
                            }
                            _ => None,
                        };
                        held.push(HeldBack {
                            title: x.title,
                            day: e.day(),
                            href,
                        })
                    }
                    Access::Hidden => {}
                }
            }
            Ok((
                today_for(&partner),
                own,
                other.first_name().to_string(),
                shared,
                held,
            ))
        })
        .await?;
    audit_view(
        &state,
        event(&me, AuditAction::PartnerEntriesView, &ctx.request_id),
    )
    .await?;
    Ok(html(views::partner::history(
        &ctx,
        today,
        &own,
        &other_name,
        &shared,
        &held,
    )))
}

async fn settings(state: State, ctx: Ctx, me: Partner) -> Result<HttpResponse, AppError> {
    let id = me.id;
    let (p, zones) = state
        .db
        .read(move |conn| {
            Ok((
                db::couples::partner_by_id(conn, id)?,
                db::partner_home::common_zones(conn, COMMON_ZONES)?,
            ))
        })
        .await?;
    Ok(html(views::partner::settings(
        &ctx,
        &p.email,
        p.password_hash.is_some(),
        &reminder_form_of(&p, zones),
        &Errors::default(),
    )))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

async fn set_password(
    state: State,
    ctx: Ctx,
    me: Partner,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let id = me.id;
    let p = state
        .db
        .read(move |conn| Ok(db::couples::partner_by_id(conn, id)?))
        .await?;
    let mut errors = Errors::default();
    if let Err(e) = password::check_new(&form.password) {
        errors.add("password", e);
    } else if form.password != form.password_confirm {
        errors.add("password_confirm", "The two passwords are not the same.");
    }
    let stored = p.password_hash.clone();
    let current = form.current_password.clone();
    let new_password = form.password.clone();
    let checked = web::block(move || {
        let current_ok = match &stored {
            Some(h) => current.len() <= 1024 && password::verify(&current, h),
            None => true,
        };
        let hash = current_ok.then(|| password::hash(&new_password));
        (current_ok, hash)
    })
    .await
    .map_err(|e| anyhow::Error::new(e).context("Failed to check a password"))?;
    if !checked.0 {
        errors.add("current_password", "This is not your current password.");
    }
    if !errors.is_empty() {
        return Ok(html_invalid(views::partner::settings(
            &ctx,
            &p.email,
            p.password_hash.is_some(),
            &reminder_form_of(&p, Vec::new()),
            &errors,
        )));
    }
    let hash = checked
        .1
        .ok_or_else(|| anyhow::anyhow!("The new password was not hashed"))?
        .map_err(|e| e.context("Failed to hash the new password"))?;
    let request_id = ctx.request_id.clone();
    state
        .db
        .write(move |conn| {
            use crate::db::schema::partners;
            use diesel::prelude::*;
            diesel::update(partners::table.find(me.id))
                .set((
                    partners::password_hash.eq(Some(hash)),
                    partners::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
            db::audit::record(
                conn,
                &event(&me, AuditAction::PartnerPasswordSet, &request_id),
            )?;
            Ok(())
        })
        .await?;
    Ok(see_other("/me/settings?notice=password-set"))
}

/// The stored reminder settings as the form shows them.
fn reminder_form_of(p: &PartnerRow, common_zones: Vec<String>) -> ReminderForm {
    let hour = |h: Option<i32>| h.map(|h| h.to_string()).unwrap_or_default();
    ReminderForm {
        email: p.email.clone(),
        enabled: p.reminders_enabled,
        hour: p.reminder_hour.to_string(),
        quiet_start: hour(p.quiet_start_hour),
        quiet_end: hour(p.quiet_end_hour),
        time_zone: p.time_zone.clone(),
        titles: p.reminder_titles,
        share_notices: p.share_notices,
        common_zones,
    }
}

#[derive(Deserialize)]
pub struct ReminderSettingsForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    reminders: Option<String>,
    #[serde(default)]
    reminder_hour: String,
    #[serde(default)]
    quiet_start: String,
    #[serde(default)]
    quiet_end: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    reminder_titles: Option<String>,
    #[serde(default)]
    share_notices: Option<String>,
}

async fn set_reminders(
    state: State,
    ctx: Ctx,
    me: Partner,
    form: web::Form<ReminderSettingsForm>,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    let mut errors = Errors::default();
    let email = validation::email(&mut errors, "email", &f.email);
    let hour = reminder_plan::parse_hour(&f.reminder_hour)
        .map_err(|e| errors.add("reminder_hour", e))
        .ok();
    let quiet = reminder_plan::parse_quiet(&f.quiet_start, &f.quiet_end)
        .map_err(|e| {
            let field = if f.quiet_start.trim().is_empty() {
                "quiet_start"
            } else {
                "quiet_end"
            };
            errors.add(field, e)
        })
        .ok();
    if let (Some(h), Some(q)) = (hour, quiet) {
        if let Err(e) = reminder_plan::check_hour_outside_quiet(h, q) {
            errors.add("reminder_hour", e);
        }
    }
    let tz = validation::time_zone(&mut errors, "time_zone", &f.time_zone);
    let enabled = f.reminders.is_some();
    let titles = f.reminder_titles.is_some();
    let share_notices = f.share_notices.is_some();
    let (Some(hour), Some(quiet), Some(tz), true) = (hour, quiet, tz, errors.is_empty()) else {
        let id = me.id;
        let p = state
            .db
            .read(move |conn| Ok(db::couples::partner_by_id(conn, id)?))
            .await?;
        let typed = ReminderForm {
            email: f.email.chars().take(300).collect(),
            enabled,
            hour: f.reminder_hour,
            quiet_start: f.quiet_start,
            quiet_end: f.quiet_end,
            time_zone: f.time_zone,
            titles,
            share_notices,
            common_zones: Vec::new(),
        };
        return Ok(html_invalid(views::partner::settings(
            &ctx,
            &p.email,
            p.password_hash.is_some(),
            &typed,
            &errors,
        )));
    };
    let request_id = ctx.request_id.clone();
    state
        .db
        .write(move |conn| {
            use crate::db::schema::partners;
            use diesel::prelude::*;
            db::couples::lock_for_change(conn, me.couple_id)?;
            let before = db::couples::partner_by_id(conn, me.id)?;
            diesel::update(partners::table.find(me.id))
                .set((
                    partners::email.eq(&email),
                    partners::reminders_enabled.eq(enabled),
                    partners::reminder_hour.eq(hour as i32),
                    partners::quiet_start_hour.eq(quiet.map(|q| q.0 as i32)),
                    partners::quiet_end_hour.eq(quiet.map(|q| q.1 as i32)),
                    partners::time_zone.eq(tz.name()),
                    partners::reminder_titles.eq(titles),
                    partners::share_notices.eq(share_notices),
                    partners::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
            // The detail names what changed, never the address itself.
            db::audit::record(
                conn,
                &event(&me, AuditAction::PartnerSettingsReminders, &request_id).detail(format!(
                    "enabled={enabled} hour={hour} quiet={} time_zone={} email_changed={} titles={titles} share_notices={share_notices}",
                    quiet.map_or("none".to_string(), |(a, b)| format!("{a}-{b}")),
                    tz.name(),
                    before.email != email
                )),
            )?;
            Ok(())
        })
        .await?;
    Ok(see_other("/me/settings?notice=reminders-saved"))
}
