//! Invitations: a single-use sign-in link emailed to each partner, valid for
//! `auth.invitation_expiry_hours`. The couple-creation handler calls
//! [`queue_invitations`] in its own transaction; counselors can resend from the couple page.

use actix_web::{web, HttpResponse};
use chrono::Duration;
use diesel::prelude::*;

use crate::auth::Counselor;
use crate::config::Settings;
use crate::db::outbox_queue::{self, NewEmail};
use crate::db::schema::partners;
use crate::db::{self, audit::NewAudit, sign_in_tokens, DbConnection};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::status::TokenPurpose;
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::partner_auth::link_for;
use crate::web::scope::{change_couple, Change};
use crate::web::{see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/couples/{id}/invite", web::post().to(invite));
}

/// Create an invitation token and queue the email for each of `partner_ids` that belongs to
/// `couple_id`; marks them invited. Runs in the caller's transaction. Returns the outbox ids.
pub fn queue_invitations(
    conn: &mut DbConnection,
    settings: &Settings,
    couple_id: i32,
    partner_ids: &[i32],
) -> QueryResult<Vec<i32>> {
    let hours = settings.auth.invitation_expiry_hours;
    let mut queued = Vec::new();
    for partner in db::couples::partners_of(conn, couple_id)? {
        if !partner_ids.contains(&partner.id) {
            continue;
        }
        let raw = sign_in_tokens::create(
            conn,
            partner.id,
            TokenPurpose::Invitation,
            Duration::hours(hours),
        )?;
        let counselor = db::partner_home::counselor_name(conn, couple_id)?;
        let body = views::emails::invitation(
            partner.first_name(),
            &counselor,
            &link_for(settings, &raw),
            hours,
        );
        queued.push(outbox_queue::queue(
            conn,
            &NewEmail {
                kind: "invitation",
                to_address: partner.email.clone(),
                to_name: partner.first_name().to_string(),
                subject: body.subject,
                body_text: body.text,
                body_html: body.html,
                unsubscribe_url: None,
                partner_id: Some(partner.id),
                expires_at: Some(db::now() + Duration::hours(hours)),
            },
        )?);
        let now = db::now();
        diesel::update(partners::table.find(partner.id))
            .set((partners::invited_at.eq(now), partners::updated_at.eq(now)))
            .execute(conn)?;
    }
    Ok(queued)
}

async fn invite(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let couple_id = path.into_inner();
    let settings = state.settings.clone();
    let request_id = ctx.request_id;
    let outcome = change_couple(
        &state,
        me.id,
        couple_id,
        AuditAction::CoupleInvite,
        &request_id.clone(),
        move |conn, couple| {
            let ids: Vec<i32> = db::couples::partners_of(conn, couple.id)?
                .iter()
                .map(|p| p.id)
                .collect();
            let queued = queue_invitations(conn, &settings, couple.id, &ids)?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(me.id),
                    AuditAction::CoupleInvite,
                    &request_id,
                )
                .target("couple", couple.id)
                .couple(couple.id)
                .detail(format!("emails={}", queued.len())),
            )?;
            Ok(())
        },
    )
    .await?;
    let notice = match outcome {
        Change::Done(()) => "invitations-sent",
        Change::Closed => "invitations-closed",
    };
    Ok(see_other(&format!("/couples/{couple_id}?notice={notice}")))
}
