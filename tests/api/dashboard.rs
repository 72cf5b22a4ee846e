//! The dashboard on seeded data: each flag raised and not raised, the filter, the empty
//! caseload, and one counselor never seeing another's couples.

use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::couples::{admin_app, assign_daily, create_couple, exercise_id, two_counselors};
use crate::helpers::TestApp;

/// Partner ids (a, b) and the couple's first assignment id.
fn ids(app: &TestApp, couple: i32) -> (i32, i32, i32) {
    app.db
        .read_blocking(move |conn| {
            let p = trellis::db::couples::partners_of(conn, couple)?;
            let a = trellis::db::assignments::for_couple(conn, couple)?;
            Ok((p[0].id, p[1].id, a[0].id))
        })
        .expect("ids")
}

fn ts(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A couple in good shape: a daily check-in for both since 30 days ago, every day of the
/// last two weeks submitted by both, last entry an hour ago, trust steady at 7.
async fn calm_couple(app: &TestApp, label: &str) -> (i32, i32, i32, i32) {
    let couple = create_couple(app, label, "a").await;
    let start = (Utc::now() - Duration::days(30)).date_naive().to_string();
    assign_daily(app, couple, "daily-check-in", &start).await;
    let (a, b, assignment) = ids(app, couple);
    let exercise = exercise_id(app, "daily-check-in");
    let now = Utc::now();
    let mut sql = String::new();
    for partner in [a, b] {
        for back in 0..14 {
            let date = (now - Duration::days(back)).date_naive();
            sql.push_str(&format!(
                "INSERT INTO entries (couple_id, partner_id, exercise_id, assignment_id, occurrence_date, \
                 status, visibility, trust_score, submitted_at, created_at, updated_at) VALUES \
                 ({couple}, {partner}, {exercise}, {assignment}, '{date}', 'submitted', 'counselor', 7, \
                 '{t}', '{t}', '{t}');",
                t = ts(now - Duration::hours(1))
            ));
        }
        sql.push_str(&format!(
            "UPDATE partners SET last_entry_at = '{}', latest_trust = 7, previous_trust = 7 WHERE id = {partner};",
            ts(now - Duration::hours(1))
        ));
    }
    app.sql(&sql);
    (couple, a, b, assignment)
}

fn setback(app: &TestApp, couple: i32, partner: i32, severity: i32, logged: chrono::DateTime<Utc>) {
    app.sql(&format!(
        "INSERT INTO setbacks (couple_id, partner_id, happened_on, what_happened, severity, visibility, \
         created_at, updated_at) VALUES ({couple}, {partner}, '{d}', 'private words', {severity}, 'counselor', '{t}', '{t}');",
        d = logged.date_naive(),
        t = ts(logged)
    ));
}

fn session(app: &TestApp, couple: i32, starts: chrono::DateTime<Utc>) {
    app.sql(&format!(
        "INSERT INTO therapy_sessions (couple_id, counselor_id, starts_at, duration_minutes, status, \
         created_at, updated_at) SELECT id, counselor_id, '{t}', 50, 'booked', '{t}', '{t}' FROM couples WHERE id = {couple};",
        t = ts(starts)
    ));
}

/// The dashboard line (with its reasons and partners) for a label.
fn row_of<'a>(page: &'a str, label: &str) -> &'a str {
    let start = page
        .find(&format!(">{label}</a>"))
        .unwrap_or_else(|| panic!("{label} on the dashboard"));
    let rest = &page[start..];
    let end = rest[1..]
        .find("<li class=\"triage-row\"")
        .map(|i| i + 1)
        .unwrap_or(rest.len());
    &rest[..end]
}

#[tokio::test]
async fn an_empty_caseload_shows_how_to_add_the_first_couple() {
    let app = admin_app().await;
    let (status, page) = app.get_html("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Add your first couple"));
    assert!(page.contains("href=\"/couples/new\""));
}

#[tokio::test]
async fn a_calm_couple_raises_no_flag() {
    let app = admin_app().await;
    calm_couple(&app, "Calm").await;
    let (_, page) = app.get_html("/dashboard").await;
    let row = row_of(&page, "Calm");
    assert!(row.contains("14 of 14"), "{row}");
    assert!(!row.contains("badge-flag") && !row.contains("badge-danger"));
    // Both partners' trust of the last weeks as a sparkline, named in words.
    assert!(row.contains("<svg class=\"sparkline\""), "{row}");
    assert!(
        row.contains("aria-label=\"Trust for Sam Rivera and Alex Chen: Sam Rivera 7 to 7, Alex Chen 7 to 7 over 13 days\""),
        "{row}"
    );
    assert!(page.contains("Nothing needs your attention right now"));
    assert!(app.count("audit_log") > 0, "the view is audited");
}

