//! Email delivery end to end: the outbox, the worker and each mail backend.
//!
//! - No environment needed: the file backend, dedupe keys and leases on SQLite.
//! - `TRELLIS_TEST_SMTP=1`: real SMTP against `scripts/smtp_sink.py` (needs aiosmtpd).
//! - `TRELLIS_TEST_DATABASE_URL=postgres://...`: two workers racing on PostgreSQL.
//!
//! The last two groups are `#[ignore]`d: `cargo test -- --include-ignored` runs them, and
//! without their variable they say "skipped" (a failure under TRELLIS_REQUIRE_ALL=1).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that cannot arrange its data should stop there, loudly"
)]

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use trellis::config::{EmailSettings, Settings};
use trellis::db::outbox::{self, NewOutboxMessage};
use trellis::db::{self, schema::email_outbox, Db};
use trellis::domain::status::OutboxStatus;
use trellis::email::{worker, Mailer};

// ---------------------------------------------------------------------------------------
// helpers

/// A folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("trellis-{label}-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sqlite_db(dir: &TempDir) -> Db {
    let url = format!("sqlite://{}", dir.0.join("trellis.db").display());
    let db = Db::connect(&url, 4).unwrap();
    db.migrate().unwrap();
    db
}

fn email_settings(transport: &str) -> EmailSettings {
    let mut email = Settings::load(None).unwrap().email;
    email.transport = transport.into();
    email.from = "Trellis <no-reply@trellis.example>".into();
    email.smtp_host = "127.0.0.1".into();
    email.smtp_tls = "none".into();
    email.smtp_username = String::new();
    email.max_attempts = 5;
    email.lease_seconds = 120;
    email
}

fn message(to: &str, n: usize, now: NaiveDateTime) -> NewOutboxMessage {
    let mut m = NewOutboxMessage::new(
        "reminder",
        to,
        "Alex Example",
        "An exercise is waiting for you",
        format!("Hello, an exercise is waiting in Trellis. Body marker {n}."),
        format!("<p>Hello, an exercise is waiting in Trellis. Body marker {n}.</p>"),
        now,
    );
    m.unsubscribe_url = Some(format!("https://trellis.example/unsubscribe/token{n}"));
    m
}

fn enqueue_all(db: &Db, messages: Vec<NewOutboxMessage>) -> Vec<i32> {
    db.write_blocking(move |conn| {
        let mut ids = Vec::new();
        for m in &messages {
            ids.push(outbox::enqueue(conn, m)?.unwrap());
        }
        Ok(ids)
    })
    .unwrap()
}

fn row(db: &Db, id: i32) -> outbox::OutboxRow {
    db.read_blocking(move |conn| Ok(outbox::by_id(conn, id)?))
        .unwrap()
}

fn counts(db: &Db) -> outbox::Counts {
    db.read_blocking(|conn| Ok(outbox::counts(conn)?)).unwrap()
}

/// Deliver until a pass claims nothing.
async fn drain(
    db: &Db,
    mailer: &Mailer,
    settings: &EmailSettings,
    now: NaiveDateTime,
) -> worker::DeliveryReport {
    let mut total = worker::DeliveryReport::default();
    loop {
        let r = worker::deliver_due(db, mailer, settings, now)
            .await
            .unwrap();
        if r.claimed == 0 {
            return total;
        }
        total.claimed += r.claimed;
        total.sent += r.sent;
        total.retried += r.retried;
        total.failed += r.failed;
        total.deferred += r.deferred;
    }
}

fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    files.sort();
    files
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("{name}: ");
    raw.lines().find_map(|l| l.strip_prefix(prefix.as_str()))
}

// ---------------------------------------------------------------------------------------
// no environment needed

