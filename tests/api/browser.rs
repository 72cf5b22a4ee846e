//! In a real browser (Debian's chromium through chromedriver, spoken to over WebDriver):
//! a partner signs in from the invitation link and fills in a check-in on a phone-sized
//! screen, then the counselor signs in and reads the dashboard, the couple page and the
//! report. On every page: nothing the Content-Security-Policy refuses (inline styles or
//! scripts show as console errors), and on the partner's pages no sideways scrolling.
//!
//! Runs when TRELLIS_TEST_BROWSER=1 (`.ci/run` installs chromium and chromium-driver).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::portal::{answers, assign, create_couple, last_email, link_path, today};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    base: String,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let path = std::env::var("TRELLIS_CHROMEDRIVER")
            .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let child = Command::new(&path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {path}: {e}"));
        Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser window.
struct Browser {
    http: reqwest::Client,
    session: String,
}

impl Browser {
    async fn open(driver: &Driver, width: u32, height: u32) -> Browser {
        let http = reqwest::Client::new();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("TRELLIS_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         format!("--window-size={width},{height}")]
            },
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let mut last_error = String::new();
        for _ in 0..50 {
            match http
                .post(format!("{}/session", driver.base))
                .header("content-type", "application/json")
                .body(caps.to_string())
                .send()
                .await
            {
                Ok(r) => {
                    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
                    let id = v["value"]["sessionId"]
                        .as_str()
                        .unwrap_or_else(|| panic!("no browser session: {v}"));
                    return Browser {
                        http,
                        session: format!("{}/session/{id}", driver.base),
                    };
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer: {last_error}");
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if !body.is_null() {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let r = request.send().await.expect("webdriver");
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        if let Some(err) = v["value"]["error"].as_str() {
            panic!("webdriver {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, body).await
    }

    async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    async fn path(&self) -> String {
        let url = self.call(reqwest::Method::GET, "/url", json!(null)).await;
        let url = url.as_str().unwrap().to_string();
        let after_host = url.splitn(4, '/').nth(3).unwrap_or("");
        format!("/{after_host}")
    }

    /// Wait (up to 10 s) for a navigation to a path starting with `prefix`.
    async fn wait_for(&self, prefix: &str) -> String {
        let mut path = String::new();
        for _ in 0..100 {
            path = self.path().await;
            let ready = self.run("return document.readyState;", json!([])).await;
            if path.starts_with(prefix) && ready == "complete" {
                return path;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let shown = self
            .run(
                "return [...document.querySelectorAll('.field-error, .error, [role=alert]')].map(e => e.textContent.trim());",
                json!([]),
            )
            .await;
        panic!("expected {prefix}..., still at {path}; messages on the page: {shown}");
    }

    async fn run(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        v[ELEMENT].as_str().unwrap().to_string()
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.post(&format!("/element/{id}/click"), json!({})).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.post(&format!("/element/{id}/value"), json!({ "text": text }))
            .await;
    }

    async fn html(&self) -> String {
        self.call(reqwest::Method::GET, "/source", json!(null))
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Console errors since the last call (the CSP reports its refusals there).
    async fn console_errors(&self) -> Vec<String> {
        let log = self.post("/se/log", json!({"type": "browser"})).await;
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// The page is clean: no console errors, and (on a phone) nothing wider than the screen.
    async fn check_page(&self, what: &str, phone: bool) {
        let errors = self.console_errors().await;
        assert!(errors.is_empty(), "{what}: console errors {errors:#?}");
        if phone {
            let widths = self
                .run(
                    "return [document.documentElement.scrollWidth, window.innerWidth];",
                    json!([]),
                )
                .await;
            let (scroll, inner) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
            assert!(
                scroll <= inner,
                "{what}: {scroll}px wide on a {inner}px screen"
            );
        }
    }

    async fn quit(self) {
        let _ = self.http.delete(&self.session).send().await.map(|_| ());
    }
}

fn browser_tests_enabled() -> bool {
    if std::env::var("TRELLIS_TEST_BROWSER").is_ok() {
        return true;
    }
    assert!(
        std::env::var("TRELLIS_REQUIRE_ALL").is_err(),
        "TRELLIS_REQUIRE_ALL is set: the browser test must run (set TRELLIS_TEST_BROWSER=1)"
    );
    eprintln!("skipped: set TRELLIS_TEST_BROWSER=1 (needs chromium and chromium-driver)");
    false
}

#[tokio::test]
async fn a_partner_checks_in_on_a_phone_and_the_counselor_reads_it() {
    if !browser_tests_enabled() {
        return;
    }
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(
        &app,
        ADMIN_EMAIL,
        "Rivera & Chen",
        ("Sam Rivera", "sam@example.org"),
        ("Alex Chen", "alex@example.org"),
    );
    let aid = assign(
        &app,
        couple.id,
        "daily-check-in",
        "both",
        "Take a minute each evening.\nWrite before you sleep.",
    );
    let driver = Driver::start();

    // Sam, on a phone: the invitation link, then the confirm button.
    let phone = Browser::open(&driver, 390, 844).await;
    let (_, _, body) = last_email(&app, couple.a);
    phone.goto(&app.url(&link_path(&body))).await;
    phone.check_page("sign-in confirmation", true).await;
    phone.click("form button[type=submit]").await;
    phone.wait_for("/me").await;
    assert!(phone.html().await.contains("Hello, Sam"));
    phone.check_page("partner home", true).await;

    // The check-in form: the counselor's note keeps its line break.
    phone
        .goto(&app.url(&format!("/me/do/{aid}/{}", today())))
        .await;
    phone.check_page("check-in form", true).await;
    let note_style = phone
        .run(
            "const p = [...document.querySelectorAll('p')].find(p => p.textContent.startsWith('Take a minute'));\
             return p ? getComputedStyle(p).whiteSpace : 'missing';",
            json!([]),
        )
        .await;
    assert_eq!(note_style, "pre-wrap", "the note's line breaks are kept");
    for (name, value) in answers(&app, "daily-check-in", "A quiet walk, and we talked") {
        let kind = phone
            .run(
                "const e = document.querySelector(`[name=\"${arguments[0]}\"]`); \
                 return e ? (e.type || e.tagName.toLowerCase()) : 'missing';",
                json!([name]),
            )
            .await;
        match kind.as_str().unwrap() {
            "radio" | "checkbox" => {
                phone
                    .click(&format!("input[name=\"{name}\"][value=\"{value}\"]"))
                    .await
            }
            "date" | "select-one" => {
                phone
                    .run(
                        "document.querySelector(`[name=\"${arguments[0]}\"]`).value = arguments[1];",
                        json!([name, value]),
                    )
                    .await;
            }
            "missing" => panic!("no field {name} on the form"),
            _ => phone.type_into(&format!("[name=\"{name}\"]"), &value).await,
        }
    }
    phone.click("input[name=visibility][value=counselor]").await;
    phone.click("button[name=intent][value=submit]").await;
    phone.wait_for("/me/entries/").await;
    assert!(phone.html().await.contains("A quiet walk, and we talked"));
    phone.check_page("submitted entry", true).await;
    phone.goto(&app.url("/me/setbacks/new")).await;
    phone.check_page("setback form", true).await;
    phone.quit().await;

    // The counselor, on a laptop: sign in through the form.
    let laptop = Browser::open(&driver, 1280, 900).await;
    laptop.goto(&app.url("/login")).await;
    laptop.check_page("sign-in", false).await;
    laptop.type_into("input[name=email]", ADMIN_EMAIL).await;
    laptop
        .type_into("input[name=password]", ADMIN_PASSWORD)
        .await;
    laptop.click("form button[type=submit]").await;
    laptop.wait_for("/dashboard").await;
    let dashboard = laptop.html().await;
    assert!(dashboard.contains("Rivera &amp; Chen"));
    assert!(dashboard.contains("1 of 1"), "Sam's check-in counts");
    let points = laptop
        .run(
            "return document.querySelectorAll('svg.sparkline polyline, svg.sparkline circle').length;",
            json!([]),
        )
        .await;
    assert!(
        points.as_i64().unwrap() >= 1,
        "the trust sparkline is drawn"
    );
    laptop.check_page("dashboard", false).await;
    for page in ["", "/timeline", "/report"] {
        laptop
            .goto(&app.url(&format!("/couples/{}{page}", couple.id)))
            .await;
        assert!(laptop.html().await.contains("Sam Rivera"), "couple{page}");
        laptop.check_page(&format!("couple{page}"), false).await;
    }
    laptop.quit().await;
}
