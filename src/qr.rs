//! QR codes of the visitor URL: PNG, SVG, and text for the terminal.

use image::Luma;
use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

/// Medium error correction: survives a smudged poster, keeps modules large.
pub const EC_LEVEL: EcLevel = EcLevel::M;
/// Quiet zone in modules (the standard asks for 4).
pub const QUIET_ZONE: bool = true;

fn code(url: &str) -> Result<QrCode, qrcode::types::QrError> {
    QrCode::with_error_correction_level(url.as_bytes(), EC_LEVEL)
}

/// A PNG about `size` pixels wide.
pub fn png(url: &str, size: u32) -> anyhow::Result<Vec<u8>> {
    let code = code(url)?;
    let img = code
        .render::<Luma<u8>>()
        .quiet_zone(QUIET_ZONE)
        .min_dimensions(size, size)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

/// An SVG document.
pub fn svg(url: &str) -> anyhow::Result<String> {
    let code = code(url)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .quiet_zone(QUIET_ZONE)
        .min_dimensions(256, 256)
        .build())
}

/// Text drawn with half-block characters, two modules per character row.
pub fn terminal(url: &str) -> anyhow::Result<String> {
    let code = code(url)?;
    Ok(code
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .quiet_zone(QUIET_ZONE)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_format() {
        let url = "http://192.168.1.20:8080";
        let bytes = png(url, 300).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let img = image::load_from_memory(&bytes).unwrap();
        assert!(img.width() >= 300);
        assert!(svg(url).unwrap().starts_with("<?xml"));
        assert!(terminal(url).unwrap().lines().count() > 10);
    }
}
