//! Couples, assignments and sessions: forms, validation, access between counselors, audit.

use reqwest::StatusCode;

use crate::helpers::{hidden_value, location, spawn_app, TestApp};

pub const OTHER_EMAIL: &str = "bo@practice.test";
pub const OTHER_PASSWORD: &str = "another long passphrase";

pub async fn admin_app() -> TestApp {
    let app = spawn_app().await;
    app.setup_admin().await;
    app
}

pub fn couple_fields<'a>(label: &'a str, breach_by: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("label", label),
        ("a_name", "Sam Rivera"),
        ("a_email", "sam@example.org"),
        ("a_time_zone", "UTC"),
        ("b_name", "Alex Chen"),
        ("b_email", "alex@example.org"),
        ("b_time_zone", "UTC"),
        ("breach_by", breach_by),
        ("confidentiality", "no_secrets"),
        ("start_date", "2025-01-06"),
    ]
}

/// Create a couple through the form; returns its id.
pub async fn create_couple(app: &TestApp, label: &str, breach_by: &str) -> i32 {
    let (status, page) = app.get_html("/couples/new").await;
    assert_eq!(status, StatusCode::OK);
    let once = hidden_value(&page, "form_once").expect("form_once");
    let mut fields = couple_fields(label, breach_by);
    fields.push(("form_once", &once));
    let r = app.post_form("/couples/new", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "couple created");
    id_after(&location(&r), "/couples/")
}

