//! The verifiable draw (SPEC §5) — pure, no I/O.
//!
//! 1. [`commit`]: the pool's codes, sorted ascending by bytes, each followed by
//!    `"\n"`, make `entries.txt`; its lowercase hex SHA-256 is the
//!    `entries_digest`.
//! 2. [`seed`]: `SHA-256(entries_digest + ":" + public_seed)`, where a
//!    reveal's `public_seed` is the digits of what staff typed
//!    ([`digit_seed`]: one call, one seed) and a verifier accepts any
//!    printable-ASCII seed a draw was published with ([`normalise_seed`]).
//! 3. [`Stream`]: the j-th number is the first 8 bytes, big-endian, of
//!    `SHA-256(seed ‖ j as u64 big-endian)`.
//! 4. [`pick`]: per winner, `m = len(pool)`; numbers are drawn until one is
//!    below `2^64 − (2^64 mod m)` ([`acceptance_limit`]); the winner is
//!    `pool.remove(number mod m)`, the rest keeping their order.
//!
//! `tests/fixtures/draw_vectors.py` is an independent reference in Python; the
//! golden vectors it prints (`tests/fixtures/draw_vectors.json`) are checked by
//! the tests at the bottom of this file.

use sha2::{Digest, Sha256};
use std::fmt;

/// The committed pool: sorted codes, the entries.txt text and its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    /// The pool's codes, sorted ascending by bytes, without duplicates.
    pub pool: Vec<String>,
    /// `entries.txt`: every code of `pool` followed by `"\n"`.
    pub entries_txt: String,
    /// `entries_digest`: lowercase hex SHA-256 of `entries_txt`.
    pub digest: String,
}

/// Build the commitment from the pool's codes in any order (sorted ascending by bytes, duplicates removed).
///
/// # Panics
///
/// If a code is empty or holds a `'\n'` or `'\r'`: `entries.txt` could not be
/// read back line by line ([`parse_entries_txt`]). Entry codes never do.
pub fn commit<I, S>(codes: I) -> Commitment
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut pool: Vec<String> = codes.into_iter().map(Into::into).collect();
    // `str`'s ordering is the lexicographic order of its UTF-8 bytes.
    pool.sort_unstable();
    pool.dedup();
    let mut entries_txt = String::with_capacity(pool.iter().map(|code| code.len() + 1).sum());
    for code in &pool {
        assert!(
            !code.is_empty() && !code.contains(['\n', '\r']),
            "an entry code must be non-empty and on one line: {code:?}"
        );
        entries_txt.push_str(code);
        entries_txt.push('\n');
    }
    let digest = sha256_hex(entries_txt.as_bytes());
    Commitment {
        pool,
        entries_txt,
        digest,
    }
}

/// Lowercase hex SHA-256 of a text.
pub fn sha256_hex(text: &[u8]) -> String {
    hex::encode(Sha256::digest(text))
}

/// Longest public seed, in characters, after normalising.
pub const SEED_MAX_CHARS: usize = 200;

/// Why a typed public seed cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedError {
    /// Nothing left after trimming.
    Empty,
    /// Longer than [`SEED_MAX_CHARS`] after normalising.
    TooLong(usize),
    /// A character other than printable ASCII (U+0020 to U+007E), at this
    /// 1-based position of the normalised seed.
    NotPrintableAscii {
        /// 1-based position in the normalised seed.
        position: usize,
        /// The character's code point, e.g. `U+200B`.
        code_point: String,
    },
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeedError::Empty => f.write_str("the public seed is empty"),
            SeedError::TooLong(n) => write!(
                f,
                "the public seed is {n} characters long; at most {SEED_MAX_CHARS}"
            ),
            SeedError::NotPrintableAscii {
                position,
                code_point,
            } => write!(
                f,
                "character {position} of the public seed is {code_point}: only digits, \
                 letters, spaces and the punctuation of a plain keyboard (printable ASCII) \
                 are allowed, so that the seed everyone sees is the seed that was hashed"
            ),
        }
    }
}

impl std::error::Error for SeedError {}

/// A published public seed as the verifiers read it (`draw-verify`, the
/// public page): older draws were revealed under this rule, new ones hold
/// digits only ([`digit_seed`]), and both still verify. Trimmed of
/// ASCII white space (tab, line feed, vertical tab, form feed, carriage
/// return, space), every run of spaces made one space; then 1 to
/// [`SEED_MAX_CHARS`] characters, each printable ASCII (U+0020 to U+007E).
/// No invisible or look-alike character can get through, so the seed the
/// audience reads is byte for byte the seed that was hashed.
pub fn normalise_seed(raw: &str) -> Result<String, SeedError> {
    let trimmed = raw.trim_matches(|c| matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' '));
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    if out.is_empty() {
        return Err(SeedError::Empty);
    }
    if let Some((i, c)) = out
        .chars()
        .enumerate()
        .find(|(_, c)| !(' '..='~').contains(c))
    {
        return Err(SeedError::NotPrintableAscii {
            position: i + 1,
            code_point: format!("U+{:04X}", u32::from(c)),
        });
    }
    if out.len() > SEED_MAX_CHARS {
        return Err(SeedError::TooLong(out.len()));
    }
    Ok(out)
}

/// Most digits a reveal's seed may have, and the largest `seed_digits`.
pub const SEED_DIGITS_MAX: usize = 64;

/// What a reveal removes from the typed seed before counting its digits
/// (SPEC §5.2): the ASCII space and `, . - + / : ;`, the ways people write
/// down numbers called out one by one.
pub const SEED_SEPARATORS: [char; 8] = [' ', ',', '.', '-', '+', '/', ':', ';'];

