//! Settings at the edges of their ranges: the largest value of every numeric setting serves
//! signed-in requests without a panic, and a value outside its range stops the binary at
//! start-up with one line naming the key and the range.

use chrono::Utc;
use reqwest::StatusCode;
use trellis::config::ranges;

use crate::helpers::{location, spawn_app_with, ADMIN_EMAIL};
use crate::portal::{answers, assign, create_couple, post, sign_in_partner, today};

#[tokio::test]
async fn every_setting_at_the_top_of_its_range_serves_signed_in_requests() {
    let app = spawn_app_with(|s| {
        s.server.workers = *ranges::WORKERS.end();
        s.database.pool_size = *ranges::POOL_SIZE.end();
        s.auth.idle_timeout_minutes = *ranges::IDLE_TIMEOUT_MINUTES.end();
        s.auth.absolute_timeout_hours = *ranges::ABSOLUTE_TIMEOUT_HOURS.end();
        s.auth.invitation_expiry_hours = *ranges::INVITATION_EXPIRY_HOURS.end();
        s.auth.sign_in_link_expiry_minutes = *ranges::SIGN_IN_LINK_EXPIRY_MINUTES.end();
        s.auth.sign_in_links_per_hour = *ranges::RATE_LIMIT.end();
        s.auth.login_attempts_per_window = *ranges::RATE_LIMIT.end();
        s.entries.edit_window_hours = *ranges::EDIT_WINDOW_HOURS.end();
        s.attention.severe_setback_min = *ranges::SEVERITY.end();
        s.attention.trust_drop = *ranges::TRUST_POINTS.end();
        s.attention.trust_gap = *ranges::TRUST_POINTS.end();
        s.attention.silence_days = *ranges::SILENCE_DAYS.end();
        s.attention.overdue_min = *ranges::OVERDUE_MIN.end();
        s.email.smtp_port = *ranges::SMTP_PORT.end();
        s.email.max_attempts = *ranges::MAX_ATTEMPTS.end();
        s.email.lease_seconds = *ranges::LEASE_SECONDS.end();
        s.email.smtp_connections = *ranges::SMTP_CONNECTIONS.end();
        s.reminders.interval_seconds = *ranges::INTERVAL_SECONDS.end();
        s.reminders.default_hour = *ranges::HOUR.end();
        s.reminders.digest_hour = *ranges::HOUR.end();
    })
    .await;
    app.settings
        .validate()
        .expect("the top of every range is valid");

    // The counselor: every signed-in request checks the session's idle and absolute age.
    let r = app.setup_admin().await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, page) = app.get_html("/dashboard").await;
    assert_eq!(status, StatusCode::OK, "{page}");

    // An invitation (expiry in hours) signs the partner in.
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    let aid = assign(&app, couple.id, "trust-check-in", "both", "");
    let sam = app.other_browser();
    sign_in_partner(&sam, couple.a).await;
    let (status, _) = sam.get_html("/me").await;
    assert_eq!(status, StatusCode::OK);

    // An entry, then an edit inside the (longest) edit window.
    let path = format!("/me/do/{aid}/{}", today());
    sam.get_html(&path).await;
    let mut fields = answers(&app, "trust-check-in", "First version");
    fields.push(("intent".into(), "submit".into()));
    let r = post(&sam, &path, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, form) = sam.get_html(&path).await;
    assert_eq!(status, StatusCode::OK, "still editable: {form}");
    assert!(form.contains("First version"));

    // A sign-in link asked for by email (expiry in minutes) signs in another browser.
    let visitor = app.other_browser();
    visitor.get_html("/sign-in").await;
    let r = visitor
        .post_form("/sign-in/link", &[("link_email", "alex@example.org")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    sign_in_partner(&visitor, couple.b).await;
    let (status, _) = visitor.get_html("/me").await;
    assert_eq!(status, StatusCode::OK);

    // The counselor's pages with every attention threshold at its top.
    let (status, page) = app.get_html("/dashboard").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _) = app
        .get_html(&format!("/couples/{}/timeline", couple.id))
        .await;
    assert_eq!(status, StatusCode::OK);

    // The planner's pass and housekeeping compute their cut-offs from the same settings.
    let now = Utc::now();
    trellis::scheduler::plan_pass(&app.db, &app.settings, now).expect("plan pass");
    trellis::scheduler::housekeeping(&app.db, &app.settings, now).expect("housekeeping");
    let (status, _) = app.get_html("/dashboard").await;
    assert_eq!(status, StatusCode::OK, "the session outlived housekeeping");
    let r = app.logout().await;
    assert!(location(&r).starts_with("/login"), "{}", location(&r));
}

/// Runs the real binary with one extra environment variable; returns its exit success and
/// standard error.
fn start_with(key: &str, value: &str) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!(
        "trellis-settings-{}",
        crate::helpers::random_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trellis"))
        .arg("migrate")
        .current_dir(&dir)
        .env(
            "TRELLIS__DATABASE__URL",
            format!("sqlite://{}", dir.join("trellis.db").display()),
        )
        .env(key, value)
        .output()
        .expect("run the trellis binary");
    std::fs::remove_dir_all(&dir).ok();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_setting_outside_its_range_stops_start_up_with_one_line() {
    for (key, value, line) in [
        (
            "TRELLIS__AUTH__IDLE_TIMEOUT_MINUTES",
            "0",
            "auth.idle_timeout_minutes = 0 is outside 1..=1440",
        ),
        (
            "TRELLIS__AUTH__ABSOLUTE_TIMEOUT_HOURS",
            "9223372036854775807",
            "auth.absolute_timeout_hours = 9223372036854775807 is outside 1..=168",
        ),
        (
            "TRELLIS__AUTH__INVITATION_EXPIRY_HOURS",
            "-5",
            "auth.invitation_expiry_hours = -5 is outside 1..=720",
        ),
        (
            "TRELLIS__SERVER__WORKERS",
            "5000",
            "server.workers = 5000 is outside 0..=64",
        ),
        (
            "TRELLIS__EMAIL__LEASE_SECONDS",
            "-1",
            "email.lease_seconds = -1 is outside 10..=3600",
        ),
    ] {
        let (ok, stderr) = start_with(key, value);
        assert!(!ok, "{key}={value} started");
        assert_eq!(
            stderr,
            format!("trellis: invalid configuration: {line}\n"),
            "{key}={value}"
        );
    }
    // The loader itself is not the reason: an in-range value starts (and migrates).
    let (ok, stderr) = start_with("TRELLIS__AUTH__IDLE_TIMEOUT_MINUTES", "1440");
    assert!(ok, "{stderr}");
}
