//! The partner's side: one reminder email a day, the co-journal's two doors agreeing,
//! setback notes changed with versions kept, the navigation marking one tab, and pages
//! without empty headings.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use trellis::db::schema::email_outbox;
use trellis::scheduler::plan_pass;

use crate::helpers::{hidden_value, spawn_app, TestApp, ADMIN_EMAIL};
use crate::portal::{answers, assign, create_couple, post, prompts, sign_in_partner, today};

fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    date.and_hms_opt(hour, 0, 0).unwrap().and_utc()
}

/// (dedupe key, kind, body) of every planned email.
fn planned(app: &TestApp) -> Vec<(String, String, String)> {
    app.db
        .read_blocking(|c| {
            Ok(email_outbox::table
                .filter(email_outbox::dedupe_key.is_not_null())
                .order(email_outbox::id.asc())
                .select((
                    email_outbox::dedupe_key.assume_not_null(),
                    email_outbox::kind,
                    email_outbox::body_text,
                ))
                .load(c)?)
        })
        .unwrap()
}

/// Mark `partner`'s occurrence of `assignment` on `date` as submitted.
fn submitted(app: &TestApp, couple: i32, partner: i32, assignment: i32, date: NaiveDate) {
    app.sql(&format!(
        "INSERT INTO entries (couple_id, partner_id, exercise_id, assignment_id, occurrence_date, \
         status, visibility, created_at, updated_at, submitted_at) \
         SELECT {couple}, {partner}, exercise_id, id, '{date}', 'submitted', 'counselor', \
         CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM assignments WHERE id = {assignment}"
    ));
}

#[tokio::test]
async fn one_reminder_a_day_lists_every_open_exercise_and_none_goes_when_nothing_is_open() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let c = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam Rivera", "sam@example.org"),
        ("Kim Tanaka", "kim@example.org"),
    );
    let slugs = [
        "daily-check-in",
        "transparency-log",
        "appreciation-note",
        "safety-check",
    ];
    let ids: Vec<i32> = slugs
        .iter()
        .map(|s| assign(&app, c.id, s, "a", ""))
        .collect();
    let kim_daily = assign(&app, c.id, "daily-check-in", "b", "");
    app.sql(&format!(
        "UPDATE partners SET reminder_titles = true WHERE id = {}",
        c.a
    ));
    let today = Utc::now().date_naive();
    // Kim has done everything owed, today included.
    submitted(&app, c.id, c.b, kim_daily, today);

    let r = plan_pass(&app.db, &app.settings, at(today, 19)).unwrap();
    let rows = planned(&app);
    let sam: Vec<_> = rows
        .iter()
        .filter(|r| r.0.contains(&format!(":{}:", c.a)))
        .collect();
    assert_eq!(
        sam.len(),
        1,
        "one email for four open exercises: {rows:?} {r:?}"
    );
    assert_eq!(sam[0].0, format!("due:{}:{today}", c.a));
    assert_eq!(sam[0].1, "reminder");
    let body = &sam[0].2;
    assert!(
        body.contains("Waiting for you today: 4 exercises"),
        "{body}"
    );
    assert!(
        body.contains("Daily check-in") && body.contains("Transparency log"),
        "{body}"
    );
    assert!(
        body.contains("A private check-in"),
        "the safety check is never named: {body}"
    );
    assert!(!body.to_lowercase().contains("safety"), "{body}");
    assert!(
        !rows.iter().any(|r| r.0.contains(&format!(":{}:", c.b))),
        "nothing open for Kim, so no email: {rows:?}"
    );
    // Passes later the same day add nothing.
    for h in [20, 21, 23] {
        assert_eq!(
            plan_pass(&app.db, &app.settings, at(today, h))
                .unwrap()
                .total(),
            0
        );
    }
    // Without titles chosen, counts only.
    app.sql(&format!(
        "UPDATE partners SET reminder_titles = false WHERE id = {}",
        c.a
    ));
    let next = today + Duration::days(1);
    for id in &ids {
        submitted(&app, c.id, c.a, *id, next);
    }
    plan_pass(&app.db, &app.settings, at(next, 19)).unwrap();
    let rows = planned(&app);
    let sam_next = rows
        .iter()
        .find(|r| r.0 == format!("due:{}:{next}", c.a))
        .expect("the day's reminder, for yesterday's open exercises");
    assert!(
        !sam_next.2.contains("Waiting for you today"),
        "{}",
        sam_next.2
    );
    assert!(sam_next
        .2
        .contains("Still open from the last few days: 4 exercises."));
    assert!(
        !sam_next.2.contains("Daily check-in"),
        "no titles unless chosen"
    );
    assert!(!rows.iter().any(|r| r.0.starts_with("overdue:")));
    // Kim: next day is open, today's done: exactly one email.
    assert!(rows.iter().any(|r| r.0 == format!("due:{}:{next}", c.b)));
}