/// Why a typed seed cannot reveal a draw (SPEC §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigitSeedError {
    /// No digit at all.
    Empty,
    /// A character that is neither an ASCII digit nor a separator, at this
    /// 1-based position of what was typed: refused, never converted.
    NotADigit {
        /// 1-based position in the typed text, in characters.
        position: usize,
        /// The character's code point, e.g. `U+FF11`.
        code_point: String,
    },
    /// More than [`SEED_DIGITS_MAX`] digits (this many).
    TooLong(usize),
    /// Not the number of digits the draw was committed with.
    WrongCount {
        /// The draw's `seed_digits`.
        expected: usize,
        /// Digits typed.
        got: usize,
    },
}

impl fmt::Display for DigitSeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigitSeedError::Empty => f.write_str("the public seed holds no digit"),
            DigitSeedError::NotADigit {
                position,
                code_point,
            } => write!(
                f,
                "character {position} of the public seed is {code_point}: a seed is digits 0-9 \
                 only (spaces and , . - + / : ; between them are dropped); nothing else is \
                 accepted or converted, so that one call gives one seed"
            ),
            DigitSeedError::TooLong(n) => write!(
                f,
                "the public seed has {n} digits; at most {SEED_DIGITS_MAX}"
            ),
            DigitSeedError::WrongCount { expected, got } => write!(
                f,
                "this draw was committed for a seed of exactly {expected} digits; {got} were given"
            ),
        }
    }
}

impl std::error::Error for DigitSeedError {}

/// The seed a reveal hashes and publishes (SPEC §5.2): the ASCII digits of
/// what staff typed, with [`SEED_SEPARATORS`] removed; 1 to
/// [`SEED_DIGITS_MAX`] of them, and exactly `digits` when the draw was
/// committed with `seed_digits`. Any other character (a letter, a tab, a
/// full-width digit, an invisible one) is refused, never converted: every
/// way of writing down one call gives the same seed, and only that one.
pub fn digit_seed(raw: &str, digits: Option<usize>) -> Result<String, DigitSeedError> {
    let mut out = String::with_capacity(raw.len());
    for (i, c) in raw.chars().enumerate() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if !SEED_SEPARATORS.contains(&c) {
            return Err(DigitSeedError::NotADigit {
                position: i + 1,
                code_point: format!("U+{:04X}", u32::from(c)),
            });
        }
    }
    if out.is_empty() {
        return Err(DigitSeedError::Empty);
    }
    if out.len() > SEED_DIGITS_MAX {
        return Err(DigitSeedError::TooLong(out.len()));
    }
    match digits {
        Some(expected) if expected != out.len() => Err(DigitSeedError::WrongCount {
            expected,
            got: out.len(),
        }),
        _ => Ok(out),
    }
}

/// seed = SHA-256(entries_digest + ":" + public_seed)
///
/// Both strings are hashed as UTF-8, verbatim: `public_seed` is neither trimmed
/// nor normalised, and `entries_digest` should be the lowercase hex digest.
pub fn seed(entries_digest: &str, public_seed: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(entries_digest.as_bytes());
    hasher.update(b":");
    hasher.update(public_seed.as_bytes());
    hasher.finalize().into()
}

/// The draw's random stream: j-th number = first 8 bytes BE of SHA-256(seed ‖ j as u64 BE).
#[derive(Debug, Clone)]
pub struct Stream {
    seed: [u8; 32],
    next_index: u64,
}

impl Stream {
    /// A stream positioned at its first number (j = 0).
    pub fn new(seed: [u8; 32]) -> Self {
        Stream {
            seed,
            next_index: 0,
        }
    }

    /// The next number of the stream (j = 0, 1, 2, …).
    pub fn next_u64(&mut self) -> u64 {
        let mut hasher = Sha256::new();
        hasher.update(self.seed);
        hasher.update(self.next_index.to_be_bytes());
        let block = hasher.finalize();
        self.next_index += 1;
        let mut first = [0u8; 8];
        first.copy_from_slice(&block[..8]);
        u64::from_be_bytes(first)
    }
}

/// `2^64 − (2^64 mod m)`: for a pool of `m` codes, a number of the stream is
/// used only when below this limit (it is `2^64` itself, so every number is
/// used, when `m` is a power of two). As a `u128`, since `2^64` does not fit a
/// `u64`.
///
/// # Panics
///
/// If `m` is 0.
pub fn acceptance_limit(m: u64) -> u128 {
    assert!(m > 0, "no acceptance limit for an empty pool");
    let two_64 = 1u128 << 64;
    two_64 - two_64 % u128::from(m)
}

/// Pick `winners` codes from the sorted pool (SPEC §5 step 4: rejection sampling below 2^64 − (2^64 mod m), index = n mod m, pool.remove(index) keeping order). Returns winners in pick order.
///
/// `pool` must be the committed pool ([`Commitment::pool`]: sorted ascending by
/// bytes, no duplicates); it is not sorted here. When `winners` is at least the
/// pool's size every code is drawn.
pub fn pick(pool: &[String], seed: [u8; 32], winners: usize) -> Vec<String> {
    debug_assert!(
        pool.windows(2).all(|pair| pair[0] < pair[1]),
        "the pool must be sorted ascending without duplicates"
    );
    let mut stream = Stream::new(seed);
    pick_positions(pool.len(), winners, || stream.next_u64())
        .into_iter()
        .map(|position| pool[position].clone())
        .collect()
}

/// The whole draw from a commitment and the public seed: [`pick`] from
/// `commitment.pool` with [`seed`]`(commitment.digest, public_seed)`.
pub fn draw(commitment: &Commitment, public_seed: &str, winners: usize) -> Vec<String> {
    pick(
        &commitment.pool,
        seed(&commitment.digest, public_seed),
        winners,
    )
}

