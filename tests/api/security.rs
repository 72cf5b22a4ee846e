//! The security review's findings, each as a test that failed before its fix: tokens kept
//! out of the logs (F1), cross-site POSTs refused (F5), once-only create forms (F7) and a
//! signed pre-sign-in CSRF cookie.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::StatusCode;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::helpers::{hidden_value, location, spawn_app, ADMIN_EMAIL};
use crate::portal::{create_couple, last_email, link_path, sign_in_partner, today};

/// Everything logged by this test binary, from every test (tokens are random, so a token
/// found here came from the test that made it).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Install (once) a global subscriber at the most verbose level our code and the request
/// spans use, printing span fields as spans open and close.
fn captured_logs() -> Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new(
                "info,trellis=trace,tracing_actix_web=trace,actix_web=debug",
            ))
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .with_ansi(false)
            .with_writer(logs.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        logs
    })
    .clone()
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn tokens_from_links_never_reach_the_logs() {
    let logs = captured_logs();
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    let (_, _, body_a) = last_email(&app, couple.a);
    let (_, _, body_b) = last_email(&app, couple.b);
    let live_a = link_path(&body_a);
    let live_b = link_path(&body_b);
    let invented = format!("/sign-in/t/{}", "Q".repeat(43));
    let unsubscribe = format!("/unsubscribe/{}", "U".repeat(43));
    let query_token = "QueryTokenValue0123456789";

    // A mail app's browser that dropped the CSRF cookie: the POST is refused (and logged).
    let no_cookie = app.other_browser();
    let r = no_cookie
        .post_raw(&live_a, &[("csrf_token", "not-a-real-one")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // An invented token, by GET and POST.
    let stranger = app.other_browser();
    stranger.get_html(&invented).await;
    stranger.post_form(&invented, &[]).await;
    // Unsubscribe links, by GET and by the mail client's one-click POST.
    stranger.get_html(&unsubscribe).await;
    stranger.post_raw(&unsubscribe, &[]).await;
    // A token in a query string, on a page that does not exist and one that does.
    stranger
        .get(&format!("/nowhere?token={query_token}&x=1"))
        .await;
    stranger.get(&format!("/login?token={query_token}")).await;
    // The valid links, used for real (the first one is still valid after the refusal).
    let sam = app.other_browser();
    assert_eq!(sam.get_html(&live_a).await.0, StatusCode::OK);
    let r = sam.post_form(&live_a, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let alex = app.other_browser();
    alex.get_html(&live_b).await;
    alex.post_form(&live_b, &[]).await;
    // Used once: refused now, and that refusal is logged too.
    alex.post_form(&live_b, &[]).await;

    let text = logs.text();
    for secret in [
        live_a.trim_start_matches("/sign-in/t/"),
        live_b.trim_start_matches("/sign-in/t/"),
        invented.trim_start_matches("/sign-in/t/"),
        unsubscribe.trim_start_matches("/unsubscribe/"),
        query_token,
    ] {
        assert!(!text.contains(secret), "a token was logged: {secret}");
    }
    assert!(
        text.contains("/sign-in/t/[redacted]"),
        "the refusal and the request spans are logged, redacted"
    );
}

/// POST a form with the page's CSRF token and these extra headers.
async fn post_with_headers(
    app: &crate::helpers::TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let token = app.csrf().await;
    let mut request = app
        .client
        .post(app.url(path))
        .form(&[("csrf_token", token.as_str())]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("POST")
}

#[tokio::test]
async fn posts_from_another_site_are_refused_even_with_a_valid_token() {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.get_html("/").await;
    let ours = app
        .settings
        .server
        .base_url
        .trim_end_matches('/')
        .to_string();

    for headers in [
        vec![("Origin", "https://evil.example")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Origin", ours.as_str()), ("Sec-Fetch-Site", "cross-site")],
        vec![
            ("Origin", "https://evil.example"),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    ] {
        let r = post_with_headers(&app, "/logout", &headers).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(app.cookie("trellis_session").is_some(), "still signed in");
    }
    // Before sign-in too.
    let stranger = app.other_browser();
    stranger.get_html("/login").await;
    let r = post_with_headers(&stranger, "/login", &[("Origin", "https://evil.example")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The one-click unsubscribe is posted by mail clients from anywhere: not refused here
    // (an unknown token is a 404, not a 403).
    let mail_client = app.other_browser();
    let r = mail_client
        .client
        .post(app.url(&format!("/unsubscribe/{}", "U".repeat(43))))
        .header("Origin", "https://mail.example")
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Same origin (and a browser's `Origin: null` under no-referrer) works.
    let r = post_with_headers(
        &app,
        "/logout",
        &[("Origin", "null"), ("Sec-Fetch-Site", "same-origin")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.forget_csrf();
    app.login(ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    app.forget_csrf();
    app.get_html("/").await;
    let r = post_with_headers(
        &app,
        "/logout",
        &[("Origin", ours.as_str()), ("Sec-Fetch-Site", "same-origin")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(app.cookie("trellis_session").is_none());
}

#[tokio::test]
async fn journal_posts_setbacks_and_comments_sent_twice_are_saved_once() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    let sam = app.other_browser();
    sign_in_partner(&sam, couple.a).await;

    // The co-journal.
    let (_, page) = sam.get_html("/me/journal").await;
    let once = hidden_value(&page, "form_once").unwrap_or_default();
    let prompt = crate::portal::prompts(&app, "co-journal")[0].0.clone();
    let fields = [
        (prompt.as_str(), "We cooked together."),
        ("form_once", &once),
    ];
    let before = app.count("entries");
    let first = sam.post_form("/me/journal", &fields).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert!(location(&first).contains("journal-added"));
    let again = sam.post_form("/me/journal", &fields).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), "/me/journal?notice=already-submitted");
    assert_eq!(app.count("entries"), before + 1, "one journal entry");
    let entry_id = entry_id_of_journal(&location(&first));

    // A setback note.
    let (_, page) = sam.get_html("/me/setbacks/new").await;
    let once = hidden_value(&page, "form_once").unwrap_or_default();
    let t = today();
    let fields = [
        ("happened_on", t.as_str()),
        ("what_happened", "A late text"),
        ("severity", "2"),
        ("visibility", "counselor"),
        ("form_once", &once),
    ];
    let first = sam.post_form("/me/setbacks", &fields).await;
    assert_eq!(location(&first), "/me/setbacks?notice=setback-saved");
    let again = sam.post_form("/me/setbacks", &fields).await;
    assert_eq!(location(&again), "/me/setbacks?notice=already-submitted");
    assert_eq!(app.count("setbacks"), 1, "one setback");

    // The counselor's comment on that entry.
    let timeline = format!("/couples/{}/timeline", couple.id);
    let (_, page) = app.get_html(&timeline).await;
    let once = hidden_value(&page, "form_once").unwrap_or_default();
    let field = format!("comment-{entry_id}");
    let fields = [(field.as_str(), "Thank you."), ("form_once", &once)];
    let path = format!("/couples/{}/entries/{entry_id}/comments", couple.id);
    let first = app.post_form(&path, &fields).await;
    assert!(
        location(&first).contains("comment-added"),
        "{}",
        location(&first)
    );
    let again = app.post_form(&path, &fields).await;
    assert!(location(&again).contains("already-submitted"));
    assert_eq!(app.count("entry_comments"), 1, "one comment");
}

fn entry_id_of_journal(location: &str) -> i32 {
    location
        .rsplit("#entry-")
        .next()
        .and_then(|id| id.parse().ok())
        .expect("the new entry's anchor")
}

#[tokio::test]
async fn a_planted_pre_sign_in_csrf_cookie_is_refused() {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.logout().await;
    let planted = "P".repeat(40);
    // What an attacker who can set a cookie for the site would send: their own cookie and
    // the same value as the form's token.
    let attacker = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for value in [
        planted.clone(),
        format!("{}.{}", "P".repeat(43), "Zm9yZ2Vk"),
    ] {
        let r = attacker
            .post(app.url("/login"))
            .header("Cookie", format!("trellis_csrf={value}"))
            .form(&[
                ("email", ADMIN_EMAIL),
                ("password", crate::helpers::ADMIN_PASSWORD),
                ("csrf_token", value.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{value}");
        assert!(!r
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap_or("").starts_with("trellis_session=")));
    }

    // The real flow: the server's own cookie, from the login page.
    let visitor = app.other_browser();
    let r = visitor
        .login(ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(visitor.cookie("trellis_session").is_some());
    // A second server process on the same database accepts the first one's cookie.
    let cookie = visitor.cookie("trellis_csrf").expect("the signed cookie");
    let again = app
        .db
        .write_blocking(|conn| Ok(trellis::auth::session::CsrfKey::load(conn)?));
    assert!(again.unwrap().verifies(&cookie));
}

#[tokio::test]
async fn password_reset_and_invitation_links_never_reach_the_logs() {
    let logs = captured_logs();
    let app = spawn_app().await;
    app.setup_admin().await;
    app.add_counselor("Bea", "bea@practice.test", "bea's long passphrase")
        .await;
    let (_, _, invitation) = app.last_email_to("bea@practice.test");
    let invitation = crate::helpers::password_link(&invitation);
    let visitor = app.other_browser();
    visitor.get_html("/login/forgot").await;
    visitor
        .post_form("/login/forgot", &[("email", ADMIN_EMAIL)])
        .await;
    let (_, _, reset) = app.last_email_to(ADMIN_EMAIL);
    let reset = crate::helpers::password_link(&reset);
    // Opened, refused for a missing CSRF token, a weak password, used, and used again.
    visitor.get_html(&reset).await;
    let no_cookie = app.other_browser();
    let r = no_cookie
        .post_raw(&reset, &[("csrf_token", "forged")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    visitor
        .post_form(
            &reset,
            &[("password", "short"), ("password_confirm", "short")],
        )
        .await;
    let new = "quiet harbour lantern ninety";
    visitor
        .post_form(&reset, &[("password", new), ("password_confirm", new)])
        .await;
    visitor
        .post_form(&reset, &[("password", new), ("password_confirm", new)])
        .await;
    let invented = format!("/login/reset/{}", "R".repeat(43));
    visitor.get_html(&invented).await;
    let text = logs.text();
    for secret in [
        reset.trim_start_matches("/login/reset/"),
        invitation.trim_start_matches("/login/reset/"),
        invented.trim_start_matches("/login/reset/"),
    ] {
        assert!(!text.contains(secret), "a token was logged: {secret}");
    }
    assert!(text.contains("/login/reset/[redacted]"));
}
