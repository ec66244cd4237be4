//! Spreadsheet files as [`Grid`]s: `.xlsx` workbooks (calamine) and CSV
//! files (UTF-8 with or without BOM, or GB18030 as Chinese Excel saves
//! them). A workbook is a zip whose parts can inflate a thousandfold, so it
//! is unpacked once into nothing first, refused past [`MAX_UNPACKED_BYTES`],
//! its shared-strings table (which the reader keeps whole in memory, a few
//! dozen bytes a string whatever the string) refused past
//! [`MAX_SHARED_STRINGS`] strings or [`MAX_SHARED_STRINGS_BYTES`], and its
//! cells are read one at a time (never as a rectangle sized by the farthest
//! cell), at most [`MAX_CELLS`] of them.

use super::{Grid, MAX_COLUMNS, MAX_ROWS, QUESTIONS};
use calamine::{DataRef, Reader, Xlsx};
use std::io::{Cursor, Read};

/// Most bytes a workbook may unpack to (a 5,000-question bank is ~5 MB).
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Most parts in a workbook's zip.
pub const MAX_PARTS: usize = 1000;
/// Most non-empty cells read from a workbook.
pub const MAX_CELLS: usize = 200_000;
/// Most strings in a workbook's shared-strings table, counted or declared
/// (a 5,000-question bank has some 50,000).
pub const MAX_SHARED_STRINGS: u64 = 100_000;
/// Most bytes of a workbook's shared-strings part, unpacked.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 16 * 1024 * 1024;

/// Why a spreadsheet file could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// Not a zip / not an xlsx.
    #[error("this is not an Excel workbook (.xlsx): {0}. Save it from Excel or WPS as \"Excel 工作簿 (*.xlsx)\"")]
    NotXlsx(String),
    /// Too big once unpacked.
    #[error("the workbook unpacks to more than {} MB; a question bank is far smaller, so it is refused", MAX_UNPACKED_BYTES / 1024 / 1024)]
    TooBig,
    /// A shared-strings table no question bank has.
    #[error("the workbook's shared-strings table (xl/sharedStrings.xml) holds more than {MAX_SHARED_STRINGS} strings or {} MB; a question bank has far fewer, so it is refused", MAX_SHARED_STRINGS_BYTES / 1024 / 1024)]
    TooManyStrings,
    /// Too many cells.
    #[error("the workbook has more than {MAX_CELLS} filled cells; a question bank has far fewer, so it is refused")]
    TooManyCells,
    /// A CSV that is neither UTF-8 nor GB18030.
    #[error("the CSV file is neither UTF-8 nor GB18030 text; save it as \"CSV UTF-8 (逗号分隔)\"")]
    NotText,
    /// A CSV the reader gave up on.
    #[error("the CSV file cannot be read: {0}")]
    BadCsv(String),
}

impl ReadError {
    /// The problem a bank upload reports, at the file's start, with its
    /// kind (`check` and the console say it in Chinese first).
    pub fn problem(&self) -> crate::bank::Problem {
        let p = crate::bank::Problem::error(1, 1, self.to_string());
        match self {
            Self::NotXlsx(_) => p.of_kind("not_xlsx", &[]),
            Self::TooBig => p.of_kind(
                "workbook_too_big",
                &[("mb", &(MAX_UNPACKED_BYTES / 1024 / 1024).to_string())],
            ),
            Self::TooManyStrings => p.of_kind(
                "too_many_strings",
                &[
                    ("n", &MAX_SHARED_STRINGS.to_string()),
                    ("mb", &(MAX_SHARED_STRINGS_BYTES / 1024 / 1024).to_string()),
                ],
            ),
            Self::TooManyCells => p.of_kind("too_many_cells", &[("n", &MAX_CELLS.to_string())]),
            Self::NotText => p.of_kind("csv_not_text", &[]),
            Self::BadCsv(_) => p.of_kind("bad_csv", &[]),
        }
    }
}

