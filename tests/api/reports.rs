//! Session-prep reports, the trust chart and the CSV exports. Data is written straight into
//! the database (the partner portal that normally writes entries lives elsewhere).

use chrono::{Days, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use trellis::db::schema::{
    assignments, entries, entry_answers, entry_comments, setbacks, therapy_sessions,
};
use trellis::db::{self, couples::NewCouple, couples::NewPartner};
use trellis::domain::couple::{BreachBy, Confidentiality};

use crate::helpers::{location, spawn_app, TestApp, ADMIN_EMAIL};

const OTHER_EMAIL: &str = "bo@practice.test";
const OTHER_PASSWORD: &str = "another long passphrase";
const TRICKY: &str = "Said \"sorry\", then: a, b\nand 🌱 more";
const FORMULA: &str = "=HYPERLINK(\"http://evil\")";

struct Seeded {
    couple_id: i32,
    partner_a: i32,
    partner_b: i32,
    today: NaiveDate,
}

fn day(today: NaiveDate, back: u64) -> NaiveDate {
    today.checked_sub_days(Days::new(back)).unwrap()
}

fn noon(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(12, 0, 0).unwrap()
}

fn counselor_id(app: &TestApp, email: &str) -> i32 {
    let email = email.to_string();
    app.db
        .read_blocking(move |conn| Ok(db::counselors::by_email(conn, &email)?.unwrap().id))
        .unwrap()
}

/// A couple of the admin's with a daily check-in assignment, a month of history, a
/// setback, a flagged entry, a safety check, a session ten days ago and a comment.
fn seed(app: &TestApp, partner_a_name: &str) -> Seeded {
    let counselor = counselor_id(app, ADMIN_EMAIL);
    let today = Utc::now().date_naive();
    let name_a = partner_a_name.to_string();
    app.db
        .write_blocking(move |conn| {
            let new = NewCouple {
                label: "Rivera & Chen".into(),
                breach_by: BreachBy::Unstated,
                confidentiality: Confidentiality::NoSecrets,
                start_date: day(today, 60),
                partners: [
                    NewPartner {
                        display_name: name_a,
                        email: "sam@example.test".into(),
                        time_zone: "UTC".into(),
                    },
                    NewPartner {
                        display_name: "Alex".into(),
                        email: "alex@example.test".into(),
                        time_zone: "UTC".into(),
                    },
                ],
            };
            let (couple_id, [a, b]) = db::couples::create(conn, counselor, &new, 19)?;
            let daily = db::exercises::find_by_slug(conn, "daily-check-in")?;
            let weekly = db::exercises::find_by_slug(conn, "trust-check-in")?;
            let safety = db::exercises::find_by_slug(conn, "safety-check")?;
            let now = db::now();
            diesel::insert_into(assignments::table)
                .values((
                    assignments::couple_id.eq(couple_id),
                    assignments::exercise_id.eq(daily.id),
                    assignments::assignee.eq("both"),
                    assignments::cadence.eq("daily"),
                    assignments::start_date.eq(day(today, 30)),
                    assignments::created_at.eq(now),
                    assignments::updated_at.eq(now),
                ))
                .execute(conn)?;
            let assignment: i32 = assignments::table
                .filter(assignments::couple_id.eq(couple_id))
                .select(assignments::id)
                .first(conn)?;
            let daily_prompts = db::exercises::prompts(conn, daily.id)?;
            let weekly_prompts = db::exercises::prompts(conn, weekly.id)?;
            let safety_prompts = db::exercises::prompts(conn, safety.id)?;
            let add = |conn: &mut db::DbConnection,
                       partner: i32,
                       exercise: i32,
                       assignment: Option<i32>,
                       date: NaiveDate,
                       trust: Option<i32>,
                       flagged: bool,
                       answers: Vec<(i32, String)>|
             -> QueryResult<i32> {
                diesel::insert_into(entries::table)
                    .values((
                        entries::couple_id.eq(couple_id),
                        entries::partner_id.eq(partner),
                        entries::exercise_id.eq(exercise),
                        entries::assignment_id.eq(assignment),
                        entries::occurrence_date.eq(Some(date)),
                        entries::status.eq("submitted"),
                        entries::visibility.eq("counselor"),
                        entries::flagged_for_session.eq(flagged),
                        entries::trust_score.eq(trust),
                        entries::mood_score.eq(trust.map(|t| t / 2)),
                        entries::submitted_at.eq(Some(noon(date))),
                        entries::created_at.eq(noon(date)),
                        entries::updated_at.eq(noon(date)),
                    ))
                    .execute(conn)?;
                let id: i32 = entries::table
                    .order(entries::id.desc())
                    .select(entries::id)
                    .first(conn)?;
                for (prompt, value) in answers {
                    diesel::insert_into(entry_answers::table)
                        .values((
                            entry_answers::entry_id.eq(id),
                            entry_answers::prompt_id.eq(prompt),
                            entry_answers::value.eq(value),
                        ))
                        .execute(conn)?;
                }
                Ok(id)
            };
            let daily_answers = |trust: i32, text: &str| -> Vec<(i32, String)> {
                daily_prompts
                    .iter()
                    .map(|p| {
                        let v = match p.metric.as_deref() {
                            Some("mood") => (trust / 2).to_string(),
                            Some("trust") => trust.to_string(),
                            _ => text.to_string(),
                        };
                        (p.id, v)
                    })
                    .collect()
            };
            let mut commented = 0;
            // Partner A: every day from 20 days ago to yesterday, except 3 and 5 days ago.
            for back in 1..=20u64 {
                if back == 3 || back == 5 {
                    continue;
                }
                let trust = 3 + (back % 5) as i32;
                let (text, flagged) = match back {
                    4 => (TRICKY.to_string(), true),
                    6 => (FORMULA.to_string(), false),
                    _ => (format!("day {back}"), false),
                };
                let id = add(
                    conn,
                    a,
                    daily.id,
                    Some(assignment),
                    day(today, back),
                    Some(trust),
                    flagged,
                    daily_answers(trust, &text),
                )?;
                if back == 2 {
                    commented = id;
                }
            }
            // Partner B: only 10, 9 and 8 days ago.
            for back in 8..=10u64 {
                add(
                    conn,
                    b,
                    daily.id,
                    Some(assignment),
                    day(today, back),
                    Some(6),
                    false,
                    daily_answers(6, "ok"),
                )?;
            }
            // Trust check-ins: secrecy 2 in the previous period, 4 in this one.
            for (back, secrecy) in [(15u64, 2), (4, 4)] {
                let answers = weekly_prompts
                    .iter()
                    .filter_map(|p| match p.metric.as_deref() {
                        Some("warn_secrecy") => Some((p.id, secrecy.to_string())),
                        Some(m) if m.starts_with("warn_") => Some((p.id, "1".to_string())),
                        _ => None,
                    })
                    .collect();
                add(
                    conn,
                    a,
                    weekly.id,
                    None,
                    day(today, back),
                    None,
                    false,
                    answers,
                )?;
            }
            // A private safety check, flagged, in the period.
            let answers = safety_prompts
                .iter()
                .map(|p| (p.id, "SECRET-SAFETY-ANSWER".to_string()))
                .collect();
            add(conn, a, safety.id, None, day(today, 2), None, true, answers)?;
            diesel::insert_into(setbacks::table)
                .values((
                    setbacks::couple_id.eq(couple_id),
                    setbacks::partner_id.eq(b),
                    setbacks::happened_on.eq(day(today, 6)),
                    setbacks::what_happened.eq("Found <b>hidden</b> messages"),
                    setbacks::trigger_text.eq("-cmd|' /C calc'!A0"),
                    setbacks::repair_attempted.eq(true),
                    setbacks::repair_text.eq("We talked it through"),
                    setbacks::severity.eq(4),
                    setbacks::visibility.eq("counselor"),
                    setbacks::raise_in_session.eq(true),
                    setbacks::created_at.eq(now),
                    setbacks::updated_at.eq(now),
                ))
                .execute(conn)?;
            diesel::insert_into(therapy_sessions::table)
                .values((
                    therapy_sessions::couple_id.eq(couple_id),
                    therapy_sessions::counselor_id.eq(counselor),
                    therapy_sessions::starts_at.eq(noon(day(today, 10))),
                    therapy_sessions::duration_minutes.eq(50),
                    therapy_sessions::status.eq("booked"),
                    therapy_sessions::note.eq("@SUM(1+1)"),
                    therapy_sessions::created_at.eq(now),
                    therapy_sessions::updated_at.eq(now),
                ))
                .execute(conn)?;
            diesel::insert_into(entry_comments::table)
                .values((
                    entry_comments::entry_id.eq(commented),
                    entry_comments::counselor_id.eq(counselor),
                    entry_comments::body.eq("Ask about the weekend"),
                    entry_comments::created_at.eq(noon(day(today, 2))),
                ))
                .execute(conn)?;
            Ok(Seeded {
                couple_id,
                partner_a: a,
                partner_b: b,
                today,
            })
        })
        .expect("seed")
}

async fn admin_with_couple(name: &str) -> (TestApp, Seeded) {
    let app = spawn_app().await;
    app.setup_admin().await;
    let s = seed(&app, name);
    (app, s)
}

fn period_query(s: &Seeded) -> String {
    format!("from={}&to={}", day(s.today, 10), day(s.today, 1))
}

async fn csv_rows(app: &TestApp, path: &str) -> (StatusCode, Vec<csv::StringRecord>) {
    let r = app.get(path).await;
    let status = r.status();
    let body = r.bytes().await.expect("body");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_ref());
    let rows = reader.records().map(|r| r.expect("valid CSV")).collect();
    (status, rows)
}

