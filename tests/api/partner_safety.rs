//! The partner's side of safety: "Leave quickly" on every partner page and the neutral page
//! it goes to, the discreet title of the safety check, the crisis resources the practice
//! admin writes, and the dashboard and practice CSV counting the check the same way.

use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, TestApp, ADMIN_EMAIL};
use crate::portal::{answers, assign, create_couple, post, sign_in_partner, today};

async fn admin_couple_and_partner() -> (TestApp, TestApp, crate::portal::Couple, i32) {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Rivera household",
        ("Sam Rivera", "sam@example.org"),
        ("Alex Chen", "alex@example.org"),
    );
    let safety = assign(&app, couple.id, "safety-check", "a", "");
    let a = app.other_browser();
    sign_in_partner(&a, couple.a).await;
    (app, a, couple, safety)
}

#[tokio::test]
async fn every_partner_page_has_a_leave_quickly_link_to_a_neutral_page() {
    let (app, a, _, safety) = admin_couple_and_partner().await;
    let form = format!("/me/do/{safety}/{}", today());
    for path in [
        "/me",
        "/me/entries",
        "/me/journal",
        "/me/setbacks",
        "/me/setbacks/new",
        "/me/settings",
        form.as_str(),
    ] {
        let (s, page) = a.get_html(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        let button = page.find("data-quick-exit").expect(path);
        // First thing in the page body: visible without scrolling.
        assert!(button < page.find("<main").unwrap(), "{path}");
        assert!(page.contains("href=\"/away\""), "{path}");
        assert!(page.contains("Leave quickly"), "{path}");
        assert!(page.contains("/assets/quick-exit-"), "{path}");
    }
    // The partner sign-in page too; counselor pages do not carry it.
    let anonymous = app.other_browser();
    let (_, page) = anonymous.get_html("/sign-in").await;
    assert!(page.contains("data-quick-exit"));
    let (_, page) = app.get_html("/dashboard").await;
    assert!(!page.contains("data-quick-exit"));

    // The neutral page needs no sign-in and names nothing.
    let r = anonymous.get("/away").await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(!body.contains("Trellis") && !body.contains("<script"));
    // The script is served from 'self' as JavaScript.
    let (_, page) = a.get_html("/me").await;
    let start = page.find("/assets/quick-exit-").unwrap();
    let src = &page[start..start + page[start..].find('"').unwrap()];
    let r = anonymous.get(src).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(r.text().await.unwrap().contains("location.replace"));
}

#[tokio::test]
async fn the_admin_sets_the_crisis_text_and_the_exit_address_and_bad_ones_come_back() {
    let (app, a, _, safety) = admin_couple_and_partner().await;
    let (s, _) = app.get_html("/practice/safety").await;
    assert_eq!(s, StatusCode::OK);
    let r = app
        .post_form(
            "/practice/safety",
            &[
                ("crisis_text", "Call the <Helpline> on 0800 123 456"),
                ("exit_url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("Enter a full web address"));
    assert!(page.contains("Call the &lt;Helpline&gt; on 0800 123 456"));
    let r = app
        .post_form(
            "/practice/safety",
            &[
                ("crisis_text", "Call the <Helpline> on 0800 123 456"),
                ("exit_url", "https://weather.example.org/today"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Partners cannot change it.
    a.get_html("/me").await;
    let r = a
        .post_form(
            "/practice/safety",
            &[("crisis_text", "x"), ("exit_url", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = a.get("/away").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "https://weather.example.org/today");
    let (_, page) = a.get_html(&format!("/me/do/{safety}/{}", today())).await;
    assert!(page.contains("Call the &lt;Helpline&gt; on 0800 123 456"));
}

#[tokio::test]
async fn the_safety_check_goes_by_a_discreet_title_on_the_partners_side() {
    let (app, a, couple, safety) = admin_couple_and_partner().await;
    let form = format!("/me/do/{safety}/{}", today());
    for path in ["/me", form.as_str()] {
        let (_, page) = a.get_html(path).await;
        assert!(page.contains("Personal check-in"), "{path}");
        assert!(!page.contains("Private safety check"), "{path}");
    }
    let (_, page) = a.get_html(&form).await;
    assert!(page.contains("<title>Personal check-in · Trellis</title>"));
    a.get_html(&form).await;
    let mut fields = answers(&app, "safety-check", "");
    fields.push(("intent".into(), "submit".into()));
    let r = post(&a, &form, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for path in ["/me", "/me/entries", location(&r).as_str()] {
        let (_, page) = a.get_html(path).await;
        assert!(page.contains("Personal check-in"), "{path}");
        assert!(!page.contains("Private safety check"), "{path}");
    }

    // The counselor chooses another title on the assignment form.
    let exercise = crate::couples::exercise_id(&app, "safety-check").to_string();
    let start = today();
    let r = crate::couples::assign(
        &app,
        couple.id,
        &[
            ("exercise_id", exercise.as_str()),
            ("assignee", "a"),
            ("cadence", "daily"),
            ("start_date", start.as_str()),
            ("partner_title", "Notes for Tuesday"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = a.get_html("/me").await;
    assert!(page.contains("Notes for Tuesday"));
    assert!(!page.contains("Private safety check"));
}

#[tokio::test]
async fn the_dashboard_and_the_practice_csv_count_the_safety_check_alike() {
    let (app, a, couple, safety) = admin_couple_and_partner().await;
    let daily = assign(&app, couple.id, "daily-check-in", "both", "");
    for (aid, slug) in [(safety, "safety-check"), (daily, "daily-check-in")] {
        let path = format!("/me/do/{aid}/{}", today());
        a.get_html(&path).await;
        let mut fields = answers(&app, slug, "words");
        fields.push(("intent".into(), "submit".into()));
        assert_eq!(
            post(&a, &path, &fields).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let body = app.get("/reports/summary.csv").await.text().await.unwrap();
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let row = rows.records().next().unwrap().unwrap();
    let col = |name: &str| row[headers.iter().position(|h| h == name).unwrap()].to_string();
    let (made, owed) = (col("partner_a_entries_made"), col("partner_a_entries_owed"));
    // The safety check counts in neither: one daily check-in made of one owed.
    assert_eq!((made.as_str(), owed.as_str()), ("1", "1"));
    let (_, page) = app.get_html("/dashboard").await;
    assert!(page.contains(&format!("{made} of {owed}")), "{page}");
    assert!(!page.contains("2 of 2"));
}