#[tokio::test]
async fn a_severe_setback_since_the_last_session_is_flagged() {
    let app = admin_app().await;
    let (severe, a, _, _) = calm_couple(&app, "Severe").await;
    let (discussed, a2, _, _) = calm_couple(&app, "Discussed").await;
    let (mild, a3, _, _) = calm_couple(&app, "Mild").await;
    let now = Utc::now();
    // Severe: a 5 logged after the last session.
    session(&app, severe, now - Duration::days(5));
    setback(&app, severe, a, 5, now - Duration::days(2));
    // Discussed: a 5 logged before the last session.
    setback(&app, discussed, a2, 5, now - Duration::days(6));
    session(&app, discussed, now - Duration::days(3));
    // Mild: a 3 since the last session.
    setback(&app, mild, a3, 3, now - Duration::days(1));

    let (_, page) = app.get_html("/dashboard").await;
    let row = row_of(&page, "Severe");
    assert!(row.contains("Severe setback"));
    assert!(row.contains("A setback of severity 5 was logged since the last session."));
    assert!(
        !page.contains("private words"),
        "setback text never on the dashboard"
    );
    assert!(!row_of(&page, "Discussed").contains("Severe setback"));
    assert!(
        row_of(&page, "Discussed").contains("Severity 5"),
        "latest setback shown"
    );
    assert!(!row_of(&page, "Mild").contains("Severe setback"));
    // Sorted by attention: the flagged couple first.
    assert!(page.find(">Severe</a>").unwrap() < page.find(">Discussed</a>").unwrap());
}

#[tokio::test]
async fn trust_drop_and_trust_gap_are_flagged_with_reasons() {
    let app = admin_app().await;
    let (_, a, _, _) = calm_couple(&app, "Dropping").await;
    let (_, a2, _, _) = calm_couple(&app, "Apart").await;
    let (_, a3, _, _) = calm_couple(&app, "Steady").await;
    app.sql(&format!(
        "UPDATE partners SET previous_trust = 7, latest_trust = 5 WHERE id = {a};\
         UPDATE partners SET previous_trust = 8, latest_trust = 4 WHERE id = {a2};\
         UPDATE partners SET previous_trust = 7, latest_trust = 6 WHERE id = {a3};"
    ));
    let (_, page) = app.get_html("/dashboard").await;
    let dropping = row_of(&page, "Dropping");
    assert!(dropping.contains("Trust drop"));
    assert!(
        dropping.contains("Sam Rivera&#39;s trust rating fell from 7 to 5.")
            || dropping.contains("Sam Rivera's trust rating fell from 7 to 5.")
    );
    assert!(!dropping.contains("Trust gap"), "5 and 7 are 2 apart");
    let apart = row_of(&page, "Apart");
    assert!(apart.contains("Trust gap") && apart.contains("3 points apart (4 and 7)"));
    let steady = row_of(&page, "Steady");
    assert!(!steady.contains("Trust drop") && !steady.contains("Trust gap"));
    assert!(steady.contains("(-1)"), "the change is shown");
}

