//! The pages and their bundles. Each page's scripts and styles are one
//! content-hashed bundle (`/assets/NAME.HASH.js`, `.css`) with a year-long
//! cache, so WeChat's stubborn cache can never mix an old script with a new
//! page, and a page carries only what it shows: the public draw page neither
//! the console's strings nor its styles. Scripts only some visitors need
//! (the screens after a result: practice, the share card) are a bundle of
//! their own, fetched when asked for, so the first visit stays light. The pages themselves are never
//! cached.
//!
//! A release build serves the files compiled into it (`include_str!`). A
//! debug build run where the crate's `web/` folder exists reads them from
//! disk instead and rebuilds the table when a file changes, so editing a
//! file and reloading the page shows it without a rebuild (a changed file
//! gets a new hash, so its bundle URL changes too).

use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

/// An asset held in memory with its content type.
#[derive(Debug, Clone)]
pub struct Asset {
    /// URL path.
    pub path: String,
    /// MIME type.
    pub content_type: &'static str,
    /// Bytes.
    pub body: Vec<u8>,
}

/// A page of the site, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The visitor page (`/`, `/kiosk`), with `__SET_JSON__` left for the
    /// start screen's data.
    Visitor,
    /// The public draw page (and the list of draws).
    Draw,
    /// The projector view.
    Show,
    /// The staff console.
    Admin,
    /// The printable poster.
    Poster,
    /// The printable report (SPEC §11).
    Report,
    /// The booth's big screen (`/wall`).
    Wall,
}

/// What a page is made of: its HTML, its bundle's name (the `NAME` of
/// `/assets/NAME.HASH.js`) and the files of its script and style bundles,
/// in order. The HTML links them as `__JS__` and `__CSS__`. Each of its
/// `later` bundles (a name and its scripts) is one the page loads when it
/// needs it: `/assets/after.HASH.js`, named in the HTML as `__AFTER_JS__`.
struct PageSpec {
    page: Page,
    html: &'static str,
    bundle: &'static str,
    scripts: &'static [&'static str],
    styles: &'static [&'static str],
    later: &'static [(&'static str, &'static [&'static str])],
}

const PAGES: &[PageSpec] = &[
    PageSpec {
        page: Page::Visitor,
        html: "index.html",
        bundle: "app",
        scripts: &["i18n.js", "strings.js", "seconds.js", "app.js"],
        styles: &["app.css"],
        later: &[("after", &["share.js", "after.js"])],
    },
    PageSpec {
        page: Page::Draw,
        html: "draw.html",
        bundle: "draw",
        scripts: &[
            "i18n.js",
            "strings-draw.js",
            "staff.js",
            "verify.js",
            "draw.js",
        ],
        styles: &["staff.css", "staff-draw.css"],
        later: &[],
    },
    PageSpec {
        page: Page::Show,
        html: "show.html",
        bundle: "show",
        scripts: &[
            "i18n.js",
            "strings-draw.js",
            "staff.js",
            "verify.js",
            "show.js",
        ],
        styles: &["staff.css", "staff-draw.css", "staff-show.css"],
        later: &[],
    },
    PageSpec {
        page: Page::Admin,
        html: "admin.html",
        bundle: "admin",
        scripts: &[
            "i18n.js",
            "strings-draw.js",
            "strings-admin.js",
            "staff.js",
            "admin.js",
            "admin-sets.js",
            "admin-stats.js",
            "admin-funnel.js",
            "admin-entries.js",
            "admin-draws.js",
            "admin-claims.js",
            "admin-poster.js",
            "admin-sources.js",
        ],
        styles: &[
            "staff.css",
            "staff-draw.css",
            "staff-show.css",
            "staff-admin.css",
            "staff-poster.css",
        ],
        later: &[],
    },
    PageSpec {
        page: Page::Poster,
        html: "poster.html",
        bundle: "poster",
        scripts: &[
            "i18n.js",
            "strings-draw.js",
            "strings-poster.js",
            "staff.js",
            "poster.js",
        ],
        styles: &["staff.css", "staff-poster.css"],
        later: &[],
    },
    PageSpec {
        page: Page::Report,
        html: "report.html",
        bundle: "report",
        scripts: &[
            "i18n.js",
            "strings-draw.js",
            "strings-report.js",
            "staff.js",
            "report-charts.js",
            "report.js",
        ],
        styles: &["staff.css", "staff-report.css"],
        later: &[],
    },
    PageSpec {
        page: Page::Wall,
        html: "wall.html",
        bundle: "wall",
        scripts: &[
            "i18n.js",
            "strings-draw.js",
            "strings-wall.js",
            "staff.js",
            "wall.js",
        ],
        styles: &["staff.css", "staff-wall.css"],
        later: &[],
    },
];