#[actix_web::test]
async fn the_file_backend_writes_one_eml_per_row_and_a_resend_overwrites_it() {
    let dir = TempDir::new("file");
    let db = sqlite_db(&dir);
    let outbox_dir = dir.0.join("outbox/nested");
    let mut settings = email_settings("file");
    settings.outbox_dir = outbox_dir.display().to_string();
    let mailer = Mailer::from_settings(&settings).unwrap();
    let now = db::now();
    let ids = enqueue_all(
        &db,
        (0..3).map(|n| message("sam@example.org", n, now)).collect(),
    );

    let report = drain(&db, &mailer, &settings, now).await;
    assert_eq!((report.sent, report.retried, report.failed), (3, 0, 0));
    let files = eml_files(&outbox_dir);
    assert_eq!(files.len(), 3);
    let first = std::fs::read_to_string(outbox_dir.join(format!("outbox-{}.eml", ids[0]))).unwrap();

    // Put every row back in the queue, as if the acknowledgements had been lost.
    db.write_blocking(|conn| {
        diesel::update(email_outbox::table)
            .set(email_outbox::status.eq(OutboxStatus::Pending))
            .execute(conn)?;
        Ok(())
    })
    .unwrap();
    let report = drain(&db, &mailer, &settings, now).await;
    assert_eq!(report.sent, 3);
    assert_eq!(
        eml_files(&outbox_dir).len(),
        3,
        "a resend must overwrite, not add"
    );
    let again = std::fs::read_to_string(outbox_dir.join(format!("outbox-{}.eml", ids[0]))).unwrap();
    assert_eq!(header(&first, "Message-ID"), header(&again, "Message-ID"));
    assert!(header(&again, "Message-ID").is_some());
}

#[actix_web::test]
async fn a_dedupe_key_queues_a_message_only_once() {
    let dir = TempDir::new("dedupe");
    let db = sqlite_db(&dir);
    let now = db::now();
    let (first, second, unkeyed) = db
        .write_blocking(move |conn| {
            let mut m = message("sam@example.org", 1, now);
            m.dedupe_key = Some("reminder:1:2026-11-23".into());
            let first = outbox::enqueue(conn, &m)?;
            let second = outbox::enqueue(conn, &m)?;
            m.dedupe_key = None;
            let unkeyed = (outbox::enqueue(conn, &m)?, outbox::enqueue(conn, &m)?);
            Ok((first, second, unkeyed))
        })
        .unwrap();
    assert!(first.is_some());
    assert_eq!(second, None);
    assert!(unkeyed.0.is_some() && unkeyed.1.is_some());
    assert_eq!(counts(&db).pending, 3);
}

#[actix_web::test]
async fn a_lease_keeps_other_workers_off_until_it_runs_out() {
    let dir = TempDir::new("lease");
    let db = sqlite_db(&dir);
    let now = db::now();
    let ids = enqueue_all(
        &db,
        (0..4).map(|n| message("sam@example.org", n, now)).collect(),
    );
    let lease = chrono::Duration::seconds(60);
    let claim = |owner: &'static str, at: NaiveDateTime| {
        db.write_blocking(move |conn| Ok(outbox::claim_due(conn, owner, at, lease, 10)?))
            .unwrap()
    };

    let first = ids[0];
    assert_eq!(claim("a", now).len(), 4);
    assert_eq!(claim("b", now + chrono::Duration::seconds(30)).len(), 0);
    // Worker a died; after its lease b takes the rows over, and a can no longer record.
    assert_eq!(claim("b", now + chrono::Duration::seconds(61)).len(), 4);
    let (a_recorded, b_recorded) = db
        .write_blocking(move |conn| {
            Ok((
                outbox::mark_sent(conn, first, "a", now)?,
                outbox::mark_sent(conn, first, "b", now)?,
            ))
        })
        .unwrap();
    assert!(!a_recorded);
    assert!(b_recorded);
    let sent = row(&db, ids[0]);
    assert_eq!((sent.status, sent.attempts), (OutboxStatus::Sent, 1));
    assert!(sent.lease_owner.is_none());
}

#[actix_web::test]
async fn a_failed_message_can_be_retried_from_scratch() {
    let dir = TempDir::new("retry");
    let db = sqlite_db(&dir);
    let now = db::now();
    let id = enqueue_all(&db, vec![message("sam@example.org", 0, now)])[0];
    let later = now + chrono::Duration::minutes(5);
    let (not_failed_yet, retried) = db
        .write_blocking(move |conn| {
            outbox::claim_due(conn, "w", now, chrono::Duration::seconds(60), 1)?;
            let not_failed_yet = outbox::retry(conn, id, later)?;
            outbox::mark_failed(conn, id, "w", now, "550 no such user")?;
            Ok((not_failed_yet, outbox::retry(conn, id, later)?))
        })
        .unwrap();
    assert!(!not_failed_yet);
    assert!(retried);
    let r = row(&db, id);
    assert_eq!(
        (r.status, r.attempts, r.next_attempt_at),
        (OutboxStatus::Pending, 0, later)
    );
    let attempts = db
        .read_blocking(move |conn| Ok(outbox::attempts_for(conn, id)?))
        .unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].2.as_deref(), Some("550 no such user"));
}

