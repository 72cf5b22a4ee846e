//! The partner portal end to end: invitation email -> sign-in link -> forms -> the
//! counselor's timeline; sign-in tokens; validation; editing within the window.

use chrono::Utc;
use diesel::prelude::*;
use reqwest::StatusCode;
use trellis::db::schema::{
    assignments, email_outbox, entries, entry_versions, partners, sign_in_tokens,
};
use trellis::domain::couple::{BreachBy, Confidentiality};
use trellis::domain::exercise::PromptKind;

use crate::helpers::{hidden_value, location, spawn_app, spawn_app_with, TestApp, ADMIN_EMAIL};

/// A couple made through the db layer, with invitations queued.
pub struct Couple {
    pub id: i32,
    pub a: i32,
    pub b: i32,
}

pub fn today() -> String {
    Utc::now().date_naive().format("%Y-%m-%d").to_string()
}

pub fn counselor_id(app: &TestApp, email: &str) -> i32 {
    let email = email.to_string();
    app.db
        .read_blocking(move |c| {
            Ok(trellis::db::counselors::by_email(c, &email)?
                .expect("counselor")
                .id)
        })
        .unwrap()
}

/// Create a couple for the counselor with `email` and queue both invitations.
pub fn create_couple(
    app: &TestApp,
    counselor_email: &str,
    label: &str,
    a: (&str, &str),
    b: (&str, &str),
) -> Couple {
    let cid = counselor_id(app, counselor_email);
    let new = trellis::db::couples::NewCouple {
        label: label.into(),
        breach_by: BreachBy::A,
        confidentiality: Confidentiality::LimitedSecrets,
        start_date: Utc::now().date_naive(),
        partners: [
            trellis::db::couples::NewPartner {
                display_name: a.0.into(),
                email: a.1.into(),
                time_zone: "UTC".into(),
            },
            trellis::db::couples::NewPartner {
                display_name: b.0.into(),
                email: b.1.into(),
                time_zone: "UTC".into(),
            },
        ],
    };
    let settings = app.settings.clone();
    let (id, [pa, pb]) = app
        .db
        .write_blocking(move |conn| {
            let (id, ids) = trellis::db::couples::create(conn, cid, &new, 19)?;
            trellis::web::invitations::queue_invitations(conn, &settings, id, &ids)?;
            Ok((id, ids))
        })
        .unwrap();
    Couple { id, a: pa, b: pb }
}

/// Assign a built-in exercise (daily, from today) to "both", "a" or "b".
pub fn assign(app: &TestApp, couple_id: i32, slug: &str, assignee: &str, note: &str) -> i32 {
    let slug = slug.to_string();
    let assignee = assignee.to_string();
    let note = note.to_string();
    app.db
        .write_blocking(move |conn| {
            let ex = trellis::db::exercises::find_by_slug(conn, &slug)?;
            let now = trellis::db::now();
            let values = (
                assignments::couple_id.eq(couple_id),
                assignments::exercise_id.eq(ex.id),
                assignments::assignee.eq(&assignee),
                assignments::cadence.eq("daily"),
                assignments::start_date.eq(now.date()),
                assignments::note.eq(&note),
                assignments::created_at.eq(now),
                assignments::updated_at.eq(now),
            );
            Ok(trellis::insert_returning_id!(
                conn,
                trellis::db::schema::assignments,
                values
            )?)
        })
        .unwrap()
}

/// Prompts of a built-in exercise: (field name, kind).
pub fn prompts(app: &TestApp, slug: &str) -> Vec<(String, PromptKind)> {
    let slug = slug.to_string();
    app.db
        .read_blocking(move |conn| {
            let ex = trellis::db::exercises::find_by_slug(conn, &slug)?;
            Ok(trellis::db::exercises::prompts(conn, ex.id)?
                .iter()
                .map(|p| (format!("p{}", p.id), p.kind()))
                .collect())
        })
        .unwrap()
}

