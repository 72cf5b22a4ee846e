//! Counselor accounts: two-step sign-in (enrolment, codes, replay, recovery codes,
//! remembered browsers, the practice rule, the admin's reset), passwords (change, reset
//! links, invitations, strength), sessions, throttling and re-authentication.

use diesel::prelude::*;
use reqwest::StatusCode;
use trellis::auth::totp;
use trellis::db::schema::{audit_log, email_outbox, two_factor};

use crate::helpers::{
    hidden_value, location, password_link, spawn_app, spawn_app_with, TestApp, ADMIN_EMAIL,
    ADMIN_PASSWORD,
};

pub fn audit_count(app: &TestApp, action: &str) -> i64 {
    let action = action.to_string();
    app.db
        .read_blocking(move |conn| {
            Ok(audit_log::table
                .filter(audit_log::action.eq(action))
                .count()
                .get_result(conn)?)
        })
        .unwrap()
}

/// The key shown on the enrolment page, without its spaces.
fn secret_on(page: &str) -> String {
    let marker = "class=\"secret-key\">";
    let start = page.find(marker).expect("the key on the page") + marker.len();
    let end = page[start..].find('<').unwrap() + start;
    page[start..end].replace(' ', "")
}

/// The recovery codes on the page that shows them.
fn recovery_codes_on(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect()
}

/// Enrol the signed-in counselor of `app`; returns (secret, recovery codes, step used).
pub async fn enrol(app: &TestApp) -> (String, Vec<String>, u64) {
    let (status, page) = app.get_html("/account/two-factor").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let secret = secret_on(&page);
    let now = totp::unix_now();
    let code = totp::code_at(&secret, now).unwrap();
    let r = app
        .post_form("/account/two-factor/confirm", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    app.forget_csrf();
    (secret, recovery_codes_on(&page), now / 30)
}

/// Sign in with the password; returns where the first step sent the browser.
async fn first_step(browser: &TestApp, email: &str, password: &str) -> String {
    let r = browser.login(email, password).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r)
}

async fn second_step(browser: &TestApp, code: &str, remember: bool) -> reqwest::Response {
    browser.get_html("/login/two-factor").await;
    let mut fields = vec![("code", code)];
    if remember {
        fields.push(("remember", "on"));
    }
    let r = browser.post_form("/login/two-factor", &fields).await;
    browser.forget_csrf();
    r
}

