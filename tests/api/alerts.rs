//! Clinical safety alerts: a concerning answer on the private safety check reaches the
//! counselor at once (dashboard banner, a content-free email, the digest), stays until they
//! record what they did, goes to the practice admin when nobody does, never appears on a
//! joint agenda, and changes nothing the other partner can see.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use trellis::db::schema::{audit_log, email_outbox, entries, entry_comments, safety_alerts};
use trellis::scheduler::escalate::escalate_pass;

use crate::helpers::{location, spawn_app, TestApp, ADMIN_EMAIL};
use crate::portal::{
    answers, assign, create_couple, entry_id_from, post, prompts, sign_in_partner, today, Couple,
};

const BEA: &str = "bea@practice.test";
const BEA_PASSWORD: &str = "another long passphrase";
const SECRET: &str = "he punched the door first";

/// The admin (signed in, in `app`), Bea (a counselor, signed in, returned) and Bea's couple
/// with both partners signed in, the safety check assigned to A.
struct World {
    app: TestApp,
    bea: TestApp,
    couple: Couple,
    a: TestApp,
    b: TestApp,
    safety: i32,
}

async fn world() -> World {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.add_counselor("Bea Counselor", BEA, BEA_PASSWORD).await;
    // UTC like the partners, so "today" is the same day for everyone whatever the hour.
    app.sql(&format!(
        "UPDATE counselors SET time_zone = 'UTC' WHERE email = '{BEA}'"
    ));
    let bea = app.other_browser();
    bea.login(BEA, BEA_PASSWORD).await;
    let couple = create_couple(
        &app,
        BEA,
        "Rivera household",
        ("Sam Rivera", "sam@example.org"),
        ("Alex Chen", "alex@example.org"),
    );
    let safety = assign(&app, couple.id, "safety-check", "a", "");
    let (a, b) = (app.other_browser(), app.other_browser());
    sign_in_partner(&a, couple.a).await;
    sign_in_partner(&b, couple.b).await;
    World {
        app,
        bea,
        couple,
        a,
        b,
        safety,
    }
}

/// Submit the safety check of assignment `aid` with (fear, harm, contact, text).
async fn check_in(w: &World, aid: i32, yes: [bool; 3], text: &str) -> reqwest::Response {
    let path = format!("/me/do/{aid}/{}", today());
    let (status, _) = w.a.get_html(&path).await;
    assert_eq!(status, StatusCode::OK);
    let p = prompts(&w.app, "safety-check");
    let mut fields: Vec<(String, String)> = yes
        .iter()
        .enumerate()
        .map(|(i, y)| (p[i].0.clone(), if *y { "yes" } else { "no" }.to_string()))
        .collect();
    fields.push((p[3].0.clone(), text.to_string()));
    fields.push(("intent".into(), "submit".into()));
    post(&w.a, &path, &fields).await
}

fn alerts(app: &TestApp) -> Vec<(i32, i32, bool)> {
    app.db
        .read_blocking(|c| {
            Ok(safety_alerts::table
                .order(safety_alerts::id.asc())
                .select((
                    safety_alerts::id,
                    safety_alerts::entry_id,
                    safety_alerts::acknowledged_at.is_not_null(),
                ))
                .load(c)?)
        })
        .unwrap()
}

/// (kind, to, subject, text, html) of every outbox row of these kinds.
fn mail_of_kind(app: &TestApp, kind: &str) -> Vec<(String, String, String, String)> {
    let kind = kind.to_string();
    app.db
        .read_blocking(move |c| {
            Ok(email_outbox::table
                .filter(email_outbox::kind.eq(kind))
                .order(email_outbox::id.asc())
                .select((
                    email_outbox::to_address,
                    email_outbox::subject,
                    email_outbox::body_text,
                    email_outbox::body_html,
                ))
                .load(c)?)
        })
        .unwrap()
}

fn audit_count(app: &TestApp, action: &str) -> i64 {
    let action = action.to_string();
    app.db
        .read_blocking(move |c| {
            Ok(audit_log::table
                .filter(audit_log::action.eq(action))
                .count()
                .get_result(c)?)
        })
        .unwrap()
}

