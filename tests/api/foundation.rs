//! Setup, sign-in, sessions, CSRF, counselor administration, headers.

use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, spawn_app_with, ADMIN_EMAIL, ADMIN_PASSWORD};

#[tokio::test]
async fn a_fresh_install_sends_the_first_visitor_to_setup() {
    let app = spawn_app().await;
    let r = app.get("/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/setup");
    let (status, body) = app.get_html("/setup").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Welcome to Trellis"));
}

#[tokio::test]
async fn setup_creates_the_practice_admin_and_signs_them_in() {
    let app = spawn_app().await;
    let r = app.setup_admin().await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/dashboard"));
    let (path, status, body) = app.follow("/").await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert!(body.contains("Signed in as Ada Counselor"));
    let (status, body) = app.get_html("/practice").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(ADMIN_EMAIL));
    let (_, body) = app.get_html("/practice/audit").await;
    assert!(body.contains("practice.setup"), "setup is in the audit log");
}

#[tokio::test]
async fn setup_is_gone_once_a_counselor_exists() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let stranger = app.other_browser();
    let (status, _) = stranger.get_html("/setup").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = stranger
        .post_form(
            "/setup",
            &[
                ("name", "Mallory"),
                ("email", "mallory@example.org"),
                ("password", "another long passphrase"),
                ("password_confirm", "another long passphrase"),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("counselors"), 1);
}

#[tokio::test]
async fn setup_with_a_short_password_is_refused_with_the_input_kept() {
    let app = spawn_app().await;
    app.get_html("/setup").await;
    let r = app
        .post_form(
            "/setup",
            &[
                ("name", "Ada <Counselor>"),
                ("email", "not-an-email"),
                ("password", "short"),
                ("password_confirm", "short"),
                ("time_zone", "Nowhere/Special"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("Use at least 12 characters"));
    assert!(body.contains("does not look like an email address"));
    assert!(body.contains("Choose a time zone"));
    assert!(
        body.contains("value=\"Ada &lt;Counselor&gt;\""),
        "name kept and escaped"
    );
    assert!(body.contains("value=\"not-an-email\""));
    assert_eq!(app.count("counselors"), 0);
}

#[tokio::test]
async fn signing_in_with_the_right_password_reaches_the_dashboard() {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.logout().await;
    assert_eq!(location(&app.get("/dashboard").await), "/login");
    let r = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/dashboard");
    assert_eq!(app.get("/dashboard").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let visitor = app.other_browser();
    let wrong = visitor.login(ADMIN_EMAIL, "not the right password").await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let wrong = wrong.text().await.unwrap();
    let unknown = visitor
        .login("nobody@practice.test", "not the right password")
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let unknown = unknown.text().await.unwrap();
    let message = "That email and password do not match an active account";
    assert!(wrong.contains(message) && unknown.contains(message));
    assert_eq!(location(&visitor.get("/dashboard").await), "/login");
}

#[tokio::test]
async fn repeated_wrong_passwords_make_the_next_try_wait() {
    let app = spawn_app_with(|s| s.auth.throttle_account_free_attempts = 3).await;
    app.setup_admin().await;
    let visitor = app.other_browser();
    for _ in 0..4 {
        visitor.login(ADMIN_EMAIL, "not the right password").await;
    }
    let r = visitor.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Too many unsuccessful attempts"));
}

#[tokio::test]
async fn signing_in_issues_a_new_session_id_and_signing_out_deletes_it() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let first = app.cookie("trellis_session").expect("session cookie");
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let second = app.cookie("trellis_session").expect("session cookie");
    assert_ne!(first, second);
    assert_eq!(app.count("web_sessions"), 1, "the old session row is gone");
    let r = app.logout().await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("web_sessions"), 0);
    assert_eq!(location(&app.get("/dashboard").await), "/login");
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let fields = [
        ("name", "Eve"),
        ("email", "eve@practice.test"),
        ("password", "a long enough passphrase"),
        ("time_zone", "UTC"),
        ("form_once", "x1"),
    ];
    let r = app.post_raw("/practice/counselors", &fields).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers().get("content-security-policy").is_some());
    let mut wrong = fields.to_vec();
    wrong.push(("csrf_token", "forged-token-value-forged-token-value"));
    let r = app.post_raw("/practice/counselors", &wrong).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("This form has expired"));
    // Sign-out without a token is refused as well: the session survives.
    assert_eq!(
        app.post_raw("/logout", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.count("counselors"), 1);
    assert_eq!(app.count("web_sessions"), 1);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = spawn_app().await;
    app.setup_admin().await;
    assert_eq!(app.get("/dashboard").await.status(), StatusCode::OK);
    app.sql("UPDATE web_sessions SET last_seen_at = '2020-01-01 00:00:00'");
    let r = app.get("/dashboard").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login");
    assert_eq!(app.count("web_sessions"), 0);
}

#[tokio::test]
async fn a_session_ends_after_its_absolute_lifetime_even_when_active() {
    let app = spawn_app_with(|s| s.auth.absolute_timeout_hours = 1).await;
    app.setup_admin().await;
    let old = (chrono::Utc::now() - chrono::Duration::minutes(61)).naive_utc();
    app.sql(&format!(
        "UPDATE web_sessions SET created_at = '{}'",
        old.format("%Y-%m-%d %H:%M:%S")
    ));
    assert_eq!(location(&app.get("/dashboard").await), "/login");
}

