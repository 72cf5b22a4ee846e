//! In a real browser (Debian's chromium through chromedriver, spoken to over WebDriver):
//! a partner signs in from the invitation link and fills in a check-in on a phone-sized
//! screen, then the counselor signs in and reads the dashboard, the couple page and the
//! report. On every page: nothing the Content-Security-Policy refuses (inline styles or
//! scripts show as console errors), on the partner's pages no sideways scrolling, no
//! accessibility violation that axe-core finds, and HTML that the Nu HTML Checker passes
//! with no error.
//!
//! `#[ignore]`d; runs with `--include-ignored` and TRELLIS_TEST_BROWSER=1. Needs chromium,
//! chromium-driver and a Java runtime (Debian packages), and axe-core and vnu-jar from
//! `npm ci --ignore-scripts` in tests/browser (`.ci/run` installs all of them). Nothing is
//! fetched from the network while it runs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::portal::{answers, assign, create_couple, last_email, link_path, today};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

const INSTALL: &str =
    "install the page checkers first: `cd tests/browser && npm ci --ignore-scripts` \
     (axe-core and vnu-jar from npm) and `apt-get install default-jre-headless` (Java for vnu.jar)";

/// axe-core and the Nu HTML Checker, from tests/browser/node_modules, and what they found.
struct Checkers {
    axe_source: String,
    vnu_jar: PathBuf,
    /// Each checked page's HTML as the server sent it, for the Nu HTML Checker at the end.
    pages_dir: PathBuf,
    pages: Mutex<Vec<PathBuf>>,
    violations: Mutex<Vec<String>>,
}

impl Checkers {
    fn load() -> Checkers {
        let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules");
        let axe_path = modules.join("axe-core/axe.min.js");
        let axe_source = std::fs::read_to_string(&axe_path)
            .unwrap_or_else(|e| panic!("{}: {e}; {INSTALL}", axe_path.display()));
        let vnu_jar = modules.join("vnu-jar/build/dist/vnu.jar");
        assert!(
            vnu_jar.is_file(),
            "{} is missing; {INSTALL}",
            vnu_jar.display()
        );
        let java = Command::new("java").arg("-version").output();
        assert!(
            java.is_ok_and(|o| o.status.success()),
            "no working `java` on the PATH; {INSTALL}"
        );
        let pages_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-pages");
        let _ = std::fs::remove_dir_all(&pages_dir);
        std::fs::create_dir_all(&pages_dir).unwrap();
        Checkers {
            axe_source,
            vnu_jar,
            pages_dir,
            pages: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
        }
    }

    fn save_page(&self, what: &str, html: &str) {
        let mut pages = self.pages.lock().unwrap();
        let slug: String = what
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let slug = slug.trim_matches('-');
        let path = self
            .pages_dir
            .join(format!("{:02}-{slug}.html", pages.len() + 1));
        std::fs::write(&path, html).unwrap();
        pages.push(path);
    }

    /// The Nu HTML Checker's errors over every saved page, one line each.
    fn validate(&self) -> Vec<String> {
        let pages = self.pages.lock().unwrap();
        assert!(!pages.is_empty(), "no page was saved for the HTML checker");
        let out = Command::new("java")
            .arg("-jar")
            .arg(&self.vnu_jar)
            .args(["--errors-only", "--format", "json"])
            .args(pages.iter())
            .output()
            .unwrap_or_else(|e| panic!("run java -jar vnu.jar: {e}; {INSTALL}"));
        // vnu.jar writes its report to stderr, and exits non-zero when there are errors.
        let report = String::from_utf8_lossy(&out.stderr);
        let v: Value = serde_json::from_str(&report)
            .unwrap_or_else(|e| panic!("vnu.jar said something other than JSON ({e}): {report}"));
        let messages = v["messages"].as_array().expect("vnu.jar's messages");
        let errors: Vec<String> = messages
            .iter()
            .filter(|m| m["type"] != "info")
            .map(|m| {
                let file = m["url"].as_str().unwrap_or_default();
                let file = file.rsplit('/').next().unwrap_or(file);
                format!(
                    "{file}:{}: {} [{}]",
                    m["lastLine"],
                    m["message"].as_str().unwrap_or_default(),
                    m["extract"].as_str().unwrap_or_default().trim()
                )
            })
            .collect();
        assert!(
            out.status.success() || !errors.is_empty(),
            "vnu.jar failed without saying why: {report}"
        );
        errors
    }