#[tokio::test]
async fn a_new_practice_sends_a_counselor_without_two_step_sign_in_to_enrolment() {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.require_two_factor(true);
    let r = app.get("/dashboard").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account/two-factor");
    let r = app.get("/couples").await;
    assert_eq!(location(&r), "/account/two-factor");
    // Before the helper turned it off, setup had turned the rule on.
    let fresh = spawn_app().await;
    fresh.get_html("/setup").await;
    fresh
        .post_form(
            "/setup",
            &[
                ("name", "Ada Counselor"),
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("password_confirm", ADMIN_PASSWORD),
                ("time_zone", "Europe/London"),
            ],
        )
        .await;
    fresh.forget_csrf();
    assert_eq!(
        location(&fresh.get("/dashboard").await),
        "/account/two-factor"
    );
    // Enrolling lets the counselor in.
    let (_, codes, _) = enrol(&fresh).await;
    assert_eq!(codes.len(), 10);
    assert_eq!(fresh.get("/dashboard").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn enrolment_shows_an_svg_qr_code_and_needs_a_correct_code() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let (status, page) = app.get_html("/account/two-factor").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("src=\"/account/two-factor/qr.svg\""),
        "{page}"
    );
    let qr = app.get("/account/two-factor/qr.svg").await;
    assert_eq!(qr.status(), StatusCode::OK);
    assert_eq!(
        qr.headers().get("content-type").unwrap().to_str().unwrap(),
        "image/svg+xml"
    );
    let svg = qr.text().await.unwrap();
    assert!(svg.contains("<svg") && !svg.contains("script"));
    let secret = secret_on(&page);
    assert_eq!(secret.len(), 32, "160 bits in base32");

    let r = app
        .post_form("/account/two-factor/confirm", &[("code", "000000")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("did not match"));
    let on: bool = app
        .db
        .read_blocking(|conn| {
            Ok(two_factor::table
                .select(two_factor::confirmed_at.is_not_null())
                .first(conn)?)
        })
        .unwrap();
    assert!(!on, "a wrong code does not turn it on");

    app.forget_csrf();
    let (_, codes, _) = enrol(&app).await;
    assert_eq!(codes.len(), 10);
    assert_eq!(audit_count(&app, "two_factor.enable"), 1);
    // The QR code of a confirmed secret is gone, and the codes are stored hashed only.
    assert_eq!(
        app.get("/account/two-factor/qr.svg").await.status(),
        StatusCode::NOT_FOUND
    );
    let stored: Vec<String> = app
        .db
        .read_blocking(|conn| {
            Ok(trellis::db::schema::recovery_codes::table
                .select(trellis::db::schema::recovery_codes::code_hash)
                .load(conn)?)
        })
        .unwrap();
    assert_eq!(stored.len(), 10);
    assert!(!stored.iter().any(|h| codes.contains(h)));
}

#[tokio::test]
async fn signing_in_with_two_step_needs_a_fresh_code_and_refuses_a_replayed_one() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let (secret, _, step) = enrol(&app).await;
    app.logout().await;

    let browser = app.other_browser();
    assert_eq!(
        first_step(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await,
        "/login/two-factor"
    );
    assert_eq!(
        location(&browser.get("/dashboard").await),
        "/login",
        "not signed in before the second step"
    );
    // The code that confirmed enrolment was used: refused.
    let used = totp::code_at(&secret, step * 30).unwrap();
    let r = second_step(&browser, &used, false).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("did not work"));
    // The next step's code (within the allowed drift) works once.
    let next = totp::code_at(&secret, (step + 1) * 30).unwrap();
    let r = second_step(&browser, &next, false).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/dashboard");
    assert_eq!(browser.get("/dashboard").await.status(), StatusCode::OK);

    let again = app.other_browser();
    first_step(&again, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r = second_step(&again, &next, false).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "replay refused");
    assert!(audit_count(&app, "two_factor.failed") >= 2);
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_only() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let (_, codes, _) = enrol(&app).await;
    app.logout().await;
    let browser = app.other_browser();
    first_step(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let typed = codes[3].to_uppercase();
    let r = second_step(&browser, &typed, false).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(audit_count(&app, "two_factor.recovery_code_used"), 1);
    let other = app.other_browser();
    first_step(&other, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r = second_step(&other, &codes[3], false).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_remembered_browser_skips_the_code_until_it_is_forgotten() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let (secret, _, step) = enrol(&app).await;
    app.logout().await;
    let browser = app.other_browser();
    first_step(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let code = totp::code_at(&secret, (step + 1) * 30).unwrap();
    let r = second_step(&browser, &code, true).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("remembered_browsers"), 1);
    browser.logout().await;
    assert_eq!(
        first_step(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await,
        "/dashboard",
        "this browser is remembered"
    );
    // Forget it from the account page: the code is asked again.
    let (_, page) = browser.get_html("/account").await;
    assert!(page.contains("Remembered browsers"), "{page}");
    let id: i32 = app
        .db
        .read_blocking(|conn| {
            Ok(trellis::db::schema::remembered_browsers::table
                .select(trellis::db::schema::remembered_browsers::id)
                .first(conn)?)
        })
        .unwrap();
    let r = browser
        .post_form(&format!("/account/browsers/{id}/forget"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    browser.logout().await;
    assert_eq!(
        first_step(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await,
        "/login/two-factor"
    );
}

#[tokio::test]
async fn the_admin_resets_a_counselors_second_factor_with_an_audit_row_and_an_email() {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.add_counselor("Bea", "bea@practice.test", "bea's long passphrase")
        .await;
    let bea = app.other_browser();
    bea.login("bea@practice.test", "bea's long passphrase")
        .await;
    enrol(&bea).await;
    let bea_id: i32 = app
        .db
        .read_blocking(|conn| {
            Ok(two_factor::table
                .select(two_factor::counselor_id)
                .first(conn)?)
        })
        .unwrap();
    app.get_html("/practice").await;
    let r = app
        .post_form(
            &format!("/practice/counselors/{bea_id}/two-factor/reset"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/practice?notice=two-factor-reset");
    assert_eq!(audit_count(&app, "two_factor.reset"), 1);
    let (kind, subject, _) = app.last_email_to("bea@practice.test");
    assert_eq!(kind, "two_factor_reset");
    assert!(!subject.to_lowercase().contains("therap"));
    assert_eq!(app.count("two_factor"), 0);
    assert_eq!(
        location(&bea.get("/dashboard").await),
        "/login",
        "Bea was signed out"
    );
}

#[tokio::test]
async fn a_counselor_cannot_turn_off_two_step_when_the_practice_requires_it() {
    let app = spawn_app().await;
    app.setup_admin().await;
    enrol(&app).await;
    app.require_two_factor(true);
    app.get_html("/account").await;
    let r = app.post_form("/account/two-factor/disable", &[]).await;
    assert_eq!(location(&r), "/account?notice=two-factor-required");
    assert_eq!(app.count("two_factor"), 1);
    app.require_two_factor(false);
    let r = app.post_form("/account/two-factor/disable", &[]).await;
    assert_eq!(location(&r), "/account?notice=two-factor-off");
    assert_eq!(app.count("two_factor"), 0);
}

#[tokio::test]
async fn sensitive_changes_ask_for_the_password_again_after_fifteen_minutes() {
    let app = spawn_app().await;
    app.setup_admin().await;
    enrol(&app).await;
    app.sql(&format!(
        "UPDATE web_sessions SET authenticated_at = {}",
        old_time(&app)
    ));
    app.get_html("/account").await;
    let r = app
        .post_form("/account/two-factor/recovery-codes", &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account/confirm");
    app.get_html("/account/confirm").await;
    let r = app
        .post_form("/account/confirm", &[("password", "not my password")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app
        .post_form("/account/confirm", &[("password", ADMIN_PASSWORD)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post_form("/account/two-factor/recovery-codes", &[])
        .await;
    assert_eq!(r.status(), StatusCode::OK, "recent now");
    assert_eq!(audit_count(&app, "two_factor.recovery_codes_renew"), 1);
}

/// A timestamp literal an hour and a half ago, for either database.
fn old_time(_app: &TestApp) -> String {
    let t = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(90);
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S"))
}

#[tokio::test]
async fn a_partner_never_reaches_a_counselor_account_page() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = crate::portal::create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    let sam = app.other_browser();
    crate::portal::sign_in_partner(&sam, couple.a).await;
    for path in [
        "/account",
        "/account/two-factor",
        "/account/two-factor/qr.svg",
        "/account/password",
        "/account/sessions",
        "/practice/audit",
    ] {
        assert_eq!(
            sam.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let elsewhere = app.other_browser();
    elsewhere.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.get_html("/account/password").await;
    let new = "mossy granite teapot voyage";
    let r = app
        .post_form(
            "/account/password",
            &[
                ("current_password", "wrong wrong wrong"),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("not your current password"));
    let r = app
        .post_form(
            "/account/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("password", "password1234"),
                ("password_confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("too easy to guess"));
    let r = app
        .post_form(
            "/account/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account?notice=password-changed");
    assert_eq!(app.get("/dashboard").await.status(), StatusCode::OK);
    assert_eq!(location(&elsewhere.get("/dashboard").await), "/login");
    let fresh = app.other_browser();
    assert_eq!(location(&fresh.login(ADMIN_EMAIL, new).await), "/dashboard");
    assert_eq!(audit_count(&app, "password.change"), 1);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_single_use_link_and_unknown_addresses_get_the_same_answer(
) {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.logout().await;
    let visitor = app.other_browser();
    visitor.get_html("/login/forgot").await;
    let known = visitor
        .post_form("/login/forgot", &[("email", ADMIN_EMAIL)])
        .await;
    assert_eq!(known.status(), StatusCode::OK);
    let known = known.text().await.unwrap();
    let unknown = visitor
        .post_form("/login/forgot", &[("email", "nobody@practice.test")])
        .await;
    assert_eq!(unknown.status(), StatusCode::OK);
    let unknown = unknown.text().await.unwrap();
    let answer = "If that address belongs to a counselor account";
    assert!(known.contains(answer) && unknown.contains(answer));
    assert_eq!(
        app.count("email_outbox"),
        1,
        "one email, to the real account"
    );

    let (kind, _, body) = app.last_email_to(ADMIN_EMAIL);
    assert_eq!(kind, "password_reset");
    let link = password_link(&body);
    // The token is stored hashed only.
    let token = link.trim_start_matches("/login/reset/");
    let stored: String = app
        .db
        .read_blocking(|conn| {
            Ok(trellis::db::schema::password_tokens::table
                .select(trellis::db::schema::password_tokens::token_hash)
                .first(conn)?)
        })
        .unwrap();
    assert_ne!(stored, token);
    // Opening the link changes nothing; a weak password is refused and the link kept.
    let (status, _) = visitor.get_html(&link).await;
    assert_eq!(status, StatusCode::OK);
    let r = visitor
        .post_form(
            &link,
            &[
                ("password", "aaaaaaaaaaaaa"),
                ("password_confirm", "aaaaaaaaaaaaa"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let new = "quiet harbour lantern ninety";
    let r = visitor
        .post_form(&link, &[("password", new), ("password_confirm", new)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?notice=password-saved");
    // Used: refused now.
    let again = app.other_browser();
    let (status, _) = again.get_html(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(location(&again.login(ADMIN_EMAIL, new).await), "/dashboard");
    assert_eq!(audit_count(&app, "password.reset"), 1);
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let visitor = app.other_browser();
    visitor.get_html("/login/forgot").await;
    visitor
        .post_form("/login/forgot", &[("email", ADMIN_EMAIL)])
        .await;
    let (_, _, body) = app.last_email_to(ADMIN_EMAIL);
    let link = password_link(&body);
    app.sql(&format!(
        "UPDATE password_tokens SET expires_at = {}",
        old_time(&app)
    ));
    let (status, page) = visitor.get_html(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("no longer works"));
    let r = visitor
        .post_form(
            &link,
            &[
                ("password", "quiet harbour lantern ninety"),
                ("password_confirm", "quiet harbour lantern ninety"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::GONE);
    assert_eq!(audit_count(&app, "password.link_refused"), 2);
}

#[tokio::test]
async fn a_new_counselor_chooses_their_own_password_from_the_invitation() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let (_, page) = app.get_html("/practice").await;
    assert!(
        !page.contains("name=\"password\""),
        "the admin no longer picks it"
    );
    app.add_counselor("Bea", "bea@practice.test", "bea's long passphrase")
        .await;
    let (kind, _, _) = app.last_email_to("bea@practice.test");
    assert_eq!(kind, "counselor_invitation");
    assert_eq!(audit_count(&app, "counselor.invite"), 1);
    let bea = app.other_browser();
    assert_eq!(
        location(
            &bea.login("bea@practice.test", "bea's long passphrase")
                .await
        ),
        "/dashboard"
    );
}

#[tokio::test]
async fn failed_sign_ins_slow_down_by_account_without_locking_it_for_long() {
    let app = spawn_app_with(|s| {
        s.auth.throttle_account_free_attempts = 2;
        s.auth.throttle_base_delay_seconds = 60;
    })
    .await;
    app.setup_admin().await;
    let visitor = app.other_browser();
    for _ in 0..3 {
        visitor.login(ADMIN_EMAIL, "not the right password").await;
    }
    let r = visitor.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let text = r.text().await.unwrap();
    assert!(text.contains("please wait"), "{text}");
    // The wait is a delay, not a lock: once it has passed the right password works.
    app.sql(&format!(
        "UPDATE login_throttles SET blocked_until = {}",
        old_time(&app)
    ));
    assert_eq!(
        location(&visitor.login(ADMIN_EMAIL, ADMIN_PASSWORD).await),
        "/dashboard"
    );
}

#[tokio::test]
async fn one_password_sprayed_over_many_accounts_is_slowed_by_address() {
    let app = spawn_app_with(|s| {
        s.auth.throttle_address_free_attempts = 3;
        s.auth.throttle_base_delay_seconds = 60;
    })
    .await;
    app.setup_admin().await;
    let visitor = app.other_browser();
    for i in 0..4 {
        let r = visitor
            .login(&format!("user{i}@practice.test"), "Summer2026!")
            .await;
        assert!(!r.text().await.unwrap().contains("please wait"));
    }
    // Even the right password for a real account waits now, from this address.
    let r = visitor.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(r.text().await.unwrap().contains("please wait"));
}

#[tokio::test]
async fn your_sessions_lists_browsers_and_signs_out_everywhere_else() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let phone = app.other_browser();
    phone
        .client
        .get(phone.url("/login"))
        .header("user-agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1")
        .send()
        .await
        .unwrap();
    let token = crate::helpers::csrf_in(&phone.get_html("/login").await.1).unwrap();
    phone
        .client
        .post(phone.url("/login"))
        .header("user-agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1")
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    let (status, page) = app.get_html("/account/sessions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Safari on iPhone or iPad"), "{page}");
    assert!(page.contains("This browser"));
    let r = app.post_form("/account/sessions/end-others", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&phone.get("/dashboard").await), "/login");
    assert_eq!(app.get("/dashboard").await.status(), StatusCode::OK);
    assert_eq!(audit_count(&app, "sessions.end_others"), 1);
}

#[tokio::test]
async fn sent_messages_keep_no_link_and_the_mail_page_says_so() {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.add_counselor("Bea", "bea@practice.test", "bea's long passphrase")
        .await;
    let mailer = trellis::email::Mailer::memory();
    trellis::email::worker::Worker::new("test")
        .deliver_due(&app.db, &mailer, &app.settings.email, trellis::db::now())
        .await
        .unwrap();
    assert_eq!(mailer.sent().len(), 1, "the invitation went out");
    let rows: Vec<(String, String, String, Option<String>, bool)> = app
        .db
        .read_blocking(|conn| {
            Ok(email_outbox::table
                .select((
                    email_outbox::subject,
                    email_outbox::body_text,
                    email_outbox::body_html,
                    email_outbox::unsubscribe_url,
                    email_outbox::content_removed,
                ))
                .load(conn)?)
        })
        .unwrap();
    let (subject, text, html, unsubscribe, removed) = &rows[0];
    assert!(!subject.is_empty());
    assert!(text.is_empty() && html.is_empty() && unsubscribe.is_none() && *removed);
    let (_, page) = app.get_html("/practice/mail").await;
    assert!(page.contains("removed after delivery"), "{page}");
    let _ = hidden_value;
}
