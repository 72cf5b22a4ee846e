//! Privacy between partners: who can reach each kind of record, however it is asked for.
//! Viewers: partner A (author), partner B, a partner of another couple, the counselor,
//! another counselor. Records: a private entry, a shared entry, a draft, a co-journal
//! entry, a setback (private and shared), and A's private safety check.

use reqwest::StatusCode;

use crate::helpers::{hidden_value, spawn_app, TestApp, ADMIN_EMAIL};
use crate::portal::{answers, assign, create_couple, entry_id_from, post, sign_in_partner, today};

struct Records {
    private: i32,
    shared: i32,
    draft: i32,
    journal: i32,
    safety: i32,
    setback_private: i32,
    setback_shared: i32,
}

const MARKERS: [&str; 7] = [
    "MARK-PRIVATE",
    "MARK-SHARED",
    "MARK-DRAFT",
    "MARK-JOURNAL",
    "MARK-SAFETY",
    "MARK-SETBACK-PRIVATE",
    "MARK-SETBACK-SHARED",
];

async fn submit(
    b: &TestApp,
    app: &TestApp,
    aid: i32,
    slug: &str,
    text: &str,
    visibility: &str,
    intent: &str,
) -> reqwest::Response {
    let path = format!("/me/do/{aid}/{}", today());
    b.get_html(&path).await;
    let mut fields = answers(app, slug, text);
    fields.push(("visibility".into(), visibility.into()));
    fields.push(("intent".into(), intent.into()));
    post(b, &path, &fields).await
}

fn latest_id(app: &TestApp, table: &str) -> i32 {
    use diesel::sql_types::Integer;
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = Integer)]
        id: i32,
    }
    let q = format!("SELECT MAX(id) AS id FROM {table}");
    app.db
        .read_blocking(move |c| Ok(diesel::sql_query(q).get_result::<Id>(c)?.id))
        .unwrap()
}