/// Every file of `web/` a page is made of, compiled in.
const FILES: &[(&str, &str)] = &[
    ("index.html", include_str!("../web/index.html")),
    ("draw.html", include_str!("../web/draw.html")),
    ("show.html", include_str!("../web/show.html")),
    ("admin.html", include_str!("../web/admin.html")),
    ("poster.html", include_str!("../web/poster.html")),
    ("report.html", include_str!("../web/report.html")),
    ("wall.html", include_str!("../web/wall.html")),
    ("app.css", include_str!("../web/app.css")),
    ("i18n.js", include_str!("../web/i18n.js")),
    ("strings.js", include_str!("../web/strings.js")),
    ("seconds.js", include_str!("../web/seconds.js")),
    ("app.js", include_str!("../web/app.js")),
    ("share.js", include_str!("../web/share.js")),
    ("after.js", include_str!("../web/after.js")),
    ("staff.css", include_str!("../web/staff.css")),
    ("staff-draw.css", include_str!("../web/staff-draw.css")),
    ("staff-show.css", include_str!("../web/staff-show.css")),
    ("staff-admin.css", include_str!("../web/staff-admin.css")),
    ("staff-poster.css", include_str!("../web/staff-poster.css")),
    ("staff-wall.css", include_str!("../web/staff-wall.css")),
    ("strings-draw.js", include_str!("../web/strings-draw.js")),
    ("strings-admin.js", include_str!("../web/strings-admin.js")),
    (
        "strings-poster.js",
        include_str!("../web/strings-poster.js"),
    ),
    ("strings-wall.js", include_str!("../web/strings-wall.js")),
    ("staff.js", include_str!("../web/staff.js")),
    ("verify.js", include_str!("../web/verify.js")),
    ("draw.js", include_str!("../web/draw.js")),
    ("show.js", include_str!("../web/show.js")),
    ("admin.js", include_str!("../web/admin.js")),
    ("admin-sets.js", include_str!("../web/admin-sets.js")),
    ("admin-stats.js", include_str!("../web/admin-stats.js")),
    ("admin-funnel.js", include_str!("../web/admin-funnel.js")),
    ("admin-entries.js", include_str!("../web/admin-entries.js")),
    ("admin-draws.js", include_str!("../web/admin-draws.js")),
    ("admin-claims.js", include_str!("../web/admin-claims.js")),
    ("admin-poster.js", include_str!("../web/admin-poster.js")),
    ("admin-sources.js", include_str!("../web/admin-sources.js")),
    ("poster.js", include_str!("../web/poster.js")),
    (
        "strings-report.js",
        include_str!("../web/strings-report.js"),
    ),
    ("staff-report.css", include_str!("../web/staff-report.css")),
    ("report-charts.js", include_str!("../web/report-charts.js")),
    ("report.js", include_str!("../web/report.js")),
    ("wall.js", include_str!("../web/wall.js")),
];

