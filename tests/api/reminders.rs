//! Reminders: planning passes at chosen times queue the right outbox rows, once; email
//! content stays generic; one-click unsubscribe; the partner's reminder settings.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use trellis::db::schema::{email_outbox, partners};
use trellis::domain::reminder_plan::{local_send_time, Prefs};
use trellis::scheduler::{plan_pass, PlanReport};

use crate::helpers::{spawn_app, TestApp, ADMIN_EMAIL};
use crate::portal::{assign, create_couple, sign_in_partner, Couple};

const SECRET_PHRASE: &str = "violet-harbour-lantern";

/// Tomorrow (UTC): every daily assignment made today owes an occurrence then.
fn day() -> NaiveDate {
    Utc::now().date_naive() + Duration::days(1)
}

fn at(tz: &str, date: NaiveDate, hour: u32) -> DateTime<Utc> {
    local_send_time(date, hour, &Prefs::new(tz.parse().unwrap()))
}

fn pass(app: &TestApp, now: DateTime<Utc>) -> PlanReport {
    plan_pass(&app.db, &app.settings, now).expect("plan pass")
}

/// (dedupe key, subject, text, html, unsubscribe url) of every reminder row.
fn reminders(app: &TestApp) -> Vec<(String, String, String, String, Option<String>)> {
    app.db
        .read_blocking(|c| {
            Ok(email_outbox::table
                .filter(email_outbox::dedupe_key.is_not_null())
                .order(email_outbox::id.asc())
                .select((
                    email_outbox::dedupe_key.assume_not_null(),
                    email_outbox::subject,
                    email_outbox::body_text,
                    email_outbox::body_html,
                    email_outbox::unsubscribe_url,
                ))
                .load(c)?)
        })
        .unwrap()
}

fn keys(app: &TestApp) -> Vec<String> {
    reminders(app).into_iter().map(|r| r.0).collect()
}

async fn couple_with_daily(app: &TestApp) -> (Couple, i32) {
    app.setup_admin().await;
    let couple = create_couple(
        app,
        ADMIN_EMAIL,
        "Rivera household",
        ("Sam Rivera", "sam@example.org"),
        ("Kim Tanaka", "kim@example.org"),
    );
    let assignment = assign(app, couple.id, "daily-check-in", "both", "");
    (couple, assignment)
}

fn set_partner(app: &TestApp, id: i32, sql_set: &str) {
    app.sql(&format!("UPDATE partners SET {sql_set} WHERE id = {id}"));
}

#[tokio::test]
async fn each_partner_gets_one_reminder_at_their_own_hour_in_their_own_zone() {
    let app = spawn_app().await;
    let (c, _) = couple_with_daily(&app).await;
    set_partner(&app, c.a, "time_zone = 'America/New_York'");
    set_partner(&app, c.b, "time_zone = 'Asia/Tokyo'");
    let d = day();

    // 18:59 New York: nothing yet for Sam.
    let ny = at("America/New_York", d, 19);
    pass(&app, ny - Duration::minutes(1));
    assert!(!keys(&app).contains(&format!("due:{}:{d}", c.a)));

    let r = pass(&app, ny);
    assert!(keys(&app).contains(&format!("due:{}:{d}", c.a)), "{r:?}");
    // A second pass, and a later one in the same grace window, add nothing.
    assert_eq!(pass(&app, ny).total(), 0);
    assert_eq!(pass(&app, ny + Duration::minutes(30)).total(), 0);

    // Kim in Tokyo: 19:00 Tokyo on the same local date.
    let tokyo = at("Asia/Tokyo", d, 19);
    pass(&app, tokyo);
    assert!(keys(&app).contains(&format!("due:{}:{d}", c.b)));
    let all = keys(&app);
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(all.len(), unique.len(), "{all:?}");
}

