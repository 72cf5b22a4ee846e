//! The counselor's timeline of one couple, flagging entries for the next session, and
//! comments the writing partner sees. Every query is scoped through `web::scope`.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::auth::{token, Counselor};
use crate::db::entries::TimelineFilter;
use crate::db::setbacks::SetbackFilter;
use crate::db::{self, audit::NewAudit, couples::CoupleRow, DbConnection};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::validation::{required_text, Errors};
use crate::domain::visibility::{entry_access, Access, Viewer};
use crate::error::AppError;
use crate::views::timeline::{Filters, Item, Timeline};
use crate::views::Ctx;
use crate::web::portal::prompts_of;
use crate::web::scope::{counselor_tz, view_couple, with_couple};
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub use crate::views::timeline::timeline_link;

/// Most items shown at once.
const LIMIT: i64 = 200;
const COMMENT_MAX: usize = 2000;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/couples/{id}/timeline", web::get().to(show))
        .route("/couples/{id}/entries/{eid}/flag", web::post().to(flag))
        .route(
            "/couples/{id}/entries/{eid}/comments",
            web::post().to(comment),
        );
}

#[derive(Debug, Default, Deserialize)]
pub struct Query {
    partner: Option<String>,
    exercise: Option<String>,
    from: Option<String>,
    to: Option<String>,
    flagged: Option<String>,
}

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
}

struct Loaded {
    label: String,
    partners: Vec<(i32, String)>,
    exercises: Vec<(i32, String)>,
    items: Vec<Item>,
    truncated: bool,
    tz: chrono_tz::Tz,
}