/// Step 4 on positions in a pool of `len` codes, taking its numbers from
/// `next_number`: the positions (in the original pool) of the winners, in
/// pick order.
fn pick_positions(len: usize, winners: usize, mut next_number: impl FnMut() -> u64) -> Vec<usize> {
    let count = winners.min(len);
    let mut picked = Vec::with_capacity(count);
    if count == 0 {
        return picked;
    }
    let mut remaining = Remaining::new(len);
    for left in (len - count + 1..=len).rev() {
        let m = left as u64;
        let limit = acceptance_limit(m);
        let number = loop {
            let number = next_number();
            if u128::from(number) < limit {
                break number;
            }
        };
        // `number % m < m <= len`, so it fits a usize.
        picked.push(remaining.remove((number % m) as usize));
    }
    picked
}

/// The codes still in the pool, by position: a Fenwick tree over "still
/// there" flags, so that removing the `index`-th remaining code costs
/// O(log len) instead of shifting the whole pool.
struct Remaining {
    /// 1-based; `tree[i]` counts the codes still there among positions
    /// `i − lowbit(i) + 1 ..= i` (1-based).
    tree: Vec<usize>,
}

impl Remaining {
    /// Every one of `len` positions present.
    fn new(len: usize) -> Self {
        let mut tree = vec![1; len + 1];
        tree[0] = 0;
        for i in 1..=len {
            let parent = i + (i & i.wrapping_neg());
            if parent <= len {
                tree[parent] += tree[i];
            }
        }
        Remaining { tree }
    }

    /// Remove the `index`-th (0-based) position still present, keeping the
    /// order of the rest, and return it (0-based, in the original pool).
    fn remove(&mut self, index: usize) -> usize {
        let len = self.tree.len() - 1;
        // Find the largest `position` with (count present in 1..=position) <= index;
        // the position after it is the one wanted.
        let mut position = 0;
        let mut below = index;
        let mut step = if len == 0 {
            0
        } else {
            1 << (usize::BITS - 1 - len.leading_zeros())
        };
        while step > 0 {
            let next = position + step;
            if next <= len && self.tree[next] <= below {
                position = next;
                below -= self.tree[next];
            }
            step >>= 1;
        }
        assert!(position < len, "index {index} past the remaining pool");
        let mut i = position + 1;
        while i <= len {
            self.tree[i] -= 1;
            i += i & i.wrapping_neg();
        }
        position
    }
}

/// Why a text is not a well-formed `entries.txt` (one code per line, each
/// ending in `"\n"`, sorted ascending by bytes, no duplicates); every case
/// names its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntriesTxtError {
    /// The text starts with a byte-order mark (U+FEFF), which no code holds.
    ByteOrderMark {
        /// Always 1.
        line: usize,
    },
    /// A line with no code on it.
    EmptyLine {
        /// The 1-based line number.
        line: usize,
    },
    /// The last line does not end with `"\n"`.
    MissingFinalNewline {
        /// The 1-based line number of the last line.
        line: usize,
    },
    /// A line holds a carriage return (`"\r"`), e.g. after a conversion to CRLF.
    CarriageReturn {
        /// The 1-based line number.
        line: usize,
    },
    /// A line repeats the line before it.
    Duplicate {
        /// The 1-based line number of the repeat.
        line: usize,
        /// The repeated code.
        code: String,
    },
    /// A line sorts before the line before it.
    Unsorted {
        /// The 1-based line number.
        line: usize,
        /// The code on that line.
        code: String,
        /// The code on the line before it.
        previous: String,
    },
}

impl EntriesTxtError {
    /// The 1-based line number the problem is on.
    pub fn line(&self) -> usize {
        match self {
            EntriesTxtError::ByteOrderMark { line }
            | EntriesTxtError::EmptyLine { line }
            | EntriesTxtError::MissingFinalNewline { line }
            | EntriesTxtError::CarriageReturn { line }
            | EntriesTxtError::Duplicate { line, .. }
            | EntriesTxtError::Unsorted { line, .. } => *line,
        }
    }
}

impl fmt::Display for EntriesTxtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntriesTxtError::ByteOrderMark { line } => write!(
                f,
                "line {line}: the file starts with a byte-order mark (U+FEFF); \
                 was it re-saved by an editor?"
            ),
            EntriesTxtError::EmptyLine { line } => write!(
                f,
                "line {line}: empty line (each line holds one entry code)"
            ),
            EntriesTxtError::MissingFinalNewline { line } => write!(
                f,
                "line {line}: the last line does not end with a newline; \
                 is the file truncated?"
            ),
            EntriesTxtError::CarriageReturn { line } => write!(
                f,
                "line {line}: carriage return (\\r) found; entries.txt ends its lines \
                 with \\n only (was it converted to CRLF?)"
            ),
            EntriesTxtError::Duplicate { line, code } => {
                write!(f, "line {line}: duplicate entry {code:?}")
            }
            EntriesTxtError::Unsorted {
                line,
                code,
                previous,
            } => write!(
                f,
                "line {line}: {code:?} sorts before the line above it ({previous:?}); \
                 entries.txt is sorted ascending by bytes"
            ),
        }
    }
}

impl std::error::Error for EntriesTxtError {}