/// Unpacks every part into nothing, counting: refuses a zip bomb whatever
/// sizes its headers declare.
fn check_zip(bytes: &[u8]) -> Result<(), ReadError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::NotXlsx(e.to_string()))?;
    if zip.len() > MAX_PARTS {
        return Err(ReadError::TooBig);
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| ReadError::NotXlsx(e.to_string()))?;
        if part.size() > MAX_UNPACKED_BYTES - total {
            return Err(ReadError::TooBig);
        }
        if part
            .name_raw()
            .to_ascii_lowercase()
            .ends_with(b"sharedstrings.xml")
        {
            let declared = part.size();
            total += check_shared_strings(&mut part, declared)?;
            continue;
        }
        let left = MAX_UNPACKED_BYTES - total;
        let n = std::io::copy(&mut part.take(left + 1), &mut std::io::sink())
            .map_err(|e| ReadError::NotXlsx(e.to_string()))?;
        total += n;
        if total > MAX_UNPACKED_BYTES {
            return Err(ReadError::TooBig);
        }
    }
    Ok(())
}

/// Reads a shared-strings part (at most [`MAX_SHARED_STRINGS_BYTES`] of
/// it) and counts its strings and the count it declares (which the reader
/// reserves room for up front); its unpacked size.
fn check_shared_strings(part: &mut impl Read, declared: u64) -> Result<u64, ReadError> {
    if declared > MAX_SHARED_STRINGS_BYTES {
        return Err(ReadError::TooManyStrings);
    }
    let mut xml = Vec::with_capacity(declared as usize + 1);
    part.take(MAX_SHARED_STRINGS_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|e| ReadError::NotXlsx(e.to_string()))?;
    if xml.len() as u64 > MAX_SHARED_STRINGS_BYTES {
        return Err(ReadError::TooManyStrings);
    }
    let (strings, declared) = count_shared_strings(&xml);
    if strings > MAX_SHARED_STRINGS || declared > MAX_SHARED_STRINGS {
        return Err(ReadError::TooManyStrings);
    }
    Ok(xml.len() as u64)
}

/// The `<si>` elements of a shared-strings part (with or without a
/// namespace prefix), and the largest `count`/`uniqueCount` its `<sst>`
/// declares.
fn count_shared_strings(xml: &[u8]) -> (u64, u64) {
    let (mut strings, mut declared) = (0u64, 0u64);
    let mut rest = xml;
    while let Some(at) = rest.iter().position(|&b| b == b'<') {
        rest = &rest[at + 1..];
        let end = rest
            .iter()
            .position(|b| b" \t\r\n/>".contains(b))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        match local {
            b"si" => strings += 1,
            b"sst" => {
                let tag_end = rest.iter().position(|&b| b == b'>').unwrap_or(rest.len());
                declared = declared.max(declared_count(&rest[end..tag_end]));
            }
            _ => {}
        }
    }
    (strings, declared)
}

/// The largest number given to a `count` or `uniqueCount` attribute (a
/// number too long to read counts as too many).
fn declared_count(attributes: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(attributes);
    let mut most = 0;
    for (at, _) in text.match_indices("ount") {
        let value = text[at + 4..]
            .trim_start()
            .strip_prefix('=')
            .map(str::trim_start)
            .and_then(|v| v.strip_prefix(['"', '\'']));
        if let Some(v) = value {
            let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
            most = most.max(digits.parse::<u64>().unwrap_or(u64::MAX));
        }
    }
    most
}