/// A complete, valid answer set; every text answer is `text`.
pub fn answers(app: &TestApp, slug: &str, text: &str) -> Vec<(String, String)> {
    prompts(app, slug)
        .into_iter()
        .map(|(name, kind)| {
            let v = match kind {
                PromptKind::Scale { max, .. } => max.to_string(),
                PromptKind::YesNo => "no".into(),
                PromptKind::Checklist { options } => options[0].clone(),
                PromptKind::Date => today(),
                _ => text.to_string(),
            };
            (name, v)
        })
        .collect()
}

/// The newest outbox body sent to a partner.
pub fn last_email(app: &TestApp, partner_id: i32) -> (String, String, String) {
    app.db
        .read_blocking(move |conn| {
            Ok(email_outbox::table
                .filter(email_outbox::partner_id.eq(partner_id))
                .order(email_outbox::id.desc())
                .select((
                    email_outbox::kind,
                    email_outbox::subject,
                    email_outbox::body_text,
                ))
                .first::<(String, String, String)>(conn)?)
        })
        .unwrap()
}

pub fn link_path(body: &str) -> String {
    let start = body
        .find("/sign-in/t/")
        .expect("a sign-in link in the email");
    body[start..].split_whitespace().next().unwrap().to_string()
}

/// Sign a partner in through the link in their newest email (in this browser).
pub async fn sign_in_partner(browser: &TestApp, partner_id: i32) {
    let (_, _, body) = last_email(browser, partner_id);
    let path = link_path(&body);
    let (status, page) = browser.get_html(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let r = browser.post_form(&path, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/me");
    browser.forget_csrf();
}

/// POST a form's fields (strings owned) with the page's CSRF token.
pub async fn post(browser: &TestApp, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post_form(path, &refs).await
}

pub fn entry_id_from(r: &reqwest::Response) -> i32 {
    let loc = location(r);
    loc.trim_start_matches("/me/entries/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("entry id in {loc}"))
}

#[tokio::test]
async fn the_whole_flow_from_invitation_to_the_counselors_timeline() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Rivera & Chen",
        ("Sam Rivera", "sam@example.org"),
        ("Alex Chen", "alex@example.org"),
    );
    assert_eq!(app.count("email_outbox"), 2);
    let (kind, subject, body) = last_email(&app, couple.a);
    assert_eq!(kind, "invitation");
    assert_eq!(subject, "Your Trellis invitation");
    assert!(body.starts_with("Hello Sam,"), "first name only: {body}");
    assert!(
        body.contains("Ada Counselor has invited you") && body.contains("You are receiving this"),
        "names the counselor and says why: {body}"
    );
    assert!(!body.contains("Rivera"));
    let aid = assign(
        &app,
        couple.id,
        "daily-check-in",
        "both",
        "Take a minute each evening.",
    );

    // The counselor's dashboard, before anything is written: nothing made yet.
    let (_, dash) = app.get_html("/dashboard").await;
    assert!(dash.contains(": 0 of 1 made"), "{dash}");

    // Partner A signs in with the invitation link.
    let sam = app.other_browser();
    sign_in_partner(&sam, couple.a).await;
    let (status, home) = sam.get_html("/me").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Hello, Sam"));
    assert!(home.contains("Daily check-in"));
    assert!(home.contains("Limited secrets"), "confidentiality shown");

    // The form: prompts, the counselor's note, who will see it.
    let form_path = format!("/me/do/{aid}/{}", today());
    let (status, form) = sam.get_html(&form_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Take a minute each evening."));
    assert!(form.contains("Who will see this"));
    assert!(form.contains("type=\"radio\""));
    let mut fields = answers(&app, "daily-check-in", "A quiet evening walk together");
    fields.push(("visibility".into(), "counselor".into()));
    fields.push(("intent".into(), "submit".into()));
    let r = post(&sam, &form_path, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let entry_id = entry_id_from(&r);

    // The dashboard's figures were updated.
    let (latest, last_entry): (Option<i32>, Option<chrono::NaiveDateTime>) = app
        .db
        .read_blocking(move |c| {
            Ok(partners::table
                .find(couple.a)
                .select((partners::latest_trust, partners::last_entry_at))
                .first(c)?)
        })
        .unwrap();
    assert_eq!(latest, Some(10));
    assert!(last_entry.is_some());
    // ...and the dashboard, viewed before the entry, shows it at once.
    let (_, dash) = app.get_html("/dashboard").await;
    assert!(
        dash.contains("Sam Rivera</strong>: 1 of 1 made, last entry today"),
        "{dash}"
    );

    // The counselor sees it on the timeline, flags it and comments.
    let timeline = format!("/couples/{}/timeline", couple.id);
    let (status, page) = app.get_html(&timeline).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("A quiet evening walk together"));
    assert!(page.contains("Sam Rivera"));
    let r = app
        .post_form(
            &format!("/couples/{}/entries/{entry_id}/flag", couple.id),
            &[("flagged", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let field = format!("comment-{entry_id}");
    let once = hidden_value(&page, "form_once").expect("a once-only token");
    let r = app
        .post_form(
            &format!("/couples/{}/entries/{entry_id}/comments", couple.id),
            &[
                (&field, "Let's start with this <next> time."),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_html(&format!("{timeline}?flagged=on")).await;
    assert!(page.contains("Discuss in session"));
    assert!(page.contains("A quiet evening walk together"));

    // The partner sees the comment on their entry, escaped.
    let (status, page) = sam.get_html(&format!("/me/entries/{entry_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Let&#39;s start with this &lt;next&gt; time.")
            || page.contains("Let's start with this &lt;next&gt; time.")
    );
    // Home now lists it as done, not due.
    let (_, home) = sam.get_html("/me").await;
    assert!(home.contains("Recently done"));
    assert!(app.count("audit_log") > 5);
}

#[tokio::test]
async fn a_partner_reads_the_counselors_comment_times_in_their_own_zone() {
    // Arrange: Sam writes an entry, the counselor comments on it, and Sam lives in Chicago.
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Rivera & Chen",
        ("Sam Rivera", "sam@example.org"),
        ("Alex Chen", "alex@example.org"),
    );
    let aid = assign(&app, couple.id, "daily-check-in", "a", "");
    let sam = app.other_browser();
    sign_in_partner(&sam, couple.a).await;
    let form_path = format!("/me/do/{aid}/{}", today());
    sam.get_html(&form_path).await;
    let mut fields = answers(&app, "daily-check-in", "An evening walk");
    fields.push(("visibility".into(), "counselor".into()));
    fields.push(("intent".into(), "submit".into()));
    let r = post(&sam, &form_path, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let entry_id = entry_id_from(&r);
    let (_, page) = app
        .get_html(&format!("/couples/{}/timeline", couple.id))
        .await;
    let once = hidden_value(&page, "form_once").expect("a once-only token");
    let field = format!("comment-{entry_id}");
    let r = app
        .post_form(
            &format!("/couples/{}/entries/{entry_id}/comments", couple.id),
            &[
                (&field, "Thank you for writing this."),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // 03:30 UTC on 17 March 2026 is 22:30 on the 16th in Chicago (CDT, UTC-5).
    app.sql("UPDATE entry_comments SET created_at = '2026-03-17 03:30:00'");
    app.sql(&format!(
        "UPDATE partners SET time_zone = 'America/Chicago' WHERE id = {}",
        couple.a
    ));

    // Act
    let (status, page) = sam.get_html(&format!("/me/entries/{entry_id}")).await;

    // Assert
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Thank you for writing this."), "{page}");
    assert!(page.contains("Mon 16 Mar 2026, 22:30"), "{page}");
    assert!(!page.contains("03:30"), "no UTC time: {page}");
}

#[tokio::test]
async fn a_sign_in_link_works_once_and_only_by_post() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    let (_, _, body) = last_email(&app, couple.a);
    let path = link_path(&body);
    let sam = app.other_browser();
    // A mail scanner following the link twice does not burn it.
    for _ in 0..2 {
        let (status, page) = sam.get_html(&path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Continue to Trellis"));
    }
    let r = sam.post_form(&path, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Used: a page that offers a new link, on GET and POST alike.
    let stranger = app.other_browser();
    let (status, page) = stranger.get_html(&path).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("Email me a sign-in link"));
    let r = stranger.post_form(&path, &[]).await;
    assert_eq!(r.status(), StatusCode::GONE);
    assert!(stranger.cookie("trellis_session").is_none());
}

#[tokio::test]
async fn expired_and_tampered_links_are_refused() {
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
    let (path_a, path_b) = (link_path(&body_a), link_path(&body_b));
    // Tampered: one character changed.
    let mut chars: Vec<char> = path_b.chars().collect();
    let last = chars.len() - 1;
    chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let browser = app.other_browser();
    for bad in [
        tampered.as_str(),
        "/sign-in/t/short",
        "/sign-in/t/%3Cscript%3E",
    ] {
        let (status, page) = browser.get_html(bad).await;
        assert_eq!(status, StatusCode::GONE, "{bad}");
        assert!(page.contains("This link no longer works"));
    }
    // Expired.
    app.db
        .write_blocking(move |c| {
            diesel::update(sign_in_tokens::table.filter(sign_in_tokens::partner_id.eq(couple.a)))
                .set(
                    sign_in_tokens::expires_at
                        .eq(trellis::db::now() - chrono::Duration::minutes(1)),
                )
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    let (status, _) = browser.get_html(&path_a).await;
    assert_eq!(status, StatusCode::GONE);
    let r = browser.post_form(&path_a, &[]).await;
    assert_eq!(r.status(), StatusCode::GONE);
    // The untouched link of partner B still works.
    sign_in_partner(&browser, couple.b).await;
}

#[tokio::test]
async fn asking_for_a_link_answers_the_same_and_is_rate_limited() {
    let app = spawn_app_with(|s| s.auth.sign_in_links_per_hour = 2).await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    let visitor = app.other_browser();
    visitor.get_html("/sign-in").await;
    let before = app.count("email_outbox");
    let r = visitor
        .post_form("/sign-in/link", &[("link_email", "nobody@example.org")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let unknown = r.text().await.unwrap();
    assert_eq!(app.count("email_outbox"), before);
    let r = visitor
        .post_form("/sign-in/link", &[("link_email", " SAM@example.org ")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let known = r.text().await.unwrap();
    assert_eq!(known, unknown, "same page either way");
    assert_eq!(app.count("email_outbox"), before + 1);
    let (kind, subject, body) = last_email(&app, couple.a);
    assert_eq!(
        (kind.as_str(), subject.as_str()),
        ("sign_in_link", "Your sign-in link")
    );
    assert!(body.contains("30 minutes"));
    // Over the limit: still the same page, no more email.
    for _ in 0..3 {
        let r = visitor
            .post_form("/sign-in/link", &[("link_email", "sam@example.org")])
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    assert_eq!(app.count("email_outbox"), before + 2);
    // The new link signs in.
    sign_in_partner(&visitor, couple.a).await;
}

#[tokio::test]
async fn a_partner_can_set_a_password_and_sign_in_with_it() {
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
    sam.get_html("/me/settings").await;
    let r = sam
        .post_form(
            "/me/settings/password",
            &[("password", "short"), ("password_confirm", "short")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = sam
        .post_form(
            "/me/settings/password",
            &[
                ("password", "a calm long passphrase"),
                ("password_confirm", "a calm long passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    sam.logout().await;
    sam.get_html("/sign-in").await;
    let r = sam
        .post_form(
            "/sign-in",
            &[
                ("email", "sam@example.org"),
                ("password", "wrong passphrase!!"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = sam
        .post_form(
            "/sign-in",
            &[
                ("email", "sam@example.org"),
                ("password", "a calm long passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/me");
    let (status, _) = sam.get_html("/me").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_answers_come_back_beside_their_fields_with_the_text_kept() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    let aid = assign(&app, couple.id, "what-happened", "both", "");
    let sam = app.other_browser();
    sign_in_partner(&sam, couple.a).await;
    let path = format!("/me/do/{aid}/{}", today());
    sam.get_html(&path).await;
    let ps = prompts(&app, "what-happened");
    // p0 long text (required) left empty; p1 checklist with an invented option; p2 optional
    // short text oversize; p3 long text kept.
    let fields = vec![
        (ps[0].0.clone(), "   ".to_string()),
        (ps[1].0.clone(), "Aliens".to_string()),
        (ps[2].0.clone(), "x".repeat(400)),
        (ps[3].0.clone(), "I need <honesty> & time".to_string()),
        ("intent".into(), "submit".into()),
    ];
    let r = post(&sam, &path, &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("Nothing has been saved yet"));
    assert!(page.contains("needs an answer before you submit"));
    assert!(page.contains("not on this list"));
    assert!(page.contains("longer than we can keep"));
    assert!(
        page.contains("I need &lt;honesty&gt; &amp; time"),
        "text kept, escaped"
    );
    assert_eq!(app.count("entries"), 0, "all or nothing");

    // A scale out of range on another exercise.
    let aid2 = assign(&app, couple.id, "trust-check-in", "both", "");
    let path2 = format!("/me/do/{aid2}/{}", today());
    let mut fields = answers(&app, "trust-check-in", "A steady week");
    fields[4].1 = "11".into();
    fields.push(("intent".into(), "draft".into()));
    let r = post(&sam, &path2, &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Please choose a number from 0 to 10"));
    assert_eq!(app.count("entries"), 0);

    // Another couple's assignment, or a date that is no occurrence: 404.
    let r = post(&sam, &format!("/me/do/{aid}/2001-01-01"), &fields).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post(&sam, &format!("/me/do/{aid}/not-a-date"), &fields).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post(&sam, "/me/do/99999/2026-01-01", &fields).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn drafts_then_submit_then_edit_keeps_the_earlier_version_within_the_window() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    let aid = assign(&app, couple.id, "trust-check-in", "both", "");
    let sam = app.other_browser();
    sign_in_partner(&sam, couple.a).await;
    let path = format!("/me/do/{aid}/{}", today());
    sam.get_html(&path).await;
    let ps = prompts(&app, "trust-check-in");
    let r = post(
        &sam,
        &path,
        &[
            (ps[5].0.clone(), "Half done".into()),
            ("intent".into(), "draft".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/me?notice=draft-saved");
    let (_, form) = sam.get_html(&path).await;
    assert!(form.contains("Half done"), "draft re-filled");
    let mut fields = answers(&app, "trust-check-in", "First version");
    fields.push(("intent".into(), "submit".into()));
    let r = post(&sam, &path, &fields).await;
    let id = entry_id_from(&r);
    let mut fields = answers(&app, "trust-check-in", "Second version");
    fields[4].1 = "3".into();
    fields.push(("intent".into(), "submit".into()));
    sam.get_html(&path).await;
    let r = post(&sam, &path, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("entry_versions"), 1);
    let (trust, previous): (Option<i32>, Option<i32>) = app
        .db
        .read_blocking(move |c| {
            Ok(partners::table
                .find(couple.a)
                .select((partners::latest_trust, partners::previous_trust))
                .first(c)?)
        })
        .unwrap();
    assert_eq!(
        (trust, previous),
        (Some(3), None),
        "an edit replaces, not follows"
    );
    let kept: String = app
        .db
        .read_blocking(move |c| {
            Ok(entry_versions::table
                .filter(entry_versions::entry_id.eq(id))
                .select(entry_versions::answers_json)
                .first(c)?)
        })
        .unwrap();
    assert!(kept.contains("First version"));
    // After the window the entry is shown, not editable.
    app.db
        .write_blocking(move |c| {
            diesel::update(entries::table.find(id))
                .set(entries::submitted_at.eq(trellis::db::now() - chrono::Duration::hours(49)))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    let r = sam.get(&path).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("edit-window-closed"));
    let r = post(&sam, &path, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("entry_versions"), 1, "nothing changed");
}

#[tokio::test]
async fn setbacks_are_logged_with_every_field_and_validated() {
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
    let (status, page) = sam.get_html("/me/setbacks/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Who will see this?"));
    let once = hidden_value(&page, "form_once").expect("a once-only token");
    let r = sam
        .post_form(
            "/me/setbacks",
            &[
                ("happened_on", "2999-01-01"),
                ("what_happened", "A <late> text"),
                ("severity", "8"),
                ("visibility", "counselor"),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("in the future") && body.contains("from 1 to 5"));
    assert!(body.contains("A &lt;late&gt; text"));
    let t = today();
    let r = sam
        .post_form(
            "/me/setbacks",
            &[
                ("happened_on", &t),
                ("what_happened", "Argument about a late text"),
                ("trigger_text", "Phone face down"),
                ("reaction", "I went quiet"),
                ("repair_attempted", "yes"),
                ("repair_text", "We talked after dinner"),
                ("severity", "4"),
                ("do_differently", "Say I need a minute"),
                ("visibility", "partner"),
                ("raise_in_session", "on"),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app
        .get_html(&format!(
            "/couples/{}/timeline?exercise=setbacks",
            couple.id
        ))
        .await;
    for text in [
        "Argument about a late text",
        "Phone face down",
        "I went quiet",
        "We talked after dinner",
        "Say I need a minute",
        "Raise in session",
    ] {
        assert!(page.contains(text), "{text}");
    }
}

#[tokio::test]
async fn the_counselor_can_resend_invitations_for_their_own_couples_only() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    app.get_html("/dashboard").await;
    let r = app
        .post_form(&format!("/couples/{}/invite", couple.id), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("invitations-sent"));
    assert_eq!(app.count("email_outbox"), 4);
    let other = app.other_browser();
    app.add_counselor("Bea Other", "bea@practice.test", "another long passphrase")
        .await;
    other
        .login("bea@practice.test", "another long passphrase")
        .await;
    other.get_html("/dashboard").await;
    let r = other
        .post_form(&format!("/couples/{}/invite", couple.id), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = other.post_form("/couples/99999/invite", &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The four to the partners, and Bea's own invitation to choose a password.
    assert_eq!(app.count("email_outbox"), 5);
    // The newest invitation signs in.
    sign_in_partner(&other.other_browser(), couple.b).await;
}

#[tokio::test]
async fn a_couple_added_through_the_form_is_invited_and_can_sign_in() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let (status, form) = app.get_html("/couples/new").await;
    assert_eq!(status, StatusCode::OK);
    let once = crate::helpers::hidden_value(&form, "form_once").expect("form_once");
    let r = app
        .post_form(
            "/couples/new",
            &[
                ("label", "Okafor & Lind"),
                ("breach_by", "a"),
                ("confidentiality", "no_secrets"),
                ("start_date", &today()),
                ("a_name", "Jo Okafor"),
                ("a_email", "jo@example.org"),
                ("a_time_zone", "America/New_York"),
                ("b_name", "Kim Lind"),
                ("b_email", "kim@example.org"),
                ("b_time_zone", "Europe/Berlin"),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "couple created");
    let couple_page = location(&r);
    assert_eq!(app.count("email_outbox"), 2, "both partners invited");

    let (status, page) = app.get_html(&couple_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Timeline of entries and setbacks"));
    assert!(page.contains("Session-prep report"));
    assert!(page.contains("Send the invitation again") || page.contains("invite"));

    let jo_id: i32 = app
        .db
        .read_blocking(|conn| {
            Ok(partners::table
                .filter(partners::email.eq("jo@example.org"))
                .select(partners::id)
                .first(conn)?)
        })
        .unwrap();
    let (kind, subject, body) = last_email(&app, jo_id);
    assert_eq!(kind, "invitation");
    assert!(
        !subject.to_lowercase().contains("therap") && !subject.to_lowercase().contains("counsel")
    );
    assert!(body.starts_with("Hello Jo,"));
    let jo = app.other_browser();
    sign_in_partner(&jo, jo_id).await;
    let (status, home) = jo.get_html("/me").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("No secrets"));
}

#[tokio::test]
async fn closing_the_couple_signs_its_partners_out() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Moreau & Ito",
        ("Lou Moreau", "lou@example.org"),
        ("Ren Ito", "ren@example.org"),
    );
    let lou = app.other_browser();
    sign_in_partner(&lou, couple.a).await;
    assert_eq!(lou.get("/me").await.status(), StatusCode::OK);

    app.get_html(&format!("/couples/{}", couple.id)).await;
    let r = app
        .post_form(
            &format!("/couples/{}/status", couple.id),
            &[("status", "closed"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let r = lou.get("/me").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/sign-in");
}