fn id_after(loc: &str, prefix: &str) -> i32 {
    loc.strip_prefix(prefix)
        .and_then(|s| s.split(['?', '/']).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an id in {loc}"))
}

pub fn exercise_id(app: &TestApp, slug: &str) -> i32 {
    let slug = slug.to_string();
    app.db
        .read_blocking(move |conn| Ok(trellis::db::exercises::find_by_slug(conn, &slug)?.id))
        .expect("exercise")
}

/// Assign an exercise through the form; returns the response.
pub async fn assign(app: &TestApp, couple: i32, fields: &[(&str, &str)]) -> reqwest::Response {
    let (status, page) = app
        .get_html(&format!("/couples/{couple}/assignments/new"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let once = hidden_value(&page, "form_once").expect("form_once");
    let mut all = fields.to_vec();
    all.push(("form_once", &once));
    app.post_form(&format!("/couples/{couple}/assignments/new"), &all)
        .await
}

pub async fn assign_daily(app: &TestApp, couple: i32, slug: &str, start: &str) {
    let x = exercise_id(app, slug).to_string();
    let r = assign(
        app,
        couple,
        &[
            ("exercise_id", &x),
            ("assignee", "both"),
            ("cadence", "daily"),
            ("start_date", start),
            ("reminders", "on"),
            // Tests that start in the past mean every date from the start to be owed.
            ("past_owed", "all"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "assigned");
}

/// The admin plus a second counselor, signed in in their own browser.
pub async fn two_counselors() -> (TestApp, TestApp) {
    let app = admin_app().await;
    app.add_counselor("Bo Counselor", OTHER_EMAIL, OTHER_PASSWORD)
        .await;
    let other = app.other_browser();
    let r = other.login(OTHER_EMAIL, OTHER_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    (app, other)
}

pub fn audit_count(app: &TestApp, action: &str) -> i64 {
    let action = trellis::domain::audit_action::AuditAction::parse(action).expect("a known action");
    app.db
        .read_blocking(move |conn| Ok(trellis::db::audit::count_action(conn, action)?))
        .expect("audit count")
}

#[tokio::test]
async fn a_new_couple_appears_on_the_caseload_and_can_be_searched() {
    let app = admin_app().await;
    let (_, empty) = app.get_html("/couples").await;
    assert!(empty.contains("Add your first couple"));
    let id = create_couple(&app, "Rivera & <Chen>", "a").await;
    create_couple(&app, "Okafor", "unstated").await;

    let (status, page) = app.get_html(&format!("/couples/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Rivera &amp; &lt;Chen&gt;"), "label escaped");
    assert!(page.contains("Sam Rivera") && page.contains("alex@example.org"));
    assert!(page.contains("No secrets"));
    assert_eq!(audit_count(&app, "couple.create"), 2);
    assert!(audit_count(&app, "couple.view") >= 1);

    let (_, list) = app.get_html("/couples").await;
    assert!(list.contains("Okafor") && list.contains("Rivera"));
    let (_, found) = app.get_html("/couples?q=okaf").await;
    assert!(found.contains("Okafor") && found.contains(">1 couple<"));
    let (_, by_partner) = app.get_html("/couples?q=alex").await;
    assert!(by_partner.contains(">2 couples<"));
    let (status, none) = app.get_html("/couples?q=%25_%5C").await;
    assert_eq!(status, StatusCode::OK);
    assert!(none.contains("No couple matches"));
}

#[tokio::test]
async fn a_form_sent_twice_creates_one_couple() {
    let app = admin_app().await;
    let (_, page) = app.get_html("/couples/new").await;
    let once = hidden_value(&page, "form_once").unwrap();
    let mut fields = couple_fields("Twice", "a");
    fields.push(("form_once", &once));
    let first = app.post_form("/couples/new", &fields).await;
    let second = app.post_form("/couples/new", &fields).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&second), "/couples?notice=already-submitted");
    assert_eq!(app.count("couples"), 1);
    assert_eq!(app.count("partners"), 2);
}

#[tokio::test]
async fn an_invalid_couple_form_comes_back_with_messages_and_saves_nothing() {
    let app = admin_app().await;
    let (_, page) = app.get_html("/couples/new").await;
    let once = hidden_value(&page, "form_once").unwrap();
    let r = app
        .post_form(
            "/couples/new",
            &[
                ("label", "Kept <label>"),
                ("a_name", "Sam"),
                ("a_email", "not-an-email"),
                ("a_time_zone", "Mars/Olympus"),
                ("b_name", ""),
                ("b_email", "alex@example.org"),
                ("b_time_zone", "UTC"),
                ("breach_by", "a"),
                ("confidentiality", "no_secrets"),
                ("start_date", "2025-01-06"),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Kept &lt;label&gt;"),
        "input kept and escaped"
    );
    assert!(body.contains("does not look like an email address"));
    assert!(body.contains("Choose a time zone from the list"));
    assert!(
        body.contains("the second partner&#39;s name") || body.contains("second partner's name")
    );
    assert!(body.contains("id=\"b_name-error\""));
    assert_eq!(app.count("couples"), 0);
    assert_eq!(app.count("partners"), 0);
    // The token was not used: the corrected form goes through.
    let mut fields = couple_fields("Kept", "a");
    fields.push(("form_once", &once));
    let r = app.post_form("/couples/new", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn another_counselors_couple_is_not_found_and_the_attempt_is_audited() {
    let (admin, other) = two_counselors().await;
    let id = create_couple(&admin, "Private", "a").await;
    assign_daily(&admin, id, "daily-check-in", "2025-01-06").await;
    let aid: i32 = admin
        .db
        .read_blocking(move |conn| Ok(trellis::db::assignments::for_couple(conn, id)?[0].id))
        .unwrap();

    for path in [
        format!("/couples/{id}"),
        format!("/couples/{id}/edit"),
        format!("/couples/{id}/assignments/new"),
        format!("/couples/{id}/sessions/new"),
    ] {
        let (status, body) = other.get_html(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("Sam Rivera"));
    }
    other.get_html("/dashboard").await;
    for (path, fields) in [
        (format!("/couples/{id}/edit"), couple_fields("Stolen", "b")),
        (
            format!("/couples/{id}/status"),
            vec![("status", "closed"), ("confirmed", "yes")],
        ),
        (
            format!("/couples/{id}/assignments/{aid}/end"),
            vec![("confirmed", "yes")],
        ),
        (
            format!("/couples/{id}/sessions/new"),
            vec![
                ("date", "2030-01-01"),
                ("time", "10:00"),
                ("duration", "50"),
            ],
        ),
    ] {
        let r = other.post_form(&path, &fields).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(audit_count(&admin, "couple.denied"), 8);
    let (_, page) = admin.get_html(&format!("/couples/{id}")).await;
    assert!(page.contains("Private") && page.contains("Active"));
    assert_eq!(admin.count("therapy_sessions"), 0);

    // Nonsense ids are 404s too, never 500s.
    for path in [
        "/couples/abc",
        "/couples/-1",
        "/couples/99999999999",
        "/couples/999",
    ] {
        let (status, _) = other.get_html(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // An assignment of another couple through one's own couple: 404 and audited.
    let mine = create_couple(&other, "Mine", "b").await;
    let r = other
        .post_form(&format!("/couples/{mine}/assignments/{aid}/pause"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(audit_count(&admin, "assignment.denied"), 1);
    assert_eq!(audit_count(&admin, "couple.denied"), 9);
}

#[tokio::test]
async fn every_couple_area_audits_another_counselors_attempt() {
    // Arrange: a couple of the admin's, with an entry id that does not matter (the couple
    // check comes first).
    let (admin, other) = two_counselors().await;
    let id = create_couple(&admin, "Private", "a").await;

    // Act: the timeline, the report, the exports, invitations, flags and comments.
    for path in [
        format!("/couples/{id}/timeline"),
        format!("/couples/{id}/report"),
        format!("/couples/{id}/report.csv"),
        format!("/couples/{id}/export.csv"),
        format!("/couples/{id}/completion.csv"),
    ] {
        let (status, body) = other.get_html(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("Private"), "{path}");
    }
    other.get_html("/dashboard").await;
    for (path, fields) in [
        (format!("/couples/{id}/invite"), vec![]),
        (
            format!("/couples/{id}/entries/1/flag"),
            vec![("flagged", "on")],
        ),
        (
            format!("/couples/{id}/entries/1/comments"),
            vec![("comment-1", "Not yours")],
        ),
    ] {
        let r = other.post_form(&path, &fields).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }

    // Assert: one denial row per attempt, and nothing was queued.
    assert_eq!(audit_count(&admin, "couple.denied"), 8);
    assert_eq!(admin.count("entry_comments"), 0);
}

#[tokio::test]
async fn editing_pausing_and_closing_a_couple() {
    let app = admin_app().await;
    let id = create_couple(&app, "Before", "a").await;
    let mut fields = couple_fields("After", "b");
    fields[1] = ("a_name", "Samira Rivera");
    let r = app.post_form(&format!("/couples/{id}/edit"), &fields).await;
    assert_eq!(location(&r), format!("/couples/{id}?notice=couple-updated"));
    let (_, page) = app.get_html(&format!("/couples/{id}")).await;
    assert!(page.contains("After") && page.contains("Samira Rivera"));

    let r = app
        .post_form(&format!("/couples/{id}/status"), &[("status", "paused")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_html(&format!("/couples/{id}")).await;
    assert!(page.contains("Resume the work"));
    app.post_form(&format!("/couples/{id}/status"), &[("status", "active")])
        .await;
    let r = app
        .post_form(
            &format!("/couples/{id}/status"),
            &[("status", "closed"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/couples/{id}?notice=couple-closed-now")
    );
    // Read-only: still readable, changes refused, off the caseload.
    let (status, page) = app.get_html(&format!("/couples/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("This couple is closed"));
    assert!(!page.contains("Assign an exercise"));
    let r = app.post_form(&format!("/couples/{id}/edit"), &fields).await;
    assert_eq!(location(&r), format!("/couples/{id}?notice=couple-closed"));
    let r = app
        .post_form(&format!("/couples/{id}/status"), &[("status", "paused")])
        .await;
    assert_eq!(location(&r), format!("/couples/{id}?notice=couple-closed"));
    let (_, list) = app.get_html("/couples").await;
    assert!(!list.contains("After"));
    let (_, list) = app.get_html("/couples?closed=on").await;
    assert!(list.contains("After"));
    // A nonsense status is a 400, not a 500.
    let r = app
        .post_form(&format!("/couples/{id}/status"), &[("status", "gone")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_right_partner_is_proposed_for_one_partner_exercises() {
    let app = admin_app().await;
    let id = create_couple(&app, "Proposal", "a").await;
    let apology = exercise_id(&app, "apology-letter");
    let forgiveness = exercise_id(&app, "forgiveness-reflection");
    let (_, page) = app
        .get_html(&format!("/couples/{id}/assignments/new?exercise={apology}"))
        .await;
    assert!(
        page.contains("<option value=\"a\" selected>"),
        "offending → a"
    );
    for (x, expected) in [(apology, "a"), (forgiveness, "b")] {
        let x = x.to_string();
        let r = assign(
            &app,
            id,
            &[
                ("exercise_id", &x),
                ("assignee", ""),
                ("cadence", "once"),
                ("due_date", "2030-01-10"),
                ("start_date", "2030-01-01"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let got: String = app
            .db
            .read_blocking(move |conn| {
                Ok(trellis::db::assignments::for_couple(conn, id)?
                    .last()
                    .map(|a| a.assignee.clone())
                    .unwrap_or_default())
            })
            .unwrap();
        assert_eq!(got, expected);
    }
    // Unstated breach: the counselor must choose.
    let unstated = create_couple(&app, "Unstated", "unstated").await;
    let x = apology.to_string();
    let r = assign(
        &app,
        unstated,
        &[
            ("exercise_id", &x),
            ("assignee", ""),
            ("cadence", "daily"),
            ("start_date", "2030-01-01"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Choose who does it"));
}

#[tokio::test]
async fn invalid_assignments_come_back_with_messages_and_save_nothing() {
    let app = admin_app().await;
    let id = create_couple(&app, "Forms", "a").await;
    let daily_id = exercise_id(&app, "daily-check-in").to_string();
    let safety_id = exercise_id(&app, "safety-check").to_string();
    let (daily, safety) = (daily_id.as_str(), safety_id.as_str());
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("exercise_id", daily),
                ("assignee", "both"),
                ("cadence", "weekdays"),
                ("start_date", "2030-01-01"),
            ],
            "Choose at least one day of the week.",
        ),
        (
            vec![
                ("exercise_id", daily),
                ("assignee", "both"),
                ("cadence", "every_n"),
                ("interval_days", "0"),
                ("start_date", "2030-01-01"),
            ],
            "Enter a number of days from 1 to 365.",
        ),
        (
            vec![
                ("exercise_id", daily),
                ("assignee", "both"),
                ("cadence", "daily"),
                ("start_date", "2030-01-10"),
                ("end_date", "2030-01-01"),
            ],
            "The end date is before the start date.",
        ),
        (
            vec![
                ("exercise_id", safety),
                ("assignee", "both"),
                ("cadence", "weekly"),
                ("start_date", "2030-01-01"),
            ],
            "one partner at a time",
        ),
        (
            vec![
                ("exercise_id", "999999"),
                ("assignee", "both"),
                ("cadence", "daily"),
                ("start_date", "2030-01-01"),
            ],
            "Choose an exercise from the library.",
        ),
    ];
    for (fields, message) in cases {
        let r = assign(&app, id, &fields).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{message}");
        let body = r.text().await.unwrap();
        assert!(body.contains(message), "{message}");
        assert!(body.contains("2030-01-01"), "input kept");
    }
    assert_eq!(app.count("assignments"), 0);
    // The safety check to one partner is fine; a weekday cadence with days too.
    let r = assign(
        &app,
        id,
        &[
            ("exercise_id", safety),
            ("assignee", "b"),
            ("cadence", "weekly"),
            ("start_date", "2030-01-01"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = assign(
        &app,
        id,
        &[
            ("exercise_id", daily),
            ("assignee", "both"),
            ("cadence", "weekdays"),
            ("weekday", "mon"),
            ("weekday", "thu"),
            ("start_date", "2030-01-01"),
            ("note", "Short is fine <b>really</b>"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_html(&format!("/couples/{id}")).await;
    assert!(page.contains("Every Mon, Thu"));
    assert!(page.contains("Short is fine &lt;b&gt;really&lt;/b&gt;"));
    assert_eq!(app.count("assignments"), 2);
}

#[tokio::test]
async fn assignments_pause_resume_and_end() {
    let app = admin_app().await;
    let id = create_couple(&app, "Cadence", "a").await;
    assign_daily(&app, id, "daily-check-in", "2025-01-06").await;
    let aid: i32 = app
        .db
        .read_blocking(move |conn| Ok(trellis::db::assignments::for_couple(conn, id)?[0].id))
        .unwrap();
    let status = |app: &TestApp| {
        app.db
            .read_blocking(move |conn| {
                Ok(trellis::db::assignments::find_in_couple(conn, id, aid)?
                    .status
                    .as_str())
            })
            .unwrap()
    };
    let base = format!("/couples/{id}/assignments/{aid}");
    let r = app.post_form(&format!("{base}/pause"), &[]).await;
    assert_eq!(
        location(&r),
        format!("/couples/{id}?notice=assignment-paused")
    );
    assert_eq!(status(&app), "paused");
    assert_eq!(app.count("assignment_pauses"), 1);
    app.post_form(&format!("{base}/resume"), &[]).await;
    assert_eq!(status(&app), "active");
    app.post_form(&format!("{base}/end"), &[("confirmed", "yes")])
        .await;
    assert_eq!(status(&app), "ended");
    let r = app.post_form(&format!("{base}/explode"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sessions_are_booked_moved_and_cancelled_in_the_counselors_time_zone() {
    let app = admin_app().await; // Europe/London
    let id = create_couple(&app, "Sessions", "a").await;
    let (_, page) = app.get_html(&format!("/couples/{id}/sessions/new")).await;
    let once = hidden_value(&page, "form_once").unwrap();
    let r = app
        .post_form(
            &format!("/couples/{id}/sessions/new"),
            &[
                ("date", "2030-07-01"),
                ("time", "14:30"),
                ("duration", "50"),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(location(&r), format!("/couples/{id}?notice=session-booked"));
    let stored: (i32, String) = app
        .db
        .read_blocking(move |conn| {
            let s = trellis::db::therapy_sessions::for_couple(conn, id, 5)?;
            Ok((s[0].id, s[0].starts_at.to_string()))
        })
        .unwrap();
    assert_eq!(stored.1, "2030-07-01 13:30:00", "stored in UTC");
    let sid = stored.0;
    let (_, page) = app.get_html(&format!("/couples/{id}")).await;
    assert!(
        page.contains("Mon 1 Jul 2030, 14:30"),
        "shown in London time"
    );

    // Bad input comes back with messages.
    let r = app
        .post_form(
            &format!("/couples/{id}/sessions/{sid}/edit"),
            &[
                ("date", "2030-07-02"),
                ("time", "25:61"),
                ("duration", "50"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("25:61") && body.contains("a time such as"));
    let r = app
        .post_form(
            &format!("/couples/{id}/sessions/{sid}/edit"),
            &[
                ("date", "2030-07-02"),
                ("time", "09:00"),
                ("duration", "60"),
            ],
        )
        .await;
    assert_eq!(location(&r), format!("/couples/{id}?notice=session-moved"));
    let (_, page) = app.get_html("/dashboard").await;
    assert!(
        page.contains("Tue 2 Jul 2030, 09:00"),
        "next session on the dashboard"
    );
    let r = app
        .post_form(
            &format!("/couples/{id}/sessions/{sid}/cancel"),
            &[("confirmed", "yes")],
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/couples/{id}?notice=session-cancelled")
    );
    let (_, page) = app.get_html(&format!("/couples/{id}")).await;
    assert!(page.contains("No session booked"));
    assert!(page.contains("Cancelled"));
}

#[tokio::test]
async fn the_practice_admin_can_reassign_a_couple() {
    let (admin, other) = two_counselors().await;
    let id = create_couple(&admin, "Moving", "a").await;
    let other_id: i32 = admin
        .db
        .read_blocking(|conn| {
            Ok(trellis::db::counselors::by_email(conn, OTHER_EMAIL)?
                .map(|c| c.id)
                .unwrap_or_default())
        })
        .unwrap();
    // Not for counselors who are not admins.
    let (status, _) = other.get_html(&format!("/couples/{id}/reassign")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = admin.get_html(&format!("/couples/{id}/reassign")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Bo Counselor"));
    let r = admin
        .post_form(
            &format!("/couples/{id}/reassign"),
            &[("counselor_id", &other_id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, _) = other.get_html(&format!("/couples/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = admin.get_html(&format!("/couples/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = admin
        .post_form(&format!("/couples/{id}/reassign"), &[("counselor_id", "x")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(audit_count(&admin, "couple.reassign"), 1);
}

/// Security review F4: every route that takes a couple id audits a refusal, not only the
/// couple page (timeline, reports and exports, invitations, flags, comments).
#[tokio::test]
async fn refusals_on_every_couple_route_are_audited() {
    let (admin, other) = two_counselors().await;
    let id = create_couple(&admin, "Private", "a").await;
    let gets = [
        format!("/couples/{id}/timeline"),
        format!("/couples/{id}/report"),
        format!("/couples/{id}/report.csv"),
        format!("/couples/{id}/export.csv"),
        format!("/couples/{id}/completion.csv"),
    ];
    for path in &gets {
        let r = other.get(path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    other.get_html("/dashboard").await;
    let posts = [
        (format!("/couples/{id}/invite"), vec![]),
        (format!("/couples/{id}/entries/1/flag"), vec![]),
        (
            format!("/couples/{id}/entries/1/comments"),
            vec![("body", "Not yours"), ("form_once", "f4-once")],
        ),
    ];
    for (path, fields) in &posts {
        let r = other.post_form(path, fields).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        audit_count(&admin, "couple.denied"),
        (gets.len() + posts.len()) as i64
    );
}