#[tokio::test]
async fn the_report_counts_owed_made_and_missed_per_partner() {
    let (app, s) = admin_with_couple("Sam").await;
    let path = format!("/couples/{}/report?{}", s.couple_id, period_query(&s));
    let (status, body) = app.get_html(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Session prep: Rivera &amp; Chen"));
    // The CSV carries the same figures in a form a test can read exactly.
    let (status, rows) = csv_rows(
        &app,
        &format!("/couples/{}/report.csv?{}", s.couple_id, period_query(&s)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let completion: Vec<&csv::StringRecord> =
        rows.iter().filter(|r| &r[0] == "completion").collect();
    assert_eq!(completion.len(), 2, "{completion:?}");
    let sam = completion.iter().find(|r| &r[1] == "Sam").unwrap();
    assert_eq!((&sam[2], &sam[4], &sam[5]), ("Daily check-in", "8", "10"));
    assert_eq!(
        &sam[7],
        format!("missed 2: {};{}", day(s.today, 5), day(s.today, 3))
    );
    let alex = completion.iter().find(|r| &r[1] == "Alex").unwrap();
    assert_eq!((&alex[4], &alex[5]), ("3", "10"));
    assert!(alex[7].starts_with("missed 7: "));
    // The page names the missed dates too.
    assert!(body.contains(&format!("datetime=\"{}\"", day(s.today, 3))));
    let _ = (s.partner_a, s.partner_b);
}

#[tokio::test]
async fn warning_signs_are_compared_with_the_previous_period() {
    let (app, s) = admin_with_couple("Sam").await;
    let (_, rows) = csv_rows(
        &app,
        &format!("/couples/{}/report.csv?{}", s.couple_id, period_query(&s)),
    )
    .await;
    let secrecy = rows
        .iter()
        .find(|r| &r[0] == "warning_sign" && &r[1] == "Sam" && &r[2] == "warn_secrecy")
        .expect("a secrecy row");
    assert_eq!(
        (&secrecy[4], &secrecy[5], &secrecy[6]),
        ("4.00", "2.00", "2.00")
    );
    let period = rows
        .iter()
        .find(|r| &r[0] == "period" && &r[2] == "from")
        .unwrap();
    assert_eq!(&period[3], day(s.today, 10).to_string());
    assert_eq!(&period[5], day(s.today, 20).to_string());
    let trust = rows
        .iter()
        .filter(|r| &r[0] == "trust" && &r[1] == "Sam")
        .count();
    assert_eq!(trust, 8);
    let setback = rows.iter().find(|r| &r[0] == "setback").unwrap();
    assert_eq!(
        (&setback[1], &setback[4], &setback[7]),
        ("Alex", "4", "repair attempted: yes")
    );
    assert!(rows
        .iter()
        .any(|r| &r[0] == "comment" && &r[4] == "Ask about the weekend"));
    let (_, body) = app
        .get_html(&format!(
            "/couples/{}/report?{}",
            s.couple_id,
            period_query(&s)
        ))
        .await;
    assert!(body.contains("+2.0"));
    assert!(body.contains("Found &lt;b&gt;hidden&lt;/b&gt; messages"));
    assert!(!body.contains("<b>hidden</b>"));
    assert!(body.contains("Ask about the weekend"));
}

#[tokio::test]
async fn by_default_the_report_runs_from_the_last_session() {
    let (app, s) = admin_with_couple("Sam").await;
    let (status, rows) = csv_rows(&app, &format!("/couples/{}/report.csv", s.couple_id)).await;
    assert_eq!(status, StatusCode::OK);
    let from = rows
        .iter()
        .find(|r| &r[0] == "period" && &r[2] == "from")
        .unwrap();
    assert_eq!(&from[3], day(s.today, 10).to_string());
    assert!(rows
        .iter()
        .any(|r| &r[0] == "period" && &r[2] == "last_session"));
}

#[tokio::test]
async fn flagged_entries_show_their_answers_but_not_the_safety_check_unless_asked() {
    let (app, s) = admin_with_couple("Sam").await;
    let base = format!("/couples/{}/report?{}", s.couple_id, period_query(&s));
    let (_, body) = app.get_html(&base).await;
    assert!(body.contains("Said &quot;sorry&quot;, then: a, b\nand 🌱 more"));
    assert!(!body.contains("SECRET-SAFETY-ANSWER"));
    let (status, body) = app.get_html(&format!("{base}&include_safety=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("SECRET-SAFETY-ANSWER"));

    let export = format!("/couples/{}/export.csv", s.couple_id);
    let text = app.get(&export).await.text().await.unwrap();
    assert!(!text.contains("SECRET-SAFETY-ANSWER") && !text.contains("Private safety check"));
    let text = app
        .get(&format!("{export}?include_safety=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("SECRET-SAFETY-ANSWER"));
    let text = app
        .get(&format!(
            "/couples/{}/report.csv?{}",
            s.couple_id,
            period_query(&s)
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(!text.contains("SECRET-SAFETY-ANSWER"));
}

#[tokio::test]
async fn bad_dates_bring_back_the_form_with_a_message() {
    let (app, s) = admin_with_couple("Sam").await;
    for query in [
        "from=2026-02-30",
        "to=tomorrow",
        "from=2026-03-10&to=2026-03-01",
        "from=1990-01-01&to=2026-01-01",
        "from=%3Cscript%3E",
    ] {
        let (status, body) = app
            .get_html(&format!("/couples/{}/report?{query}", s.couple_id))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.contains("name=\"from\""), "{query}");
        assert!(body.contains("role=\"alert\""), "{query}");
        assert!(!body.contains("<script>"));
        let r = app
            .get(&format!("/couples/{}/report.csv?{query}", s.couple_id))
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
    }
    let (status, _) = app.get_html("/couples/banana/report").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get_html("/couples/99999/report").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_couple_export_round_trips_through_a_csv_parser() {
    let (app, s) = admin_with_couple("Sam, \"the\" 🌱 =1+1").await;
    let r = app
        .get(&format!("/couples/{}/export.csv", s.couple_id))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let body = r.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_ref());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "record_type");
    assert_eq!(headers.len(), 14);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let answers = rows.iter().filter(|r| &r[0] == "answer").count();
    // 18 + 3 daily check-ins with 4 answers each... counted from the seed, not guessed:
    assert!(answers > 60, "{answers}");
    // Text with commas, quotes, newlines and emoji survives exactly.
    assert!(rows.iter().any(|r| &r[13] == TRICKY));
    // Formula-looking text is made inert; names too.
    assert!(rows.iter().any(|r| r[13] == format!("'{FORMULA}")));
    assert!(!rows.iter().any(|r| &r[13] == FORMULA));
    assert!(rows.iter().all(|r| !r[3].starts_with('=')));
    assert!(rows.iter().any(|r| &r[3] == "Sam, \"the\" 🌱 =1+1"));
    let setback_trigger = rows
        .iter()
        .find(|r| &r[0] == "setback" && &r[11] == "trigger")
        .unwrap();
    assert_eq!(&setback_trigger[13], "'-cmd|' /C calc'!A0");
    let severity = rows
        .iter()
        .find(|r| &r[0] == "setback" && &r[11] == "severity")
        .unwrap();
    assert_eq!(&severity[13], "4");
    let note = rows
        .iter()
        .find(|r| &r[0] == "session" && &r[11] == "note")
        .unwrap();
    assert_eq!(&note[13], "'@SUM(1+1)");
    // Timestamps carry their offset; dates are plain ISO dates.
    let answer = rows.iter().find(|r| &r[0] == "answer").unwrap();
    assert!(answer[7].ends_with("+00:00"), "{}", &answer[7]);
    assert_eq!(answer[6].len(), 10);
    let session = rows.iter().find(|r| &r[0] == "session").unwrap();
    assert!(session[7].ends_with("+00:00") || session[7].ends_with("+01:00"));
    // No cell anywhere starts with a formula trigger, except plain numbers.
    for r in &rows {
        for cell in r.iter() {
            if let Some(c) = cell.chars().next() {
                assert!(
                    !['=', '+', '@', '\t', '\r'].contains(&c)
                        && (c != '-' || cell.parse::<f64>().is_ok()),
                    "{cell:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn completion_has_one_row_per_partner_per_week() {
    let (app, s) = admin_with_couple("Sam").await;
    let (status, rows) = csv_rows(&app, &format!("/couples/{}/completion.csv", s.couple_id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&rows[0][7], "iso_week");
    let data = &rows[1..];
    assert!(data.len() >= 8, "{}", data.len());
    let owed: usize = data
        .iter()
        .filter(|r| &r[6] == "a")
        .map(|r| r[10].parse::<usize>().unwrap())
        .sum();
    let made: usize = data
        .iter()
        .filter(|r| &r[6] == "a")
        .map(|r| r[11].parse::<usize>().unwrap())
        .sum();
    // 31 days from the start to today; Sam wrote on 18 of them.
    assert_eq!(owed, 31);
    assert_eq!(made, 18);
    for r in data {
        assert!(r[7].contains("-W"), "{:?}", r);
        let monday = NaiveDate::parse_from_str(&r[8], "%Y-%m-%d").unwrap();
        assert_eq!(chrono::Datelike::weekday(&monday), chrono::Weekday::Mon);
    }
}

#[tokio::test]
async fn the_practice_summary_is_the_admins_and_the_caseload_summary_each_counselors() {
    let (app, s) = admin_with_couple("Sam").await;
    let (status, rows) = csv_rows(&app, "/practice/summary.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows.len(), 2);
    let row = &rows[1];
    assert_eq!(&row[0], s.couple_id.to_string());
    let col = |name: &str| rows[0].iter().position(|h| h == name).expect(name);
    assert_eq!(&row[col("latest_setback_severity")], "4");
    assert_eq!(
        &row[col("severe_setback_since_last_session")],
        "4",
        "the severe setback since the last session"
    );
    assert_eq!(&row[col("flag_severe_setback")], "yes");
    assert!(
        row[col("partner_a_days_since_last_entry")]
            .parse::<i32>()
            .unwrap()
            <= 1,
        "Sam last wrote yesterday at noon"
    );
    assert!(
        row[col("partner_b_overdue")].parse::<i32>().unwrap() >= 7,
        "Alex has overdue entries"
    );
    assert_eq!(&row[col("flag_overdue")], "yes");
    // The same figures as the dashboard: "made of owed" per partner, same flags.
    let dashboard = app.get("/dashboard").await.text().await.unwrap();
    for slot in ["a", "b"] {
        let made = &row[col(&format!("partner_{slot}_entries_made"))];
        let owed = &row[col(&format!("partner_{slot}_entries_owed"))];
        let cell = format!(": {made} of {owed} made");
        assert!(dashboard.contains(&cell), "{cell} not on the dashboard");
    }
    assert!(row[col("attention_score")].parse::<i32>().unwrap() > 0);

    app.add_counselor("Bo", OTHER_EMAIL, OTHER_PASSWORD).await;
    let other = app.other_browser();
    other.login(OTHER_EMAIL, OTHER_PASSWORD).await;
    let r = other.get("/practice/summary.csv").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (status, rows) = csv_rows(&other, "/reports/summary.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows.len(), 1, "Bo has no couples: only the header");
    let (_, rows) = csv_rows(&app, "/reports/summary.csv").await;
    assert_eq!(rows.len(), 2);
}

#[tokio::test]
async fn another_counselor_gets_404_and_a_visitor_is_sent_to_sign_in() {
    let (app, s) = admin_with_couple("Sam").await;
    app.add_counselor("Bo", OTHER_EMAIL, OTHER_PASSWORD).await;
    let other = app.other_browser();
    other.login(OTHER_EMAIL, OTHER_PASSWORD).await;
    let anonymous = app.other_browser();
    for path in [
        "report",
        "report.csv",
        "export.csv",
        "completion.csv",
        "export.csv?include_safety=1",
    ] {
        let path = format!("/couples/{}/{path}", s.couple_id);
        let r = other.get(&path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let r = anonymous.get(&path).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&r), "/login");
    }
    let r = anonymous.get("/practice/summary.csv").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_view_and_export_is_audited() {
    let (app, s) = admin_with_couple("Sam").await;
    let before = app.count("audit_log");
    for path in ["report", "report.csv", "export.csv", "completion.csv"] {
        let r = app.get(&format!("/couples/{}/{path}", s.couple_id)).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.bytes().await.unwrap();
    }
    app.get("/practice/summary.csv")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(app.count("audit_log"), before + 5);
    let actions: Vec<String> = app
        .db
        .read_blocking(|conn| Ok(db::audit::recent(conn, 5)?))
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    for action in [
        "report.view",
        "report.export",
        "couple.export",
        "completion.export",
        "practice.export",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}");
    }
}

/// Tags open and close in order, with only known entities: enough to call it well-formed.
fn assert_well_formed(xml: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        for (j, _) in text.match_indices('&') {
            let ent = &text[j..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#"]
                    .iter()
                    .any(|e| ent.starts_with(e)),
                "bare & in {text:?}"
            );
        }
        let end = rest[i..].find('>').expect("tag closes") + i;
        let tag = &rest[i + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "closing {name}");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap().to_string();
            stack.push(name);
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

#[tokio::test]
async fn the_trust_chart_is_accessible_well_formed_svg_that_escapes_names() {
    let (app, s) = admin_with_couple("Sam <script>alert(1)</script> & co").await;
    let (_, body) = app
        .get_html(&format!(
            "/couples/{}/report?{}",
            s.couple_id,
            period_query(&s)
        ))
        .await;
    let start = body.find("<svg").expect("an svg");
    let end = body[start..].find("</svg>").unwrap() + start + "</svg>".len();
    let svg = &body[start..end];
    assert!(svg.contains("role=\"img\""));
    let escaped = "Sam &lt;script&gt;alert(1)&lt;/script&gt; &amp; co";
    assert!(
        svg.contains(&format!(
            "-title\">Trust ratings of {escaped} and Alex</title>"
        )),
        "{svg}"
    );
    assert!(!body.contains("<script>"));
    assert!(svg.contains("Setback, ") && svg.contains("severity 4 of 5"));
    assert!(svg.contains("Session, "));
    assert_eq!(
        svg.matches(&format!("<title>{escaped}, ")).count(),
        8,
        "one point per rating of Sam's"
    );
    assert_well_formed(svg);
    assert!(body.contains("chart-table"));

    // The helpers other pages call.
    let (counselor, couple) = (counselor_id(&app, ADMIN_EMAIL), s.couple_id);
    let today = s.today;
    let data = app
        .db
        .read_blocking(move |conn| {
            Ok(db::report::couple_trust_chart(
                conn,
                counselor,
                couple,
                day(today, 30),
                today,
            )?)
        })
        .unwrap();
    assert_eq!(data.partners[0].1.len(), 18);
    assert_eq!(data.partners[1].1.len(), 3);
    let spark = trellis::views::report::couple_sparkline(&data).into_string();
    assert!(spark.contains("<svg") && spark.contains("Trust"), "{spark}");
    assert_well_formed(&spark);
    let wrong = app.db.read_blocking(move |conn| {
        Ok(db::report::couple_trust_chart(
            conn,
            counselor + 100,
            couple,
            today,
            today,
        )?)
    });
    assert!(wrong.is_err());
}

#[tokio::test]
async fn the_report_suggests_an_agenda_the_counselor_can_reorder_and_annotate() {
    let (app, s) = admin_with_couple("Sam").await;
    let next = (Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d 10:00:00")
        .to_string();
    app.sql(&format!(
        "INSERT INTO therapy_sessions (couple_id, counselor_id, starts_at, duration_minutes, status, \
         created_at, updated_at) SELECT id, counselor_id, '{next}', 50, 'booked', '{next}', '{next}' \
         FROM couples WHERE id = {};",
        s.couple_id
    ));
    let base = format!("/couples/{}/report?{}", s.couple_id, period_query(&s));
    let (status, body) = app.get_html(&base).await;
    assert_eq!(status, StatusCode::OK);
    // The header printed on every page, and the next session in words.
    assert!(body.contains("Confidential, prepared "), "print header");
    assert!(body.contains(" for Rivera &amp; Chen</div>"));
    assert!(body.contains("Next session: <strong>"));
    assert!(body.contains(" at 10:00</time>"), "time in words");
    // The suggestion: the setback to raise, never what anyone wrote.
    assert!(body.contains("Agenda for the session"));
    let agenda = &body[body.find("<ol class=\"agenda\">").expect("an agenda")..];
    let agenda = &agenda[..agenda.find("</ol>").unwrap()];
    assert!(
        agenda.contains("severity 4 of 5, asked to raise it in session"),
        "{agenda}"
    );
    assert!(!agenda.contains("hidden"), "no setback text on the agenda");
    assert!(!body.contains("SECRET-SAFETY-ANSWER"));
    let keys: Vec<String> = body
        .match_indices("name=\"item\" value=\"")
        .map(|(i, m)| {
            let rest = &body[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect();
    assert!(keys.len() >= 2, "{keys:?}");

    // Put the last item first with a note, leave the first out.
    let (first, last) = (&keys[0], &keys[keys.len() - 1]);
    let mut fields: Vec<(String, String)> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        fields.push(("item".into(), k.clone()));
        fields.push((format!("pos_{k}"), (i + 2).to_string()));
        if k != first {
            fields.push((format!("keep_{k}"), "on".into()));
        }
    }
    fields.push((format!("pos_{last}"), "1".into()));
    fields.retain(|(k, v)| !(k == &format!("pos_{last}") && v != "1"));
    fields.push((format!("note_{last}"), "Start <b>here</b>".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.post_form(&base, &borrowed).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    let agenda = &body[body.find("<ol class=\"agenda\">").unwrap()..];
    let agenda = &agenda[..agenda.find("</ol>").unwrap()];
    assert!(agenda.contains("Start &lt;b&gt;here&lt;/b&gt;"), "{agenda}");
    assert_eq!(
        agenda.matches("<li>").count(),
        keys.len() - 1,
        "one left out"
    );
    let note_at = agenda.find("Start &lt;b&gt;").unwrap();
    assert!(
        agenda[..note_at].matches("<li>").count() == 1,
        "the moved item is first"
    );

    // Another counselor cannot post to it.
    app.add_counselor("Bo", OTHER_EMAIL, OTHER_PASSWORD).await;
    let other = app.other_browser();
    other.login(OTHER_EMAIL, OTHER_PASSWORD).await;
    let r = other.post_form(&base, &borrowed).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_report_with_safety_checks_suggests_no_agenda() {
    let (app, s) = admin_with_couple("Sam").await;
    let base = format!(
        "/couples/{}/report?{}&include_safety=1",
        s.couple_id,
        period_query(&s)
    );
    let (_, body) = app.get_html(&base).await;
    assert!(body.contains("No agenda is suggested while private safety checks are included"));
    assert!(!body.contains("<ol class=\"agenda\">"));
}
