//! Email delivery end to end: the outbox, the worker and each mail backend.
//!
//! - No environment needed: the file backend, dedupe keys, leases, expired links, retry of
//!   every failed row and an hour-long outage against a closed port. On SQLite, or on
//!   PostgreSQL when `TRELLIS_TEST_DATABASE_URL` is set.
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
use trellis::email::{worker, Mailer, Worker};

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

/// A fresh, migrated database: PostgreSQL when `TRELLIS_TEST_DATABASE_URL` is set, else
/// SQLite in `dir`. Derefs to the [`Db`]; a PostgreSQL database is dropped with it.
struct TestDb {
    db: Db,
    _pg: Option<PgTestDb>,
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

fn test_db(dir: &TempDir) -> TestDb {
    match std::env::var("TRELLIS_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.trim().is_empty() => {
            let pg = PgTestDb::create(&admin_url);
            let db = Db::connect(&pg.url, 4).unwrap();
            db.migrate().unwrap();
            TestDb { db, _pg: Some(pg) }
        }
        _ => TestDb {
            db: sqlite_db(dir),
            _pg: None,
        },
    }
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

/// Deliver with a fresh worker until a pass claims nothing.
async fn drain(
    db: &Db,
    mailer: &Mailer,
    settings: &EmailSettings,
    now: NaiveDateTime,
) -> worker::DeliveryReport {
    drain_with(
        &mut Worker::new(worker::new_worker_id()),
        db,
        mailer,
        settings,
        now,
    )
    .await
}

/// Deliver with `worker` until a pass claims nothing or finds the server down.
async fn drain_with(
    worker: &mut Worker,
    db: &Db,
    mailer: &Mailer,
    settings: &EmailSettings,
    now: NaiveDateTime,
) -> worker::DeliveryReport {
    let mut total = worker::DeliveryReport::default();
    loop {
        let r = worker.deliver_due(db, mailer, settings, now).await.unwrap();
        total.add(&r);
        if r.claimed == 0 || r.server_down {
            return total;
        }
    }
}

fn all_rows(db: &Db) -> Vec<outbox::OutboxRow> {
    db.read_blocking(|conn| {
        Ok(email_outbox::table
            .order(email_outbox::id.asc())
            .select(outbox::OutboxRow::as_select())
            .load(conn)?)
    })
    .unwrap()
}

/// Simulate `minutes` minutes of a server that refuses connections, one drain a minute
/// from `start`, and check after each that nothing failed or used up an attempt.
async fn refuse_for(
    worker: &mut Worker,
    db: &Db,
    mailer: &Mailer,
    settings: &EmailSettings,
    start: NaiveDateTime,
    minutes: i64,
) {
    for minute in 0..=minutes {
        let at = start + chrono::Duration::minutes(minute);
        let r = drain_with(worker, db, mailer, settings, at).await;
        assert!(r.server_down, "minute {minute}: {r:?}");
        assert_eq!((r.sent, r.retried, r.failed), (0, 0, 0), "minute {minute}");
    }
    for r in all_rows(db) {
        assert_eq!(r.status, OutboxStatus::Pending, "row {}", r.id);
        assert_eq!(r.attempts, 0, "row {} used up an attempt", r.id);
    }
}

/// An SMTP mailer aimed at a port nothing listens on.
fn refused_mailer() -> (EmailSettings, Mailer) {
    let settings = smtp_settings(free_port());
    let mailer = Mailer::from_settings(&settings).unwrap();
    (settings, mailer)
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
    let db = test_db(&dir);
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
    let db = test_db(&dir);
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
    let db = test_db(&dir);
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
    let db = test_db(&dir);
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
    let db = test_db(&dir);
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
            sent: 1,
            ..Default::default()
        }
    );
}

