//! Streamed CSV exports whose clients stop reading must not hold pooled connections: while
//! more stalled downloads than the pool has connections wait on their clients, every other
//! signed-in page still answers, and a stalled download that resumes gets the whole CSV.

use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use trellis::db::schema::entries;
use trellis::db::{self, couples::NewCouple, couples::NewPartner};
use trellis::domain::couple::{BreachBy, Confidentiality};

use crate::helpers::{spawn_app_with, TestApp, ADMIN_EMAIL};

const POOL: u32 = 4;
const ENTRIES: i64 = 3000;
/// Long enough that each export (about 12 MB) is far more than the socket buffers hold.
const ANSWER_BYTES: usize = 1000;

/// A couple of the admin's with `ENTRIES` submitted daily check-ins, each answer long.
fn seed_big(app: &TestApp) -> i32 {
    app.db
        .write_blocking(move |conn| {
            let counselor = db::counselors::by_email(conn, ADMIN_EMAIL)?
                .expect("the admin")
                .id;
            let today = Utc::now().date_naive();
            let new = NewCouple {
                label: "Big & Export".into(),
                breach_by: BreachBy::Unstated,
                confidentiality: Confidentiality::NoSecrets,
                start_date: today - Days::new(10),
                partners: [
                    NewPartner {
                        display_name: "Sam".into(),
                        email: "sam@example.test".into(),
                        time_zone: "UTC".into(),
                    },
                    NewPartner {
                        display_name: "Alex".into(),
                        email: "alex@example.test".into(),
                        time_zone: "UTC".into(),
                    },
                ],
            };
            let (couple_id, [a, _]) = db::couples::create(conn, counselor, &new, 19)?;
            let daily = db::exercises::find_by_slug(conn, "daily-check-in")?;
            let now = db::now();
            let text = "x".repeat(ANSWER_BYTES);
            for _ in 0..ENTRIES {
                diesel::insert_into(entries::table)
                    .values((
                        entries::couple_id.eq(couple_id),
                        entries::partner_id.eq(a),
                        entries::exercise_id.eq(daily.id),
                        entries::occurrence_date.eq(Some(today)),
                        entries::status.eq("submitted"),
                        entries::visibility.eq("counselor"),
                        entries::flagged_for_session.eq(false),
                        entries::submitted_at.eq(Some(now)),
                        entries::created_at.eq(now),
                        entries::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            // One statement for every answer (MultiConnection has no batch insert).
            diesel::sql_query(format!(
                "INSERT INTO entry_answers (entry_id, prompt_id, value) \
                 SELECT e.id, p.id, '{text}' FROM entries e, exercise_prompts p \
                 WHERE e.couple_id = {couple_id} AND p.exercise_id = {}",
                daily.id
            ))
            .execute(conn)?;
            Ok(couple_id)
        })
        .expect("seed")
}

/// Send the export request on a raw connection and never read the answer.
async fn stall(app: &TestApp, path: &str, session: &str) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", app.port))
        .await
        .expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: trellis_session={session}\r\n\r\n"
    );
    s.write_all(request.as_bytes()).await.expect("send");
    s
}

#[tokio::test]
async fn stalled_exports_leave_other_pages_answering() {
    let app = spawn_app_with(|s| s.database.pool_size = POOL).await;
    app.setup_admin().await;
    let couple_id = seed_big(&app);
    let session = app.cookie("trellis_session").expect("session cookie");
    let export = format!("/couples/{couple_id}/export.csv");
    let mut stalled = Vec::new();
    for _ in 0..POOL + 4 {
        stalled.push(stall(&app, &export, &session).await);
    }
    // Give every export time to start, fill the buffers and block on its client.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let pages = ["/dashboard".to_string(), format!("/couples/{couple_id}")];
    for round in 0..3 {
        for page in &pages {
            let started = Instant::now();
            let r = tokio::time::timeout(Duration::from_secs(6), app.get(page))
                .await
                .unwrap_or_else(|_| panic!("{page} did not answer within 6 s (round {round})"));
            assert_eq!(r.status(), StatusCode::OK, "{page} (round {round})");
            let took = started.elapsed();
            assert!(took < Duration::from_secs(5), "{page} took {took:?}");
        }
    }

    // The downloads were really stalled mid-way: one that starts reading again gets the
    // whole export, with the end of its chunked body.
    let mut first = stalled.remove(0);
    let mut body = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), first.read_to_end(&mut body))
        .await
        .expect("the resumed download finishes")
        .ok();
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]).to_string();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        body.len() > 10_000_000,
        "the export was only {} bytes",
        body.len()
    );
    assert!(body.ends_with(b"0\r\n\r\n"), "the body was cut short");
}