/// A cell as the text it shows: a whole number without `.0`, a date-time
/// as RFC 3339 at +08:00 (Excel keeps no zone; the booths are in China).
fn cell_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(t) if d.is_datetime() => format!("{}+08:00", t.format("%Y-%m-%dT%H:%M:%S")),
            _ => number_text(d.as_f64()),
        },
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// `12377.0` → `12377`; other numbers as Rust prints them (`0.5`).
pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// Reads every sheet of a workbook.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Grid>, ReadError> {
    check_zip(bytes)?;
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::NotXlsx(e.to_string()))?;
    let mut grids = Vec::new();
    let mut cells = 0usize;
    for name in book.sheet_names() {
        let mut grid = Grid {
            name: name.clone(),
            rows: Vec::new(),
        };
        let mut reader = book
            .worksheet_cells_reader(&name)
            .map_err(|e| ReadError::NotXlsx(e.to_string()))?;
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| ReadError::NotXlsx(e.to_string()))?
        {
            let (row, col) = cell.get_position();
            let (row, col) = (row as usize, col as usize);
            let text = cell_text(cell.get_value());
            if text.is_empty() {
                continue;
            }
            cells += 1;
            if cells > MAX_CELLS {
                return Err(ReadError::TooManyCells);
            }
            // Far cells are not a bank's: they are left out, not allocated.
            if row >= MAX_ROWS || col >= MAX_COLUMNS {
                continue;
            }
            if grid.rows.len() <= row {
                grid.rows.resize_with(row + 1, Vec::new);
            }
            let r = &mut grid.rows[row];
            if r.len() <= col {
                r.resize(col + 1, String::new());
            }
            r[col] = text;
        }
        grids.push(grid);
    }
    Ok(grids)
}

/// Reads a CSV file as the `题目` sheet.
pub fn read_csv(bytes: &[u8]) -> Result<Grid, ReadError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::BadCsv(e.to_string()))?;
        if rows.len() >= MAX_ROWS {
            break;
        }
        rows.push(record.iter().take(MAX_COLUMNS).map(str::to_owned).collect());
    }
    Ok(Grid {
        name: QUESTIONS.to_owned(),
        rows,
    })
}

/// UTF-8 (a BOM dropped), else GB18030.
fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(ReadError::NotText);
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_reads_as_utf8_with_or_without_bom_and_as_gb18030() {
        let text = "题型,题目,答案\n单选,举报电话是？,B\n";
        let utf8 = read_csv(text.as_bytes()).unwrap();
        let bom = read_csv(&[b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()).unwrap();
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let gb = read_csv(&gb).unwrap();
        for g in [&utf8, &bom, &gb] {
            assert_eq!(g.rows[0], ["题型", "题目", "答案"]);
            assert_eq!(g.rows[1][1], "举报电话是？");
        }
        assert_eq!(
            read_csv(&[0xFF, 0xFE, 0x00, 0xD8]).unwrap_err(),
            ReadError::NotText
        );
    }

    #[test]
    fn shared_strings_are_counted_as_the_reader_would_keep_them() {
        let xml = br#"<?xml version="1.0"?><sst xmlns="x" count="7" uniqueCount="3"><si><t>a</t></si><si><t/></si><x:si><x:t>b</x:t></x:si><sis/></sst>"#;
        assert_eq!(count_shared_strings(xml), (3, 7));
        let big = br#"<sst uniqueCount = '99999999999999999999999'></sst>"#;
        assert_eq!(count_shared_strings(big), (0, u64::MAX));
    }

    #[test]
    fn numbers_read_as_they_show() {
        assert_eq!(number_text(12377.0), "12377");
        assert_eq!(number_text(0.5), "0.5");
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_read() {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..(MAX_UNPACKED_BYTES / (1024 * 1024) + 1) {
                zip.write_all(&zeros).unwrap();
            }
            zip.finish().unwrap();
        }
        let bytes = out.into_inner();
        assert!(
            bytes.len() < 1024 * 1024,
            "small on disk: {} bytes",
            bytes.len()
        );
        assert_eq!(read_xlsx(&bytes).unwrap_err(), ReadError::TooBig);
        assert!(matches!(
            read_xlsx(b"not a zip"),
            Err(ReadError::NotXlsx(_))
        ));
    }
}