#[tokio::test]
async fn a_submitted_occurrence_is_not_listed_and_an_open_one_is_folded_into_the_next_days_email() {
    let app = spawn_app().await;
    let (c, a) = couple_with_daily(&app).await;
    let d = day();
    // Sam submitted the day's entry (with a distinctive phrase); Kim did not.
    app.sql(&format!(
        "INSERT INTO entries (couple_id, partner_id, exercise_id, assignment_id, occurrence_date, \
         status, visibility, created_at, updated_at, submitted_at) \
         SELECT {cid}, {p}, exercise_id, id, '{d}', 'submitted', 'counselor', \
         CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM assignments WHERE id = {a}",
        cid = c.id,
        p = c.a
    ));
    app.sql(&format!(
        "INSERT INTO entry_answers (entry_id, prompt_id, value) \
         SELECT e.id, p.id, '{SECRET_PHRASE}' FROM entries e, exercise_prompts p \
         WHERE e.partner_id = {} AND p.exercise_id = e.exercise_id LIMIT 1",
        c.a
    ));
    pass(&app, at("UTC", d, 19));
    let rows = reminders(&app);
    let text_of = |rows: &[(String, String, String, String, Option<String>)], key: String| {
        rows.iter()
            .find(|r| r.0 == key)
            .map(|r| r.2.clone())
            .unwrap_or_else(|| panic!("no reminder {key}"))
    };
    // Sam did day d; the assignment's first day (today) is still open for both.
    let sam = text_of(&rows, format!("due:{}:{d}", c.a));
    assert!(!sam.contains("Waiting for you today"), "{sam}");
    assert!(
        sam.contains("Still open from the last few days: 1 exercise."),
        "{sam}"
    );
    let kim = text_of(&rows, format!("due:{}:{d}", c.b));
    assert!(kim.contains("Waiting for you today: 1 exercise."), "{kim}");

    // Next day 19:00: one email each, Kim's folding in the day before; never a separate
    // nudge, and nothing more that day however many passes run.
    let next = d + Duration::days(1);
    pass(&app, at("UTC", next, 19));
    pass(&app, at("UTC", next, 20));
    let k = keys(&app);
    assert!(!k.iter().any(|x| x.starts_with("overdue:")), "{k:?}");
    assert_eq!(
        k.iter()
            .filter(|x| **x == format!("due:{}:{next}", c.b))
            .count(),
        1
    );
    let kim = text_of(&reminders(&app), format!("due:{}:{next}", c.b));
    assert!(
        kim.contains("Still open from the last few days: 2 exercises."),
        "{kim}"
    );
    assert!(kim.contains("Waiting for you today: 1 exercise."), "{kim}");
    let _ = a;

    for (key, subject, text, html, unsubscribe) in reminders(&app) {
        assert!(!text.contains(SECRET_PHRASE) && !html.contains(SECRET_PHRASE));
        let s = subject.to_lowercase();
        for word in ["therap", "counsel", "couple", "trust", "session", "rivera"] {
            assert!(!s.contains(word), "{subject}");
        }
        assert!(
            !text.contains("Rivera") && !text.contains("Tanaka"),
            "{text}"
        );
        assert!(
            unsubscribe.is_some_and(|u| u.contains("/unsubscribe/")),
            "{key}"
        );
    }
}

#[tokio::test]
async fn quiet_hours_move_the_reminder_and_off_means_none() {
    let app = spawn_app().await;
    let (c, a) = couple_with_daily(&app).await;
    let d = day();
    set_partner(
        &app,
        c.a,
        "reminder_hour = 23, quiet_start_hour = 22, quiet_end_hour = 7",
    );
    set_partner(&app, c.b, "reminders_enabled = false");
    pass(&app, at("UTC", d, 23));
    assert!(keys(&app).is_empty(), "{:?}", keys(&app));
    pass(&app, at("UTC", d + Duration::days(1), 7));
    let k = keys(&app);
    // Keyed by the day it goes out, so the next day's own reminder cannot double it.
    assert!(
        k.contains(&format!("due:{}:{}", c.a, d + Duration::days(1))),
        "{k:?}"
    );
    let _ = a;
    assert!(
        !k.iter().any(|x| x.contains(&format!(":{}:", c.b))),
        "{k:?}"
    );

    // The assignment's own switch, and a paused couple, stop everything.
    let app2 = spawn_app().await;
    let (c2, a2) = couple_with_daily(&app2).await;
    app2.sql(&format!(
        "UPDATE assignments SET reminders = false WHERE id = {a2}"
    ));
    assert_eq!(pass(&app2, at("UTC", d, 19)).total(), 0);
    app2.sql(&format!(
        "UPDATE assignments SET reminders = true WHERE id = {a2}"
    ));
    app2.sql(&format!(
        "UPDATE couples SET status = 'paused' WHERE id = {}",
        c2.id
    ));
    assert_eq!(pass(&app2, at("UTC", d, 19)).due, 0);
}