fn assert_content_free(subject: &str, body: &str) {
    for word in [
        "Sam",
        "Alex",
        "Rivera",
        "Chen",
        "household",
        SECRET,
        "afraid",
        "hurt",
        "safety",
        "Safety",
    ] {
        assert!(!subject.contains(word), "subject holds {word}: {subject}");
        assert!(!body.contains(word), "body holds {word}: {body}");
    }
}

#[tokio::test]
async fn each_concerning_answer_raises_an_alert_and_reassuring_ones_do_not() {
    let w = world().await;
    // One assignment per case, so each has its own occurrence today.
    let cases: [([bool; 3], &str, bool); 5] = [
        ([true, false, false], "", true),
        ([false, true, false], "", true),
        ([false, false, true], "", true),
        ([false, false, false], SECRET, true),
        ([false, false, false], "   ", false),
    ];
    let mut expected = 0;
    for (i, (yes, text, raises)) in cases.iter().enumerate() {
        let aid = if i == 0 {
            w.safety
        } else {
            assign(&w.app, w.couple.id, "safety-check", "a", "")
        };
        let r = check_in(&w, aid, *yes, text).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "case {i}");
        let entry = entry_id_from(&r);
        expected += usize::from(*raises);
        let all = alerts(&w.app);
        assert_eq!(all.len(), expected, "case {i}");
        assert_eq!(all.iter().any(|(_, e, _)| *e == entry), *raises, "case {i}");
        let (_, page) = w.a.get_html(&location(&r)).await;
        assert_eq!(
            page.contains("Your counselor has been told"),
            *raises,
            "case {i}"
        );
        assert!(
            page.contains("local emergency number"),
            "crisis text, case {i}"
        );
    }
    assert_eq!(mail_of_kind(&w.app, "attention").len(), 4);
    assert_eq!(audit_count(&w.app, "safety_alert.raise"), 4);
}

#[tokio::test]
async fn the_counselor_sees_a_banner_a_mark_and_a_content_free_email_at_once() {
    let w = world().await;
    let (_, page) = w.bea.get_html("/dashboard").await;
    assert!(!page.contains("alert-banner"));
    let r = check_in(&w, w.safety, [true, true, false], SECRET).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (alert_id, _, _) = alerts(&w.app)[0];
    let href = format!("/couples/{}/alerts/{alert_id}", w.couple.id);

    // The banner comes before every couple row and every flag.
    let (_, page) = w.bea.get_html("/dashboard").await;
    let banner = page.find("alert-banner").expect("a banner");
    assert!(banner < page.find("<table").unwrap_or(usize::MAX));
    assert!(banner < page.find("name=\"flag\"").unwrap_or(usize::MAX));
    assert!(page.contains(&href), "the banner links to the alert");
    assert!(page.contains("Rivera household · Sam Rivera"));
    assert!(page.contains("alert-mark"), "the couple's row is marked");
    let (_, page) = w.bea.get_html(&format!("/couples/{}", w.couple.id)).await;
    assert!(page.contains("alert-mark") && page.contains(&href));

    // The admin's dashboard is not about Bea's couples.
    let (_, page) = w.app.get_html("/dashboard").await;
    assert!(!page.contains("alert-banner"));

    // One email to Bea, saying nothing but "look at Trellis", linking to the alert.
    let mail = mail_of_kind(&w.app, "attention");
    assert_eq!(mail.len(), 1);
    let (to, subject, text, html) = &mail[0];
    assert_eq!(to, BEA);
    assert_content_free(subject, text);
    assert_content_free(subject, html);
    assert!(text.contains(&href), "{text}");

    // The alert page shows the answers, marked concerning, headed counselor-only.
    let (s, page) = w.bea.get_html(&href).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(SECRET));
    assert!(page.contains("For the counselor only, not for a joint session."));
    assert!(page.contains("Concerning: "));
    let (_, page) = w.bea.get_html("/alerts").await;
    assert!(page.contains(&href));
}