/// The staff and draw pages' files, also served one by one under
/// `/static/NAME` (for tools and a look at one file; the pages link their
/// bundles).
const STATIC_FILES: &[&str] = &[
    "i18n.js",
    "staff.css",
    "staff-draw.css",
    "staff-show.css",
    "staff-admin.css",
    "staff-poster.css",
    "staff-wall.css",
    "strings-draw.js",
    "strings-admin.js",
    "strings-poster.js",
    "strings-wall.js",
    "staff.js",
    "verify.js",
    "draw.js",
    "show.js",
    "admin.js",
    "admin-sets.js",
    "admin-stats.js",
    "admin-funnel.js",
    "admin-entries.js",
    "admin-draws.js",
    "admin-claims.js",
    "admin-poster.js",
    "admin-sources.js",
    "poster.js",
    "strings-report.js",
    "staff-report.css",
    "report-charts.js",
    "report.js",
    "wall.js",
];

/// Every page and asset, built from one reading of the files.
#[derive(Debug, Clone)]
pub struct Assets {
    /// Each page's HTML with its hashed bundle URLs filled in.
    pages: Vec<(Page, String)>,
    /// Every page's bundles (`/assets/NAME.HASH.js`, `/assets/NAME.HASH.css`).
    pub hashed: Vec<Asset>,
    /// The files under `/static/NAME`.
    pub statics: Vec<Asset>,
}

fn embedded(name: &str) -> &'static str {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, body)| body)
}