#[tokio::test]
async fn sessions_remind_both_partners_a_day_ahead_and_the_counselor_gets_a_digest() {
    let app = spawn_app().await;
    let (c, _) = couple_with_daily(&app).await;
    app.sql(&format!(
        "UPDATE counselors SET time_zone = 'UTC' WHERE email = '{ADMIN_EMAIL}'"
    ));
    set_partner(&app, c.a, "latest_trust = 3, previous_trust = 8");
    let d = day();
    let starts = d.and_hms_opt(15, 0, 0).unwrap();
    app.sql(&format!(
        "INSERT INTO therapy_sessions (couple_id, counselor_id, starts_at, duration_minutes, \
         created_at, updated_at) SELECT {}, counselor_id, '{}', 50, CURRENT_TIMESTAMP, \
         CURRENT_TIMESTAMP FROM couples WHERE id = {}",
        c.id,
        starts.format("%Y-%m-%d %H:%M:%S"),
        c.id
    ));
    let r = pass(&app, (starts - Duration::hours(24)).and_utc());
    assert_eq!(r.session, 2, "{r:?}");
    let rows = reminders(&app);
    let session: Vec<_> = rows
        .iter()
        .filter(|r| r.0.starts_with("session:"))
        .collect();
    assert_eq!(session[0].1, "A reminder about tomorrow");
    assert!(session[0].2.contains("15:00"), "{}", session[0].2);
    assert_eq!(
        pass(&app, (starts - Duration::hours(23)).and_utc()).session,
        0
    );

    // The digest at 07:00 on the day: today's session and the trust flag, label in body only.
    let r = pass(&app, d.and_hms_opt(7, 0, 0).unwrap().and_utc());
    assert_eq!(r.digest, 1, "{r:?}");
    let rows = reminders(&app);
    let digest = rows.iter().find(|r| r.0.starts_with("digest:")).unwrap();
    assert_eq!(digest.1, "Your day in Trellis");
    assert!(
        digest.2.contains("15:00") && digest.2.contains("Rivera household"),
        "{}",
        digest.2
    );
    assert!(digest.2.to_lowercase().contains("trust"), "{}", digest.2);
    assert!(digest.3.contains("Rivera household"));
    assert!(digest.4.is_none());
}

fn unsubscribe_path(app: &TestApp) -> String {
    let url = reminders(app)[0].4.clone().expect("an unsubscribe url");
    url[url.find("/unsubscribe/").unwrap()..].to_string()
}

fn reminders_enabled(app: &TestApp, id: i32) -> bool {
    app.db
        .read_blocking(move |c| {
            Ok(partners::table
                .find(id)
                .select(partners::reminders_enabled)
                .first(c)?)
        })
        .unwrap()
}

