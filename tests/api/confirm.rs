//! Nothing irreversible by accident: closing a couple, ending an assignment and cancelling
//! a session go through a page that says what will happen; a closed couple can be reopened.

use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::couples::{admin_app, assign_daily, audit_count, create_couple, two_counselors};
use crate::helpers::{location, TestApp};

fn status_of(app: &TestApp, id: i32) -> String {
    app.db
        .read_blocking(move |conn| {
            Ok(trellis::db::couples::by_id(conn, id)?
                .status
                .as_str()
                .to_string())
        })
        .expect("couple")
}

fn first_assignment(app: &TestApp, couple: i32) -> (i32, String) {
    app.db
        .read_blocking(move |conn| {
            let a = trellis::db::assignments::for_couple(conn, couple)?;
            Ok((a[0].id, a[0].status.as_str().to_string()))
        })
        .expect("assignment")
}

#[tokio::test]
async fn closing_a_couple_asks_first_and_a_closed_couple_can_be_reopened() {
    let app = admin_app().await;
    let id = create_couple(&app, "Rivera & Chen", "a").await;
    let (_, page) = app.get_html(&format!("/couples/{id}")).await;
    assert!(page.contains(&format!("href=\"/couples/{id}/close\"")));

    // A post straight from an old page or a script does nothing but ask.
    let r = app
        .post_form(&format!("/couples/{id}/status"), &[("status", "closed")])
        .await;
    assert_eq!(location(&r), format!("/couples/{id}/close"));
    assert_eq!(status_of(&app, id), "active");

    let (status, page) = app.get_html(&format!("/couples/{id}/close")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Close the work with Rivera &amp; Chen?"));
    assert!(page.contains("leaves your caseload"));
    assert!(page.contains("name=\"confirmed\" value=\"yes\""));
    assert!(page.contains("Keep it as it is"));
    assert_eq!(status_of(&app, id), "active", "looking changes nothing");

    let r = app
        .post_form(
            &format!("/couples/{id}/status"),
            &[("status", "closed"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/couples/{id}?notice=couple-closed-now")
    );
    assert_eq!(status_of(&app, id), "closed");
    assert_eq!(audit_count(&app, "couple.close"), 1);

    // The confirm page of a closed couple goes back to the couple.
    let r = app.get(&format!("/couples/{id}/close")).await;
    assert_eq!(location(&r), format!("/couples/{id}"));

    // Reopen.
    let (_, page) = app.get_html(&format!("/couples/{id}")).await;
    assert!(page.contains("Reopen the couple"));
    let r = app
        .post_form(&format!("/couples/{id}/status"), &[("status", "active")])
        .await;
    assert_eq!(
        location(&r),
        format!("/couples/{id}?notice=couple-reopened")
    );
    assert_eq!(status_of(&app, id), "active");
    assert_eq!(audit_count(&app, "couple.reopen"), 1);
    let (_, page) = app.get_html("/dashboard").await;
    assert!(
        page.contains(">Rivera &amp; Chen</a>"),
        "back on the dashboard"
    );
    let (_, page) = app
        .get_html(&format!("/couples/{id}?notice=couple-reopened"))
        .await;
    assert!(page.contains("open again"));
}

#[tokio::test]
async fn another_counselor_can_neither_see_the_confirm_pages_nor_reopen() {
    let (admin, other) = two_counselors().await;
    let id = create_couple(&admin, "Mine", "a").await;
    let start = Utc::now().date_naive().to_string();
    assign_daily(&admin, id, "daily-check-in", &start).await;
    let (aid, _) = first_assignment(&admin, id);
    admin
        .post_form(
            &format!("/couples/{id}/status"),
            &[("status", "closed"), ("confirmed", "yes")],
        )
        .await;
    let before = audit_count(&admin, "couple.denied");
    for path in [
        format!("/couples/{id}/close"),
        format!("/couples/{id}/assignments/{aid}/end"),
        format!("/couples/{id}/sessions/1/cancel"),
    ] {
        let (status, body) = other.get_html(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("Mine"));
    }
    let r = other
        .post_form(&format!("/couples/{id}/status"), &[("status", "active")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&admin, id), "closed");
    assert_eq!(audit_count(&admin, "couple.denied"), before + 4);
}

#[tokio::test]
async fn ending_an_assignment_asks_first() {
    let app = admin_app().await;
    let id = create_couple(&app, "Ending", "a").await;
    let start = Utc::now().date_naive().to_string();
    assign_daily(&app, id, "daily-check-in", &start).await;
    let (aid, _) = first_assignment(&app, id);
    let base = format!("/couples/{id}/assignments/{aid}");
    let r = app.post_form(&format!("{base}/end"), &[]).await;
    assert_eq!(location(&r), format!("{base}/end"));
    assert_eq!(first_assignment(&app, id).1, "active");
    let (status, page) = app.get_html(&format!("{base}/end")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("End the assignment “Daily check-in”?"),
        "{page}"
    );
    assert!(page.contains("Nothing is owed after today"));
    let r = app
        .post_form(&format!("{base}/end"), &[("confirmed", "yes")])
        .await;
    assert_eq!(
        location(&r),
        format!("/couples/{id}?notice=assignment-ended")
    );
    assert_eq!(first_assignment(&app, id).1, "ended");
    // Another couple's assignment id under this couple is a 404.
    let other = create_couple(&app, "Other", "a").await;
    let (status, _) = app
        .get_html(&format!("/couples/{other}/assignments/{aid}/end"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(audit_count(&app, "assignment.denied") >= 1);
}

#[tokio::test]
async fn cancelling_a_session_asks_first() {
    let app = admin_app().await;
    let id = create_couple(&app, "Cancelling", "a").await;
    let starts = (Utc::now() + Duration::days(3)).format("%Y-%m-%d %H:%M:%S");
    app.sql(&format!(
        "INSERT INTO therapy_sessions (couple_id, counselor_id, starts_at, duration_minutes, status, \
         created_at, updated_at) SELECT id, counselor_id, '{starts}', 50, 'booked', '{starts}', '{starts}' \
         FROM couples WHERE id = {id};"
    ));
    let sid: i32 = app
        .db
        .read_blocking(
            move |conn| Ok(trellis::db::therapy_sessions::for_couple(conn, id, 5)?[0].id),
        )
        .unwrap();
    let path = format!("/couples/{id}/sessions/{sid}/cancel");
    let (_, page) = app.get_html(&format!("/couples/{id}")).await;
    assert!(page.contains(&format!("href=\"{path}\"")));
    let r = app.post_form(&path, &[]).await;
    assert_eq!(location(&r), path);
    let (status, page) = app.get_html(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Cancel this session?") && page.contains("stays in the record"));
    let r = app.post_form(&path, &[("confirmed", "yes")]).await;
    assert_eq!(
        location(&r),
        format!("/couples/{id}?notice=session-cancelled")
    );
    let (_, page) = app.get_html(&format!("/couples/{id}")).await;
    assert!(page.contains("Cancelled"));
}