#[tokio::test]
async fn acknowledging_records_what_was_done_once_and_clears_the_banner() {
    let w = world().await;
    check_in(&w, w.safety, [true, false, false], "").await;
    let (alert_id, _, _) = alerts(&w.app)[0];
    let href = format!("/couples/{}/alerts/{alert_id}", w.couple.id);
    w.bea.get_html(&href).await;
    let ack = format!("{href}/acknowledge");

    // Nothing chosen: the form comes back with the note kept and nothing recorded.
    let r = w
        .bea
        .post_form(&ack, &[("action", ""), ("note", "Tried to call")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("Choose what you did."));
    assert!(page.contains("Tried to call"));
    assert!(!alerts(&w.app)[0].2);

    let r = w
        .bea
        .post_form(
            &ack,
            &[
                ("action", "called_partner"),
                ("note", "Spoke with Sam at 15:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("notice=alert-acknowledged"));
    assert!(alerts(&w.app)[0].2);
    // Twice records once.
    let r = w
        .bea
        .post_form(&ack, &[("action", "no_action_needed"), ("note", "again")])
        .await;
    assert!(location(&r).contains("notice=alert-already-acknowledged"));
    assert_eq!(audit_count(&w.app, "safety_alert.acknowledge"), 1);
    assert!(audit_count(&w.app, "safety_alert.view") >= 1);

    let (_, page) = w.bea.get_html("/dashboard").await;
    assert!(!page.contains("alert-banner") && !page.contains("alert-mark"));
    let (_, page) = w.bea.get_html("/alerts").await;
    assert!(!page.contains(&href));
    // It stays in the couple's record, with what was done.
    let (_, page) = w.bea.get_html(&format!("/couples/{}", w.couple.id)).await;
    assert!(page.contains(&href) && page.contains("Called the partner"));
    let (_, page) = w.bea.get_html(&href).await;
    assert!(page.contains("Spoke with Sam at 15:00") && !page.contains("/acknowledge"));
}

#[tokio::test]
async fn nobody_but_the_couples_counselor_reaches_an_alert() {
    let w = world().await;
    check_in(&w, w.safety, [false, true, false], "").await;
    let (alert_id, _, _) = alerts(&w.app)[0];
    let href = format!("/couples/{}/alerts/{alert_id}", w.couple.id);
    let denied_before = audit_count(&w.app, "couple.denied");
    // The admin is another counselor here: 404, audited.
    assert_eq!(w.app.get(&href).await.status(), StatusCode::NOT_FOUND);
    w.app.get_html("/dashboard").await;
    let r = w
        .app
        .post_form(
            &format!("{href}/acknowledge"),
            &[("action", "called_partner"), ("note", "not mine")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(audit_count(&w.app, "couple.denied"), denied_before + 2);
    assert!(!alerts(&w.app)[0].2);
    // Partners: neither the page, the list nor the acknowledgement.
    for p in [&w.a, &w.b] {
        assert_eq!(p.get(&href).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(p.get("/alerts").await.status(), StatusCode::NOT_FOUND);
        p.get_html("/me").await;
        let r = p
            .post_form(
                &format!("{href}/acknowledge"),
                &[("action", "called_partner"), ("note", "x")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    assert!(!alerts(&w.app)[0].2);
    // The admin sees it practice-wide, with Bea named, but not the answers.
    let (s, page) = w.app.get_html("/practice/alerts").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Rivera household") && page.contains("Bea Counselor"));
    assert!(!page.contains(&href));
    assert_eq!(
        w.bea.get("/practice/alerts").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_alert_of_a_paused_or_closed_couple_still_shows_and_can_be_acknowledged() {
    let w = world().await;
    check_in(&w, w.safety, [true, false, false], "").await;
    let (alert_id, _, _) = alerts(&w.app)[0];
    let href = format!("/couples/{}/alerts/{alert_id}", w.couple.id);
    for status in ["paused", "closed"] {
        w.app.sql(&format!(
            "UPDATE couples SET status = '{status}' WHERE id = {}",
            w.couple.id
        ));
        let (_, page) = w.bea.get_html("/dashboard").await;
        assert!(page.contains(&href), "{status}");
        assert!(page.contains(&format!("({status} couple)")), "{status}");
    }
    w.bea.get_html(&href).await;
    let r = w
        .bea
        .post_form(
            &format!("{href}/acknowledge"),
            &[
                ("action", "individual_session"),
                ("note", "Booked for Friday"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(alerts(&w.app)[0].2);
}

#[tokio::test]
async fn an_unacknowledged_alert_goes_to_the_admin_once_after_the_configured_hours() {
    let w = world().await;
    assert_eq!(w.app.settings.alerts.escalate_after_hours, 4);
    check_in(&w, w.safety, [true, false, false], SECRET).await;
    let now = Utc::now();
    let pass = |at| escalate_pass(&w.app.db, &w.app.settings, at).expect("escalation pass");
    assert_eq!(pass(now + Duration::hours(3)), 0);
    assert!(mail_of_kind(&w.app, "attention-escalated").is_empty());
    assert_eq!(pass(now + Duration::hours(4) + Duration::minutes(1)), 1);
    assert_eq!(pass(now + Duration::hours(6)), 0, "only once");
    let mail = mail_of_kind(&w.app, "attention-escalated");
    assert_eq!(mail.len(), 1);
    let (to, subject, text, html) = &mail[0];
    assert_eq!(to, ADMIN_EMAIL);
    assert_content_free(subject, text);
    assert_content_free(subject, html);
    assert!(text.contains("/practice/alerts"));
    assert_eq!(audit_count(&w.app, "safety_alert.escalate"), 1);
    let (_, page) = w.app.get_html("/practice/alerts").await;
    assert!(!page.contains("not yet"), "shown as sent to the admin");

    // An acknowledged alert is never escalated.
    let aid = assign(&w.app, w.couple.id, "safety-check", "a", "");
    check_in(&w, aid, [false, false, true], "").await;
    let (second, _, _) = alerts(&w.app)[1];
    let href = format!("/couples/{}/alerts/{second}", w.couple.id);
    w.bea.get_html(&href).await;
    w.bea
        .post_form(
            &format!("{href}/acknowledge"),
            &[("action", "safety_plan"), ("note", "Reviewed the plan")],
        )
        .await;
    assert_eq!(pass(now + Duration::hours(10)), 0);
}

#[tokio::test]
async fn a_safety_entry_is_never_offered_for_a_joint_session_and_crafted_posts_are_refused() {
    let w = world().await;
    let r = check_in(&w, w.safety, [true, false, false], SECRET).await;
    let entry = entry_id_from(&r);
    let timeline = format!("/couples/{}/timeline", w.couple.id);
    let (_, page) = w.bea.get_html(&timeline).await;
    assert!(page.contains(SECRET));
    let flag_form = format!("/couples/{}/entries/{entry}/flag", w.couple.id);
    let comment_form = format!("/couples/{}/entries/{entry}/comments", w.couple.id);
    assert!(!page.contains(&flag_form) && !page.contains(&comment_form));
    assert!(page.contains("For you only, not for a joint session."));

    let r = w.bea.post_form(&flag_form, &[("flagged", "on")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("notice=entry-not-for-session"));
    let r = w
        .bea
        .post_form(
            &comment_form,
            &[(
                &*format!("comment-{entry}"),
                "Let's talk about this together",
            )],
        )
        .await;
    assert!(location(&r).contains("notice=entry-not-for-session"));
    let (flagged, comments): (bool, i64) = w
        .app
        .db
        .read_blocking(move |c| {
            Ok((
                entries::table
                    .find(entry)
                    .select(entries::flagged_for_session)
                    .first(c)?,
                entry_comments::table
                    .filter(entry_comments::entry_id.eq(entry))
                    .count()
                    .get_result(c)?,
            ))
        })
        .unwrap();
    assert!(!flagged);
    assert_eq!(comments, 0);
    assert_eq!(audit_count(&w.app, "entry.agenda_refused"), 2);

    // Even a safety entry flagged before this rule stays out of the report's joint sections;
    // with include_safety it has its own counselor-only section after them.
    w.app.sql(&format!(
        "UPDATE entries SET flagged_for_session = TRUE WHERE id = {entry}"
    ));
    let report = format!("/couples/{}/report", w.couple.id);
    let (_, page) = w.bea.get_html(&report).await;
    assert!(!page.contains(SECRET));
    let (_, page) = w.bea.get_html(&format!("{report}?include_safety=1")).await;
    let heading = page
        .find("for the counselor only, not for a joint session")
        .expect("the counselor-only heading");
    let secret = page.find(SECRET).expect("the safety answers");
    assert!(heading < secret);
    assert_eq!(page.matches(SECRET).count(), 1, "only in that section");
    // The flag can still be taken off.
    let r = w.bea.post_form(&flag_form, &[("flagged", "off")]).await;
    assert!(location(&r).contains("notice=entry-unflagged"));
}

/// A page with its once-only form tokens blanked: they are fresh on every load by design;
/// every other byte must stay the same.
fn without_once_tokens(page: &str) -> String {
    let marker = "name=\"form_once\" value=\"";
    let mut out = String::new();
    let mut rest = page;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        rest = &rest[i + marker.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Every page partner B can open, in order.
async fn b_pages(w: &World) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in [
        "/me",
        "/me/entries",
        "/me/journal",
        "/me/setbacks",
        "/me/settings",
        "/me/setbacks/new",
    ] {
        let (s, page) = w.b.get_html(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        out.push((path.to_string(), without_once_tokens(&page)));
    }
    out
}

fn b_mail(w: &World) -> Vec<(String, String, String, String)> {
    let b = w.couple.b;
    w.app
        .db
        .read_blocking(move |c| {
            Ok(email_outbox::table
                .filter(email_outbox::partner_id.eq(b))
                .order(email_outbox::id.asc())
                .select((
                    email_outbox::kind,
                    email_outbox::subject,
                    email_outbox::body_text,
                    email_outbox::status,
                ))
                .load(c)?)
        })
        .unwrap()
}

#[tokio::test]
async fn the_other_partner_sees_nothing_change_when_an_alert_is_raised_acknowledged_or_escalated() {
    let w = world().await;
    // Something B already shares, so their pages are not empty.
    let daily = assign(&w.app, w.couple.id, "daily-check-in", "both", "");
    let path = format!("/me/do/{daily}/{}", today());
    w.a.get_html(&path).await;
    let mut fields = answers(&w.app, "daily-check-in", "shared words");
    fields.push(("visibility".into(), "partner".into()));
    fields.push(("intent".into(), "submit".into()));
    post(&w.a, &path, &fields).await;

    let pages = b_pages(&w).await;
    let mail = b_mail(&w);
    for (path, page) in &pages {
        assert!(page.contains("data-quick-exit"), "{path}");
    }

    check_in(&w, w.safety, [true, true, true], SECRET).await;
    assert_eq!(b_pages(&w).await, pages, "after the alert was raised");
    assert_eq!(b_mail(&w), mail);

    escalate_pass(&w.app.db, &w.app.settings, Utc::now() + Duration::hours(5)).unwrap();
    assert_eq!(b_pages(&w).await, pages, "after it was escalated");
    assert_eq!(b_mail(&w), mail);

    let (alert_id, _, _) = alerts(&w.app)[0];
    let href = format!("/couples/{}/alerts/{alert_id}", w.couple.id);
    w.bea.get_html(&href).await;
    w.bea
        .post_form(
            &format!("{href}/acknowledge"),
            &[("action", "called_partner"), ("note", "Spoke privately")],
        )
        .await;
    assert_eq!(b_pages(&w).await, pages, "after it was acknowledged");
    assert_eq!(b_mail(&w), mail);
}

#[tokio::test]
async fn the_digest_counts_open_alerts_first() {
    let w = world().await;
    check_in(&w, w.safety, [true, false, false], "").await;
    w.app.sql(&format!(
        "UPDATE counselors SET time_zone = 'UTC' WHERE email = '{BEA}'"
    ));
    let tomorrow = Utc::now().date_naive() + Duration::days(1);
    let at = tomorrow.and_hms_opt(7, 0, 0).unwrap().and_utc();
    trellis::scheduler::plan_pass(&w.app.db, &w.app.settings, at).unwrap();
    let digests: Vec<_> = mail_of_kind(&w.app, "digest")
        .into_iter()
        .filter(|m| m.0 == BEA)
        .collect();
    assert_eq!(digests.len(), 1);
    let text = &digests[0].2;
    let line = text
        .find("1 client is waiting for your attention")
        .expect("the count");
    assert!(line < text.find("Sessions today").unwrap(), "{text}");
    assert_content_free(&digests[0].1, "");
}