#[tokio::test]
async fn one_click_unsubscribe_works_without_a_csrf_token_and_bad_tokens_are_refused() {
    let app = spawn_app().await;
    let (c, _) = couple_with_daily(&app).await;
    pass(&app, at("UTC", day(), 19));
    let path = unsubscribe_path(&app);

    let (status, page) = app.get_html(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Turn reminders off"));
    assert!(reminders_enabled(&app, c.a) && reminders_enabled(&app, c.b));

    // What a mail client sends (RFC 8058): no cookies, no CSRF token.
    let mail_client = app.other_browser();
    let r = mail_client
        .post_raw(&path, &[("List-Unsubscribe", "One-Click")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let off: Vec<bool> = vec![reminders_enabled(&app, c.a), reminders_enabled(&app, c.b)];
    assert_eq!(off.iter().filter(|x| !**x).count(), 1, "{off:?}");
    // Repeating it is harmless.
    let r = mail_client.post_raw(&path, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);

    let bad = "/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(app.get_html(bad).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        mail_client.post_raw(bad, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    // The exemption is for this path only: other POSTs still need the token.
    assert_eq!(
        mail_client
            .post_raw("/me/settings/reminders", &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert!(app.count("audit_log") >= 1);
}

#[tokio::test]
async fn reminder_settings_are_validated_beside_the_fields_and_saved() {
    let app = spawn_app().await;
    let (c, _) = couple_with_daily(&app).await;
    sign_in_partner(&app, c.a).await;
    let (status, page) = app.get_html("/me/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("reminder_hour"));

    let r = app
        .post_form(
            "/me/settings/reminders",
            &[
                ("email", "sam at example"),
                ("reminders", "on"),
                ("reminder_hour", "25"),
                ("quiet_start", "22"),
                ("quiet_end", ""),
                ("time_zone", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("sam at example"), "input kept");
    assert!(page.contains("does not look like an email address"));
    assert!(page.contains("between 0 and 23"));
    assert!(page.contains("quiet hours end"));
    assert!(page.contains("Choose a time zone"));

    // A reminder hour inside quiet hours is refused beside the field, and so are quiet hours
    // covering the whole day; nothing is saved.
    let r = app
        .post_form(
            "/me/settings/reminders",
            &[
                ("email", "sam@example.org"),
                ("reminders", "on"),
                ("reminder_hour", "23"),
                ("quiet_start", "22"),
                ("quiet_end", "7"),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("23:00 is inside your quiet hours (22:00 to 07:00)"),
        "{page}"
    );
    assert!(
        page.contains("id=\"reminder_hour-error\""),
        "beside the field"
    );
    let r = app
        .post_form(
            "/me/settings/reminders",
            &[
                ("email", "sam@example.org"),
                ("reminders", "on"),
                ("reminder_hour", "9"),
                ("quiet_start", "5"),
                ("quiet_end", "5"),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("cover the"));
    let id = c.a;
    let quiet: Option<i32> = app
        .db
        .read_blocking(move |conn| {
            Ok(partners::table
                .find(id)
                .select(partners::quiet_start_hour)
                .first(conn)?)
        })
        .unwrap();
    assert_eq!(quiet, None, "nothing was saved");

    let r = app
        .post_form(
            "/me/settings/reminders",
            &[
                ("email", "Sam.New@Example.org"),
                ("reminder_hour", "8"),
                ("quiet_start", "22"),
                ("quiet_end", "7"),
                ("time_zone", "Europe/Berlin"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = c.a;
    let row: (String, bool, i32, Option<i32>, Option<i32>, String) = app
        .db
        .read_blocking(move |conn| {
            Ok(partners::table
                .find(id)
                .select((
                    partners::email,
                    partners::reminders_enabled,
                    partners::reminder_hour,
                    partners::quiet_start_hour,
                    partners::quiet_end_hour,
                    partners::time_zone,
                ))
                .first(conn)?)
        })
        .unwrap();
    assert_eq!(
        row,
        (
            "sam.new@example.org".into(),
            false,
            8,
            Some(22),
            Some(7),
            "Europe/Berlin".into()
        )
    );
}

#[tokio::test]
#[ignore = "needs TRELLIS_TEST_DATABASE_URL=postgres://... (run with --include-ignored)"]
async fn two_planners_racing_on_postgresql_queue_each_reminder_once() {
    if std::env::var("TRELLIS_TEST_DATABASE_URL").is_err() {
        assert!(
            std::env::var("TRELLIS_REQUIRE_ALL").is_err(),
            "TRELLIS_REQUIRE_ALL is set: the PostgreSQL race test must run (set TRELLIS_TEST_DATABASE_URL)"
        );
        eprintln!("skipped: set TRELLIS_TEST_DATABASE_URL to run against PostgreSQL");
        return;
    }
    let app = spawn_app().await;
    app.setup_admin().await;
    for i in 0..20 {
        let c = create_couple(
            &app,
            ADMIN_EMAIL,
            &format!("Race {i}"),
            ("A Person", &format!("a{i}@example.org")),
            ("B Person", &format!("b{i}@example.org")),
        );
        assign(&app, c.id, "daily-check-in", "both", "");
    }
    let now = at("UTC", day(), 19);
    let mut handles = Vec::new();
    for _ in 0..4 {
        let (db, settings) = (app.db.clone(), app.settings.clone());
        handles.push(std::thread::spawn(move || {
            plan_pass(&db, &settings, now).expect("pass").total()
        }));
    }
    let queued: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let all = keys(&app);
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(all.len(), unique.len());
    assert_eq!(queued, all.len(), "the reported counts match the rows");
    assert_eq!(all.iter().filter(|k| k.starts_with("due:")).count(), 40);
}
