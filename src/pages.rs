//! The pages, compiled into the binary. Each page's scripts and styles are
//! one content-hashed bundle (`/assets/NAME.HASH.js`, `.css`) with a
//! year-long cache, so WeChat's stubborn cache can never mix an old script
//! with a new page, and a page carries only what it shows: the public draw
//! page neither the console's strings nor its styles. The pages themselves
//! are never cached.

use sha2::{Digest, Sha256};

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

/// Every embedded page and asset.
#[derive(Debug, Clone)]
pub struct Assets {
    /// The visitor page with hashed asset URLs filled in.
    pub index_html: String,
    /// The public draw page (and the list of draws).
    pub draw_html: String,
    /// The projector view.
    pub show_html: String,
    /// The staff console.
    pub admin_html: String,
    /// The printable poster.
    pub poster_html: String,
    /// Every page's bundles (`/assets/NAME.HASH.js`, `/assets/NAME.HASH.css`).
    pub hashed: Vec<Asset>,
    /// The files the bundles are made of, under `/static/NAME` (for tools
    /// and a look at one file; the pages link their bundles).
    pub statics: Vec<Asset>,
}

const INDEX_HTML: &str = include_str!("../web/index.html");
const APP_CSS: &str = include_str!("../web/app.css");
const STRINGS_JS: &str = include_str!("../web/strings.js");
const APP_JS: &str = include_str!("../web/app.js");

/// The staff and draw pages' files.
const STATIC_FILES: &[(&str, &str)] = &[
    ("staff.css", include_str!("../web/staff.css")),
    ("staff-draw.css", include_str!("../web/staff-draw.css")),
    ("staff-show.css", include_str!("../web/staff-show.css")),
    ("staff-admin.css", include_str!("../web/staff-admin.css")),
    ("staff-poster.css", include_str!("../web/staff-poster.css")),
    ("strings-draw.js", include_str!("../web/strings-draw.js")),
    ("strings-admin.js", include_str!("../web/strings-admin.js")),
    ("staff.js", include_str!("../web/staff.js")),
    ("verify.js", include_str!("../web/verify.js")),
    ("draw.js", include_str!("../web/draw.js")),
    ("show.js", include_str!("../web/show.js")),
    ("admin.js", include_str!("../web/admin.js")),
    ("admin-sets.js", include_str!("../web/admin-sets.js")),
    ("admin-stats.js", include_str!("../web/admin-stats.js")),
    ("admin-entries.js", include_str!("../web/admin-entries.js")),
    ("admin-draws.js", include_str!("../web/admin-draws.js")),
    ("admin-claims.js", include_str!("../web/admin-claims.js")),
    ("admin-poster.js", include_str!("../web/admin-poster.js")),
    ("poster.js", include_str!("../web/poster.js")),
];

/// Each staff or draw page: its HTML, and the files of its script and its
/// style bundle, in order.
const PAGES: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "draw",
        include_str!("../web/draw.html"),
        &["strings-draw.js", "staff.js", "verify.js", "draw.js"],
        &["staff.css", "staff-draw.css"],
    ),
    (
        "show",
        include_str!("../web/show.html"),
        &["strings-draw.js", "staff.js", "verify.js", "show.js"],
        &["staff.css", "staff-draw.css", "staff-show.css"],
    ),
    (
        "admin",
        include_str!("../web/admin.html"),
        &[
            "strings-draw.js",
            "strings-admin.js",
            "staff.js",
            "admin.js",
            "admin-sets.js",
            "admin-stats.js",
            "admin-entries.js",
            "admin-draws.js",
            "admin-claims.js",
            "admin-poster.js",
        ],
        &[
            "staff.css",
            "staff-draw.css",
            "staff-show.css",
            "staff-admin.css",
            "staff-poster.css",
        ],
    ),
    (
        "poster",
        include_str!("../web/poster.html"),
        &["strings-draw.js", "staff.js", "poster.js"],
        &["staff.css", "staff-poster.css"],
    ),
];

fn file(name: &str) -> &'static str {
    STATIC_FILES
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

impl Assets {
    /// Builds the asset table once at start.
    pub fn build() -> Self {
        let js = hashed(
            "app",
            "js",
            content_type("x.js"),
            format!("{STRINGS_JS}\n{APP_JS}"),
        );
        let css = hashed("app", "css", content_type("x.css"), APP_CSS.to_owned());
        let index_html = INDEX_HTML
            .replace("__APP_JS__", &js.path)
            .replace("__APP_CSS__", &css.path);
        let statics = STATIC_FILES
            .iter()
            .map(|(name, body)| Asset {
                path: format!("/static/{name}"),
                content_type: content_type(name),
                body: body.as_bytes().to_vec(),
            })
            .collect();
        let mut hashed_assets = vec![js, css];
        let mut pages = Vec::new();
        for (name, html, scripts, styles) in PAGES {
            let join =
                |files: &[&str]| files.iter().map(|f| file(f)).collect::<Vec<_>>().join("\n");
            let js = hashed(name, "js", content_type("x.js"), join(scripts));
            let css = hashed(name, "css", content_type("x.css"), join(styles));
            pages.push(
                html.replace("__JS__", &js.path)
                    .replace("__CSS__", &css.path),
            );
            hashed_assets.push(js);
            hashed_assets.push(css);
        }
        let [draw_html, show_html, admin_html, poster_html]: [String; 4] =
            pages.try_into().unwrap_or_default();
        Self {
            index_html,
            draw_html,
            show_html,
            admin_html,
            poster_html,
            hashed: hashed_assets,
            statics,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_points_at_its_hashed_assets() {
        let a = Assets::build();
        assert!(!a.index_html.contains("__APP_JS__") && !a.index_html.contains("__APP_CSS__"));
        for asset in a
            .hashed
            .iter()
            .filter(|x| x.path.starts_with("/assets/app."))
        {
            assert!(a.index_html.contains(&asset.path), "{} linked", asset.path);
        }
        assert!(
            !a.index_html.contains("http://") && !a.index_html.contains("https://"),
            "no third-party host"
        );
        for html in [&a.draw_html, &a.show_html, &a.admin_html, &a.poster_html] {
            assert!(
                !html.contains("__JS__") && !html.contains("__CSS__") && !html.contains("/static/")
            );
            assert!(html.contains("/assets/"), "each page links its bundles");
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
}
