//! Headless Chromium at a phone's size, driven through chromedriver, for
//! the browser tests (`tests/browser/`, its `a11y` module among them). Locally a test
//! skips with a printed reason when Chromium is missing; under `CI=true` it
//! must run.

use crate::support::app::{TestApp, TOKEN};
use crate::support::eventually;
use crate::support::process::free_port;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const WAIT: Duration = Duration::from_secs(30);

/// A chromedriver process and a session on it; both end on drop / `close`.
pub struct Browser {
    driver: Child,
    /// chromedriver's port, for the commands WebDriver lacks ([`Browser::cdp`]).
    port: u16,
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver's Chromium goes with it, even when a test panicked
        // before `close`: every process descended from the driver is killed
        // by its own (positive) pid.
        let orphans = descendants(self.driver.id());
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        if !orphans.is_empty() {
            let _ = Command::new("kill")
                .arg("-9")
                .args(orphans.iter().map(u32::to_string))
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// `None` (with a printed reason) when Chromium is missing outside CI.
pub async fn browser() -> Option<Browser> {
    browser_at(390, 844).await
}

/// A phone of this CSS size.
pub async fn browser_at(width: u32, height: u32) -> Option<Browser> {
    browser_as(width, height, None).await
}

/// Android WeChat's in-app browser, as it names itself (X5/XWeb on Chromium 86).
pub const WECHAT_ANDROID: &str = "Mozilla/5.0 (Linux; Android 10; V1990A Build/QP1A.190711.020; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 MMWEBID/6170 MicroMessenger/8.0.28.2240(0x28001C35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";

/// A phone of this CSS size with this user agent.
pub async fn browser_as(width: u32, height: u32, user_agent: Option<&str>) -> Option<Browser> {
    launch(width, height, 3.0, user_agent).await
}

/// A big screen (a booth's TV, a projector) of this size: one device pixel
/// per CSS pixel, no touch.
pub async fn screen_at(width: u32, height: u32) -> Option<Browser> {
    launch(width, height, 1.0, None).await
}

async fn launch(
    width: u32,
    height: u32,
    pixel_ratio: f64,
    user_agent: Option<&str>,
) -> Option<Browser> {
    let present =
        std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {CHROMIUM} or {CHROMEDRIVER} is missing"
        );
        eprintln!("SKIPPED: {CHROMIUM} / {CHROMEDRIVER} not installed (apt-get install chromium chromium-driver)");
        return None;
    }
    let port = free_port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    eventually(WAIT, "chromedriver opens its port", || async {
        std::net::TcpStream::connect(("127.0.0.1", port))
            .ok()
            .map(drop)
    })
    .await;
    let profile = tempfile::tempdir().unwrap();
    let touch = pixel_ratio > 1.0;
    let mut emulation = json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": pixel_ratio, "touch": touch}});
    if let Some(ua) = user_agent {
        emulation["userAgent"] = json!(ua);
    }
    let caps = json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-quic", "--no-first-run", "--lang=zh-CN",
                     format!("--user-data-dir={}", profile.path().display())],
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
            "mobileEmulation": emulation
        }
    });
    let caps = match caps {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session");
    Some(Browser {
        driver,
        port,
        client,
        _profile: profile,
    })
}