#[tokio::test]
async fn a_deactivated_counselor_is_thrown_out_and_cannot_sign_back_in() {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.add_counselor(
        "Bea Counselor",
        "bea@practice.test",
        "bea's long passphrase",
    )
    .await;
    let bea = app.other_browser();
    assert_eq!(
        bea.login("bea@practice.test", "bea's long passphrase")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(bea.get("/dashboard").await.status(), StatusCode::OK);
    // Bea is not an admin.
    assert_eq!(bea.get("/practice").await.status(), StatusCode::NOT_FOUND);

    let (_, page) = app.get_html("/practice").await;
    let id = page
        .split("/practice/counselors/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("a deactivate button")
        .to_string();
    let r = app
        .post_form(&format!("/practice/counselors/{id}/deactivate"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    assert_eq!(location(&bea.get("/dashboard").await), "/login");
    let again = bea
        .login("bea@practice.test", "bea's long passphrase")
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn adding_a_counselor_twice_or_with_a_short_password_is_refused() {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.add_counselor("Bea", "bea@practice.test", "bea's long passphrase")
        .await;
    let (_, page) = app.get_html("/practice").await;
    let once = crate::helpers::hidden_value(&page, "form_once").unwrap();
    let r = app
        .post_form(
            "/practice/counselors",
            &[
                ("name", "Bea Again"),
                ("email", "BEA@practice.test"),
                ("password", "bea's long passphrase"),
                ("time_zone", "UTC"),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("already exists"));
    assert!(body.contains("value=\"Bea Again\""));
    let r = app
        .post_form(
            "/practice/counselors",
            &[
                ("name", "Cy"),
                ("email", "not an email address"),
                ("time_zone", "UTC"),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("counselors"), 2);
}

#[tokio::test]
async fn a_form_posted_twice_creates_one_counselor() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let (_, page) = app.get_html("/practice").await;
    let once = crate::helpers::hidden_value(&page, "form_once").unwrap();
    let fields = [
        ("name", "Dee"),
        ("email", "dee@practice.test"),
        ("password", "dee's long passphrase"),
        ("time_zone", "UTC"),
        ("form_once", once.as_str()),
    ];
    assert_eq!(
        app.post_form("/practice/counselors", &fields)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let again = app.post_form("/practice/counselors", &fields).await;
    assert_eq!(
        again.status(),
        StatusCode::BAD_REQUEST,
        "same email: refused beside the field"
    );
    let mut other = fields;
    other[1] = ("email", "dee2@practice.test");
    let r = app.post_form("/practice/counselors", &other).await;
    assert_eq!(location(&r), "/practice?notice=already-submitted");
    assert_eq!(app.count("counselors"), 2);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    app.setup_admin().await;
    for path in ["/dashboard", "/no-such-page", "/login", "/health"] {
        let r = app.get(path).await;
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer", "{path}");
    }
    let r = app.get("/dashboard").await;
    assert_eq!(r.headers().get("cache-control").unwrap(), "no-store");
    let r = app.get("/no-such-page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("Page not found"));
    let (_, body) = app.get_html("/dashboard").await;
    let css = body
        .split("href=\"/assets/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    let r = app.get(&format!("/assets/{css}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("content-security-policy").is_some());
    assert!(r
        .headers()
        .get("cache-control")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("max-age"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_lax() {
    let app = spawn_app().await;
    app.get_html("/setup").await;
    let token = app.csrf().await;
    let r = app
        .post_raw(
            "/setup",
            &[
                ("name", "Ada"),
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("password_confirm", ADMIN_PASSWORD),
                ("time_zone", "UTC"),
                ("csrf_token", &token),
            ],
        )
        .await;
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("trellis_session="))
        .expect("session cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests");
}

#[tokio::test]
async fn the_health_endpoint_answers_ok() {
    let app = spawn_app().await;
    let r = app.get("/health").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn restarting_never_duplicates_the_library() {
    let app = spawn_app().await;
    let before = app.count("exercises");
    assert_eq!(before, 17);
    let prompts = app.count("exercise_prompts");
    trellis::prepare_database(&app.settings).expect("second start-up");
    assert_eq!(app.count("exercises"), before);
    assert_eq!(app.count("exercise_prompts"), prompts);
}

#[test]
fn a_malformed_setting_stops_start_up_naming_the_key() {
    let dir = std::env::temp_dir().join(format!(
        "trellis-config-{}",
        crate::helpers::random_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let bad_type = dir.join("bad.toml");
    std::fs::write(&bad_type, "[server]\nport = \"eighty\"\n").unwrap();
    let err = format!(
        "{:#}",
        trellis::config::Settings::load(Some(&bad_type)).unwrap_err()
    );
    assert!(err.contains("port"), "{err}");
    let unknown = dir.join("unknown.toml");
    std::fs::write(&unknown, "[server]\nprot = 80\n").unwrap();
    let err = format!(
        "{:#}",
        trellis::config::Settings::load(Some(&unknown)).unwrap_err()
    );
    assert!(err.contains("prot"), "{err}");
    let missing = dir.join("missing.toml");
    let err = format!(
        "{:#}",
        trellis::config::Settings::load(Some(&missing)).unwrap_err()
    );
    assert!(err.contains("does not exist"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