    /// Fails on any accessibility violation or HTML error on the checked pages.
    fn assert_clean(&self) {
        let violations = self.violations.lock().unwrap().clone();
        let errors = self.validate();
        let pages = self.pages.lock().unwrap().len();
        assert!(
            violations.is_empty() && errors.is_empty(),
            "on {pages} pages: {} axe-core violation(s), {} HTML error(s) (pages saved in {})\n{}",
            violations.len(),
            errors.len(),
            self.pages_dir.display(),
            violations
                .iter()
                .chain(errors.iter())
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
        eprintln!("{pages} pages: no axe-core violation, no HTML error");
    }
}

struct Driver {
    child: Child,
    base: String,
    checkers: Arc<Checkers>,
}

impl Driver {
    fn start() -> Driver {
        let checkers = Arc::new(Checkers::load());
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
            checkers,
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
    checkers: Arc<Checkers>,
}

impl Browser {
    async fn open(driver: &Driver, width: u32, height: u32) -> Browser {
        Browser::open_with(driver, width, height, json!({})).await
    }

    /// A window whose pages run no JavaScript.
    async fn open_without_javascript(driver: &Driver, width: u32, height: u32) -> Browser {
        let prefs = json!({"profile.managed_default_content_settings.javascript": 2});
        Browser::open_with(driver, width, height, prefs).await
    }

    async fn open_with(driver: &Driver, width: u32, height: u32, prefs: Value) -> Browser {
        let http = reqwest::Client::new();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("TRELLIS_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         format!("--window-size={width},{height}")],
                "prefs": prefs
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
                        checkers: driver.checkers.clone(),
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

    /// A script that ends by calling its last argument with the result.
    async fn run_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({ "script": script, "args": args }))
            .await
    }

    /// The page's HTML as the server sends it (fetched again with the browser's cookies:
    /// every page checked here is a GET with no side effect).
    async fn served_html(&self) -> String {
        let v = self
            .run_async(
                "const done = arguments[arguments.length - 1];\
                 fetch(location.href, {credentials: 'same-origin'})\
                   .then(r => r.text()).then(done, e => done({error: String(e)}));",
                json!([]),
            )
            .await;
        match v.as_str() {
            Some(html) => html.to_string(),
            None => panic!("could not fetch the page's HTML: {v}"),
        }
    }