#[actix_web::test]
async fn an_hour_of_refused_connections_uses_up_no_attempt_and_loses_nothing() {
    // Arrange: 60 messages, at most 5 attempts each, and nothing listening on the port.
    let dir = TempDir::new("outage");
    let db = test_db(&dir);
    let (settings, refused) = refused_mailer();
    assert_eq!(settings.max_attempts, 5);
    let queued_at = db::now();
    let ids = enqueue_all(
        &db,
        (0..60)
            .map(|n| message("sam@example.org", n, queued_at))
            .collect(),
    );
    let mut worker = Worker::new(worker::new_worker_id());

    // Act 1: an hour and five minutes of simulated outage, one drain a minute.
    refuse_for(&mut worker, &db, &refused, &settings, queued_at, 65).await;

    // Assert 1: the worker probes with one message at a time and leaves the rest untried
    // and due as they were; the head's probes are logged but count as no attempt.
    assert!(!worker.circuit().is_closed());
    // The worker's clock is the `now` it is given plus the real time the pass has taken.
    let down_since = worker.circuit().down_since().unwrap();
    assert!(down_since >= queued_at && down_since < queued_at + chrono::Duration::seconds(5));
    for r in all_rows(&db) {
        assert_eq!(r.next_attempt_at, queued_at, "row {} was pushed back", r.id);
    }
    let head = ids[0];
    let probes = db
        .read_blocking(move |conn| Ok(outbox::attempts_for(conn, head)?))
        .unwrap();
    // At most one probe a simulated minute; at least one every other minute (a probe is due
    // 60 s after the last one, which began a few real milliseconds after its minute).
    assert!((33..=66).contains(&probes.len()), "{} probes", probes.len());
    assert!(probes.iter().all(|(_, ok, error)| !ok && error.is_some()));
    assert!(row(&db, head).last_error.is_some());
    assert_eq!(
        counts(&db),
        outbox::Counts {
            pending: 60,
            ..Default::default()
        }
    );

    // Act 2: the server is back (the memory backend accepts everything).
    let back = Mailer::memory();
    let at = queued_at + chrono::Duration::minutes(66);
    let report = drain_with(&mut worker, &db, &back, &settings, at).await;

    // Assert 2: everything goes in one drain, each message once.
    assert_eq!(
        (report.sent, report.failed, report.server_down),
        (60, 0, false)
    );
    assert!(worker.circuit().is_closed());
    let mut per_row: HashMap<i32, usize> = HashMap::new();
    for m in back.sent() {
        *per_row.entry(m.outbox_id).or_default() += 1;
    }
    assert_eq!(per_row.len(), 60);
    assert!(per_row.values().all(|&n| n == 1));
    assert!(ids.iter().all(|&id| row(&db, id).attempts == 1));
}

#[actix_web::test]
async fn a_down_server_is_probed_again_only_after_a_short_backoff() {
    let dir = TempDir::new("probe");
    let db = test_db(&dir);
    let (settings, refused) = refused_mailer();
    let now = db::now();
    enqueue_all(
        &db,
        (0..3).map(|n| message("sam@example.org", n, now)).collect(),
    );
    let mut worker = Worker::new(worker::new_worker_id());

    let first = worker
        .deliver_due(&db, &refused, &settings, now)
        .await
        .unwrap();
    let too_soon = worker
        .deliver_due(&db, &refused, &settings, now + chrono::Duration::seconds(4))
        .await
        .unwrap();
    let probe = worker
        .deliver_due(&db, &refused, &settings, now + chrono::Duration::seconds(6))
        .await
        .unwrap();

    // The first pass tries one group and hands back the rest; then nothing until 5 s.
    assert!(first.server_down);
    assert_eq!((first.claimed, first.deferred), (3, 3));
    assert_eq!((too_soon.claimed, too_soon.server_down), (0, true));
    assert_eq!(
        (probe.claimed, probe.deferred, probe.server_down),
        (3, 3, true)
    );
    // 6 s, then 10 s for the second probe (plus the real time the pass took).
    let next_probe = worker.circuit().next_probe().unwrap();
    assert!(
        next_probe >= now + chrono::Duration::seconds(16),
        "{next_probe}"
    );
    assert!(
        next_probe < now + chrono::Duration::seconds(20),
        "{next_probe}"
    );
    assert_eq!(counts(&db).pending, 3);
}

