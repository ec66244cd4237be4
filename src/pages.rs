//! The pages, compiled into the binary. The visitor page's script and style
//! are served under content-hashed names with a year-long cache, so WeChat's
//! stubborn cache can never mix an old script with a new page; `/` itself is
//! never cached.

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
    /// Hashed visitor assets (`/assets/app.HASH.js`, `/assets/app.HASH.css`).
    pub hashed: Vec<Asset>,
    /// Staff and draw pages' files under `/static/NAME`.
    pub statics: Vec<Asset>,
}

const INDEX_HTML: &str = include_str!("../web/index.html");
const APP_CSS: &str = include_str!("../web/app.css");
const STRINGS_JS: &str = include_str!("../web/strings.js");
const APP_JS: &str = include_str!("../web/app.js");

/// Files served as they are under `/static/`.
const STATIC_FILES: &[(&str, &str)] = &[
    ("staff.css", include_str!("../web/staff.css")),
    ("verify.js", include_str!("../web/verify.js")),
    ("strings-draw.js", include_str!("../web/strings-draw.js")),
    ("draw.js", include_str!("../web/draw.js")),
    ("show.js", include_str!("../web/show.js")),
    ("admin.js", include_str!("../web/admin.js")),
    ("admin-claims.js", include_str!("../web/admin-claims.js")),
    ("poster.js", include_str!("../web/poster.js")),
];

/// The draw pages' HTML.
pub const DRAW_HTML: &str = include_str!("../web/draw.html");
/// The projector page.
pub const SHOW_HTML: &str = include_str!("../web/show.html");
/// The staff console.
pub const ADMIN_HTML: &str = include_str!("../web/admin.html");
/// The printable A4 poster.
pub const POSTER_HTML: &str = include_str!("../web/poster.html");

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
        Self {
            index_html,
            hashed: vec![js, css],
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
        for asset in &a.hashed {
            assert!(a.index_html.contains(&asset.path), "{} linked", asset.path);
        }
        assert!(
            !a.index_html.contains("http://") && !a.index_html.contains("https://"),
            "no third-party host"
        );
    }
}