    /// axe-core's violations on the page, one line per rule.
    async fn axe_violations(&self) -> Vec<String> {
        // The source goes in as the script itself (no eval, nothing the page's CSP refuses);
        // it defines window.axe.
        let script = format!(
            "{}\n;const done = arguments[arguments.length - 1];\
             axe.run(document, {{resultTypes: ['violations']}})\
               .then(r => done(r.violations.map(v => ({{id: v.id, impact: v.impact, help: v.help,\
                   nodes: v.nodes.map(n => n.html)}}))), e => done({{error: String(e)}}));",
            self.checkers.axe_source
        );
        let v = self.run_async(&script, json!([])).await;
        let Some(violations) = v.as_array() else {
            panic!("axe.run failed: {v}");
        };
        violations
            .iter()
            .map(|v| {
                format!(
                    "{} ({}): {}: {}",
                    v["id"].as_str().unwrap_or_default(),
                    v["impact"].as_str().unwrap_or_default(),
                    v["help"].as_str().unwrap_or_default(),
                    v["nodes"]
                )
            })
            .collect()
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
    /// Its accessibility violations are collected, and its HTML saved for the HTML checker,
    /// both reported at the end by `Checkers::assert_clean`.
    async fn check_page(&self, what: &str, phone: bool) {
        let errors = self.console_errors().await;
        assert!(errors.is_empty(), "{what}: console errors {errors:#?}");
        let html = self.served_html().await;
        self.checkers.save_page(what, &html);
        let violations = self.axe_violations().await;
        self.checkers
            .violations
            .lock()
            .unwrap()
            .extend(violations.into_iter().map(|v| format!("{what}: {v}")));
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
#[ignore = "needs TRELLIS_TEST_BROWSER=1, chromium, chromium-driver, java and tests/browser/node_modules (run with --include-ignored)"]
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
    for page in ["/sign-in", "/sign-in/link"] {
        phone.goto(&app.url(page)).await;
        phone.check_page(page, true).await;
    }
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
    // Sam writes a promise for Alex, due today (stored directly: the form is the same one
    // as the check-in's), and shares a small win.
    let promise = assign(&app, couple.id, "promise-tracker", "a", "");
    app.sql(&format!(
        "INSERT INTO entries (couple_id, partner_id, exercise_id, assignment_id, occurrence_date, \
         status, visibility, version, created_at, updated_at, submitted_at) \
         SELECT couple_id, {sam}, exercise_id, id, '{day}', 'submitted', 'partner', 1, \
         CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM assignments WHERE id = {promise}",
        sam = couple.a,
        day = today()
    ));
    app.sql(&format!(
        "INSERT INTO entry_answers (entry_id, prompt_id, value) \
         SELECT e.id, p.id, CASE WHEN p.kind = 'date' THEN '{day}' ELSE 'Phone you at lunch every day this week' END \
         FROM entries e, exercise_prompts p \
         WHERE e.assignment_id = {promise} AND p.exercise_id = e.exercise_id AND p.position >= 0",
        day = today()
    ));
    for page in [
        "/me/setbacks/new",
        "/me/setbacks",
        "/me/entries",
        "/me/journal",
        "/me/promises",
        "/me/progress",
        "/me/settings",
    ] {
        phone.goto(&app.url(page)).await;
        phone.check_page(page, true).await;
    }
    // The progress chart is drawn, with its figures in a table, inside the phone's width.
    phone.goto(&app.url("/me/progress")).await;
    let drawn = phone
        .run(
            "return document.querySelectorAll('.progress-chart svg circle').length;",
            json!([]),
        )
        .await;
    assert!(
        drawn.as_i64().unwrap() >= 1,
        "the trust chart shows Sam's rating"
    );
    phone.quit().await;

    // Alex, on another phone: the promise card on the home page, rated there; then every
    // partner page, none wider than the screen.
    let alex = Browser::open(&driver, 390, 844).await;
    let (_, _, body) = last_email(&app, couple.b);
    alex.goto(&app.url(&link_path(&body))).await;
    alex.click("form button[type=submit]").await;
    alex.wait_for("/me").await;
    let home = alex.html().await;
    assert!(home.contains("Did Sam keep this promise?"), "{home}");
    assert!(home.contains("What changed"), "the feed: {home}");
    alex.check_page("partner home with a promise to rate", true)
        .await;
    alex.click("input[name=outcome][value=kept]").await;
    alex.type_into("textarea[name=note]", "Thank you, it meant a lot")
        .await;
    alex.click(".promise-card button[type=submit]").await;
    alex.wait_for("/me/promises").await;
    assert!(alex.html().await.contains("Thank you, it meant a lot"));
    alex.check_page("promises after rating", true).await;
    for page in [
        "/me",
        "/me/entries",
        "/me/journal",
        "/me/promises",
        "/me/setbacks",
        "/me/setbacks/new",
        "/me/progress",
        "/me/settings",
    ] {
        alex.goto(&app.url(page)).await;
        alex.check_page(&format!("Alex {page}"), true).await;
    }
    alex.quit().await;

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
    assert!(
        dashboard.contains("2 of 2"),
        "Sam's check-in and promise count"
    );
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
    // The counselor's forms and lists (checked, not filled in).
    for page in [
        format!("/couples/{}/edit", couple.id),
        format!("/couples/{}/assignments/new", couple.id),
        format!("/couples/{}/sessions/new", couple.id),
        format!("/couples/{}/reassign", couple.id),
        "/couples".into(),
        "/couples/new".into(),
        "/exercises".into(),
        "/exercises/new".into(),
        "/practice".into(),
        "/practice/mail".into(),
    ] {
        laptop.goto(&app.url(&page)).await;
        laptop.check_page(&page, false).await;
    }
    laptop.quit().await;

    // The counselor's dashboard on a phone: stacked cards, no sideways scroll.
    let counselor_phone = Browser::open(&driver, 390, 844).await;
    counselor_phone.goto(&app.url("/login")).await;
    counselor_phone
        .type_into("input[name=email]", ADMIN_EMAIL)
        .await;
    counselor_phone
        .type_into("input[name=password]", ADMIN_PASSWORD)
        .await;
    counselor_phone.click("form button[type=submit]").await;
    counselor_phone.wait_for("/dashboard").await;
    counselor_phone
        .check_page("dashboard on a phone", true)
        .await;
    counselor_phone.quit().await;
    driver.checkers.assert_clean();
}

/// Keys as WebDriver spells them.
const ESCAPE: &str = "\u{E00C}";

impl Browser {
    /// Press a key `times` times (WebDriver actions, on whatever has focus).
    async fn press(&self, key: &str, times: usize) {
        let mut actions = Vec::new();
        for _ in 0..times {
            actions.push(json!({"type": "keyDown", "value": key}));
            actions.push(json!({"type": "keyUp", "value": key}));
        }
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await;
    }

    async fn back(&self) {
        self.post("/back", json!({})).await;
    }
}

#[tokio::test]
#[ignore = "needs TRELLIS_TEST_BROWSER=1, chromium, chromium-driver, java and tests/browser/node_modules (run with --include-ignored)"]
async fn leave_quickly_replaces_the_page_with_and_without_javascript() {
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
    let aid = assign(&app, couple.id, "safety-check", "a", "");
    let form = format!("/me/do/{aid}/{}", today());
    let driver = Driver::start();

    let phone = Browser::open(&driver, 390, 844).await;
    let (_, _, body) = last_email(&app, couple.a);
    phone.goto(&app.url(&link_path(&body))).await;
    phone.click("form button[type=submit]").await;
    phone.wait_for("/me").await;
    phone.goto(&app.url(&form)).await;
    phone.wait_for(&form).await;
    let html = phone.html().await;
    assert!(html.contains("Personal check-in") && !html.contains("Private safety check"));
    phone.check_page("safety check form", true).await;
    // The button is on screen without scrolling.
    let top = phone
        .run(
            "const r = document.querySelector('a[data-quick-exit]').getBoundingClientRect();\
             return [r.top, r.bottom, r.right, window.innerHeight, window.innerWidth];",
            json!([]),
        )
        .await;
    let v: Vec<f64> = top
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert!(
        v[0] >= 0.0 && v[1] <= v[3] && v[2] <= v[4],
        "visible: {v:?}"
    );

    // A click: the neutral page, and Back does not return to the form.
    phone.click("a[data-quick-exit]").await;
    phone.wait_for("/away").await;
    phone.back().await;
    phone.wait_for("/").await;
    assert_ne!(phone.path().await, form, "Back came back to the form");

    // Escape three times does the same.
    phone.goto(&app.url(&form)).await;
    phone.wait_for(&form).await;
    phone.press(ESCAPE, 3).await;
    phone.wait_for("/away").await;
    phone.back().await;
    phone.wait_for("/").await;
    assert_ne!(phone.path().await, form, "Back came back to the form");
    // Once or twice is not enough.
    phone.goto(&app.url(&form)).await;
    phone.wait_for(&form).await;
    phone.press(ESCAPE, 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(phone.path().await, form);

    // A concerning answer: the partner is told where to turn, the counselor is alerted.
    let fields = answers(&app, "safety-check", "");
    phone
        .click(&format!("label[for=\"{}-yes\"]", fields[0].0))
        .await;
    phone
        .click(&format!("label[for=\"{}-no\"]", fields[1].0))
        .await;
    phone.click("button[name=intent][value=submit]").await;
    phone.wait_for("/me/entries/").await;
    assert!(phone.html().await.contains("Your counselor has been told"));
    phone.check_page("safety check sent", true).await;
    phone.quit().await;

    let laptop = Browser::open(&driver, 1280, 900).await;
    laptop.goto(&app.url("/login")).await;
    laptop.type_into("input[name=email]", ADMIN_EMAIL).await;
    laptop
        .type_into("input[name=password]", ADMIN_PASSWORD)
        .await;
    laptop.click("form button[type=submit]").await;
    laptop.wait_for("/dashboard").await;
    assert!(laptop.html().await.contains("alert-banner"));
    laptop.check_page("dashboard with an alert", false).await;
    laptop.click(".alert-banner li a").await;
    laptop
        .wait_for(&format!("/couples/{}/alerts/", couple.id))
        .await;
    laptop.check_page("safety alert", false).await;
    for page in ["/alerts", "/practice/alerts", "/practice/safety"] {
        laptop.goto(&app.url(page)).await;
        laptop.check_page(page, false).await;
    }
    laptop
        .goto(&app.url(&format!("/couples/{}/report?include_safety=1", couple.id)))
        .await;
    laptop
        .check_page("report with the safety section", false)
        .await;
    laptop.quit().await;

    // Without JavaScript the button is a plain link that still works.
    let plain = Browser::open_without_javascript(&driver, 390, 844).await;
    plain.goto(&app.url("/sign-in")).await;
    assert_eq!(plain.path().await, "/sign-in");
    plain.click("a[data-quick-exit]").await;
    let mut path = String::new();
    for _ in 0..50 {
        path = plain.path().await;
        if path == "/away" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(path, "/away");
    plain.quit().await;
    driver.checkers.assert_clean();
}
