//! A session is its token: nothing is stored when a quiz starts.
//!
//! The token carries the session's key (its start time and a sequence
//! number), the set version, the round and the language, sealed with an
//! HMAC-SHA256 under the server's secret. The served questions and their
//! option order come from a ChaCha8 generator seeded by the MAC, so the same
//! token always shows the same quiz, after a restart or a `kill -9` too, and
//! a visitor cannot pick their own questions without the secret. Only a
//! submission is written, under the session's key, which also makes a second
//! submission fail on the primary key.
//!
//! The quiz a token shows depends on ChaCha8 and on rand's `partial_shuffle`
//! and `shuffle`, pinned by `Cargo.lock`. An upgrade that changed either would
//! show a session in progress other questions after the upgrade (and refuse
//! its answers as not served): `a_token_always_serves_the_same_quiz` fails
//! first.
//!
//! Layout (35 bytes, 70 hex digits): key (8, big-endian) · the first 8 bytes
//! of the set version (16 hex digits) · round index (2) · language (1) ·
//! the first 16 bytes of the MAC.

use hmac::{Hmac, Mac};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};
use subtle::ConstantTimeEq;

const PAYLOAD: usize = 19;
const TAG: usize = 16;
/// Length of a token in hex digits.
pub const TOKEN_HEX_LEN: usize = 2 * (PAYLOAD + TAG);
/// Hex digits of the set version a token names.
pub const VERSION_PREFIX_LEN: usize = 16;
/// Bits of the key below the start time in milliseconds.
pub const SEQ_BITS: u32 = 20;

/// The languages a session can have, by their byte in the token.
const LANGS: [&str; 2] = ["zh", "en"];

/// The server's secret for sealing tokens.
#[derive(Clone)]
pub struct TokenKey(Hmac<Sha256>);

impl TokenKey {
    /// A key from the secret's bytes (any length).
    pub fn new(secret: &[u8]) -> Self {
        Self(Hmac::new_from_slice(secret).expect("HMAC takes a key of any length"))
    }

    fn tag(&self, payload: &[u8]) -> [u8; TAG] {
        let mut mac = self.0.clone();
        mac.update(payload);
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; TAG];
        tag.copy_from_slice(&full[..TAG]);
        tag
    }
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

/// What a session token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionToken {
    /// Unique per session: start time in ms, shifted left, plus a sequence number.
    pub key: u64,
    /// The first [`VERSION_PREFIX_LEN`] hex digits of the set version.
    pub version: String,
    /// Index of the round in the set version's rounds.
    pub round: u16,
    /// `zh` or `en`.
    pub lang: &'static str,
    /// Started in 长辈版 (large text): no countdown unless the bank
    /// requires its time limit.
    pub large: bool,
    tag: [u8; TAG],
}

impl SessionToken {
    /// Seals a new token. `version` is the set version's hex digest.
    pub fn seal(key: &TokenKey, session: u64, version: &str, round: u16, lang: &str) -> Self {
        Self::seal_with(key, session, version, round, lang, false)
    }

    /// Seals a new token, in 长辈版 when `large`.
    pub fn seal_with(
        key: &TokenKey,
        session: u64,
        version: &str,
        round: u16,
        lang: &str,
        large: bool,
    ) -> Self {
        let prefix = &version[..VERSION_PREFIX_LEN.min(version.len())];
        let lang = LANGS.iter().copied().find(|l| *l == lang).unwrap_or("zh");
        let mut token = Self {
            key: session,
            version: prefix.to_owned(),
            round,
            lang,
            large,
            tag: [0; TAG],
        };
        token.tag = key.tag(&token.payload());
        token
    }

    fn payload(&self) -> [u8; PAYLOAD] {
        let mut p = [0u8; PAYLOAD];
        p[..8].copy_from_slice(&self.key.to_be_bytes());
        let mut version = [0u8; 8];
        // A prefix that is not hex (never made by `seal` from a real version) seals as zeros.
        let _ = hex::decode_to_slice(&self.version, &mut version);
        p[8..16].copy_from_slice(&version);
        p[16..18].copy_from_slice(&self.round.to_be_bytes());
        // Bit 0: English; bit 1: 长辈版 (tokens sealed before it have 0 there).
        p[18] = u8::from(self.lang == "en") | (u8::from(self.large) << 1);
        p
    }