fn hashed(name: &str, ext: &str, content_type: &'static str, body: String) -> Asset {
    let hash = hex::encode(&Sha256::digest(body.as_bytes())[..6]);
    Asset {
        path: format!("/assets/{name}.{hash}.{ext}"),
        content_type,
        body: body.into_bytes(),
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// A script or style sheet without the block comment it opens with: that
/// comment documents the file for whoever edits it (its hooks, its
/// storage keys), and costs every phone's first visit some 1.2 KB on the
/// wire for nothing. Comments further down stay.
fn without_header(text: &str) -> &str {
    let body = text.trim_start();
    match body
        .strip_prefix("/*")
        .and_then(|rest| rest.find("*/").map(|end| &rest[end + 2..]))
    {
        Some(rest) => rest.trim_start_matches(['\r', '\n']),
        None => text,
    }
}

impl Assets {
    /// Builds the table from the files compiled in.
    pub fn build() -> Self {
        Self::build_with(|name| Cow::Borrowed(embedded(name)))
    }

    /// Builds the table from `dir` (a file that cannot be read there is
    /// taken from the binary).
    pub fn build_from(dir: &Path) -> Self {
        Self::build_with(|name| match std::fs::read_to_string(dir.join(name)) {
            Ok(text) => Cow::Owned(text),
            Err(_) => Cow::Borrowed(embedded(name)),
        })
    }

    fn build_with<'a>(read: impl Fn(&str) -> Cow<'a, str>) -> Self {
        let statics = STATIC_FILES
            .iter()
            .map(|name| Asset {
                path: format!("/static/{name}"),
                content_type: content_type(name),
                body: read(name).into_owned().into_bytes(),
            })
            .collect();
        let join = |files: &[&str]| {
            let texts: Vec<Cow<'_, str>> = files.iter().map(|f| read(f)).collect();
            let served: Vec<&str> = texts.iter().map(|t| without_header(t)).collect();
            served.join("\n")
        };
        let mut hashed_assets = Vec::new();
        let mut pages = Vec::new();
        for spec in PAGES {
            let js = hashed(spec.bundle, "js", content_type("x.js"), join(spec.scripts));
            let css = hashed(spec.bundle, "css", content_type("x.css"), join(spec.styles));
            let mut html = read(spec.html)
                .replace("__JS__", &js.path)
                .replace("__CSS__", &css.path);
            hashed_assets.push(js);
            hashed_assets.push(css);
            for (name, scripts) in spec.later {
                let js = hashed(name, "js", content_type("x.js"), join(scripts));
                html = html.replace(&format!("__{}_JS__", name.to_uppercase()), &js.path);
                hashed_assets.push(js);
            }
            pages.push((spec.page, html));
        }
        Self {
            pages,
            hashed: hashed_assets,
            statics,
        }
    }

    /// A page's HTML, its bundles linked.
    pub fn page(&self, page: Page) -> &str {
        self.pages
            .iter()
            .find(|(p, _)| *p == page)
            .map_or("", |(_, html)| html)
    }

    /// A hashed asset by path.
    pub fn hashed(&self, path: &str) -> Option<&Asset> {
        self.hashed.iter().find(|a| a.path == path)
    }

    /// A static file by path.
    pub fn static_file(&self, path: &str) -> Option<&Asset> {
        self.statics.iter().find(|a| a.path == path)
    }
}

/// When each file of a `web/` folder last changed, and its length.
type Stamp = Vec<Option<(SystemTime, u64)>>;

fn stamp(dir: &Path) -> Stamp {
    FILES
        .iter()
        .map(|(name, _)| {
            let meta = std::fs::metadata(dir.join(name)).ok()?;
            Some((meta.modified().ok()?, meta.len()))
        })
        .collect()
}

/// Where the pages come from: the binary, or (debug builds) the crate's
/// `web/` folder, rebuilt when a file there changes.
#[derive(Debug)]
pub struct Pages {
    dir: Option<PathBuf>,
    current: RwLock<(Stamp, Arc<Assets>)>,
}

impl Pages {
    /// The binary's files in a release build; in a debug build the crate's
    /// `web/` folder when it exists where the crate was built (a debug
    /// binary run elsewhere serves its own files).
    pub fn new() -> Self {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        Self::with_dir((cfg!(debug_assertions) && dir.is_dir()).then_some(dir))
    }

    /// Files from `dir` when given, else from the binary.
    pub fn with_dir(dir: Option<PathBuf>) -> Self {
        let (stamp, assets) = match &dir {
            Some(d) => (stamp(d), Assets::build_from(d)),
            None => (Vec::new(), Assets::build()),
        };
        Self {
            dir,
            current: RwLock::new((stamp, Arc::new(assets))),
        }
    }

    /// The folder read from disk, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The pages and assets as they are now.
    pub fn current(&self) -> Arc<Assets> {
        let Some(dir) = &self.dir else {
            return self.built();
        };
        let now = stamp(dir);
        {
            let held = self.current.read().unwrap_or_else(PoisonError::into_inner);
            if held.0 == now {
                return held.1.clone();
            }
        }
        let assets = Arc::new(Assets::build_from(dir));
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = (now, assets.clone());
        assets
    }

    fn built(&self) -> Arc<Assets> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clone()
    }
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Page; 7] = [
        Page::Visitor,
        Page::Draw,
        Page::Show,
        Page::Admin,
        Page::Poster,
        Page::Report,
        Page::Wall,
    ];

    #[test]
    fn a_files_opening_comment_is_not_served_and_the_rest_is() {
        let js = "/* hooks: #start\n   storage */\nvar A = 1; /* kept */\n";
        assert_eq!(without_header(js), "var A = 1; /* kept */\n");
        assert_eq!(without_header("\n/* x */\r\n.a{}"), ".a{}");
        assert_eq!(without_header("var B = '/* no */';"), "var B = '/* no */';");
        assert_eq!(without_header("// line\nvar C;"), "// line\nvar C;");
        assert_eq!(without_header("/* never closed"), "/* never closed");
        let a = Assets::build();
        let app = a
            .hashed
            .iter()
            .find(|x| x.path.starts_with("/assets/app.") && x.path.ends_with(".js"));
        let app = String::from_utf8(app.unwrap().body.clone()).unwrap();
        assert!(
            !app.contains("Hooks for automated browser tests"),
            "app.js's header"
        );
        assert!(app.contains("var QuizSeconds"), "the code stays");
    }

    #[test]
    fn the_page_points_at_its_hashed_assets() {
        let a = Assets::build();
        let index = a.page(Page::Visitor);
        assert!(
            index.contains("__SET_JSON__"),
            "the start data is filled per request"
        );
        for asset in a
            .hashed
            .iter()
            .filter(|x| x.path.starts_with("/assets/app."))
        {
            assert!(index.contains(&asset.path), "{} linked", asset.path);
        }
        assert!(
            !index.contains("http://") && !index.contains("https://"),
            "no third-party host"
        );
        for page in ALL {
            let html = a.page(page);
            assert!(
                !html.contains("__JS__") && !html.contains("__CSS__") && !html.contains("/static/"),
                "{page:?}"
            );
            let links = a.hashed.iter().filter(|x| html.contains(&x.path)).count();
            let later = PAGES.iter().find(|s| s.page == page).unwrap().later.len();
            assert_eq!(
                links,
                2 + later,
                "{page:?} links its script and its style bundle, and what it loads later"
            );
            assert!(
                !html.contains("_JS__"),
                "{page:?}: every later bundle named"
            );
        }
        let draw_js = a
            .hashed
            .iter()
            .find(|x| x.path.starts_with("/assets/draw.") && x.path.ends_with(".js"))
            .unwrap();
        let text = String::from_utf8_lossy(&draw_js.body);
        assert!(
            !text.contains("claims_title") && !text.contains("pk_answer_not_option"),
            "the public draw page carries no console strings"
        );
    }

    #[test]
    fn every_file_a_page_names_is_compiled_in() {
        for spec in PAGES {
            for name in spec
                .scripts
                .iter()
                .chain(spec.styles)
                .chain(spec.later.iter().flat_map(|(_, files)| files.iter()))
                .chain([&spec.html])
            {
                assert!(!embedded(name).is_empty(), "{name} is in FILES");
            }
        }
        for name in STATIC_FILES {
            assert!(!embedded(name).is_empty(), "{name} is in FILES");
        }
    }

    #[test]
    fn a_debug_build_serves_what_is_on_disk_and_sees_a_change() {
        let dir = std::env::temp_dir().join(format!("quizbooth-pages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, body) in FILES {
            std::fs::write(dir.join(name), body).unwrap();
        }
        let pages = Pages::with_dir(Some(dir.clone()));
        let before = pages.current();
        let compiled = Assets::build();
        assert_eq!(
            before.page(Page::Draw),
            compiled.page(Page::Draw),
            "the same files make the same page and hashes"
        );
        let old_css = before
            .hashed
            .iter()
            .find(|x| x.path.starts_with("/assets/draw.") && x.path.ends_with(".css"))
            .unwrap()
            .path
            .clone();
        std::fs::write(
            dir.join("staff-draw.css"),
            format!(
                "{}\n.edited {{ color: red; }}\n",
                embedded("staff-draw.css")
            ),
        )
        .unwrap();
        let after = pages.current();
        assert!(
            !after.page(Page::Draw).contains(&old_css),
            "the edited bundle gets a new URL"
        );
        let new_css = after
            .hashed
            .iter()
            .find(|x| x.path.starts_with("/assets/draw.") && x.path.ends_with(".css"))
            .unwrap();
        assert!(after.page(Page::Draw).contains(&new_css.path));
        assert!(String::from_utf8_lossy(&new_css.body).contains(".edited"));
        assert_eq!(
            after.page(Page::Visitor),
            before.page(Page::Visitor),
            "pages without the file keep their bundles"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn without_a_folder_the_compiled_files_are_served() {
        let pages = Pages::with_dir(None);
        assert!(pages.dir().is_none());
        assert_eq!(
            pages.current().page(Page::Admin),
            Assets::build().page(Page::Admin)
        );
    }
}