/// Parse an entries.txt: one code per line, each ending in "\n"; error (with the 1-based line number) on an empty line, a missing final newline, unsorted or duplicate lines.
///
/// An empty text is an empty pool. A carriage return or a leading byte-order
/// mark is an error too: the file would not be the one committed.
pub fn parse_entries_txt(text: &str) -> Result<Vec<String>, EntriesTxtError> {
    if text.starts_with('\u{feff}') {
        return Err(EntriesTxtError::ByteOrderMark { line: 1 });
    }
    let mut codes: Vec<String> = Vec::new();
    for (number, piece) in text.split_inclusive('\n').enumerate() {
        let line = number + 1;
        let Some(code) = piece.strip_suffix('\n') else {
            return Err(EntriesTxtError::MissingFinalNewline { line });
        };
        if code.is_empty() {
            return Err(EntriesTxtError::EmptyLine { line });
        }
        if code.contains('\r') {
            return Err(EntriesTxtError::CarriageReturn { line });
        }
        if let Some(previous) = codes.last() {
            if code == previous.as_str() {
                return Err(EntriesTxtError::Duplicate {
                    line,
                    code: code.to_owned(),
                });
            }
            if code < previous.as_str() {
                return Err(EntriesTxtError::Unsorted {
                    line,
                    code: code.to_owned(),
                    previous: previous.clone(),
                });
            }
        }
        codes.push(code.to_owned());
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    /// SPEC §5 step 4 as literally as it reads: `Vec::remove` on a copy.
    fn pick_naive(pool: &[String], seed: [u8; 32], winners: usize) -> Vec<String> {
        let mut pool = pool.to_vec();
        let mut stream = Stream::new(seed);
        let mut picked = Vec::new();
        while picked.len() < winners && !pool.is_empty() {
            let m = pool.len() as u128;
            let limit = (1u128 << 64) - (1u128 << 64) % m;
            let number = loop {
                let number = u128::from(stream.next_u64());
                if number < limit {
                    break number;
                }
            };
            picked.push(pool.remove((number % m) as usize));
        }
        picked
    }

    fn strings(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|code| code.to_string()).collect()
    }

    // ---- known answers ----

    #[test]
    fn sha256_of_known_texts() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn commit_sorts_by_bytes_and_removes_duplicates() {
        let commitment = commit(["b", "B", "a", "10", "9", "B", "é"]);
        assert_eq!(commitment.pool, strings(&["10", "9", "B", "a", "b", "é"]));
        assert_eq!(commitment.entries_txt, "10\n9\nB\na\nb\né\n");
        assert_eq!(commitment.digest, sha256_hex(b"10\n9\nB\na\nb\n\xc3\xa9\n"));
    }

    #[test]
    fn commit_of_nothing_is_the_empty_text() {
        let commitment = commit(Vec::<String>::new());
        assert!(commitment.pool.is_empty());
        assert_eq!(commitment.entries_txt, "");
        assert_eq!(commitment.digest, sha256_hex(b""));
    }

    #[test]
    #[should_panic(expected = "one line")]
    fn commit_refuses_a_code_with_a_newline() {
        commit(["AAAA-1111\nBBBB-2222"]);
    }

    #[test]
    fn seed_hashes_digest_colon_public_seed() {
        let digest = sha256_hex(b"");
        let expected = Sha256::digest(format!("{digest}:12 34 56").as_bytes());
        assert_eq!(seed(&digest, "12 34 56"), <[u8; 32]>::from(expected));
        // Verbatim: no trimming.
        assert_ne!(seed(&digest, "12 34 56"), seed(&digest, "12 34 56 "));
    }

    #[test]
    fn stream_numbers_are_the_first_8_bytes_of_sha256_seed_and_counter() {
        let seed = [7u8; 32];
        let mut stream = Stream::new(seed);
        for j in 0u64..5 {
            let mut input = seed.to_vec();
            input.extend_from_slice(&j.to_be_bytes());
            let block = Sha256::digest(&input);
            let expected = u64::from_be_bytes(block[..8].try_into().unwrap());
            assert_eq!(stream.next_u64(), expected, "number {j}");
        }
    }

    #[test]
    fn stream_known_answer() {
        // Case "one-entry" of the golden vectors; the digest and seed agree with
        // `printf '7KQ2-M9XD\n' | sha256sum` and `printf 'DIGEST:20211011' | sha256sum`.
        let commitment = commit(["7KQ2-M9XD"]);
        assert_eq!(
            commitment.digest,
            "ada5262c909a92d54b21192d0920b5a7af7666be6ef3b7e1033dcff936272037"
        );
        let s = seed(&commitment.digest, "20211011");
        assert_eq!(
            hex::encode(s),
            "fc0af2bf1aa755f154676593dd971d8c7aa16e4d5096ee02eae0bf127c814db8"
        );
        let mut stream = Stream::new(s);
        assert_eq!(stream.next_u64(), 12_248_950_038_989_946_038);
        assert_eq!(stream.next_u64(), 2_912_997_135_182_970_191);
    }

    #[test]
    fn acceptance_limit_values() {
        let two_64 = 1u128 << 64;
        // m = 1 and powers of two divide 2^64: every number is accepted.
        assert_eq!(acceptance_limit(1), two_64);
        assert_eq!(acceptance_limit(2), two_64);
        for shift in 0..64 {
            assert_eq!(acceptance_limit(1 << shift), two_64, "m = 2^{shift}");
        }
        // 2^64 = (2^2)^32 ≡ 1 (mod 3): only u64::MAX is rejected.
        assert_eq!(acceptance_limit(3), two_64 - 1);
        // 2^64 mod 7 = 2 (2^3 ≡ 1, 2^64 = 2^(3·21+1)).
        assert_eq!(acceptance_limit(7), two_64 - 2);
        // 2^64 mod 10 = 6 (18446744073709551616).
        assert_eq!(acceptance_limit(10), two_64 - 6);
        assert_eq!(acceptance_limit(1_000_000), two_64 - 551_616);
        // m = 2^63 + 1: 2^64 mod m = 2^63 − 1, so the limit is m itself and
        // almost half of all numbers are rejected.
        let m = (1u64 << 63) + 1;
        assert_eq!(acceptance_limit(m), u128::from(m));
        // m = u64::MAX = 2^64 − 1: 2^64 mod m = 1.
        assert_eq!(acceptance_limit(u64::MAX), two_64 - 1);
        // In every case: a multiple of m, at most 2^64, within m of 2^64.
        for m in [
            3u64,
            5,
            6,
            7,
            1000,
            999_983,
            (1 << 40) + 12_345,
            u64::MAX - 1,
        ] {
            let limit = acceptance_limit(m);
            assert_eq!(limit % u128::from(m), 0);
            assert!(limit <= two_64 && two_64 - limit < u128::from(m));
        }
    }

    #[test]
    fn rejection_skips_numbers_at_or_above_the_limit() {
        // m = 3: u64::MAX is the one number rejected; the next one is used.
        let mut numbers = [u64::MAX, u64::MAX, 5, 0].into_iter();
        let picked = pick_positions(3, 1, || numbers.next().unwrap());
        assert_eq!(picked, vec![2]); // 5 mod 3
        assert_eq!(
            numbers.next(),
            Some(0),
            "exactly the rejected numbers and one more were used"
        );

        // u64::MAX − 1 is below the limit for m = 3, and used: (2^64 − 2) mod 3 = 2.
        let mut numbers = [u64::MAX - 1].into_iter();
        assert_eq!(pick_positions(3, 1, || numbers.next().unwrap()), vec![2]);

        // m = 7: the limit is 2^64 − 2, so u64::MAX − 1 and u64::MAX are rejected.
        let mut numbers = [u64::MAX - 1, u64::MAX, u64::MAX - 2, 9].into_iter();
        let picked = pick_positions(7, 2, || numbers.next().unwrap());
        // (2^64 − 3) mod 7 = 6, so position 6; then 9 mod 6 = 3 of the 6 left (0..=5).
        assert_eq!(picked, vec![6, 3]);
        assert_eq!(numbers.next(), None);

        // m = 2 (a power of two): u64::MAX is accepted; it is odd.
        let mut numbers = [u64::MAX].into_iter();
        assert_eq!(pick_positions(2, 1, || numbers.next().unwrap()), vec![1]);

        // m = 1: every number is accepted, and the index is 0.
        let mut numbers = [u64::MAX].into_iter();
        assert_eq!(pick_positions(1, 5, || numbers.next().unwrap()), vec![0]);
    }

    #[test]
    fn positions_shift_as_winners_are_removed() {
        // Pool 0..5; indices 1, 1, 0 ⇒ positions 1, 2, 0 (Vec::remove semantics).
        let mut numbers = [1u64, 1, 0].into_iter();
        assert_eq!(
            pick_positions(5, 3, || numbers.next().unwrap()),
            vec![1, 2, 0]
        );
        // Always the last one: 4, 3, 2, 1, 0.
        let mut left = 5u64;
        let picked = pick_positions(5, 5, || {
            left -= 1;
            left
        });
        assert_eq!(picked, vec![4, 3, 2, 1, 0]);
    }

    #[test]
    fn no_winners_from_nothing() {
        assert!(pick(&[], [0; 32], 3).is_empty());
        assert!(pick(&strings(&["A"]), [0; 32], 0).is_empty());
    }

    #[test]
    fn matches_the_naive_algorithm_on_a_larger_pool() {
        let codes: Vec<String> = (0..20_000).map(|i| format!("{i:08}")).collect();
        let commitment = commit(codes);
        for public_seed in ["a", "b", "c"] {
            let s = seed(&commitment.digest, public_seed);
            assert_eq!(
                pick(&commitment.pool, s, 25),
                pick_naive(&commitment.pool, s, 25)
            );
        }
    }

    // ---- entries.txt ----

    #[test]
    fn parse_round_trips_a_commitment() {
        let commitment = commit(["ZZZZ-0000", "0000-ZZZZ", "7KQ2-M9XD"]);
        assert_eq!(
            parse_entries_txt(&commitment.entries_txt).unwrap(),
            commitment.pool
        );
        assert_eq!(parse_entries_txt("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn parse_errors_name_the_line() {
        let cases: [(&str, EntriesTxtError); 8] = [
            ("A\n\nB\n", EntriesTxtError::EmptyLine { line: 2 }),
            ("\n", EntriesTxtError::EmptyLine { line: 1 }),
            ("A\nB", EntriesTxtError::MissingFinalNewline { line: 2 }),
            ("A\r\nB\r\n", EntriesTxtError::CarriageReturn { line: 1 }),
            ("\u{feff}A\n", EntriesTxtError::ByteOrderMark { line: 1 }),
            (
                "A\nB\nB\n",
                EntriesTxtError::Duplicate {
                    line: 3,
                    code: "B".into(),
                },
            ),
            (
                "A\nC\nB\n",
                EntriesTxtError::Unsorted {
                    line: 3,
                    code: "B".into(),
                    previous: "C".into(),
                },
            ),
            (
                // Byte order: "a" (0x61) sorts after "B" (0x42).
                "a\nB\n",
                EntriesTxtError::Unsorted {
                    line: 2,
                    code: "B".into(),
                    previous: "a".into(),
                },
            ),
        ];
        for (text, expected) in cases {
            let error = parse_entries_txt(text).unwrap_err();
            assert_eq!(error, expected, "{text:?}");
            assert_eq!(error.line(), expected.line());
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("line {}: ", expected.line())),
                "{error}"
            );
        }
    }

    #[derive(Deserialize)]
    struct SeedVector {
        raw: String,
        note: String,
        normalised: Option<String>,
    }

    #[test]
    fn public_seeds_are_normalised_or_refused_as_the_python_reference_does() {
        let vectors: Vec<SeedVector> =
            serde_json::from_str(include_str!("../tests/fixtures/seed_vectors.json")).unwrap();
        assert!(vectors.len() >= 10);
        for v in &vectors {
            assert_eq!(
                normalise_seed(&v.raw).ok(),
                v.normalised,
                "{:?}: {}",
                v.raw,
                v.note
            );
        }
    }

    #[test]
    fn a_refused_seed_says_what_and_where() {
        assert_eq!(normalise_seed(" \t "), Err(SeedError::Empty));
        assert_eq!(
            normalise_seed(&"9".repeat(201)),
            Err(SeedError::TooLong(201))
        );
        let e = normalise_seed("482\u{200b}13").unwrap_err();
        assert_eq!(
            e,
            SeedError::NotPrintableAscii {
                position: 4,
                code_point: "U+200B".into()
            }
        );
        assert!(e.to_string().contains("character 4") && e.to_string().contains("U+200B"));
    }

    proptest! {
        #![proptest_config(crate::proptest_cases(500))]

        /// Whatever is typed, an accepted seed is its own normal form and
        /// holds only printable ASCII with no double space.
        #[test]
        fn fuzz_a_normalised_seed_is_stable(raw in "\\PC{0,40}|[ -~\t\n]{0,40}") {
            if let Ok(s) = normalise_seed(&raw) {
                prop_assert_eq!(normalise_seed(&s), Ok(s.clone()));
                prop_assert!(s.bytes().all(|b| (0x20..=0x7e).contains(&b)));
                prop_assert!(!s.contains("  ") && !s.starts_with(' ') && !s.ends_with(' '));
            }
        }
    }

    #[derive(Deserialize)]
    struct DigitSeedVector {
        raw: String,
        seed_digits: Option<usize>,
        note: String,
        seed: Option<String>,
    }

    #[test]
    fn reveal_seeds_are_digits_as_the_python_reference_reads_them() {
        let vectors: Vec<DigitSeedVector> =
            serde_json::from_str(include_str!("../tests/fixtures/digit_seed_vectors.json"))
                .unwrap();
        assert!(vectors.len() >= 20);
        assert!(
            vectors.iter().any(|v| v.seed.is_none()) && vectors.iter().any(|v| v.seed.is_some())
        );
        for v in &vectors {
            assert_eq!(
                digit_seed(&v.raw, v.seed_digits).ok(),
                v.seed,
                "{:?} ({:?} digits): {}",
                v.raw,
                v.seed_digits,
                v.note
            );
        }
    }

    /// Every way of writing the call 7-3-9-1-5 down: the digits with any
    /// of the separators (or none) between each pair, and spaces around.
    fn forms_of_one_call(digits: &str) -> Vec<String> {
        let gaps = ["", " ", ",", ".", "-", "+", "/", ":", ";", " - ", ", "];
        let chars: Vec<char> = digits.chars().collect();
        let mut forms = vec![String::from(chars[0])];
        for c in &chars[1..] {
            let mut next = Vec::with_capacity(forms.len() * gaps.len());
            for f in &forms {
                for g in gaps {
                    next.push(format!("{f}{g}{c}"));
                }
            }
            forms = next;
        }
        let padded: Vec<String> = forms.iter().take(50).map(|f| format!("  {f} ")).collect();
        forms.extend(padded);
        forms
    }

    /// The red team's attack of issue 21: 625 forms of one call reached
    /// every one of 100 entries. Now every form is one seed and one draw.
    #[test]
    fn every_form_of_one_call_is_one_seed_and_one_set_of_winners() {
        let commitment = commit((0..100).map(|i| format!("CODE-{i:04}")));
        let forms = forms_of_one_call("73915");
        assert!(forms.len() >= 625, "{} forms", forms.len());
        let mut seeds: Vec<String> = forms
            .iter()
            .map(|f| digit_seed(f, Some(5)).unwrap_or_else(|e| panic!("{f:?}: {e}")))
            .collect();
        seeds.sort();
        seeds.dedup();
        assert_eq!(seeds, ["73915"], "one call, one seed");
        let mut winner_sets: Vec<Vec<String>> = forms
            .iter()
            .map(|f| draw(&commitment, &digit_seed(f, None).unwrap(), 3))
            .collect();
        winner_sets.sort();
        winner_sets.dedup();
        assert_eq!(winner_sets.len(), 1, "one set of winners");
        // Why the test has teeth: hashed as typed (the old rule), the same
        // forms reach most of the pool.
        let mut reachable: Vec<String> = forms
            .iter()
            .filter_map(|f| normalise_seed(f).ok())
            .map(|s| draw(&commitment, &s, 1).remove(0))
            .collect();
        reachable.sort();
        reachable.dedup();
        assert!(
            reachable.len() > 90,
            "{} of 100 reachable as typed",
            reachable.len()
        );
    }

    #[test]
    fn a_refused_reveal_seed_says_what_and_where() {
        assert_eq!(digit_seed(" , ", None), Err(DigitSeedError::Empty));
        let e = digit_seed("7 3 ９ 1", None).unwrap_err();
        assert_eq!(
            e,
            DigitSeedError::NotADigit {
                position: 5,
                code_point: "U+FF19".into()
            }
        );
        assert!(e.to_string().contains("character 5") && e.to_string().contains("U+FF19"));
        assert_eq!(
            digit_seed(&"5".repeat(65), None),
            Err(DigitSeedError::TooLong(65))
        );
        let e = digit_seed("7-3-9", Some(6)).unwrap_err();
        assert_eq!(
            e,
            DigitSeedError::WrongCount {
                expected: 6,
                got: 3
            }
        );
        assert!(e.to_string().contains("exactly 6 digits"), "{e}");
        // A reveal's seed is a seed the verifiers accept as published.
        assert_eq!(normalise_seed("739150"), Ok("739150".to_owned()));
    }

    proptest! {
        #![proptest_config(crate::proptest_cases(500))]

        /// Whatever is typed, an accepted seed is 1 to 64 ASCII digits, is
        /// its own reveal seed, and is what the verifiers accept as published.
        #[test]
        fn fuzz_a_reveal_seed_is_digits_only(raw in "\\PC{0,40}|[0-9 ,.+/:;-]{0,80}|[ -~]{0,20}") {
            if let Ok(s) = digit_seed(&raw, None) {
                prop_assert!(!s.is_empty() && s.len() <= SEED_DIGITS_MAX);
                prop_assert!(s.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(digit_seed(&s, Some(s.len())), Ok(s.clone()));
                prop_assert_eq!(normalise_seed(&s), Ok(s.clone()));
                let kept: String = raw.chars().filter(char::is_ascii_digit).collect();
                prop_assert_eq!(kept, s);
            }
        }
    }

    #[derive(Deserialize)]
    struct ChainDraw {
        public_seed: String,
        winners: usize,
        entries_txt: String,
        digest: String,
        expected_winners: Vec<String>,
    }

    #[derive(Deserialize)]
    struct Chain {
        entries: Vec<String>,
        draws: Vec<ChainDraw>,
    }

    /// SPEC §7: a re-draw is an ordinary draw over the round's entries less
    /// every earlier winner; the Python reference computes the same chain.
    #[test]
    fn a_chain_of_redraws_follows_the_python_reference() {
        let chain: Chain =
            serde_json::from_str(include_str!("../tests/fixtures/chain_vectors.json")).unwrap();
        let mut drawn: Vec<String> = Vec::new();
        for (i, d) in chain.draws.iter().enumerate() {
            let pool = chain.entries.iter().filter(|c| !drawn.contains(c)).cloned();
            let commitment = commit(pool);
            assert_eq!(
                commitment.entries_txt, d.entries_txt,
                "draw {i}: entries.txt"
            );
            assert_eq!(commitment.digest, d.digest, "draw {i}: digest");
            let won = draw(&commitment, &d.public_seed, d.winners);
            assert_eq!(won, d.expected_winners, "draw {i}: winners");
            drawn.extend(won);
        }
        let mut unique = drawn.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), drawn.len(), "no code drawn twice");
    }

    // ---- golden vectors from tests/fixtures/draw_vectors.py ----

    #[derive(Deserialize)]
    struct Vector {
        name: String,
        entries: Vec<String>,
        public_seed: String,
        winners: usize,
        entries_txt: String,
        digest: String,
        seed_hex: String,
        first_numbers: Vec<String>,
        expected_winners: Vec<String>,
    }

    #[test]
    fn golden_vectors() {
        let vectors: Vec<Vector> =
            serde_json::from_str(include_str!("../tests/fixtures/draw_vectors.json")).unwrap();
        assert!(vectors.len() >= 8, "{} vectors", vectors.len());
        for v in &vectors {
            let name = &v.name;
            let commitment = commit(v.entries.iter().cloned());
            assert_eq!(commitment.entries_txt, v.entries_txt, "{name}: entries.txt");
            assert_eq!(commitment.digest, v.digest, "{name}: digest");
            assert_eq!(sha256_hex(v.entries_txt.as_bytes()), v.digest, "{name}");
            assert_eq!(
                parse_entries_txt(&v.entries_txt).unwrap(),
                commitment.pool,
                "{name}: parse"
            );
            let s = seed(&v.digest, &v.public_seed);
            assert_eq!(hex::encode(s), v.seed_hex, "{name}: seed");
            let mut stream = Stream::new(s);
            for (j, expected) in v.first_numbers.iter().enumerate() {
                assert_eq!(
                    stream.next_u64().to_string(),
                    *expected,
                    "{name}: number {j}"
                );
            }
            assert_eq!(
                pick(&commitment.pool, s, v.winners),
                v.expected_winners,
                "{name}: winners"
            );
            assert_eq!(
                draw(&commitment, &v.public_seed, v.winners),
                v.expected_winners,
                "{name}: draw"
            );
            assert_eq!(
                v.expected_winners.len(),
                v.winners.min(commitment.pool.len()),
                "{name}"
            );
        }
    }

    // ---- statistics ----

    #[test]
    fn every_entry_can_win() {
        let commitment = commit([
            "AAAA-0001",
            "AAAA-0002",
            "AAAA-0003",
            "AAAA-0004",
            "AAAA-0005",
        ]);
        let mut first = [0usize; 5];
        let mut second = [0usize; 5];
        for i in 0..200 {
            let winners = draw(&commitment, &i.to_string(), 2);
            let position = |code: &String| commitment.pool.iter().position(|c| c == code).unwrap();
            first[position(&winners[0])] += 1;
            second[position(&winners[1])] += 1;
        }
        assert!(first.iter().all(|&n| n > 0), "first pick: {first:?}");
        assert!(second.iter().all(|&n| n > 0), "second pick: {second:?}");
    }

    /// Pearson's chi-square statistic of `counts` against a uniform expectation.
    fn chi_square(counts: &[u64]) -> f64 {
        let total: u64 = counts.iter().sum();
        let expected = total as f64 / counts.len() as f64;
        counts
            .iter()
            .map(|&n| (n as f64 - expected).powi(2) / expected)
            .sum()
    }

    /// The 0.999 quantile of the chi-square distribution with 6 degrees of freedom.
    const CHI_SQUARE_6_DOF_999: f64 = 22.458;

    #[test]
    fn a_single_winner_is_uniform_over_seven_entries() {
        let commitment = commit((1..=7).map(|i| format!("CODE-000{i}")));
        let mut counts = [0u64; 7];
        // The same draws, numbered by the stream's first number with a
        // deliberately bad picker: 4 bits of range, then plain `mod 7`.
        let mut biased = [0u64; 7];
        for i in 0..20_000 {
            let s = seed(&commitment.digest, &i.to_string());
            let winner = &pick(&commitment.pool, s, 1)[0];
            counts[commitment.pool.iter().position(|c| c == winner).unwrap()] += 1;
            biased[((Stream::new(s).next_u64() >> 60) % 7) as usize] += 1;
        }
        let statistic = chi_square(&counts);
        assert!(
            statistic < CHI_SQUARE_6_DOF_999,
            "chi-square {statistic:.2} for {counts:?}"
        );
        // Why the test has teeth: on a 16-value range, `mod 7` gives 0 and 1
        // three chances in 16 and the others two (3/16 vs 2/16 against 1/7),
        // which over 20,000 draws adds about 20,000 · 7 · Σ(p − 1/7)² ≈ 780
        // to the statistic. (On the full 64-bit range the bias of plain `mod`
        // is below m / 2^64, far too small for any test to see; rejection
        // sampling is there to make the draw exactly uniform, not to pass this.)
        let biased_statistic = chi_square(&biased);
        assert!(
            biased_statistic > CHI_SQUARE_6_DOF_999,
            "the biased picker went unnoticed: {biased_statistic:.2} for {biased:?}"
        );
    }

    // ---- properties ----

    fn code_strategy() -> impl Strategy<Value = String> {
        "[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"
    }

    fn pool_strategy() -> impl Strategy<Value = Vec<String>> {
        prop_oneof![
            proptest::collection::vec(code_strategy(), 0..40),
            // Short codes, so that duplicates are common.
            proptest::collection::vec("[A-D]{1,2}", 0..20),
        ]
    }

    proptest! {
        #[test]
        fn winners_are_distinct_members_of_the_pool(
            codes in pool_strategy(),
            public_seed in ".{0,12}",
            winners in 0usize..50,
        ) {
            let commitment = commit(codes.clone());
            let picked = draw(&commitment, &public_seed, winners);
            prop_assert_eq!(picked.len(), winners.min(commitment.pool.len()));
            prop_assert!(picked.len() <= winners);
            let mut distinct = picked.clone();
            distinct.sort();
            distinct.dedup();
            prop_assert_eq!(distinct.len(), picked.len());
            for winner in &picked {
                prop_assert!(codes.contains(winner));
                prop_assert!(commitment.pool.binary_search(winner).is_ok());
            }
        }

        #[test]
        fn the_draw_is_deterministic_and_order_free(
            codes in pool_strategy(),
            public_seed in ".{0,12}",
            winners in 0usize..50,
        ) {
            let commitment = commit(codes.clone());
            let first = draw(&commitment, &public_seed, winners);
            prop_assert_eq!(&draw(&commitment, &public_seed, winners), &first);
            let mut reversed = codes;
            reversed.reverse();
            let again = commit(reversed);
            prop_assert_eq!(&again, &commitment);
            prop_assert_eq!(&draw(&again, &public_seed, winners), &first);
        }

        #[test]
        fn pick_matches_the_naive_algorithm(
            codes in pool_strategy(),
            seed_bytes in any::<[u8; 32]>(),
            winners in 0usize..50,
        ) {
            let commitment = commit(codes);
            prop_assert_eq!(
                pick(&commitment.pool, seed_bytes, winners),
                pick_naive(&commitment.pool, seed_bytes, winners)
            );
        }

        #[test]
        fn more_winners_extend_the_list(
            codes in pool_strategy(),
            seed_bytes in any::<[u8; 32]>(),
            winners in 0usize..45,
        ) {
            let commitment = commit(codes);
            let fewer = pick(&commitment.pool, seed_bytes, winners);
            let more = pick(&commitment.pool, seed_bytes, winners + 1);
            prop_assert!(more.starts_with(&fewer));
        }

        #[test]
        fn earlier_winners_never_win_again(
            codes in pool_strategy(),
            first_seed in ".{0,8}",
            second_seed in ".{0,8}",
            first_winners in 0usize..10,
            second_winners in 0usize..50,
        ) {
            let first = commit(codes.clone());
            let earlier = draw(&first, &first_seed, first_winners);
            let second = commit(codes.into_iter().filter(|code| !earlier.contains(code)));
            prop_assert_eq!(second.pool.len(), first.pool.len() - earlier.len());
            for winner in draw(&second, &second_seed, second_winners) {
                prop_assert!(!earlier.contains(&winner));
            }
        }

        #[test]
        fn entries_txt_round_trips(codes in pool_strategy()) {
            let commitment = commit(codes);
            let parsed = parse_entries_txt(&commitment.entries_txt).unwrap();
            prop_assert_eq!(&parsed, &commitment.pool);
            let digest = sha256_hex(commitment.entries_txt.as_bytes());
            prop_assert_eq!(digest, commitment.digest);
        }

        #[test]
        fn parse_rejects_what_commit_would_not_write(
            codes in proptest::collection::vec("[A-C]{0,2}\r?", 1..8),
        ) {
            let text: String = codes.iter().map(|code| format!("{code}\n")).collect();
            let well_formed = codes.iter().all(|code| !code.is_empty() && !code.contains('\r'))
                && codes.windows(2).all(|pair| pair[0] < pair[1]);
            prop_assert_eq!(parse_entries_txt(&text).is_ok(), well_formed);
            if let Ok(parsed) = parse_entries_txt(&text) {
                prop_assert_eq!(parsed, codes.clone());
            }
            // Without its final newline, a text whose last line holds a code
            // is never accepted.
            if !codes[codes.len() - 1].is_empty() {
                prop_assert!(parse_entries_txt(&text[..text.len() - 1]).is_err());
            }
        }
    }
}