    /// Reads and checks a token; `None` for anything not sealed by this key.
    pub fn open(key: &TokenKey, text: &str) -> Option<Self> {
        // One form only, the one `encode` gives: an upper-case copy of a token
        // would open the same session under another rate-limit key.
        if text.len() != TOKEN_HEX_LEN
            || !text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        let mut bytes = [0u8; PAYLOAD + TAG];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        let (payload, tag) = bytes.split_at(PAYLOAD);
        if !bool::from(key.tag(payload).ct_eq(tag)) {
            return None;
        }
        if payload[18] > 3 {
            return None;
        }
        let lang = *LANGS.get(usize::from(payload[18] & 1))?;
        let mut t = Self {
            key: u64::from_be_bytes(payload[..8].try_into().ok()?),
            version: hex::encode(&payload[8..16]),
            round: u16::from_be_bytes([payload[16], payload[17]]),
            lang,
            large: payload[18] & 2 != 0,
            tag: [0; TAG],
        };
        t.tag.copy_from_slice(tag);
        Some(t)
    }

    /// The token as sent to the visitor.
    pub fn encode(&self) -> String {
        let mut bytes = [0u8; PAYLOAD + TAG];
        bytes[..PAYLOAD].copy_from_slice(&self.payload());
        bytes[PAYLOAD..].copy_from_slice(&self.tag);
        hex::encode(bytes)
    }

    /// The generator that picks this session's questions and option order.
    pub fn rng(&self) -> ChaCha8Rng {
        let mut seed = [0u8; 32];
        seed[..TAG].copy_from_slice(&self.tag);
        seed[TAG..].copy_from_slice(&self.tag);
        ChaCha8Rng::from_seed(seed)
    }

    /// When the session started, in milliseconds since the Unix epoch.
    pub fn started_ms(&self) -> i64 {
        i64::try_from(self.key >> SEQ_BITS).unwrap_or(i64::MAX)
    }
}

/// Hands out session keys: the start time in milliseconds, shifted left by
/// 20 bits, plus a sequence number, so keys are unique, rise with time, and
/// land at the end of the submissions table when they are written.
///
/// Nodes sharing one database ([`KeyClock::for_node`]) hand out keys in
/// their own residue class modulo [`NODE_STRIDE`], so two nodes never hand
/// out the same key, even in the same millisecond: node `n` only gives keys
/// `k` with `k % NODE_STRIDE == n % NODE_STRIDE` (up to 4,096 a millisecond).
#[derive(Debug, Default)]
pub struct KeyClock {
    last: AtomicU64,
    /// The node number, whose residue modulo `stride` this clock's keys have
    /// (shared with the store, which may change it: a lease lost).
    node: std::sync::Arc<AtomicU64>,
    stride: u64,
}

/// Nodes whose keys can never meet: node numbers are below this.
pub const NODE_STRIDE: u64 = 256;

impl KeyClock {
    /// A clock that never hands out a key at or below `floor` (the highest key
    /// already stored, so a clock set back between runs cannot repeat one).
    pub fn new(floor: u64) -> Self {
        Self {
            last: AtomicU64::new(floor),
            node: std::sync::Arc::default(),
            stride: 1,
        }
    }

    /// The clock of a node of several on one database, by its number.
    pub fn for_node(floor: u64, node: std::sync::Arc<AtomicU64>) -> Self {
        Self {
            last: AtomicU64::new(floor),
            node,
            stride: NODE_STRIDE,
        }
    }

    /// The smallest key of this clock's class at or above `k`.
    fn class_at_or_above(&self, k: u64) -> u64 {
        let node = self.node.load(Ordering::Relaxed) % self.stride;
        let r = k % self.stride;
        let up = (node + self.stride - r) % self.stride;
        k.saturating_add(up)
    }

    /// The next key for a session starting at `now_ms`.
    pub fn next(&self, now_ms: i64) -> u64 {
        let base = u64::try_from(now_ms).unwrap_or(0) << SEQ_BITS;
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let key = self.class_at_or_above(base.max(last + 1));
            match self
                .last
                .compare_exchange_weak(last, key, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return key,
                Err(seen) => last = seen,
            }
        }
    }
}