#[tokio::test]
async fn silence_and_overdue_entries_are_flagged() {
    let app = admin_app().await;
    let (silent, a, _, _) = calm_couple(&app, "Silent").await;
    let (late, _, b2, _) = calm_couple(&app, "Late").await;
    calm_couple(&app, "Fine").await;
    let now = Utc::now();
    let six_days_ago = (now - Duration::days(6)).date_naive();
    app.sql(&format!(
        "DELETE FROM entries WHERE partner_id = {a} AND occurrence_date > '{six_days_ago}';\
         UPDATE partners SET last_entry_at = '{}' WHERE id = {a};",
        ts(now - Duration::days(6))
    ));
    // Late: Alex missed five of the fourteen days (35%).
    let missed: Vec<String> = (3..8)
        .map(|back| format!("'{}'", (now - Duration::days(back)).date_naive()))
        .collect();
    app.sql(&format!(
        "DELETE FROM entries WHERE partner_id = {b2} AND occurrence_date IN ({});",
        missed.join(",")
    ));
    let _ = silent;
    let _ = late;
    let (_, page) = app.get_html("/dashboard").await;
    let silent_row = row_of(&page, "Silent");
    assert!(silent_row.contains("Silence"));
    assert!(silent_row.contains("Nothing from Sam Rivera for 6 days."));
    assert!(
        silent_row.contains("Overdue"),
        "the missed days are overdue too"
    );
    let late_row = row_of(&page, "Late");
    assert!(
        late_row.contains("Alex Chen missed 5 of 14 entries owed (35%)."),
        "{late_row}"
    );
    assert!(
        late_row.contains("Many entries missed"),
        "the headline in words"
    );
    assert!(!late_row.contains("Silence"));
    assert!(late_row.contains("9 of 14 made"));
    assert!(late_row.contains("23 of 28"), "both partners together");
    let fine = row_of(&page, "Fine");
    assert!(!fine.contains("Overdue") && !fine.contains("Silence"));

    // Filter by flag; nonsense filters show everything.
    let (_, only) = app.get_html("/dashboard?flag=overdue").await;
    assert!(only.contains(">Late</a>") && only.contains(">Silent</a>"));
    assert!(!only.contains(">Fine</a>"));
    let (_, only) = app.get_html("/dashboard?flag=silence").await;
    assert!(only.contains(">Silent</a>") && !only.contains(">Late</a>"));
    let (status, all) = app.get_html("/dashboard?flag=%3Cscript%3E&flag=x").await;
    assert_eq!(status, StatusCode::OK);
    assert!(all.contains(">Fine</a>") && !all.contains("<script>"));
}

#[tokio::test]
async fn paused_and_closed_couples_and_other_counselors_couples_stay_off_the_dashboard() {
    let (admin, other) = two_counselors().await;
    let (paused, ..) = calm_couple(&admin, "Paused one").await;
    calm_couple(&admin, "Mine").await;
    let theirs = create_couple(&other, "Theirs", "b").await;
    admin
        .post_form(
            &format!("/couples/{paused}/status"),
            &[("status", "paused")],
        )
        .await;
    let (_, page) = admin.get_html("/dashboard").await;
    assert!(page.contains(">Mine</a>"));
    assert!(!page.contains("Paused one") && !page.contains("Theirs"));
    let (_, page) = other.get_html("/dashboard").await;
    assert!(page.contains(">Theirs</a>") && !page.contains("Mine"));
    let _ = theirs;
}

