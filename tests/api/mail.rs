//! The practice's email page: retry every failed message at once, the oldest waiting
//! message's age, and the link expiry carried by sign-in and invitation emails.

use diesel::prelude::*;
use reqwest::StatusCode;
use trellis::db::schema::{audit_log, email_outbox};
use trellis::domain::status::OutboxStatus;

use crate::helpers::{location, spawn_app, ADMIN_EMAIL};
use crate::portal::create_couple;

#[tokio::test]
async fn retry_all_failed_requeues_every_failed_message_and_is_audited() {
    // Arrange: two invitations, both failed.
    let app = spawn_app().await;
    app.setup_admin().await;
    create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    app.sql("UPDATE email_outbox SET status = 'failed', attempts = 8, last_error = '550 no'");
    let (status, page) = app.get_html("/practice/mail").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Retry all failed"), "{page}");
    assert!(page.contains("Oldest waiting message"), "{page}");

    // Act: without a CSRF token nothing changes; with one every failed row goes back.
    let forged = app.post_raw("/practice/mail/retry-failed", &[]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(failed(&app), 2);
    let r = app.post_form("/practice/mail/retry-failed", &[]).await;

    // Assert
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/practice/mail?retried_all=2");
    assert_eq!(failed(&app), 0);
    let rows: Vec<(String, i32)> = app
        .db
        .read_blocking(|conn| {
            Ok(email_outbox::table
                .select((email_outbox::status, email_outbox::attempts))
                .load(conn)?)
        })
        .unwrap();
    assert_eq!(rows, vec![(OutboxStatus::Pending.to_string(), 0); 2]);
    let audited: i64 = app
        .db
        .read_blocking(|conn| {
            Ok(audit_log::table
                .filter(audit_log::action.eq("email.retry_all"))
                .count()
                .get_result(conn)?)
        })
        .unwrap();
    assert_eq!(audited, 1);
    let (_, page) = app.get_html("/practice/mail?retried_all=2").await;
    assert!(page.contains("2 messages are queued again"), "{page}");
}

#[tokio::test]
async fn sign_in_and_invitation_emails_carry_their_link_expiry() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let before = trellis::db::now();
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    let visitor = app.other_browser();
    visitor.get_html("/sign-in").await;
    let r = visitor
        .post_form("/sign-in/link", &[("link_email", "sam@example.org")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let after = trellis::db::now();

    let partner = couple.a;
    let rows: Vec<(String, Option<chrono::NaiveDateTime>)> = app
        .db
        .read_blocking(move |conn| {
            Ok(email_outbox::table
                .filter(email_outbox::partner_id.eq(partner))
                .order(email_outbox::id.asc())
                .select((email_outbox::kind, email_outbox::expires_at))
                .load(conn)?)
        })
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let within = |expires: Option<chrono::NaiveDateTime>, valid: chrono::Duration| {
        let expires = expires.expect("an expiry");
        expires >= before + valid && expires <= after + valid
    };
    let invitation_valid = chrono::Duration::hours(app.settings.auth.invitation_expiry_hours);
    let link_valid = chrono::Duration::minutes(app.settings.auth.sign_in_link_expiry_minutes);
    assert_eq!(rows[0].0, "invitation");
    assert!(within(rows[0].1, invitation_valid), "{rows:?}");
    assert_eq!(rows[1].0, "sign_in_link");
    assert!(within(rows[1].1, link_valid), "{rows:?}");
}

fn failed(app: &crate::helpers::TestApp) -> i64 {
    app.db
        .read_blocking(|conn| {
            Ok(email_outbox::table
                .filter(email_outbox::status.eq(OutboxStatus::Failed))
                .count()
                .get_result(conn)?)
        })
        .unwrap()
}
