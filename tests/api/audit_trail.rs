//! The practice admin's audit page (names, local times, filters, paging, CSV) and the
//! audit log's hash chain (`trellis audit verify`).

use reqwest::StatusCode;
use trellis::db::audit_chain::{self, Verdict};

use crate::accounts::audit_count;
use crate::helpers::{spawn_app, TestApp, ADMIN_EMAIL};

fn verify(app: &TestApp) -> Verdict {
    app.db
        .write_blocking(|conn| Ok(audit_chain::verify(conn)?))
        .unwrap()
}

#[tokio::test]
async fn the_hash_chain_holds_and_an_edited_row_breaks_it() {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.logout().await;
    app.login(ADMIN_EMAIL, "a wrong password entirely").await;
    app.login(ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    // Page views go through the batched writer; they chain too.
    for _ in 0..3 {
        app.get_html("/dashboard").await;
    }
    let rows = app.count("audit_log") as u64;
    assert!(rows >= 7);
    assert_eq!(verify(&app), Verdict::Intact { rows });

    let id: i32 = {
        use diesel::prelude::*;
        use trellis::db::schema::audit_log;
        app.db
            .read_blocking(|conn| {
                Ok(audit_log::table
                    .filter(audit_log::action.eq("sign_in.failed"))
                    .select(audit_log::id)
                    .first(conn)?)
            })
            .unwrap()
    };
    app.sql(&format!(
        "UPDATE audit_log SET action = 'sign_in' WHERE id = {id}"
    ));
    match verify(&app) {
        Verdict::BrokenAt { id: broken, .. } => assert_eq!(broken, id),
        other => panic!("an edited row went unnoticed: {other:?}"),
    }
}

#[tokio::test]
async fn removing_the_newest_rows_is_noticed() {
    let app = spawn_app().await;
    app.setup_admin().await;
    app.get_html("/dashboard").await;
    app.sql("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)");
    assert!(matches!(verify(&app), Verdict::TailMissing { .. }));
}

#[tokio::test]
async fn audit_rows_written_by_many_requests_at_once_still_form_one_chain() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = app.url("/dashboard");
        tasks.push(tokio::spawn(async move { client.get(url).send().await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let rows = app.count("audit_log") as u64;
    assert_eq!(verify(&app), Verdict::Intact { rows });
}

#[tokio::test]
async fn the_audit_page_shows_names_in_local_time_filters_pages_and_exports() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = crate::portal::create_couple(
        &app,
        ADMIN_EMAIL,
        "Rivera household",
        ("Sam", "sam@example.org"),
        ("Alex", "alex@example.org"),
    );
    app.get_html(&format!("/couples/{}", couple.id)).await;
    for _ in 0..60 {
        app.get_html("/dashboard").await;
    }
    let (status, page) = app.get_html("/practice/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ada Counselor"), "names, not ids");
    assert!(page.contains("Europe/London"), "the reader's time zone");
    assert!(page.contains("Older events"), "more than one page");
    // Filter by action: only sign-ins.
    let (_, page) = app.get_html("/practice/audit?action=practice.setup").await;
    assert!(page.contains("practice.setup"));
    assert!(!page.contains("<td>dashboard.view</td>"), "{page}");
    // Bad input is explained beside the field.
    let (status, page) = app.get_html("/practice/audit?from=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Enter a date like"));
    // Paging reaches the oldest row.
    let mut path = "/practice/audit".to_string();
    let mut pages = 0;
    loop {
        let (_, page) = app.get_html(&path).await;
        pages += 1;
        let Some(at) = page.find("Older events") else {
            assert!(
                page.contains("practice.setup"),
                "the first row is on the last page"
            );
            break;
        };
        let href_start = page[..at].rfind("href=\"").unwrap() + 6;
        let href_end = page[href_start..].find('"').unwrap() + href_start;
        path = page[href_start..href_end].replace("&amp;", "&");
        assert!(pages < 10);
    }
    assert!(pages >= 2);
    // CSV of the filtered rows, itself audited.
    let (_, page) = app
        .get_html(&format!("/practice/audit?couple={}", couple.id))
        .await;
    assert!(
        page.contains("Rivera household") && page.contains("couple.view"),
        "{page}"
    );
    let r = app
        .get(&format!(
            "/practice/audit.csv?action=couple.view&couple={}",
            couple.id
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,at,actor_kind,actor"));
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains("Ada Counselor") && lines[1].contains("Rivera household"));
    assert_eq!(audit_count(&app, "audit.export"), 1);
}