/// A fresh random secret for a new database.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERSION: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// What the fixture bank serves for the seed `[7; 32]`: question index and option order.
    const PINNED: &[(usize, &str)] = &[(2, "TF"), (1, "BAC"), (0, "CBA")];

    #[test]
    fn a_token_round_trips_and_only_opens_under_its_key() {
        let key = TokenKey::new(b"secret");
        let t = SessionToken::seal(&key, 42 << SEQ_BITS, VERSION, 3, "en");
        let text = t.encode();
        assert_eq!(text.len(), TOKEN_HEX_LEN);
        let back = SessionToken::open(&key, &text).expect("opens");
        assert_eq!(back, t);
        assert_eq!(back.version, &VERSION[..VERSION_PREFIX_LEN]);
        assert_eq!((back.round, back.lang, back.started_ms()), (3, "en", 42));
        assert!(!back.large);
        let large = SessionToken::seal_with(&key, 9, VERSION, 0, "zh", true);
        let back = SessionToken::open(&key, &large.encode()).expect("opens");
        assert!(
            back.large && back.lang == "zh",
            "长辈版 is sealed in: {back:?}"
        );
        assert!(SessionToken::open(&TokenKey::new(b"other"), &text).is_none());
    }

    #[test]
    fn any_changed_digit_is_refused() {
        let key = TokenKey::new(b"secret");
        let text = SessionToken::seal(&key, 7, VERSION, 0, "zh").encode();
        for i in 0..text.len() {
            let mut bytes = text.clone().into_bytes();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let changed = String::from_utf8(bytes).unwrap();
            assert!(SessionToken::open(&key, &changed).is_none(), "digit {i}");
        }
        for bad in ["", "zz", &text[1..], &format!("{text}0")] {
            assert!(SessionToken::open(&key, bad).is_none(), "{bad}");
        }
        assert!(
            SessionToken::open(&key, &text.to_ascii_uppercase()).is_none(),
            "one form only: lower-case hex"
        );
    }

    #[test]
    fn the_same_token_gives_the_same_generator() {
        let key = TokenKey::new(b"secret");
        let a = SessionToken::seal(&key, 1, VERSION, 0, "zh");
        let b = SessionToken::seal(&key, 2, VERSION, 0, "zh");
        let draw = |t: &SessionToken| t.rng().next_u64();
        assert_eq!(draw(&a), draw(&a.clone()));
        assert_ne!(draw(&a), draw(&b));
    }

    #[test]
    fn a_token_always_serves_the_same_quiz() {
        let bank = crate::bank::parse_bank(include_str!("../../tests/fixtures/valid.yaml"))
            .bank
            .expect("the fixture bank is valid");
        let key = TokenKey::new(b"a fixed secret");
        let token = SessionToken::seal(&key, 42 << SEQ_BITS, &bank.version, 0, "zh");
        let served = crate::quiz::serve(&bank, &mut token.rng());
        let again = crate::quiz::serve(&bank, &mut token.rng());
        assert_eq!(served, again);
        // Pinned against a fixed seed, so a change in rand's algorithms shows here.
        let mut rng = ChaCha8Rng::from_seed([7; 32]);
        let picked: Vec<(usize, String)> = crate::quiz::serve(&bank, &mut rng)
            .into_iter()
            .map(|s| (s.index, s.options.iter().collect()))
            .collect();
        let pinned: Vec<(usize, String)> =
            PINNED.iter().map(|(i, o)| (*i, (*o).to_owned())).collect();
        assert_eq!(picked, pinned);
    }

    #[test]
    fn two_nodes_never_hand_out_the_same_key_in_the_same_millisecond() {
        let node = |n| std::sync::Arc::new(AtomicU64::new(n));
        let a = KeyClock::for_node(0, node(1));
        let b = KeyClock::for_node(0, node(2));
        let mut seen = std::collections::HashSet::new();
        for ms in [5_000, 5_000, 5_001, 4_999] {
            for _ in 0..300 {
                let (ka, kb) = (a.next(ms), b.next(ms));
                assert_eq!(ka % NODE_STRIDE, 1);
                assert_eq!(kb % NODE_STRIDE, 2);
                assert!(
                    seen.insert(ka) && seen.insert(kb),
                    "a key was handed out twice"
                );
            }
        }
        let first = KeyClock::for_node(0, node(7)).next(5_000);
        assert_eq!(first >> SEQ_BITS, 5_000, "a key still tells its start time");
        // A node given a new number (its lease lost) carries it at once,
        // still above every key it gave before.
        let number = node(3);
        let c = KeyClock::for_node(0, number.clone());
        let before = c.next(9_000);
        number.store(4, Ordering::Relaxed);
        let after = c.next(9_000);
        assert_eq!((before % NODE_STRIDE, after % NODE_STRIDE), (3, 4));
        assert!(after > before);
    }

    #[test]
    fn keys_rise_and_never_repeat_even_when_the_clock_goes_back() {
        let clock = KeyClock::new(0);
        let a = clock.next(1_000);
        let b = clock.next(1_000);
        let c = clock.next(999);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(a >> SEQ_BITS, 1_000);
        let resumed = KeyClock::new(c);
        assert!(resumed.next(5) > c);
        let shared = std::sync::Arc::new(KeyClock::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let clock = shared.clone();
                std::thread::spawn(move || (0..1000).map(|_| clock.next(7)).collect::<Vec<_>>())
            })
            .collect();
        let mut all = Vec::new();
        for t in threads {
            let keys = t.join().unwrap();
            assert!(
                keys.windows(2).all(|w| w[0] < w[1]),
                "rising within a thread"
            );
            all.extend(keys);
        }
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 4000, "unique across threads");
    }
}
