//! Assignments that can change: edits apply from today, the past stays as it was owed,
//! every change is kept and audited; a start in the past owes from today unless asked.

use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::couples::{admin_app, assign, audit_count, create_couple, exercise_id, two_counselors};
use crate::helpers::{location, TestApp};

fn days_ago(n: i64) -> String {
    (Utc::now() - Duration::days(n)).date_naive().to_string()
}

/// (id, status, start, end, cadence, replaces_id) of an assignment.
type Row = (i32, String, String, Option<String>, String, Option<i32>);

/// Every assignment of the couple.
fn rows(app: &TestApp, couple: i32) -> Vec<Row> {
    app.db
        .read_blocking(move |conn| {
            Ok(trellis::db::assignments::for_couple(conn, couple)?
                .into_iter()
                .map(|a| {
                    (
                        a.id,
                        a.status.as_str().to_string(),
                        a.start_date.to_string(),
                        a.end_date.map(|d| d.to_string()),
                        a.cadence,
                        a.replaces_id,
                    )
                })
                .collect())
        })
        .expect("assignments")
}

async fn assign_from(app: &TestApp, couple: i32, start: &str, past_owed: &str) {
    let x = exercise_id(app, "daily-check-in").to_string();
    let r = assign(
        app,
        couple,
        &[
            ("exercise_id", &x),
            ("assignee", "both"),
            ("cadence", "daily"),
            ("start_date", start),
            ("reminders", "on"),
            ("past_owed", past_owed),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "assigned");
}

fn edit_fields<'a>(
    cadence: &'a str,
    start: &'a str,
    end: &'a str,
    note: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("assignee", "both"),
        ("cadence", cadence),
        ("start_date", start),
        ("end_date", end),
        ("note", note),
        ("reminders", "on"),
        ("interval_days", "2"),
    ]
}

#[tokio::test]
async fn a_start_in_the_past_owes_from_today_unless_the_counselor_says_otherwise() {
    let app = admin_app().await;
    let from_today = create_couple(&app, "From today", "a").await;
    let all = create_couple(&app, "Every day", "a").await;
    let (_, form) = app
        .get_html(&format!("/couples/{from_today}/assignments/new"))
        .await;
    assert!(form.contains("If the start date is before today"));
    assert!(
        form.contains("value=\"today\" checked"),
        "owed from today by default"
    );
    assign_from(&app, from_today, &days_ago(10), "").await;
    assign_from(&app, all, &days_ago(10), "all").await;
    let (_, page) = app.get_html("/dashboard").await;
    let at = |label: &str| {
        let i = page.find(&format!(">{label}</a>")).unwrap();
        page[i..]
            .split("<li class=\"triage-row\"")
            .next()
            .unwrap()
            .to_string()
    };
    assert!(
        at("From today").contains("0 of 1 made"),
        "{}",
        at("From today")
    );
    assert!(!at("From today").contains("overdue"));
    assert!(
        at("Every day").contains("0 of 11 made, 10 overdue"),
        "{}",
        at("Every day")
    );
}