impl Browser {
    pub async fn wait_css(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// Polls a JS expression until it is truthy (`null`, `false` and `""`
    /// are not), and gives its value; a timeout names the expression.
    pub async fn wait_js(&self, expr: &str) -> Value {
        let script = format!("return ({expr});");
        let what = format!("the page to make `{expr}` true");
        let (b, script) = (self, &script);
        eventually(WAIT, &what, move || async move {
            let v = b.js(script).await;
            (!(v.is_null() || v == json!(false) || v == json!(""))).then_some(v)
        })
        .await
    }

    pub async fn click(&self, css: &str) {
        self.wait_css(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::write(dir.join(name), png).unwrap();
    }

    /// Opens the visitor page as the phone that holds `session` would.
    pub async fn resume(&self, app: &TestApp, session: &str) {
        self.client.goto(&app.url("/healthz")).await.unwrap();
        self.js(&format!(
            "localStorage.setItem('quizbooth.session', '{session}'); return true;"
        ))
        .await;
        self.client.goto(&app.url("/")).await.unwrap();
    }

    /// A Chrome DevTools command through chromedriver (`goog/cdp/execute`),
    /// for what WebDriver has no command for (printing at the page's own
    /// `@page` size, emulating print media); its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let id = self
            .client
            .session_id()
            .await
            .unwrap()
            .expect("a WebDriver session");
        let url = format!(
            "http://127.0.0.1:{}/session/{id}/goog/cdp/execute",
            self.port
        );
        let r: Value = reqwest::Client::new()
            .post(url)
            .json(&json!({"cmd": cmd, "params": params}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        assert!(r["value"].get("error").is_none(), "{cmd}: {r}");
        r["value"].clone()
    }

    pub async fn close(mut self) {
        let client = self.client.clone();
        let _ = client.close().await;
        let _ = self.driver.kill();
    }
}

/// Where `.ci/run` installs axe-core and acorn (test-only, never served).
pub fn node_modules() -> std::path::PathBuf {
    std::env::var_os("QUIZBOOTH_NODE_MODULES")
        .map_or_else(|| "/tmp/quizbooth-npm/node_modules".into(), Into::into)
}

impl Browser {
    /// axe-core's WCAG 2.1 A and AA violations on the page as it is now, as
    /// `[{id, impact, help, nodes}]`; `None` (with a printed reason) when
    /// axe-core is not installed outside CI.
    pub async fn axe(&self) -> Option<Value> {
        let file = node_modules().join("axe-core/axe.min.js");
        let Ok(source) = std::fs::read_to_string(&file) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but {} is missing (.ci/run installs it)",
                file.display()
            );
            eprintln!(
                "SKIPPED axe: {} not installed (npm install --no-save --prefix /tmp/quizbooth-npm axe-core)",
                file.display()
            );
            return None;
        };
        self.client
            .execute(&format!("{source}\n;return true;"), vec![])
            .await
            .expect("axe-core loads");
        let run = "const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
              .then(function (r) { done(r.violations.map(function (v) {
                  return {id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 6).map(function (n) { return n.target.join(' ') + ' ' + (n.failureSummary || '').slice(0, 160); })};
              })); }, function (e) { done([{id: 'axe-error', help: String(e)}]); });";
        Some(
            self.client
                .execute_async(run, vec![])
                .await
                .expect("axe runs"),
        )
    }
}

/// WebDriver key codes.
pub const TAB: &str = "\u{E004}";
/// Enter.
pub const ENTER: &str = "\u{E007}";
/// Space.
pub const SPACE: &str = "\u{E00D}";
/// Arrow down.
pub const DOWN: &str = "\u{E015}";

impl Browser {
    /// Presses a key on the focused element.
    pub async fn key(&self, k: &str) {
        self.client
            .active_element()
            .await
            .expect("a focused element")
            .send_keys(k)
            .await
            .expect("a key");
    }

    /// Presses Tab until the element with this id has the focus.
    pub async fn tab_to(&self, id: &str) {
        for _ in 0..40 {
            let focused = self
                .js("return document.activeElement ? document.activeElement.id : '';")
                .await;
            if focused == id {
                return;
            }
            self.key(TAB).await;
        }
        panic!("Tab never reached #{id}");
    }
}

/// Every process below `root`, from /proc (children, their children…).
fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // `pid (comm) state ppid …`: the name may hold spaces and brackets.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut found = Vec::new();
    let mut queue = vec![root];
    while let Some(p) = queue.pop() {
        for (child, _) in parent_of.iter().filter(|(_, pp)| *pp == p) {
            if *child != root && !found.contains(child) {
                found.push(*child);
                queue.push(*child);
            }
        }
    }
    found
}

impl Browser {
    /// Opens the console with the staff token already given.
    pub async fn console(&self, app: &TestApp) {
        self.client.goto(&app.url("/healthz")).await.unwrap();
        self.js(&format!(
            "localStorage.setItem('quizbooth.admin_token', '{TOKEN}'); return true;"
        ))
        .await;
        self.client.goto(&app.url("/admin")).await.unwrap();
    }
}

/// A script expression: `document.querySelector(SEL).textContent`, or
/// `false` until the element exists (for `Browser::wait_js`).
pub fn text_of(sel: &str) -> String {
    format!(
        "document.querySelector({s}) && document.querySelector({s}).textContent",
        s = serde_json::to_string(sel).unwrap()
    )
}