#[tokio::test]
async fn the_something_new_email_is_opt_in_once_a_day_and_says_nothing_of_what() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let c = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam Rivera", "sam@example.org"),
        ("Kim Tanaka", "kim@example.org"),
    );
    let daily = assign(&app, c.id, "daily-check-in", "both", "");
    let sam = app.other_browser();
    sign_in_partner(&sam, c.a).await;
    let path = format!("/me/do/{daily}/{}", today());
    sam.get_html(&path).await;
    let mut fields = answers(&app, "daily-check-in", "MARK-SHARED-TEXT");
    fields.push(("visibility".into(), "partner".into()));
    fields.push(("intent".into(), "submit".into()));
    assert_eq!(
        post(&sam, &path, &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    // Off by default: nothing.
    let now = Utc::now();
    plan_pass(&app.db, &app.settings, now).unwrap();
    assert!(!planned(&app).iter().any(|r| r.0.starts_with("shared:")));
    app.sql(&format!(
        "UPDATE partners SET share_notices = true WHERE id = {}",
        c.b
    ));
    plan_pass(&app.db, &app.settings, now + Duration::seconds(1)).unwrap();
    plan_pass(&app.db, &app.settings, now + Duration::minutes(5)).unwrap();
    let shared: Vec<_> = planned(&app)
        .into_iter()
        .filter(|r| r.0.starts_with("shared:"))
        .collect();
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert!(shared[0].0.starts_with(&format!("shared:{}:", c.b)));
    assert_eq!(shared[0].1, "share-notice");
    assert!(!shared[0].2.contains("MARK-SHARED-TEXT"));
    assert!(
        !shared[0].2.contains("Sam"),
        "not even who: {}",
        shared[0].2
    );
}

#[tokio::test]
async fn a_journal_post_on_an_owed_day_fulfils_the_assigned_co_journal() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let c = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam Rivera", "sam@example.org"),
        ("Kim Tanaka", "kim@example.org"),
    );
    let journal = assign(&app, c.id, "co-journal", "both", "");
    let (sam, kim) = (app.other_browser(), app.other_browser());
    sign_in_partner(&sam, c.a).await;
    sign_in_partner(&kim, c.b).await;
    let due_href = format!("/me/do/{journal}/{}", today());

    // Door one: the Co-journal page.
    let (_, home) = sam.get_html("/me").await;
    assert!(home.contains(&due_href), "owed before: {home}");
    let (_, page) = sam.get_html("/me/journal").await;
    let once = hidden_value(&page, "form_once").unwrap();
    let j = prompts(&app, "co-journal");
    let r = post(
        &sam,
        "/me/journal",
        &[
            (j[0].0.clone(), "MARK-DOOR-ONE".into()),
            ("form_once".into(), once),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = sam.get_html("/me").await;
    assert!(
        !home.contains(&due_href),
        "no longer owed after a journal post: {home}"
    );
    // A second post the same day is just a post.
    let (_, page) = sam.get_html("/me/journal").await;
    let once = hidden_value(&page, "form_once").unwrap();
    let r = post(
        &sam,
        "/me/journal",
        &[
            (j[0].0.clone(), "MARK-DOOR-ONE-AGAIN".into()),
            ("form_once".into(), once),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Door two: the assigned form; the post shows on the journal page too.
    kim.get_html(&due_href).await;
    let mut fields = answers(&app, "co-journal", "MARK-DOOR-TWO");
    fields.push(("intent".into(), "submit".into()));
    assert_eq!(
        post(&kim, &due_href, &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, page) = sam.get_html("/me/journal").await;
    assert!(page.contains("MARK-DOOR-TWO") && page.contains("MARK-DOOR-ONE"));
    let (_, kim_home) = kim.get_html("/me").await;
    assert!(!kim_home.contains(&due_href));

    // The counselor's completion agrees: both made today's.
    let csv = app
        .get(&format!("/couples/{}/completion.csv", c.id))
        .await
        .text()
        .await
        .unwrap();
    let rows: Vec<&str> = csv.lines().filter(|l| l.contains("Co-journal")).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    for row in rows {
        assert!(row.contains(",1,1,0,"), "owed 1, made 1, missed 0: {row}");
    }
}

#[tokio::test]
async fn a_setback_note_can_be_changed_within_the_window_and_keeps_its_earlier_wording() {
    let app = spawn_app_with_window(1).await;
    app.setup_admin().await;
    let c = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam Rivera", "sam@example.org"),
        ("Kim Tanaka", "kim@example.org"),
    );
    let (sam, kim) = (app.other_browser(), app.other_browser());
    sign_in_partner(&sam, c.a).await;
    sign_in_partner(&kim, c.b).await;
    let t = today();
    let (_, page) = sam.get_html("/me/setbacks/new").await;
    let once = hidden_value(&page, "form_once").unwrap();
    let r = sam
        .post_form(
            "/me/setbacks",
            &[
                ("happened_on", &t),
                ("what_happened", "MARK-FIRST-WORDING"),
                ("severity", "2"),
                ("visibility", "partner"),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: i32 = app
        .db
        .read_blocking(|conn| {
            use trellis::db::schema::setbacks;
            Ok(setbacks::table
                .select(diesel::dsl::max(setbacks::id))
                .first::<Option<i32>>(conn)?)
        })
        .unwrap()
        .unwrap();
    let (_, detail) = sam.get_html(&format!("/me/setbacks/{id}")).await;
    assert!(detail.contains(&format!("/me/setbacks/{id}/edit")));
    // Kim may read it but not change it.
    let (_, kim_detail) = kim.get_html(&format!("/me/setbacks/{id}")).await;
    assert!(!kim_detail.contains("/edit"));
    assert_eq!(
        kim.get(&format!("/me/setbacks/{id}/edit")).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = kim
        .post_form(
            &format!("/me/setbacks/{id}"),
            &[
                ("happened_on", &t),
                ("what_happened", "x"),
                ("severity", "1"),
                ("visibility", "partner"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A bad change comes back beside the field, nothing saved.
    let (s, form) = sam.get_html(&format!("/me/setbacks/{id}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("MARK-FIRST-WORDING"));
    let r = sam
        .post_form(
            &format!("/me/setbacks/{id}"),
            &[
                ("happened_on", &t),
                ("what_happened", ""),
                ("severity", "9"),
                ("visibility", "partner"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("setback_versions"), 0);
    let r = sam
        .post_form(
            &format!("/me/setbacks/{id}"),
            &[
                ("happened_on", &t),
                ("what_happened", "MARK-SECOND-WORDING"),
                ("severity", "3"),
                ("visibility", "partner"),
                ("repair_attempted", "no"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("setback_versions"), 1);
    let (_, detail) = sam.get_html(&format!("/me/setbacks/{id}")).await;
    assert!(detail.contains("MARK-SECOND-WORDING") && !detail.contains("MARK-FIRST-WORDING"));
    assert!(detail.contains("earlier wording is kept"));
    let kept: String = app
        .db
        .read_blocking(|conn| {
            use trellis::db::schema::setback_versions;
            Ok(setback_versions::table
                .select(setback_versions::fields_json)
                .first(conn)?)
        })
        .unwrap();
    assert!(kept.contains("MARK-FIRST-WORDING"));

    // After the window, the note is closed.
    app.sql(&format!(
        "UPDATE setbacks SET created_at = '2020-01-01 00:00:00' WHERE id = {id}"
    ));
    let r = sam.get(&format!("/me/setbacks/{id}/edit")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sam
        .post_form(
            &format!("/me/setbacks/{id}"),
            &[
                ("happened_on", &t),
                ("what_happened", "late"),
                ("severity", "1"),
                ("visibility", "partner"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("setback_versions"),
        1,
        "nothing written after the window"
    );
}

async fn spawn_app_with_window(hours: i64) -> TestApp {
    crate::helpers::spawn_app_with(|s| s.entries.edit_window_hours = hours).await
}

#[tokio::test]
async fn every_partner_page_marks_one_tab_and_has_no_empty_heading() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let c = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam Rivera", "sam@example.org"),
        ("Kim Tanaka", "kim@example.org"),
    );
    let sam = app.other_browser();
    sign_in_partner(&sam, c.a).await;
    for (path, tab) in [
        ("/me", "Home"),
        ("/me/entries", "Home"),
        ("/me/journal", "Co-journal"),
        ("/me/promises", "Promises"),
        ("/me/setbacks", "Setbacks"),
        ("/me/setbacks/new", "Setbacks"),
        ("/me/progress", "Your progress"),
        ("/me/settings", "Settings"),
    ] {
        let (s, page) = sam.get_html(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert_eq!(page.matches("aria-current=\"page\"").count(), 1, "{path}");
        assert!(
            page.contains(&format!("aria-current=\"page\">{tab}</a>")),
            "{path} marks {tab}"
        );
        // A heading straight after another of the same level, with nothing between, is an
        // empty section.
        for level in ["h2", "h3"] {
            let close = format!("</{level}>");
            for (i, _) in page.match_indices(&close) {
                let rest = page[i + close.len()..].trim_start();
                assert!(
                    !rest.starts_with(&format!("<{level}")),
                    "{path}: an empty {level} section"
                );
            }
        }
    }
    let _ = c;
}