#[actix_web::test]
async fn the_memory_backend_keeps_what_the_worker_sent() {
    let dir = TempDir::new("memory");
    let db = sqlite_db(&dir);
    let settings = email_settings("memory");
    let mailer = Mailer::from_settings(&settings).unwrap();
    let now = db::now();
    let ids = enqueue_all(
        &db,
        (0..2).map(|n| message("sam@example.org", n, now)).collect(),
    );
    // Not yet due: nothing goes.
    let later_id = ids[1];
    db.write_blocking(move |conn| {
        diesel::update(email_outbox::table.find(later_id))
            .set(email_outbox::next_attempt_at.eq(now + chrono::Duration::hours(1)))
            .execute(conn)?;
        Ok(())
    })
    .unwrap();
    let report = drain(&db, &mailer, &settings, now).await;
    assert_eq!(report.sent, 1);
    let sent = mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].outbox_id, ids[0]);
    assert_eq!(sent[0].to, vec!["sam@example.org".to_string()]);
    assert_eq!(
        counts(&db),
        outbox::Counts {
            pending: 1,
            sending: 0,
            sent: 1,
            failed: 0
        }
    );
}

// ---------------------------------------------------------------------------------------
// real SMTP (TRELLIS_TEST_SMTP=1)

fn smtp_enabled() -> bool {
    if std::env::var("TRELLIS_TEST_SMTP").is_ok_and(|v| v == "1") {
        true
    } else {
        assert!(
            std::env::var("TRELLIS_REQUIRE_ALL").is_err(),
            "TRELLIS_REQUIRE_ALL is set: the SMTP tests must run (set TRELLIS_TEST_SMTP=1)"
        );
        eprintln!("skipped: set TRELLIS_TEST_SMTP=1");
        false
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `scripts/smtp_sink.py`, killed when dropped.
struct Sink {
    child: Child,
    dir: PathBuf,
}

impl Sink {
    fn start(port: u16, dir: &Path) -> Sink {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/smtp_sink.py");
        let child = Command::new("python3")
            .arg(script)
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 scripts/smtp_sink.py (pip install aiosmtpd)");
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the SMTP sink did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Sink {
            child,
            dir: dir.to_path_buf(),
        }
    }

    fn messages(&self) -> Vec<String> {
        eml_files(&self.dir)
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp_settings(port: u16) -> EmailSettings {
    let mut settings = email_settings("smtp");
    settings.smtp_port = port;
    settings
}

#[actix_web::test]
#[ignore = "needs TRELLIS_TEST_SMTP=1 and aiosmtpd (run with --include-ignored)"]
async fn smtp_delivers_a_multipart_message_with_stable_id_and_unsubscribe_headers() {
    if !smtp_enabled() {
        return;
    }
    let dir = TempDir::new("smtp-headers");
    let db = sqlite_db(&dir);
    let port = free_port();
    let sink = Sink::start(port, &dir.0.join("sink"));
    let settings = smtp_settings(port);
    let mailer = Mailer::from_settings(&settings).unwrap();
    let now = db::now();
    let id = enqueue_all(&db, vec![message("sam@example.org", 7, now)])[0];

    let report = drain(&db, &mailer, &settings, now).await;

    assert_eq!(report.sent, 1);
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let raw = &messages[0];
    let expected_id = format!(
        "<outbox-{id}.{}@trellis.example>",
        now.and_utc().timestamp()
    );
    assert_eq!(header(raw, "Message-ID"), Some(expected_id.as_str()));
    assert_eq!(
        header(raw, "List-Unsubscribe"),
        Some("<https://trellis.example/unsubscribe/token7>")
    );
    assert_eq!(
        header(raw, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(header(raw, "X-Sink-Rcpt"), Some("sam@example.org"));
    let subject = header(raw, "Subject").unwrap();
    assert_eq!(subject, "An exercise is waiting for you");
    assert!(!subject.contains("Body marker"));
    assert!(header(raw, "To").unwrap().contains("Alex Example"));
    assert!(raw.contains("multipart/alternative"), "{raw}");
    assert!(raw.contains("Content-Type: text/plain"));
    assert!(raw.contains("Content-Type: text/html"));
    assert!(raw.contains("Body marker 7"));
    let r = row(&db, id);
    assert_eq!((r.status, r.attempts), (OutboxStatus::Sent, 1));
    assert!(r.sent_at.is_some());
}

#[actix_web::test]
#[ignore = "needs TRELLIS_TEST_SMTP=1 and aiosmtpd (run with --include-ignored)"]
async fn smtp_down_keeps_messages_queued_and_delivers_each_once_when_it_returns() {
    if !smtp_enabled() {
        return;
    }
    let dir = TempDir::new("smtp-down");
    let db = sqlite_db(&dir);
    let port = free_port();
    let settings = smtp_settings(port);
    let mailer = Mailer::from_settings(&settings).unwrap();
    let now = db::now();
    let ids = enqueue_all(
        &db,
        (0..12)
            .map(|n| message("sam@example.org", n, now))
            .collect(),
    );
    let group = worker::send_concurrency(&settings);

    // Nothing listens on the port: the first group is tried, the rest handed back untried.
    let report = drain(&db, &mailer, &settings, now).await;
    assert_eq!(
        (report.sent, report.retried, report.failed, report.deferred),
        (0, group, 0, 12 - group)
    );
    assert_eq!(
        counts(&db),
        outbox::Counts {
            pending: 12,
            ..Default::default()
        }
    );
    let head = row(&db, ids[0]);
    assert_eq!(head.attempts, 1);
    assert!(head.last_error.is_some());
    let head_id = ids[0];
    let attempts = db
        .read_blocking(move |conn| Ok(outbox::attempts_for(conn, head_id)?))
        .unwrap();
    assert_eq!(attempts.len(), 1);
    assert!(!attempts[0].1);
    for &id in &ids[..group] {
        assert_eq!(row(&db, id).attempts, 1);
    }
    for &id in &ids[group..] {
        let r = row(&db, id);
        assert_eq!((r.attempts, r.next_attempt_at), (0, head.next_attempt_at));
    }
    // Before the backoff runs out nothing is tried again.
    let early = drain(&db, &mailer, &settings, now + chrono::Duration::seconds(10)).await;
    assert_eq!(early.claimed, 0);

    // Still down at the retry: a second attempt is counted, with a longer wait.
    let report = drain(&db, &mailer, &settings, head.next_attempt_at).await;
    assert_eq!((report.retried, report.deferred), (group, 12 - group));
    assert_eq!(row(&db, ids[0]).attempts, 2);

    let sink = Sink::start(port, &dir.0.join("sink"));
    let report = drain(&db, &mailer, &settings, now + chrono::Duration::hours(2)).await;

    assert_eq!(report.sent, 12);
    assert_eq!(
        counts(&db),
        outbox::Counts {
            sent: 12,
            ..Default::default()
        }
    );
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for raw in sink.messages() {
        *per_id
            .entry(header(&raw, "Message-ID").unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(per_id.len(), 12);
    assert!(per_id.values().all(|&n| n == 1), "{per_id:?}");
}

#[actix_web::test]
#[ignore = "needs TRELLIS_TEST_SMTP=1 and aiosmtpd (run with --include-ignored)"]
async fn smtp_rejection_with_550_fails_the_message_at_once() {
    if !smtp_enabled() {
        return;
    }
    let dir = TempDir::new("smtp-reject");
    let db = sqlite_db(&dir);
    let port = free_port();
    let sink = Sink::start(port, &dir.0.join("sink"));
    let settings = smtp_settings(port);
    let mailer = Mailer::from_settings(&settings).unwrap();
    let now = db::now();
    let ids = enqueue_all(
        &db,
        vec![
            message("reject-me@example.org", 0, now),
            message("sam@example.org", 1, now),
        ],
    );

    let report = drain(&db, &mailer, &settings, now).await;

    assert_eq!((report.sent, report.retried, report.failed), (1, 0, 1));
    let rejected = row(&db, ids[0]);
    assert_eq!(
        (rejected.status, rejected.attempts),
        (OutboxStatus::Failed, 1)
    );
    assert!(
        rejected.last_error.as_deref().unwrap_or("").contains("550"),
        "{:?}",
        rejected.last_error
    );
    assert_eq!(row(&db, ids[1]).status, OutboxStatus::Sent);
    assert_eq!(sink.messages().len(), 1);
}

// ---------------------------------------------------------------------------------------
// PostgreSQL (TRELLIS_TEST_DATABASE_URL)

/// A throwaway database on the server the URL names, dropped when this is dropped.
struct PgTestDb {
    admin_url: String,
    name: String,
    url: String,
}

impl PgTestDb {
    fn create(admin_url: &str) -> PgTestDb {
        let name = format!("trellis_test_{:016x}", rand::random::<u64>());
        let mut conn = PgConnection::establish(admin_url).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .unwrap();
        // Same server and credentials, other database: replace the path, keep any query.
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (admin_url, String::new()),
        };
        let authority_start = base.find("://").map_or(0, |i| i + 3);
        let server = match base[authority_start..].find('/') {
            Some(slash) => &base[..authority_start + slash],
            None => base,
        };
        PgTestDb {
            admin_url: admin_url.to_string(),
            url: format!("{server}/{name}{query}"),
            name,
        }
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs TRELLIS_TEST_DATABASE_URL=postgres://... (run with --include-ignored)"]
async fn two_workers_on_postgresql_send_each_message_exactly_once() {
    let Ok(admin_url) = std::env::var("TRELLIS_TEST_DATABASE_URL") else {
        assert!(
            std::env::var("TRELLIS_REQUIRE_ALL").is_err(),
            "TRELLIS_REQUIRE_ALL is set: the PostgreSQL race test must run (set TRELLIS_TEST_DATABASE_URL)"
        );
        eprintln!("skipped: set TRELLIS_TEST_DATABASE_URL=postgres://...");
        return;
    };
    let test_db = PgTestDb::create(&admin_url);
    {
        let db = Db::connect(&test_db.url, 8).unwrap();
        db.migrate().unwrap();
        let now = db::now();
        let messages: Vec<_> = (0..1000)
            .map(|n| message(&format!("p{n}@example.org"), n, now))
            .collect();
        let ids = enqueue_all(&db, messages);
        assert_eq!(ids.len(), 1000);

        let settings = email_settings("memory");
        let mailer = Mailer::memory();
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (db, mailer, settings) = (db.clone(), mailer.clone(), settings.clone());
                tokio::spawn(async move {
                    let owner = worker::new_worker_id();
                    let mut sent = 0;
                    loop {
                        let r =
                            worker::deliver_batch(&db, &mailer, &settings, &owner, db::now(), 25)
                                .await
                                .unwrap();
                        if r.claimed == 0 {
                            return sent;
                        }
                        assert_eq!(r.lost, 0);
                        sent += r.sent;
                    }
                })
            })
            .collect();
        let mut per_worker = Vec::new();
        for w in workers {
            per_worker.push(w.await.unwrap());
        }
        eprintln!("messages sent per worker: {per_worker:?}");

        assert_eq!(per_worker.iter().sum::<usize>(), 1000);
        let mut per_row: HashMap<i32, usize> = HashMap::new();
        for m in mailer.sent() {
            *per_row.entry(m.outbox_id).or_default() += 1;
        }
        assert_eq!(per_row.len(), 1000);
        assert!(per_row.values().all(|&n| n == 1));
        assert_eq!(
            counts(&db),
            outbox::Counts {
                sent: 1000,
                ..Default::default()
            }
        );
        let attempts: i64 = db
            .read_blocking(|conn| {
                Ok(trellis::db::schema::email_attempts::table
                    .count()
                    .get_result(conn)?)
            })
            .unwrap();
        assert_eq!(attempts, 1000);
    }
    drop(test_db);
}