#[tokio::test]
async fn a_new_cadence_applies_from_today_and_the_past_stays_as_it_was_owed() {
    let app = admin_app().await;
    let couple = create_couple(&app, "Changing", "a").await;
    let start = days_ago(20);
    assign_from(&app, couple, &start, "all").await;
    let aid = rows(&app, couple)[0].0;
    let (status, form) = app
        .get_html(&format!("/couples/{couple}/assignments/{aid}/edit"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Change “Daily check-in”"));
    assert!(form.contains(&format!("Started on {start}")));

    let r = app
        .post_form(
            &format!("/couples/{couple}/assignments/{aid}/edit"),
            &edit_fields("weekly", &start, "", ""),
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/couples/{couple}?notice=assignment-updated")
    );
    let all = rows(&app, couple);
    assert_eq!(all.len(), 2, "{all:?}");
    let old = all.iter().find(|a| a.0 == aid).unwrap();
    let new = all.iter().find(|a| a.0 != aid).unwrap();
    assert_eq!(old.1, "ended");
    assert_eq!(
        old.3.as_deref(),
        Some(days_ago(1).as_str()),
        "ends yesterday"
    );
    assert_eq!(old.4, "daily", "the past keeps its cadence");
    assert_eq!((new.4.as_str(), new.5), ("weekly", Some(aid)));
    assert_eq!(new.2, days_ago(0), "continues from today");
    assert_eq!(audit_count(&app, "assignment.update"), 1);

    // Dates already owed are still owed under the old schedule: 20 missed days.
    let (_, page) = app.get_html("/dashboard").await;
    assert!(
        page.contains("13 overdue"),
        "the last 13 past days of the window stay owed"
    );
    let (_, page) = app.get_html(&format!("/couples/{couple}")).await;
    assert!(page.contains("Changes") && page.contains("how often: daily → weekly on"));
    assert!(page.contains(">Changed</span>"));
}

#[tokio::test]
async fn a_note_change_is_made_in_place_and_kept_in_the_history() {
    let app = admin_app().await;
    let couple = create_couple(&app, "Noted", "a").await;
    assign_from(&app, couple, &days_ago(3), "").await;
    let aid = rows(&app, couple)[0].0;
    let start = days_ago(3);
    let r = app
        .post_form(
            &format!("/couples/{couple}/assignments/{aid}/edit"),
            &edit_fields("daily", &start, "", "Write after dinner"),
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/couples/{couple}?notice=assignment-updated")
    );
    assert_eq!(rows(&app, couple).len(), 1);
    let (_, page) = app.get_html(&format!("/couples/{couple}")).await;
    assert!(page.contains("Write after dinner") && page.contains("note changed"));
    // The same again changes nothing.
    let r = app
        .post_form(
            &format!("/couples/{couple}/assignments/{aid}/edit"),
            &edit_fields("daily", &start, "", "Write after dinner"),
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/couples/{couple}?notice=assignment-unchanged")
    );
    assert_eq!(audit_count(&app, "assignment.update"), 1);
}

#[tokio::test]
async fn bad_edits_come_back_with_messages_and_write_nothing() {
    let app = admin_app().await;
    let couple = create_couple(&app, "Careful", "a").await;
    let start = days_ago(5);
    assign_from(&app, couple, &start, "").await;
    let aid = rows(&app, couple)[0].0;
    let path = format!("/couples/{couple}/assignments/{aid}/edit");
    let before = rows(&app, couple);
    for (fields, message) in [
        (
            edit_fields("daily", &start, &days_ago(8), ""),
            "The end date is before the start date.",
        ),
        (
            edit_fields("daily", &start, &days_ago(1), ""),
            "Choose today or a later day",
        ),
        (
            edit_fields("daily", &days_ago(9), "", ""),
            "its start date stays",
        ),
        (
            edit_fields("sometimes", &start, "", "kept <b>here</b>"),
            "Choose how often.",
        ),
    ] {
        let r = app.post_form(&path, &fields).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let body = r.text().await.unwrap();
        assert!(body.contains(message), "{message}: {body}");
        assert!(!body.contains("<b>here</b>"));
    }
    assert_eq!(rows(&app, couple), before);
    assert_eq!(audit_count(&app, "assignment.update"), 0);

    // A closed couple's assignment cannot change.
    app.post_form(
        &format!("/couples/{couple}/status"),
        &[("status", "closed"), ("confirmed", "yes")],
    )
    .await;
    let r = app
        .post_form(&path, &edit_fields("weekly", &start, "", ""))
        .await;
    assert_eq!(
        location(&r),
        format!("/couples/{couple}?notice=couple-closed")
    );
    assert_eq!(rows(&app, couple), before);
}

#[tokio::test]
async fn another_counselors_assignment_is_not_found_and_the_attempt_is_audited() {
    let (admin, other) = two_counselors().await;
    let couple = create_couple(&admin, "Theirs", "a").await;
    assign_from(&admin, couple, &days_ago(0), "").await;
    let aid = rows(&admin, couple)[0].0;
    let path = format!("/couples/{couple}/assignments/{aid}/edit");
    let (status, _) = other.get_html(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = other
        .post_form(&path, &edit_fields("weekly", &days_ago(0), "", ""))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(audit_count(&admin, "couple.denied"), 2);
    // An assignment of another couple under this one's address.
    let mine = create_couple(&other, "Mine", "a").await;
    let (status, _) = other
        .get_html(&format!("/couples/{mine}/assignments/{aid}/edit"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(audit_count(&admin, "assignment.denied"), 1);
}