#[actix_web::test]
async fn a_message_still_unsent_after_the_maximum_age_fails_and_says_why() {
    let dir = TempDir::new("max-age");
    let db = test_db(&dir);
    let (mut settings, refused) = refused_mailer();
    settings.max_age_hours = 1;
    let queued_at = db::now();
    let id = enqueue_all(&db, vec![message("sam@example.org", 0, queued_at)])[0];
    let mut worker = Worker::new(worker::new_worker_id());

    refuse_for(&mut worker, &db, &refused, &settings, queued_at, 59).await;
    let report = drain_with(
        &mut worker,
        &db,
        &refused,
        &settings,
        queued_at + chrono::Duration::hours(1),
    )
    .await;

    assert_eq!(report.failed, 1);
    let r = row(&db, id);
    assert_eq!((r.status, r.attempts), (OutboxStatus::Failed, 0));
    let error = r.last_error.unwrap_or_default();
    assert!(error.starts_with("not delivered within 1 hour"), "{error}");
}

#[actix_web::test]
async fn an_expired_sign_in_link_is_not_sent_and_its_row_says_why() {
    // Arrange: two sign-in links valid for 15 minutes, one queued 20 minutes ago.
    let dir = TempDir::new("expired");
    let db = test_db(&dir);
    let settings = email_settings("memory");
    let mailer = Mailer::memory();
    let now = db::now();
    let link = |n: usize, queued: NaiveDateTime| {
        let mut m = message("sam@example.org", n, queued);
        m.kind = "sign_in_link".into();
        m.expires_at = Some(queued + chrono::Duration::minutes(15));
        m
    };
    let ids = enqueue_all(
        &db,
        vec![
            link(0, now - chrono::Duration::minutes(20)),
            link(1, now - chrono::Duration::minutes(1)),
        ],
    );

    // Act
    let report = drain(&db, &mailer, &settings, now).await;

    // Assert
    assert_eq!((report.sent, report.expired, report.failed), (1, 1, 0));
    let sent = mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].outbox_id, ids[1]);
    let expired = row(&db, ids[0]);
    assert_eq!(
        (expired.status, expired.attempts),
        (OutboxStatus::Expired, 0)
    );
    assert_eq!(expired.last_error.as_deref(), Some(outbox::LINK_EXPIRED));
    assert_eq!(counts(&db).expired, 1);
    // An expired link is not offered for retry.
    let retried = db
        .write_blocking(move |conn| Ok(outbox::retry_all_failed(conn, now)?))
        .unwrap();
    assert_eq!(retried, 0);
    assert_eq!(row(&db, ids[0]).status, OutboxStatus::Expired);
}

#[actix_web::test]
async fn retry_all_failed_puts_every_failed_row_back_in_the_queue() {
    // Arrange: three failed rows and one sent.
    let dir = TempDir::new("retry-all");
    let db = test_db(&dir);
    let now = db::now();
    let ids = enqueue_all(
        &db,
        (0..4).map(|n| message("sam@example.org", n, now)).collect(),
    );
    let (failed, sent) = (ids[..3].to_vec(), ids[3]);
    let later = now + chrono::Duration::minutes(5);
    let to_fail = failed.clone();
    db.write_blocking(move |conn| {
        outbox::claim_due(conn, "w", now, chrono::Duration::seconds(60), 10)?;
        for &id in &to_fail {
            outbox::mark_failed(conn, id, "w", now, "550 no such user")?;
        }
        outbox::mark_sent(conn, sent, "w", now)?;
        Ok(())
    })
    .unwrap();
    assert_eq!(counts(&db).failed, 3);

    // Act
    let retried = db
        .write_blocking(move |conn| Ok(outbox::retry_all_failed(conn, later)?))
        .unwrap();

    // Assert
    assert_eq!(retried, 3);
    for id in failed {
        let r = row(&db, id);
        assert_eq!(
            (r.status, r.attempts, r.next_attempt_at),
            (OutboxStatus::Pending, 0, later)
        );
    }
    assert_eq!(row(&db, sent).status, OutboxStatus::Sent);
    assert_eq!(
        counts(&db),
        outbox::Counts {
            pending: 3,
            sent: 1,
            ..Default::default()
        }
    );
}

