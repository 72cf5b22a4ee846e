//! Promises as a loop between the partners: one writes a promise with its day; from that day
//! the other says how it went; the promiser then sees it; the counselor sees everything.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use trellis::domain::exercise::PromptKind;

use crate::helpers::{spawn_app, TestApp, ADMIN_EMAIL};
use crate::portal::{assign, create_couple, post, prompts, sign_in_partner, today};

/// A writes a promise due on `due` (YYYY-MM-DD) in the daily tracker's occurrence `days`
/// from today; returns the entry id.
async fn promise(app: &TestApp, a: &TestApp, aid: i32, days: i64, text: &str, due: &str) -> i32 {
    let day = Utc::now().date_naive() + Duration::days(days);
    let path = format!("/me/do/{aid}/{}", day.format("%Y-%m-%d"));
    let (status, form) = a.get_html(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !form.contains("How did it go?"),
        "the rating is not on the promiser's form"
    );
    let mut fields: Vec<(String, String)> = prompts(app, "promise-tracker")
        .into_iter()
        .map(|(name, kind)| match kind {
            PromptKind::Date => (name, due.to_string()),
            _ => (name, text.to_string()),
        })
        .collect();
    fields.push(("intent".into(), "submit".into()));
    let r = post(a, &path, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let loc = crate::helpers::location(&r);
    loc.trim_start_matches("/me/entries/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn rate(b: &TestApp, id: i32, fields: &[(&str, &str)]) -> (StatusCode, String) {
    b.get_html("/me/promises").await;
    let r = b
        .post_form(&format!("/me/promises/{id}/rate"), fields)
        .await;
    let status = r.status();
    (status, r.text().await.unwrap_or_default())
}

#[tokio::test]
async fn the_other_partner_rates_a_promise_from_its_day_and_the_promiser_sees_it() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple one",
        ("Sam Rivera", "sam@example.org"),
        ("Alex Chen", "alex@example.org"),
    );
    let other = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple two",
        ("Kim", "kim@example.org"),
        ("Lee", "lee@example.org"),
    );
    let aid = assign(&app, couple.id, "promise-tracker", "both", "");
    let (sam, alex, kim) = (
        app.other_browser(),
        app.other_browser(),
        app.other_browser(),
    );
    sign_in_partner(&sam, couple.a).await;
    sign_in_partner(&alex, couple.b).await;
    sign_in_partner(&kim, other.a).await;
    let tomorrow = (Utc::now().date_naive() + Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let due_now = promise(&app, &sam, aid, 0, "MARK-PROMISE-TODAY", &today()).await;
    let later = promise(&app, &sam, aid, 1, "MARK-PROMISE-LATER", &tomorrow).await;

    // Alex's home asks about today's promise only.
    let (_, home) = alex.get_html("/me").await;
    assert!(home.contains("Did Sam keep this promise?"), "{home}");
    assert!(home.contains("MARK-PROMISE-TODAY"));
    assert!(!home.contains("MARK-PROMISE-LATER"));
    // Sam is not asked about their own promise.
    let (_, sam_home) = sam.get_html("/me").await;
    assert!(!sam_home.contains("keep this promise?"));

    // Refusals, each with a message and nothing written: one's own promise, before its day,
    // no outcome, and another couple's partner (404).
    let (s, page) = rate(&sam, due_now, &[("outcome", "kept")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("This is your own promise"), "{page}");
    let (s, page) = rate(&alex, later, &[("outcome", "kept")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("You can rate it from that day"), "{page}");
    let (s, page) = rate(
        &alex,
        due_now,
        &[("outcome", "maybe"), ("note", "kept text")],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("Choose kept, partly kept or not kept."));
    assert!(page.contains("kept text"), "the note comes back as typed");
    let (s, _) = rate(&kim, due_now, &[("outcome", "kept")]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(app.count("promise_ratings"), 0);

    // Alex rates it, keeping the note for the counselor (the couple has limited secrets).
    let (s, _) = rate(
        &alex,
        due_now,
        &[
            ("outcome", "partly"),
            ("note", "MARK-NOTE-PRIVATE"),
            ("note_visibility", "counselor"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(app.count("promise_ratings"), 1);
    // Twice is refused.
    let (s, page) = rate(&alex, due_now, &[("outcome", "kept")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("already been rated"));
    assert_eq!(app.count("promise_ratings"), 1);

    // Sam sees the rating, not the private note; the feed says so; the record counts it.
    let (_, sam_page) = sam.get_html("/me/promises").await;
    assert!(sam_page.contains("Partly kept"), "{sam_page}");
    assert!(!sam_page.contains("MARK-NOTE-PRIVATE"));
    let (_, sam_home) = sam.get_html("/me").await;
    assert!(
        sam_home.contains("Alex said how your promise went"),
        "{sam_home}"
    );
    assert!(sam_home.contains(&format!("/me/promises#promise-{due_now}")));
    let (_, alex_page) = alex.get_html("/me/promises").await;
    assert!(alex_page.contains("MARK-NOTE-PRIVATE"));
    assert!(alex_page.contains("Your note is for your counselor only."));
    assert!(
        !alex_page.contains("Did Sam keep this promise?"),
        "no card once rated"
    );

    // The counselor: couple page, report and report CSV.
    let (_, page) = app.get_html(&format!("/couples/{}", couple.id)).await;
    assert!(page.contains("Promises"));
    assert!(page.contains("MARK-PROMISE-TODAY") && page.contains("Partly kept"));
    assert!(page.contains("MARK-NOTE-PRIVATE"));
    let (s, report) = app
        .get_html(&format!("/couples/{}/report", couple.id))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(report.contains("MARK-PROMISE-TODAY"), "{report}");
    let csv = app
        .get(&format!("/couples/{}/report.csv", couple.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("promise,Sam Rivera,MARK-PROMISE-TODAY,")
            && csv.contains(",partly,,,MARK-NOTE-PRIVATE"),
        "{csv}"
    );

    // Under "no secrets" the note always goes to the promiser too.
    app.sql(&format!(
        "UPDATE couples SET confidentiality = 'no_secrets' WHERE id = {}",
        couple.id
    ));
    let third = promise(&app, &sam, aid, 2, "MARK-PROMISE-THIRD", &today()).await;
    let (_, card) = alex.get_html("/me/promises").await;
    assert!(
        !card.contains("Only your counselor"),
        "no choice under no secrets"
    );
    let (s, _) = rate(
        &alex,
        third,
        &[
            ("outcome", "kept"),
            ("note", "MARK-NOTE-SHARED"),
            ("note_visibility", "counselor"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, sam_page) = sam.get_html("/me/promises").await;
    assert!(sam_page.contains("MARK-NOTE-SHARED"));
}