async fn write_everything(app: &TestApp, a: &TestApp, couple_id: i32) -> Records {
    let trust = assign(app, couple_id, "trust-check-in", "both", "");
    let daily = assign(app, couple_id, "daily-check-in", "both", "");
    let apology = assign(app, couple_id, "apology-letter", "a", "");
    let safety = assign(app, couple_id, "safety-check", "a", "");
    let r = submit(
        a,
        app,
        trust,
        "trust-check-in",
        "MARK-PRIVATE",
        "counselor",
        "submit",
    )
    .await;
    let private = entry_id_from(&r);
    let r = submit(
        a,
        app,
        daily,
        "daily-check-in",
        "MARK-SHARED",
        "partner",
        "submit",
    )
    .await;
    let shared = entry_id_from(&r);
    let r = submit(
        a,
        app,
        apology,
        "apology-letter",
        "MARK-DRAFT",
        "partner",
        "draft",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let draft = latest_id(app, "entries");
    // The safety check asks to be shared: the form's choice is ignored.
    let r = submit(
        a,
        app,
        safety,
        "safety-check",
        "MARK-SAFETY",
        "partner",
        "submit",
    )
    .await;
    let safety = entry_id_from(&r);
    let (_, page) = a.get_html("/me/journal").await;
    let once = hidden_value(&page, "form_once").expect("a once-only token");
    let j = crate::portal::prompts(app, "co-journal");
    let r = post(
        a,
        "/me/journal",
        &[
            (j[0].0.clone(), "MARK-JOURNAL".into()),
            ("form_once".into(), once),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let journal = latest_id(app, "entries");
    let t = today();
    let mut setbacks = Vec::new();
    for (text, vis) in [
        ("MARK-SETBACK-PRIVATE", "counselor"),
        ("MARK-SETBACK-SHARED", "partner"),
    ] {
        let (_, page) = a.get_html("/me/setbacks/new").await;
        let once = hidden_value(&page, "form_once").expect("a once-only token");
        let r = a
            .post_form(
                "/me/setbacks",
                &[
                    ("happened_on", &t),
                    ("what_happened", text),
                    ("severity", "2"),
                    ("visibility", vis),
                    ("form_once", &once),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        setbacks.push(latest_id(app, "setbacks"));
    }
    Records {
        private,
        shared,
        draft,
        journal,
        safety,
        setback_private: setbacks[0],
        setback_shared: setbacks[1],
    }
}

async fn status(b: &TestApp, path: &str) -> StatusCode {
    b.get(path).await.status()
}

#[tokio::test]
async fn each_viewer_reaches_exactly_what_the_privacy_rules_allow() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let other_counselor = app.other_browser();
    app.add_counselor("Bea Other", "bea@practice.test", "another long passphrase")
        .await;
    other_counselor
        .login("bea@practice.test", "another long passphrase")
        .await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Couple one",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    let stranger_couple = create_couple(
        &app,
        "bea@practice.test",
        "Couple two",
        ("Kim", "kim@example.org"),
        ("Lee", "lee@example.org"),
    );
    let (a, b, x) = (
        app.other_browser(),
        app.other_browser(),
        app.other_browser(),
    );
    sign_in_partner(&a, couple.a).await;
    sign_in_partner(&b, couple.b).await;
    sign_in_partner(&x, stranger_couple.a).await;
    let r = write_everything(&app, &a, couple.id).await;

    let entries = [
        ("private", r.private, [true, false, false]),
        ("shared", r.shared, [true, true, false]),
        ("draft", r.draft, [true, false, false]),
        ("journal", r.journal, [true, true, false]),
        ("safety", r.safety, [true, false, false]),
    ];
    for (what, id, allowed) in entries {
        for (who, browser, ok) in [
            ("A", &a, allowed[0]),
            ("B", &b, allowed[1]),
            ("X", &x, allowed[2]),
        ] {
            let expected = if ok {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(
                status(browser, &format!("/me/entries/{id}")).await,
                expected,
                "{who} reading the {what} entry"
            );
        }
    }
    for (what, id, allowed) in [
        ("private", r.setback_private, [true, false, false]),
        ("shared", r.setback_shared, [true, true, false]),
    ] {
        for (who, browser, ok) in [
            ("A", &a, allowed[0]),
            ("B", &b, allowed[1]),
            ("X", &x, allowed[2]),
        ] {
            let expected = if ok {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(
                status(browser, &format!("/me/setbacks/{id}")).await,
                expected,
                "{who} reading the {what} setback"
            );
        }
    }

    // Every page B can open: shared things only; no trace of the safety check.
    let mut b_pages = String::new();
    for path in [
        "/me",
        "/me/entries",
        "/me/journal",
        "/me/setbacks",
        "/me/settings",
        &format!("/me/entries/{}", r.shared),
    ] {
        let (s, page) = b.get_html(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        b_pages.push_str(&page);
    }
    for hidden in [
        "MARK-PRIVATE",
        "MARK-DRAFT",
        "MARK-SAFETY",
        "MARK-SETBACK-PRIVATE",
        "safety",
        "Safety",
    ] {
        assert!(!b_pages.contains(hidden), "B must not see {hidden}");
    }
    for visible in ["MARK-SHARED", "MARK-JOURNAL", "MARK-SETBACK-SHARED"] {
        assert!(b_pages.contains(visible), "B sees {visible}");
    }

    // The "what changed" feed on B's home follows the same rules: the shared entry, the
    // journal post and the shared setback; never the private entry, the draft, the private
    // setback or the safety check (not even as a count or a date).
    let (_, b_home) = b.get_html("/me").await;
    assert!(b_home.contains("What changed"), "{b_home}");
    for (what, href, shown) in [
        ("shared", format!("href=\"/me/entries/{}\"", r.shared), true),
        (
            "journal",
            format!("href=\"/me/journal#entry-{}\"", r.journal),
            true,
        ),
        (
            "shared setback",
            format!("href=\"/me/setbacks/{}\"", r.setback_shared),
            true,
        ),
        (
            "private",
            format!("href=\"/me/entries/{}\"", r.private),
            false,
        ),
        ("draft", format!("href=\"/me/entries/{}\"", r.draft), false),
        (
            "safety",
            format!("href=\"/me/entries/{}\"", r.safety),
            false,
        ),
        (
            "private setback",
            format!("href=\"/me/setbacks/{}\"", r.setback_private),
            false,
        ),
    ] {
        assert_eq!(
            b_home.contains(&href),
            shown,
            "B's feed and the {what} record"
        );
    }
    assert!(b_home.contains("Sam shared their Daily check-in"));
    assert!(b_home.contains("Sam wrote in the co-journal"));
    assert!(b_home.contains("Sam shared a setback note"));
    // A's own writing is not news to A; X's feed is empty of couple one.
    let (_, a_home) = a.get_html("/me").await;
    assert!(!a_home.contains("What changed"), "{a_home}");
    let (_, x_home) = x.get_html("/me").await;
    assert!(!x_home.contains("What changed"));
    // The counselor's note on A's entries reaches A's feed, but never one on the safety check.
    for entry in [r.shared, r.safety] {
        let (_, page) = app
            .get_html(&format!("/couples/{}/timeline", couple.id))
            .await;
        let once = hidden_value(&page, "form_once").expect("a once-only token");
        let field = format!("comment-{entry}");
        let c = app
            .post_form(
                &format!("/couples/{}/entries/{entry}/comments", couple.id),
                &[(&field, "A note from Ada"), ("form_once", &once)],
            )
            .await;
        assert_eq!(c.status(), StatusCode::SEE_OTHER);
    }
    let (_, a_home) = a.get_html("/me").await;
    let start = a_home.find("id=\"feed-heading\"").expect("A's feed");
    let a_feed = &a_home[start..start + a_home[start..].find("</section>").unwrap()];
    assert!(
        a_feed.contains("Ada Counselor left a note on your Daily check-in"),
        "{a_feed}"
    );
    assert!(a_feed.contains(&format!("href=\"/me/entries/{}\"", r.shared)));
    assert!(!a_feed.contains(&format!("href=\"/me/entries/{}\"", r.safety)));
    assert_eq!(a_feed.matches("<li>").count(), 1, "{a_feed}");
    let (_, b_home) = b.get_html("/me").await;
    assert!(
        !b_home.contains("left a note"),
        "B does not see notes on A's entries"
    );

    // Progress and promises pages, and B's download, carry nothing of A's private writing.
    let mut more = String::new();
    for path in ["/me/progress", "/me/promises"] {
        let (s, page) = b.get_html(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        more.push_str(&page);
    }
    more.push_str(&b.get("/me/download.csv").await.text().await.unwrap());
    for hidden in MARKERS {
        assert!(!more.contains(hidden), "B must not see {hidden} there");
    }
    // A's own download: everything A wrote, the draft marked, never the safety check.
    let r_csv = a.get("/me/download.csv").await;
    assert_eq!(r_csv.status(), StatusCode::OK);
    let csv = r_csv.text().await.unwrap();
    for m in MARKERS.iter().filter(|m| **m != "MARK-SAFETY") {
        assert!(csv.contains(m), "A's download has {m}");
    }
    assert!(!csv.contains("MARK-SAFETY"));
    assert!(!csv.contains("Safety"), "{csv}");
    assert!(csv.contains(",draft,"));
    // B cannot open A's safety-check form either (assigned to A only).
    let safety_aid = latest_assignment(&app, "safety-check");
    assert_eq!(
        status(&b, &format!("/me/do/{safety_aid}/{}", today())).await,
        StatusCode::NOT_FOUND
    );
    let mut fields = answers(&app, "safety-check", "B trying");
    fields.push(("intent".into(), "submit".into()));
    b.get_html("/me").await;
    assert_eq!(
        post(&b, &format!("/me/do/{safety_aid}/{}", today()), &fields)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // X, a partner of another couple, sees nothing of couple one anywhere.
    let mut x_pages = String::new();
    for path in [
        "/me",
        "/me/entries",
        "/me/journal",
        "/me/setbacks",
        "/me/promises",
        "/me/progress",
    ] {
        x_pages.push_str(&x.get_html(path).await.1);
    }
    x_pages.push_str(&x.get("/me/download.csv").await.text().await.unwrap());
    for m in MARKERS {
        assert!(!x_pages.contains(m), "X must not see {m}");
    }

    // The counselor sees every submitted record, including the safety check, never drafts.
    let timeline = format!("/couples/{}/timeline", couple.id);
    let (s, page) = app.get_html(&timeline).await;
    assert_eq!(s, StatusCode::OK);
    for m in MARKERS.iter().filter(|m| **m != "MARK-DRAFT") {
        assert!(page.contains(m), "counselor sees {m}");
    }
    assert!(!page.contains("MARK-DRAFT"));
    assert_eq!(
        app.post_form(
            &format!("/couples/{}/entries/{}/flag", couple.id, r.draft),
            &[("flagged", "on")]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND,
        "drafts cannot be flagged"
    );
    // Partners never reach the counselor's pages.
    assert_eq!(status(&a, &timeline).await, StatusCode::NOT_FOUND);

    // Another counselor: 404 on the page, the flag and the comment.
    assert_eq!(
        status(&other_counselor, &timeline).await,
        StatusCode::NOT_FOUND
    );
    other_counselor.get_html("/dashboard").await;
    let flag = other_counselor
        .post_form(
            &format!("/couples/{}/entries/{}/flag", couple.id, r.shared),
            &[("flagged", "on")],
        )
        .await;
    assert_eq!(flag.status(), StatusCode::NOT_FOUND);
    let comment = other_counselor
        .post_form(
            &format!("/couples/{}/entries/{}/comments", couple.id, r.shared),
            &[("body", "hello")],
        )
        .await;
    assert_eq!(comment.status(), StatusCode::NOT_FOUND);
    // ...nor through their own couple's URL with this couple's entry id.
    let (s, _) = other_counselor
        .get_html(&format!("/couples/{}/timeline", stranger_couple.id))
        .await;
    assert_eq!(s, StatusCode::OK);
    let flag = other_counselor
        .post_form(
            &format!("/couples/{}/entries/{}/flag", stranger_couple.id, r.shared),
            &[("flagged", "on")],
        )
        .await;
    assert_eq!(flag.status(), StatusCode::NOT_FOUND);

    // Emails never carry what anyone wrote.
    let bodies: Vec<String> = app
        .db
        .read_blocking(|c| {
            use diesel::prelude::*;
            use trellis::db::schema::email_outbox;
            Ok(email_outbox::table
                .select(email_outbox::body_text)
                .load(c)?)
        })
        .unwrap();
    for body in bodies {
        for m in MARKERS {
            assert!(!body.contains(m));
        }
    }
}

fn latest_assignment(app: &TestApp, slug: &str) -> i32 {
    let slug = slug.to_string();
    app.db
        .read_blocking(move |c| {
            use diesel::prelude::*;
            use trellis::db::schema::assignments;
            let ex = trellis::db::exercises::find_by_slug(c, &slug)?;
            Ok(assignments::table
                .filter(assignments::exercise_id.eq(ex.id))
                .order(assignments::id.desc())
                .select(assignments::id)
                .first(c)?)
        })
        .unwrap()
}

#[tokio::test]
async fn a_paired_answer_waits_until_the_other_partner_has_submitted() {
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
    let (a, b) = (app.other_browser(), app.other_browser());
    sign_in_partner(&a, couple.a).await;
    sign_in_partner(&b, couple.b).await;
    let r = submit(
        &a,
        &app,
        aid,
        "what-happened",
        "SAM-ACCOUNT",
        "partner",
        "submit",
    )
    .await;
    let a_entry = entry_id_from(&r);
    let (_, page) = b.get_html("/me/entries").await;
    assert!(page.contains("You will see their answers once you have submitted your own"));
    assert!(!page.contains("SAM-ACCOUNT"));
    assert_eq!(
        status(&b, &format!("/me/entries/{a_entry}")).await,
        StatusCode::NOT_FOUND
    );
    // A draft is not enough.
    submit(
        &b,
        &app,
        aid,
        "what-happened",
        "ALEX-DRAFT",
        "counselor",
        "draft",
    )
    .await;
    assert_eq!(
        status(&b, &format!("/me/entries/{a_entry}")).await,
        StatusCode::NOT_FOUND
    );
    submit(
        &b,
        &app,
        aid,
        "what-happened",
        "ALEX-ACCOUNT",
        "counselor",
        "submit",
    )
    .await;
    let (s, page) = b.get_html(&format!("/me/entries/{a_entry}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("SAM-ACCOUNT"));
    // B kept theirs private, so A still cannot read it.
    let (_, page) = a.get_html("/me/entries").await;
    assert!(!page.contains("ALEX-ACCOUNT"));
}