/// The timeline of `couple`, already scoped to `counselor_id` by `web::scope`.
fn load(
    conn: &mut DbConnection,
    counselor_id: i32,
    couple: &CoupleRow,
    q: &Query,
) -> Result<Loaded, AppError> {
    let partners: Vec<(i32, String)> = db::couples::partners_of(conn, couple.id)?
        .into_iter()
        .map(|p| (p.id, p.display_name))
        .collect();
    let partner_id = q
        .partner
        .as_deref()
        .and_then(|s| s.parse::<i32>().ok())
        .filter(|id| partners.iter().any(|(p, _)| p == id));
    let exercise = q.exercise.as_deref().unwrap_or("");
    let (from, to) = (date(&q.from), date(&q.to));
    let flagged_only = q.flagged.is_some();
    let mut items = Vec::new();
    let mut truncated = false;
    let name = |id: i32| {
        partners
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    if exercise != "setbacks" {
        let filter = TimelineFilter {
            partner_id,
            exercise_id: exercise.parse().ok(),
            from,
            to,
            flagged_only,
        };
        let rows = db::entries::timeline(conn, couple.id, &filter, LIMIT)?;
        truncated |= rows.len() as i64 == LIMIT;
        let ids: Vec<i32> = rows.iter().map(|(e, _)| e.id).collect();
        let answers = db::entries::answers_for(conn, &ids)?;
        let comments = db::entries::comments_for(conn, &ids)?;
        let alerted: std::collections::HashSet<i32> = db::alerts::for_couple(conn, couple.id)?
            .into_iter()
            .map(|a| a.entry_id)
            .collect();
        let mut prompts = HashMap::new();
        for (entry, x) in rows {
            if entry_access(Viewer::Counselor, &entry.facts(&x), false) != Access::Visible {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(v) = prompts.entry(x.id) {
                v.insert(prompts_of(conn, x.id)?);
            }
            let earlier_versions = if entry.version > 1 {
                db::entries::version_count(conn, entry.id)?
            } else {
                0
            };
            items.push(Item::Entry {
                author: name(entry.partner_id),
                prompts: prompts.get(&x.id).cloned().unwrap_or_default(),
                answers: answers
                    .iter()
                    .filter(|a| a.entry_id == entry.id)
                    .map(|a| (a.prompt_id, a.value.clone()))
                    .collect(),
                comments: comments
                    .iter()
                    .filter(|c| c.entry_id == entry.id)
                    .cloned()
                    .collect(),
                counselor_only: x.safety_check || alerted.contains(&entry.id),
                title: x.title,
                safety_check: x.safety_check,
                shared_journal: x.shared_journal,
                earlier_versions,
                entry,
            });
        }
    }
    if exercise.is_empty() || exercise == "setbacks" {
        let filter = SetbackFilter {
            partner_id,
            from,
            to,
            flagged_only,
        };
        let rows = db::setbacks::for_couple(conn, couple.id, &filter, LIMIT)?;
        truncated |= rows.len() as i64 == LIMIT;
        for note in rows {
            items.push(Item::Setback {
                author: name(note.partner_id),
                note,
            });
        }
    }
    items.sort_by_key(|i| std::cmp::Reverse(i.day()));
    Ok(Loaded {
        label: couple.label.clone(),
        partners,
        exercises: db::entries::exercises_used(conn, couple.id)?,
        items,
        truncated,
        tz: counselor_tz(conn, counselor_id)?,
    })
}

fn filters_of(q: &Query) -> Filters {
    Filters {
        partner: q.partner.clone().unwrap_or_default(),
        exercise: q.exercise.clone().unwrap_or_default(),
        from: date(&q.from).map(|d| d.to_string()).unwrap_or_default(),
        to: date(&q.to).map(|d| d.to_string()).unwrap_or_default(),
        flagged: q.flagged.is_some(),
    }
}

async fn show(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
    q: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let couple_id = path.into_inner();
    let q = q.into_inner();
    let filters = filters_of(&q);
    let (_, l) = view_couple(
        &state,
        me.id,
        couple_id,
        AuditAction::CoupleTimelineView,
        &ctx.request_id,
        move |conn, c| load(conn, me.id, c, &q),
    )
    .await?;
    Ok(html(crate::views::timeline::render(
        &ctx,
        &Timeline {
            couple_id,
            label: &l.label,
            partners: &l.partners,
            exercises: &l.exercises,
            filters: &filters,
            items: &l.items,
            truncated: l.truncated,
            comment_error: None,
            tz: l.tz,
            once: &token::generate(),
        },
    )))
}

/// The entry, only if it is a submitted entry of this counselor's couple (already scoped
/// by `web::scope`).
fn scoped_entry(
    conn: &mut DbConnection,
    couple: &CoupleRow,
    entry_id: i32,
) -> Result<i32, AppError> {
    let (entry, x) = db::entries::find_in_couple(conn, couple.id, entry_id)?;
    if entry_access(Viewer::Counselor, &entry.facts(&x), false) != Access::Visible {
        return Err(AppError::NotFound);
    }
    Ok(entry.id)
}

/// A safety check, or an entry that raised a safety alert: never for a joint session, and
/// nothing the partner would read is written on it.
fn safety_sensitive(
    conn: &mut DbConnection,
    couple: &CoupleRow,
    entry_id: i32,
) -> Result<bool, AppError> {
    let (_, x) = db::entries::find_in_couple(conn, couple.id, entry_id)?;
    Ok(x.safety_check || db::alerts::any_for_entry(conn, entry_id)?)
}

/// Record a refused attempt to put a safety entry on the agenda or to comment on it.
fn refuse(
    conn: &mut DbConnection,
    me: i32,
    couple: &CoupleRow,
    entry_id: i32,
    what: AuditAction,
    request_id: &str,
) -> Result<(), AppError> {
    db::audit::record(
        conn,
        &NewAudit::new(
            ActorKind::Counselor,
            Some(me),
            AuditAction::EntryAgendaRefused,
            request_id,
        )
        .target("entry", entry_id)
        .couple(couple.id)
        .detail(what.as_str()),
    )?;
    Ok(())
}

async fn flag(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(i32, i32)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (couple_id, entry_id) = path.into_inner();
    let pairs = form_pairs(&body)?;
    let on = pairs.iter().any(|(k, v)| k == "flagged" && v == "on");
    let action = if on {
        AuditAction::EntryFlag
    } else {
        AuditAction::EntryUnflag
    };
    let request_id = ctx.request_id.clone();
    let flagged_ok = with_couple(
        &state,
        me.id,
        couple_id,
        action,
        &ctx.request_id,
        move |conn, c| {
            let id = scoped_entry(conn, c, entry_id)?;
            // Taking a flag off is always allowed (entries flagged before this rule).
            if on && safety_sensitive(conn, c, id)? {
                refuse(conn, me.id, c, id, action, &request_id)?;
                return Ok(false);
            }
            db::entries::set_flag(conn, id, on)?;
            db::audit::record(
                conn,
                &NewAudit::new(ActorKind::Counselor, Some(me.id), action, &request_id)
                    .target("entry", id)
                    .couple(c.id),
            )?;
            Ok(true)
        },
    )
    .await?;
    if !flagged_ok {
        return Ok(see_other(&format!(
            "/couples/{couple_id}/timeline?notice=entry-not-for-session#entry-{entry_id}"
        )));
    }
    let notice = if on {
        "entry-flagged"
    } else {
        "entry-unflagged"
    };
    Ok(see_other(&format!(
        "/couples/{couple_id}/timeline?notice={notice}#entry-{entry_id}"
    )))
}

async fn comment(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(i32, i32)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (couple_id, entry_id) = path.into_inner();
    let pairs = form_pairs(&body)?;
    let field = format!("comment-{entry_id}");
    let text = pairs
        .iter()
        .find(|(k, _)| *k == field || k == "body")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let once = pairs
        .iter()
        .find(|(k, _)| k == "form_once")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    // One token per timeline page, claimed per entry: a comment on another entry from the
    // same page is not taken for a repeat.
    let claim_key = if once.is_empty() {
        String::new()
    } else {
        format!("{once}/entry-{entry_id}")
    };
    let mut errors = Errors::default();
    let body_text = required_text(&mut errors, &field, &text, COMMENT_MAX, "a comment");
    if !errors.is_empty() {
        let q = Query::default();
        let (_, l) = view_couple(
            &state,
            me.id,
            couple_id,
            AuditAction::CoupleTimelineView,
            &ctx.request_id,
            move |conn, c| {
                scoped_entry(conn, c, entry_id)?;
                load(conn, me.id, c, &q)
            },
        )
        .await?;
        return Ok(html_invalid(crate::views::timeline::render(
            &ctx,
            &Timeline {
                couple_id,
                label: &l.label,
                partners: &l.partners,
                exercises: &l.exercises,
                filters: &Filters::default(),
                items: &l.items,
                truncated: l.truncated,
                comment_error: Some((entry_id, text.as_str(), &errors)),
                tz: l.tz,
                once: &once,
            },
        )));
    }
    let request_id = ctx.request_id.clone();
    let created = with_couple(
        &state,
        me.id,
        couple_id,
        AuditAction::EntryComment,
        &ctx.request_id,
        move |conn, c| {
            let id = scoped_entry(conn, c, entry_id)?;
            if safety_sensitive(conn, c, id)? {
                refuse(conn, me.id, c, id, AuditAction::EntryComment, &request_id)?;
                return Ok(None);
            }
            if !db::forms::claim(conn, &claim_key)? {
                return Ok(Some(false));
            }
            let cid = db::entries::add_comment(conn, id, me.id, &body_text)?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(me.id),
                    AuditAction::EntryComment,
                    &request_id,
                )
                .target("entry", id)
                .couple(c.id)
                .detail(format!("comment={cid}")),
            )?;
            Ok(Some(true))
        },
    )
    .await?;
    let Some(created) = created else {
        return Ok(see_other(&format!(
            "/couples/{couple_id}/timeline?notice=entry-not-for-session#entry-{entry_id}"
        )));
    };
    if !created {
        return Ok(see_other(&format!(
            "/couples/{couple_id}/timeline?notice=already-submitted#entry-{entry_id}"
        )));
    }
    Ok(see_other(&format!(
        "/couples/{couple_id}/timeline?notice=comment-added#entry-{entry_id}"
    )))
}
