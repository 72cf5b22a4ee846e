//! `spawn_app()` and a cookie-keeping HTTP client that does not follow redirects.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use diesel::connection::SimpleConnection;
use diesel::Connection;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Response, StatusCode};
use trellis::config::Settings;
use trellis::db::Db;

pub const ADMIN_EMAIL: &str = "ada@practice.test";
pub const ADMIN_PASSWORD: &str = "a long enough passphrase";

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub db: Db,
    pub settings: Settings,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    csrf: Mutex<Option<String>>,
    _dir: tempdir::TempDir,
    pg_database: Option<(String, String)>,
}

/// A throwaway folder removed on drop.
mod tempdir {
    pub struct TempDir(pub std::path::PathBuf);
    impl TempDir {
        pub fn new() -> TempDir {
            let path = std::env::temp_dir().join(format!("trellis-test-{}", random_suffix()));
            std::fs::create_dir_all(&path).expect("create temp dir");
            TempDir(path)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    pub fn random_suffix() -> String {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        (0..12)
            .map(|_| char::from(b'a' + rng.gen_range(0..26)))
            .collect()
    }
}

pub fn random_suffix() -> String {
    tempdir::random_suffix()
}

/// Which database the suite runs against.
pub fn test_database_url(dir: &std::path::Path) -> (String, Option<(String, String)>) {
    match std::env::var("TRELLIS_TEST_DATABASE_URL") {
        Ok(server) if !server.trim().is_empty() => {
            let name = format!("trellis_test_{}", random_suffix());
            let mut admin = diesel::PgConnection::establish(&server)
                .expect("connect to the PostgreSQL test server");
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create a test database");
            let base = match server.rfind('/') {
                Some(i) if i > "postgres://".len() => server[..i].to_string(),
                _ => server.trim_end_matches('/').to_string(),
            };
            (format!("{base}/{name}"), Some((server, name)))
        }
        _ => (
            format!("sqlite://{}", dir.join("trellis.db").display()),
            None,
        ),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempdir::TempDir::new();
    let (url, pg_database) = test_database_url(&dir.0);
    let mut settings = Settings::load(None).expect("default settings load");
    settings.server.port = 0;
    settings.server.workers = 1;
    settings.database.url = url.into();
    settings.database.pool_size = 4;
    settings.email.transport = "memory".into();
    settings.email.outbox_dir = dir.0.join("outbox").display().to_string();
    settings.reminders.enabled = false;
    configure(&mut settings);
    let app = trellis::Application::build(settings.clone()).expect("application builds");
    let port = app.port();
    let db = app.db.clone();
    settings.server.port = port;
    tokio::spawn(app.run_until_stopped());
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .expect("client builds");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        db,
        settings,
        client,
        jar,
        csrf: Mutex::new(None),
        _dir: dir,
        pg_database,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((server, name)) = self.pg_database.take() {
            if let Ok(mut admin) = diesel::PgConnection::establish(&server) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The value of the hidden CSRF field on a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// The value of a hidden input by name.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// The path of the password link (reset or invitation) in an email body.
pub fn password_link(body: &str) -> String {
    let start = body
        .find("/login/reset/")
        .expect("a password link in the email");
    body[start..].split_whitespace().next().unwrap().to_string()
}

pub fn location(r: &Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// GET a page and return status and body; remembers the page's CSRF token.
    pub async fn get_html(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let status = r.status();
        let body = r.text().await.expect("body");
        if let Some(t) = csrf_in(&body) {
            *self.csrf.lock().unwrap() = Some(t);
        }
        (status, body)
    }

    /// Follow redirects from `path` until a page, and return its path, status and body.
    pub async fn follow(&self, path: &str) -> (String, StatusCode, String) {
        let mut path = path.to_string();
        for _ in 0..5 {
            let r = self.get(&path).await;
            if r.status().is_redirection() {
                path = location(&r);
                continue;
            }
            let status = r.status();
            let body = r.text().await.expect("body");
            if let Some(t) = csrf_in(&body) {
                *self.csrf.lock().unwrap() = Some(t);
            }
            return (path, status, body);
        }
        panic!("too many redirects from {path}");
    }

    pub fn forget_csrf(&self) {
        *self.csrf.lock().unwrap() = None;
    }

    pub async fn csrf(&self) -> String {
        if let Some(t) = self.csrf.lock().unwrap().clone() {
            return t;
        }
        let (_, _, body) = self.follow("/").await;
        csrf_in(&body).expect("a page with a CSRF token")
    }

    /// POST a form with the current CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_raw(path, &all).await
    }

    /// POST exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let url: reqwest::Url = self.address.parse().ok()?;
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(String::from))
    }

    /// Create the practice admin through the setup page and stay signed in.
    pub async fn setup_admin(&self) -> Response {
        self.get_html("/setup").await;
        let r = self
            .post_form(
                "/setup",
                &[
                    ("name", "Ada Counselor"),
                    ("email", ADMIN_EMAIL),
                    ("password", ADMIN_PASSWORD),
                    ("password_confirm", ADMIN_PASSWORD),
                    ("time_zone", "Europe/London"),
                ],
            )
            .await;
        self.forget_csrf();
        // A new practice requires two-step sign-in; most tests are about something else.
        self.require_two_factor(false);
        r
    }

    /// Set the practice's "every counselor must use two-step sign-in" rule directly.
    pub fn require_two_factor(&self, on: bool) {
        self.sql(&format!(
            "UPDATE practice_security SET require_two_factor = {}",
            if on { "(1 = 1)" } else { "(1 = 0)" }
        ));
    }

    /// The newest email to `address`: (kind, subject, plain-text body).
    pub fn last_email_to(&self, address: &str) -> (String, String, String) {
        use diesel::prelude::*;
        use trellis::db::schema::email_outbox;
        let address = address.to_string();
        self.db
            .read_blocking(move |conn| {
                Ok(email_outbox::table
                    .filter(email_outbox::to_address.eq(address))
                    .order(email_outbox::id.desc())
                    .select((
                        email_outbox::kind,
                        email_outbox::subject,
                        email_outbox::body_text,
                    ))
                    .first::<(String, String, String)>(conn)?)
            })
            .expect("an email to this address")
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.get_html("/login").await;
        let r = self
            .post_form("/login", &[("email", email), ("password", password)])
            .await;
        self.forget_csrf();
        r
    }

    pub async fn logout(&self) -> Response {
        let r = self.post_form("/logout", &[]).await;
        self.forget_csrf();
        r
    }

    /// A second browser against the same server (its own cookies).
    pub fn other_browser(&self) -> TestApp {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .build()
            .expect("client builds");
        TestApp {
            address: self.address.clone(),
            port: self.port,
            db: self.db.clone(),
            settings: self.settings.clone(),
            client,
            jar,
            csrf: Mutex::new(None),
            _dir: tempdir::TempDir::new(),
            pg_database: None,
        }
    }

    /// As the admin (signed in), invite a counselor, and as that counselor choose
    /// `password` from the invitation email (in another browser); panics on failure.
    pub async fn add_counselor(&self, name: &str, email: &str, password: &str) {
        let (_, page) = self.get_html("/practice").await;
        let once = hidden_value(&page, "form_once").expect("form_once");
        let r = self
            .post_form(
                "/practice/counselors",
                &[
                    ("name", name),
                    ("email", email),
                    ("time_zone", "America/New_York"),
                    ("form_once", &once),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "adding a counselor");
        let (_, _, body) = self.last_email_to(email);
        let link = password_link(&body);
        let invited = self.other_browser();
        let (status, page) = invited.get_html(&link).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let r = invited
            .post_form(
                &link,
                &[("password", password), ("password_confirm", password)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "choosing a password");
    }

    /// Run SQL against the app's database (test set-up only).
    pub fn sql(&self, statement: &str) {
        let statement = statement.to_string();
        self.db
            .write_blocking(move |conn| {
                conn.batch_execute(&statement)?;
                Ok(())
            })
            .expect("sql");
    }

    pub fn count(&self, table: &str) -> i64 {
        use diesel::sql_types::BigInt;
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let q = format!("SELECT COUNT(*) AS n FROM {table}");
        self.db
            .read_blocking(move |conn| Ok(diesel::sql_query(q).get_result::<Count>(conn)?.n))
            .expect("count")
    }
}