#[actix_web::test]
async fn the_oldest_waiting_message_is_the_earliest_queued_pending_one() {
    let dir = TempDir::new("oldest");
    let db = test_db(&dir);
    let now = db::now();
    let oldest = |db: &Db| {
        db.read_blocking(|conn| Ok(outbox::oldest_waiting(conn)?))
            .unwrap()
    };
    assert_eq!(oldest(&db), None);
    let ids = enqueue_all(
        &db,
        vec![
            message("sam@example.org", 0, now - chrono::Duration::minutes(30)),
            message("sam@example.org", 1, now - chrono::Duration::minutes(10)),
        ],
    );
    assert_eq!(oldest(&db), Some(now - chrono::Duration::minutes(30)));
    let first = ids[0];
    db.write_blocking(move |conn| {
        diesel::update(email_outbox::table.find(first))
            .set(email_outbox::status.eq(OutboxStatus::Sent))
            .execute(conn)?;
        Ok(())
    })
    .unwrap();
    assert_eq!(oldest(&db), Some(now - chrono::Duration::minutes(10)));
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
async fn smtp_refused_for_an_hour_then_back_delivers_300_messages_once_within_seconds() {
    if !smtp_enabled() {
        return;
    }
    // Arrange: 300 messages queued, and a server that refuses connections for an hour of
    // simulated time (the worker's clock is the `now` it is given).
    let dir = TempDir::new("smtp-outage");
    let db = test_db(&dir);
    let port = free_port();
    let settings = smtp_settings(port);
    let mailer = Mailer::from_settings(&settings).unwrap();
    let queued_at = db::now();
    let ids = enqueue_all(
        &db,
        (0..300)
            .map(|n| message(&format!("p{n}@example.org"), n, queued_at))
            .collect(),
    );
    let mut outage_worker = Worker::new(worker::new_worker_id());
    refuse_for(&mut outage_worker, &db, &mailer, &settings, queued_at, 65).await;
    for r in all_rows(&db) {
        assert_eq!(r.next_attempt_at, queued_at, "row {} was pushed back", r.id);
    }

    // Act: the server comes back; the server's own worker loop (real clock) drains.
    let sink = Sink::start(port, &dir.0.join("sink"));
    let started = Instant::now();
    let handle = worker::spawn_worker(db.clone(), mailer.clone(), settings.clone()).unwrap();
    let deadline = started + Duration::from_secs(60);
    while counts(&db).sent < 300 {
        assert!(
            Instant::now() < deadline,
            "not drained within 60 s: {:?}",
            counts(&db)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    handle.abort();
    eprintln!(
        "300 messages drained {:.2} s after the server came back",
        elapsed.as_secs_f64()
    );

    // Assert: nothing lost or failed, every message delivered exactly once.
    assert_eq!(
        counts(&db),
        outbox::Counts {
            sent: 300,
            ..Default::default()
        }
    );
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for raw in sink.messages() {
        *per_id
            .entry(header(&raw, "Message-ID").unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(per_id.len(), 300);
    assert!(per_id.values().all(|&n| n == 1), "{per_id:?}");
    assert!(ids.iter().all(|&id| row(&db, id).attempts == 1));
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
                    let mut worker = Worker::new(worker::new_worker_id());
                    let mut sent = 0;
                    loop {
                        let r = worker
                            .deliver_batch(&db, &mailer, &settings, db::now(), 25)
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
