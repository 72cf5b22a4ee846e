//! Faults: a write that panics leaves no transaction open, the portal heals after the
//! database was out of reach, and `/ready` says when it cannot read or write. Every test
//! runs on SQLite, and on PostgreSQL when TRELLIS_TEST_DATABASE_URL is set (there the
//! outage is a TCP proxy between the app and the server that the test cuts and restores).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::ResponseError;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use reqwest::{Response, StatusCode};
use secrecy::ExposeSecret;
use trellis::db::{Db, DbConnection, DbError};

use crate::helpers::*;

fn on_postgres() -> bool {
    std::env::var("TRELLIS_TEST_DATABASE_URL").is_ok_and(|u| !u.trim().is_empty())
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The admin's display name, read through a connection of its own (a fresh `Db`), so only
/// what was committed shows.
fn committed_admin_name(url: &str) -> String {
    let db = Db::connect(url, 1).expect("a second connection");
    db.read_blocking(|conn| {
        Ok(diesel::sql_query(format!(
            "SELECT display_name AS name FROM counselors WHERE email = '{ADMIN_EMAIL}'"
        ))
        .get_result::<Name>(conn)?
        .name)
    })
    .expect("read the admin's name")
}

fn committed_counselors(url: &str) -> i64 {
    let db = Db::connect(url, 1).expect("a second connection");
    db.read_blocking(|conn| {
        Ok(diesel::sql_query("SELECT COUNT(*) AS n FROM counselors")
            .get_result::<Count>(conn)?
            .n)
    })
    .expect("count counselors")
}

/// A query diesel caches as a prepared statement (`sql_query` is never prepared).
fn count_couples(conn: &mut DbConnection) -> Result<i64, DbError> {
    use trellis::db::schema::couples;
    Ok(couples::table.count().get_result(conn)?)
}

fn rename_admin(conn: &mut DbConnection, name: &str) -> Result<(), DbError> {
    diesel::sql_query(format!(
        "UPDATE counselors SET display_name = '{name}' WHERE email = '{ADMIN_EMAIL}'"
    ))
    .execute(conn)?;
    Ok(())
}

fn assert_security_headers(r: &Response, what: &str) {
    let h = r.headers();
    let csp = h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{what}: csp {csp:?}"
    );
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
        (
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ),
    ] {
        assert_eq!(
            h.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{what}: {name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_panics_is_rolled_back_and_later_writes_commit() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let url = app.settings.database.url.expose_secret().to_string();

    // A pool of one: the connection the panic ran on is the only one the next write can
    // get, unless the pool closed it. Before the fix the next write became a savepoint of
    // the never-committed transaction (PostgreSQL) or was refused (SQLite).
    let db = Db::connect(&url, 1).expect("a pool of one");
    let panicked = db
        .write(|conn| -> Result<(), DbError> {
            rename_admin(conn, "Lost In A Panic")?;
            panic!("deliberate panic inside a write transaction");
        })
        .await
        .expect_err("a panicking write fails");
    assert!(matches!(panicked, DbError::Blocking(_)), "{panicked:?}");
    assert_eq!(
        trellis::error::AppError::from(panicked).status_code(),
        actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
        "a panic answers 500"
    );
    assert_eq!(committed_admin_name(&url), "Ada Counselor");

    db.write(|conn| rename_admin(conn, "Ada After The Panic"))
        .await
        .expect("the next write commits");
    assert_eq!(committed_admin_name(&url), "Ada After The Panic");
    // And the write connection is outside any transaction: a write from elsewhere is not
    // blocked by a lock the panic left (SQLite) and sees the committed name (both).
    let other = Db::connect(&url, 1).expect("another pool");
    other
        .write_blocking(|conn| rename_admin(conn, "Ada Counselor"))
        .expect("a write from another connection");

    // The same through the app's own pools, then through HTTP: every write commits.
    let panicked = app
        .db
        .write(|conn| -> Result<(), DbError> {
            rename_admin(conn, "Lost Again")?;
            panic!("deliberate panic inside a write transaction");
        })
        .await;
    assert!(panicked.is_err());
    let read_panic = app
        .db
        .read(|_conn| -> Result<(), DbError> { panic!("deliberate panic inside a read") })
        .await;
    assert!(read_panic.is_err());
    for i in 0..5 {
        app.add_counselor(
            &format!("Counselor {i}"),
            &format!("c{i}@practice.test"),
            "another long passphrase",
        )
        .await;
    }
    let (status, _) = app.get_html("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(committed_counselors(&url), 6);
    assert_eq!(committed_admin_name(&url), "Ada Counselor");
}

/// A closure that returns an error after writing rolls back too, and leaves the
/// connection usable.
#[tokio::test]
async fn a_write_that_fails_is_rolled_back() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let url = app.settings.database.url.expose_secret().to_string();
    let db = Db::connect(&url, 1).expect("a pool of one");
    let failed = db
        .write(|conn| -> Result<(), DbError> {
            rename_admin(conn, "Never Committed")?;
            Err(DbError::Query(diesel::result::Error::RollbackTransaction))
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(committed_admin_name(&url), "Ada Counselor");
    db.write(|conn| rename_admin(conn, "Committed"))
        .await
        .expect("the next write commits");
    assert_eq!(committed_admin_name(&url), "Committed");
}

/// Poll `/ready` until it answers 200, for at most `within`; the time it took.
async fn ready_again(app: &TestApp, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let r = app.get("/ready").await;
        if r.status() == StatusCode::OK {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "not ready again after {within:?}: {} {:?}",
            r.status(),
            r.text().await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A signed-in page while the database is out of reach: 503 quickly, with every security
/// header and Retry-After (the session lookup fails inside the middleware, the path that
/// used to lose the headers).
async fn assert_fails_fast(app: &TestApp, path: &str) {
    let started = Instant::now();
    let r = app.get(path).await;
    let took = started.elapsed();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
    assert!(took < Duration::from_secs(4), "{path} took {took:?}");
    assert_security_headers(&r, path);
    assert!(
        r.headers().get("retry-after").is_some(),
        "{path}: retry-after"
    );
    let body = r.text().await.expect("body");
    assert!(body.contains("busy right now"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_an_outage_requests_succeed_again_without_a_restart() {
    if on_postgres() {
        postgres_outage().await
    } else {
        sqlite_outage().await
    }
}

/// PostgreSQL goes away (every connection dropped, new ones refused) and comes back.
async fn postgres_outage() {
    let server = std::env::var("TRELLIS_TEST_DATABASE_URL").expect("a PostgreSQL URL");
    let upstream = authority(&server);
    let proxy = Proxy::start(&upstream);
    let proxy_address = format!("127.0.0.1:{}", proxy.port);
    let app = spawn_app_with(|s| {
        let url = s
            .database
            .url
            .expose_secret()
            .replacen(&upstream, &proxy_address, 1);
        s.database.url = url.into();
    })
    .await;
    let direct_url =
        app.settings
            .database
            .url
            .expose_secret()
            .replacen(&proxy_address, &upstream, 1);
    app.setup_admin().await;
    assert_eq!(app.get("/dashboard").await.status(), StatusCode::OK);
    assert_eq!(app.get("/ready").await.status(), StatusCode::OK);

    // A pool of one, its connection used just now (so not pinged on checkout), for a cached
    // query this connection never prepared: diesel did not mark such a connection broken
    // when the prepare failed, and it went back to the pool to fail every later request.
    let proxied_url = app.settings.database.url.expose_secret().to_string();
    let lone = Db::connect(&proxied_url, 1).expect("a pool of one through the proxy");
    lone.read_blocking(|conn| Ok(conn.batch_execute("SELECT 1")?))
        .expect("the pool of one works");

    proxy.cut();
    let lost = lone
        .read(count_couples)
        .await
        .expect_err("no server behind the proxy");
    assert!(lost.is_unavailable(), "{lost:?}");
    proxy.restore();
    // Used every 200 ms, so never idle long enough for the ping on checkout: the dead
    // connection must have been closed when its work failed.
    let started = Instant::now();
    loop {
        match lone.read(count_couples).await {
            Ok(n) => {
                assert_eq!(n, 0);
                break;
            }
            Err(e) => assert!(
                started.elapsed() < Duration::from_secs(12),
                "the pool of one did not heal: {e:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    proxy.cut();
    for _ in 0..3 {
        assert_fails_fast(&app, "/dashboard").await;
    }
    let r = app.get("/ready").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_security_headers(&r, "/ready");
    let reason = r.text().await.expect("body");
    assert!(
        reason.starts_with("not ready: database unreachable"),
        "{reason}"
    );
    assert!(
        !reason.contains("postgres"),
        "no URL in the reason: {reason}"
    );
    // Liveness does not depend on the database.
    assert_eq!(app.get("/health").await.status(), StatusCode::OK);

    proxy.restore();
    let took = ready_again(&app, Duration::from_secs(12)).await;
    eprintln!("PostgreSQL back: ready again after {took:?}");
    // No broken connection is handed out again: every request succeeds, writes commit.
    for _ in 0..10 {
        assert_eq!(app.get("/dashboard").await.status(), StatusCode::OK);
    }
    app.add_counselor(
        "Dee Counselor",
        "dee@practice.test",
        "another long passphrase",
    )
    .await;
    assert_eq!(committed_counselors(&direct_url), 2);
}

/// SQLite has no server to lose. An open connection keeps its file even when the folder
/// is renamed away, so reads go on; what fails is opening a connection. So: the database
/// folder is renamed away, a write panics (its connection is closed, see above), and the
/// writes that follow need a new connection that cannot be opened; then the folder comes
/// back.
async fn sqlite_outage() {
    let root = std::env::temp_dir().join(format!("trellis-faults-{}", random_suffix()));
    let _cleanup = RemoveOnDrop(root.clone());
    let folder = root.join("data");
    let away = root.join("data-away");
    let url = format!("sqlite://{}", folder.join("trellis.db").display());
    let app = spawn_app_with(|s| s.database.url = url.clone().into()).await;
    app.setup_admin().await;
    assert_eq!(app.get("/ready").await.status(), StatusCode::OK);

    std::fs::rename(&folder, &away).expect("rename the database folder away");
    let panicked = app
        .db
        .write(|_conn| -> Result<(), DbError> { panic!("deliberate panic inside a write") })
        .await;
    assert!(panicked.is_err());

    // A write needs the writing connection, which cannot be opened: 503, fast, with headers.
    let (_, page) = app.get_html("/practice").await;
    let once = hidden_value(&page, "form_once").expect("form_once");
    let started = Instant::now();
    let r = app
        .post_form(
            "/practice/counselors",
            &[
                ("name", "Dee Counselor"),
                ("email", "dee@practice.test"),
                ("password", "another long passphrase"),
                ("time_zone", "America/New_York"),
                ("form_once", &once),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_security_headers(&r, "a write while the file is away");
    assert!(r.headers().get("retry-after").is_some());
    let r = app.get("/ready").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let reason = r.text().await.expect("body");
    assert_eq!(reason, "not ready: database unreachable (write)");
    assert_eq!(app.get("/health").await.status(), StatusCode::OK);

    std::fs::rename(&away, &folder).expect("rename the database folder back");
    let took = ready_again(&app, Duration::from_secs(12)).await;
    eprintln!("SQLite file back: ready again after {took:?}");
    app.add_counselor(
        "Dee Counselor",
        "dee@practice.test",
        "another long passphrase",
    )
    .await;
    assert_eq!(app.get("/dashboard").await.status(), StatusCode::OK);
    assert_eq!(committed_counselors(&url), 2);
}

/// `/ready` reads and writes: 200 normally; 503, within its budget, while another
/// connection holds the lock its write needs (SQLite: the database's write lock; PostgreSQL:
/// the row it writes), and 200 again once the lock is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_answers_503_while_it_cannot_write() {
    let app = spawn_app().await;
    let r = app.get("/ready").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_security_headers(&r, "/ready");
    assert_eq!(r.text().await.expect("body"), "ready");
    let r = app.get("/health").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.expect("body"), "ok");

    let url = app.settings.database.url.expose_secret().to_string();
    let mut holder = match trellis::db::Target::parse(&url) {
        trellis::db::Target::Sqlite(path) => {
            let mut c = SqliteConnection::establish(&path).expect("a second connection");
            // Wait for the app's own writer (start-up, housekeeping) rather than fail at
            // once if it holds the lock at this moment.
            c.batch_execute("PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE")
                .expect("take the write lock");
            DbConnection::Sqlite(c)
        }
        trellis::db::Target::Postgres(url) => {
            let mut c = PgConnection::establish(&url).expect("a second connection");
            c.batch_execute(
                "BEGIN; UPDATE __diesel_schema_migrations SET run_on = run_on \
                 WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)",
            )
            .expect("lock the row /ready writes");
            DbConnection::Pg(c)
        }
    };
    let started = Instant::now();
    let r = app.get("/ready").await;
    let took = started.elapsed();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().get("retry-after").is_some());
    assert_eq!(
        r.text().await.expect("body"),
        "not ready: database write lock busy"
    );
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(6),
        "waited {took:?} for the lock"
    );
    holder.batch_execute("ROLLBACK").expect("release the lock");
    assert_eq!(app.get("/ready").await.status(), StatusCode::OK);

    // The probe's shorter lock wait did not stay on the writing connection.
    if app.db.target().is_sqlite() {
        #[derive(QueryableByName)]
        struct Timeout {
            #[diesel(sql_type = BigInt)]
            timeout: i64,
        }
        let timeout = app
            .db
            .write(|conn| Ok(diesel::sql_query("PRAGMA busy_timeout").get_result::<Timeout>(conn)?))
            .await
            .expect("read the busy timeout");
        assert_eq!(timeout.timeout, 10_000);
    }
}

/// `host:port` of a PostgreSQL URL (port 5432 when it names none).
fn authority(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    }
}

struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A TCP proxy on its own thread and runtime (the app's blocking threads talk through it
/// while the test's runtime may be blocked). `cut` drops every connection and closes each
/// new one at once; `restore` lets them through again.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Proxy {
    fn start(upstream: &str) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("proxy address").port();
        let upstream: SocketAddr = match upstream.parse() {
            Ok(a) => a,
            Err(_) => std::net::ToSocketAddrs::to_socket_addrs(upstream)
                .expect("resolve the PostgreSQL server")
                .next()
                .expect("an address"),
        };
        let cut = Arc::new(AtomicBool::new(false));
        let links = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (cut2, links2) = (cut.clone(), links.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("proxy runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let serve = async {
                    loop {
                        let Ok((mut inbound, _)) = listener.accept().await else {
                            continue;
                        };
                        if cut2.load(Ordering::SeqCst) {
                            drop(inbound);
                            continue;
                        }
                        let link = tokio::spawn(async move {
                            if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await
                            {
                                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound)
                                    .await;
                            }
                        });
                        links2.lock().unwrap().push(link.abort_handle());
                    }
                };
                tokio::select! {
                    _ = serve => {}
                    _ = stopped => {}
                }
            });
        });
        Proxy {
            port,
            cut,
            links,
            stop: Some(stop),
        }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
        // Let the aborted links close their sockets.
        std::thread::sleep(Duration::from_millis(200));
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