async fn view(app: &TestApp) -> String {
    let (status, page) = app.get_html("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    page
}

/// The dashboard keeps its computed rows between views; every kind of change must show on
/// the next view, whoever writes it (here straight to the database, as a script would).
#[tokio::test]
async fn every_change_shows_on_the_next_view() {
    let app = admin_app().await;
    let (couple, a, b, assignment) = calm_couple(&app, "Calm").await;
    let page = view(&app).await;
    assert!(row_of(&page, "Calm").contains("14 of 14"));
    assert!(row_of(&page, "Calm").contains("On track"));
    assert!(!row_of(&page, "Calm").contains("badge-flag"));

    // Submitted entries disappear: owed but not made, overdue.
    let three_days_ago = (Utc::now() - Duration::days(3)).date_naive();
    app.sql(&format!(
        "DELETE FROM entries WHERE partner_id = {b} AND occurrence_date = '{three_days_ago}';"
    ));
    let page = view(&app).await;
    assert!(row_of(&page, "Calm").contains("13 of 14"), "entries");
    assert!(
        !row_of(&page, "Calm").contains("Overdue"),
        "one in 14 is not"
    );
    let week_ago = (Utc::now() - Duration::days(7)).date_naive();
    app.sql(&format!(
        "DELETE FROM entries WHERE partner_id = {b} AND occurrence_date >= '{week_ago}' \
         AND occurrence_date < '{three_days_ago}';"
    ));
    let page = view(&app).await;
    assert!(row_of(&page, "Calm").contains("9 of 14"), "entries");
    assert!(row_of(&page, "Calm").contains("Overdue"));

    // The couple is renamed.
    app.sql(&format!(
        "UPDATE couples SET label = 'Renamed' WHERE id = {couple};"
    ));
    let page = view(&app).await;
    assert!(
        page.contains(">Renamed</a>") && !page.contains(">Calm</a>"),
        "couple"
    );

    // A severe setback.
    setback(&app, couple, a, 5, Utc::now());
    assert!(
        row_of(&view(&app).await, "Renamed").contains("Severe setback"),
        "setbacks"
    );

    // A trust rating falls.
    app.sql(&format!(
        "UPDATE partners SET previous_trust = 8, latest_trust = 4 WHERE id = {a};"
    ));
    assert!(
        row_of(&view(&app).await, "Renamed").contains("Trust drop"),
        "partners"
    );

    // A session is booked.
    let before = view(&app).await;
    assert!(row_of(&before, "Renamed").contains("none booked"));
    session(&app, couple, Utc::now() + Duration::days(2));
    assert!(
        !row_of(&view(&app).await, "Renamed").contains("none booked"),
        "sessions"
    );

    // The assignment is paused from a week ago: fewer entries owed.
    let week_ago = (Utc::now() - Duration::days(7)).date_naive();
    app.sql(&format!(
        "INSERT INTO assignment_pauses (assignment_id, start_date) VALUES ({assignment}, '{week_ago}');"
    ));
    let page = view(&app).await;
    assert!(!row_of(&page, "Renamed").contains("of 14"), "pauses");

    // The couple leaves the active caseload.
    app.sql(&format!(
        "UPDATE couples SET status = 'paused' WHERE id = {couple};"
    ));
    let page = view(&app).await;
    assert!(!page.contains(">Renamed</a>"), "status");
    assert!(page.contains("Your caseload is empty") || !page.contains("Renamed"));
}

#[tokio::test]
async fn one_missed_entry_in_two_weeks_is_not_flagged_as_overdue() {
    let app = admin_app().await;
    let (_, a, _, _) = calm_couple(&app, "Nearly").await;
    let two_days_ago = (Utc::now() - Duration::days(2)).date_naive();
    app.sql(&format!(
        "DELETE FROM entries WHERE partner_id = {a} AND occurrence_date = '{two_days_ago}';"
    ));
    let (_, page) = app.get_html("/dashboard").await;
    let row = row_of(&page, "Nearly");
    assert!(row.contains("13 of 14 made, 1 overdue"), "{row}");
    assert!(
        !row.contains("Overdue") && row.contains("On track"),
        "{row}"
    );
    assert!(page.contains("Nothing needs your attention right now"));
}

#[tokio::test]
async fn the_dashboard_finds_couples_by_name() {
    let app = admin_app().await;
    calm_couple(&app, "Rivera & Chen").await;
    calm_couple(&app, "Okafor & Lund").await;
    let (status, page) = app.get_html("/dashboard?q=okaf").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(">Okafor &amp; Lund</a>"));
    assert!(!page.contains(">Rivera &amp; Chen</a>"));
    assert!(
        page.contains("value=\"okaf\""),
        "the search stays filled in"
    );
    // Case does not matter; nothing found says so; markup is escaped.
    let (_, page) = app.get_html("/dashboard?q=RIVERA").await;
    assert!(page.contains(">Rivera &amp; Chen</a>") && !page.contains(">Okafor"));
    let (status, page) = app.get_html("/dashboard?q=%3Cb%3Ezz").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No couple matches") && !page.contains("<b>zz"));
}

#[tokio::test]
async fn the_most_serious_reason_ranks_first_and_is_named_in_words() {
    let app = admin_app().await;
    let now = Utc::now();
    // Three mild problems at once...
    let (_, quiet, _, _) = calm_couple(&app, "Many mild").await;
    app.sql(&format!(
        "DELETE FROM entries WHERE partner_id = {quiet} AND occurrence_date > '{}';\
         UPDATE partners SET last_entry_at = '{}' WHERE id = {quiet};",
        (now - Duration::days(8)).date_naive(),
        ts(now - Duration::days(8))
    ));
    // ...against one falling trust rating.
    let (_, falling, _, _) = calm_couple(&app, "Falling").await;
    app.sql(&format!(
        "UPDATE partners SET previous_trust = 8, latest_trust = 5 WHERE id = {falling};"
    ));
    calm_couple(&app, "Aaa calm").await;
    let (_, page) = app.get_html("/dashboard").await;
    let pos = |label: &str| page.find(&format!(">{label}</a>")).unwrap();
    assert!(
        pos("Falling") < pos("Many mild"),
        "trust before silence and overdue"
    );
    assert!(pos("Many mild") < pos("Aaa calm"));
    assert!(row_of(&page, "Falling").contains("Trust falling"));
    assert!(row_of(&page, "Many mild").contains("Gone quiet"));
    assert!(row_of(&page, "Many mild").contains("+1 more"));
    assert!(page.contains("2 needing attention"));
}
