//! The exercise library: browsing, filtering, counselors' own exercises.

use reqwest::StatusCode;

use crate::helpers::{hidden_value, location, spawn_app, TestApp};

async fn admin_app() -> TestApp {
    let app = spawn_app().await;
    app.setup_admin().await;
    app
}

#[tokio::test]
async fn the_library_lists_every_built_in_exercise() {
    let app = admin_app().await;
    let (status, body) = app.get_html("/exercises").await;
    assert_eq!(status, StatusCode::OK);
    for title in [
        "Trust check-in",
        "Daily check-in",
        "Apology letter",
        "Co-journal",
        "Small wins",
        "Promise tracker",
    ] {
        assert!(body.contains(title), "{title} listed");
    }
    assert!(body.contains("17 exercises"));
}

#[tokio::test]
async fn the_library_filters_by_element_and_by_who_does_it() {
    let app = admin_app().await;
    let (_, body) = app.get_html("/exercises?performer=hurt").await;
    assert!(body.contains("Forgiveness reflection"));
    assert!(!body.contains("Apology letter"));
    assert!(body.contains("1 exercises") || body.contains("exercises"));
    let (_, body) = app.get_html("/exercises?performer=offending").await;
    assert!(body.contains("Apology letter") && body.contains("Transparency log"));
    assert!(!body.contains("Forgiveness reflection"));
    let (_, body) = app.get_html("/exercises?element=7").await;
    assert!(body.contains("Co-journal"));
    assert!(!body.contains("Apology letter"));
    // Nonsense filters are ignored rather than failing.
    let (status, _) = app
        .get_html("/exercises?element=banana&performer=%3Cscript%3E")
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_exercise_page_shows_its_questions() {
    let app = admin_app().await;
    let (_, list) = app.get_html("/exercises?element=14").await;
    let href = list.split("href=\"/exercises/").find_map(|s| {
        let id = s.split('"').next()?;
        id.parse::<i32>().ok()
    });
    let (status, body) = app.get_html(&format!("/exercises/{}", href.unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Questions"));
}

fn valid_exercise(once: &str) -> Vec<(String, String)> {
    [
        ("title", "Evening <reflection>"),
        ("summary", "A short look back at the day."),
        ("performer", "both"),
        ("cadence_hint", "Daily"),
        ("visibility", "partner"),
        ("visibility_choice", "on"),
        ("element", "8"),
        ("p0_kind", "scale"),
        ("p0_label", "How close did you feel today?"),
        ("p0_min", "0"),
        ("p0_max", "6"),
        ("p0_low", "Far apart"),
        ("p0_high", "Very close"),
        ("p0_required", "on"),
        ("p1_kind", "checklist"),
        ("p1_label", "What helped?"),
        ("p1_options", "A walk\nA meal together\nTime apart"),
        ("p2_kind", "long_text"),
        ("form_once", once),
        ("intent", "save"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

async fn post_pairs(app: &TestApp, path: &str, pairs: &[(String, String)]) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post_form(path, &fields).await
}

#[tokio::test]
async fn a_counselor_writes_their_own_exercise() {
    let app = admin_app().await;
    let (status, form) = app.get_html("/exercises/new").await;
    assert_eq!(status, StatusCode::OK);
    let once = hidden_value(&form, "form_once").unwrap();
    let r = post_pairs(&app, "/exercises", &valid_exercise(&once)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let detail = location(&r);
    let (status, body) = app.get_html(&detail).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Evening &lt;reflection&gt;"), "title escaped");
    assert!(body.contains("Scale 0–6 (Far apart … Very close)"));
    assert!(body.contains("A meal together"));
    assert_eq!(app.count("exercises"), 18);
}

#[tokio::test]
async fn an_invalid_exercise_comes_back_with_messages_and_input_kept() {
    let app = admin_app().await;
    let (_, form) = app.get_html("/exercises/new").await;
    let once = hidden_value(&form, "form_once").unwrap();
    let mut pairs = valid_exercise(&once);
    for (k, v) in pairs.iter_mut() {
        match k.as_str() {
            "title" => *v = "".into(),
            "p0_min" => *v = "9".into(),
            "p0_label" => *v = "Kept question text".into(),
            _ => {}
        }
    }
    let before = app.count("exercises");
    let r = post_pairs(&app, "/exercises", &pairs).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("Please enter a title."));
    assert!(body.contains("The high end must be above the low end."));
    assert!(body.contains("value=\"Kept question text\""));
    assert!(body.contains("A meal together"));
    assert_eq!(app.count("exercises"), before);

    let no_prompts: Vec<(String, String)> = vec![
        ("title".into(), "Only a title".into()),
        ("performer".into(), "both".into()),
        ("visibility".into(), "counselor".into()),
        ("form_once".into(), once.clone()),
    ];
    let r = post_pairs(&app, "/exercises", &no_prompts).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Add at least one question"));

    let mut too_long = valid_exercise(&once);
    too_long[0].1 = "x".repeat(121);
    let r = post_pairs(&app, "/exercises", &too_long).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("120 characters or fewer"));
    assert_eq!(app.count("exercises"), before);
}

#[tokio::test]
async fn a_custom_exercise_form_posted_twice_is_saved_once() {
    let app = admin_app().await;
    let (_, form) = app.get_html("/exercises/new").await;
    let once = hidden_value(&form, "form_once").unwrap();
    let first = post_pairs(&app, "/exercises", &valid_exercise(&once)).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let second = post_pairs(&app, "/exercises", &valid_exercise(&once)).await;
    assert_eq!(location(&second), "/exercises?notice=already-submitted");
    assert_eq!(app.count("exercises"), 18);
}

#[tokio::test]
async fn a_counselor_edits_and_archives_their_exercise_but_not_anothers() {
    let app = admin_app().await;
    let (_, form) = app.get_html("/exercises/new").await;
    let once = hidden_value(&form, "form_once").unwrap();
    let r = post_pairs(&app, "/exercises", &valid_exercise(&once)).await;
    let detail = location(&r);
    let path = detail.split('?').next().unwrap().to_string();

    let (status, edit) = app.get_html(&format!("{path}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(edit.contains("How close did you feel today?"));
    let mut pairs = valid_exercise("");
    pairs[0].1 = "Evening check".into();
    let r = post_pairs(&app, &format!("{path}/edit"), &pairs).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(app.get_html(&path).await.1.contains("Evening check"));

    app.add_counselor("Bea", "bea@practice.test", "bea's long passphrase")
        .await;
    let bea = app.other_browser();
    bea.login("bea@practice.test", "bea's long passphrase")
        .await;
    assert_eq!(bea.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        bea.get(&format!("{path}/edit")).await.status(),
        StatusCode::NOT_FOUND
    );
    bea.get_html("/exercises").await;
    let r = bea.post_form(&format!("{path}/archive"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post_pairs(&bea, &format!("{path}/edit"), &pairs).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!bea.get_html("/exercises").await.1.contains("Evening check"));

    let r = app.post_form(&format!("{path}/archive"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!app.get_html("/exercises").await.1.contains("Evening check"));
    assert!(app
        .get_html("/exercises?archived=on")
        .await
        .1
        .contains("Evening check"));
}

#[tokio::test]
async fn built_in_exercises_cannot_be_edited() {
    let app = admin_app().await;
    let (_, list) = app.get_html("/exercises").await;
    let id = list
        .split("href=\"/exercises/")
        .find_map(|s| s.split('"').next()?.parse::<i32>().ok())
        .unwrap();
    assert_eq!(
        app.get(&format!("/exercises/{id}/edit")).await.status(),
        StatusCode::NOT_FOUND
    );
}
