//! A session is its token: nothing is stored when a quiz starts.
//!
//! The token carries the session's identity ([`SessionId`]: a key that
//! tells its start time, and a random nonce), the set version, the round and
//! the language, sealed with an HMAC-SHA256 under the server's secret. The
//! served questions and their option order come from a ChaCha8 generator
//! seeded by the MAC, so the same token always shows the same quiz, after a
//! restart or a `kill -9` too, and a visitor cannot pick their own questions
//! without the secret. Only a submission is written, under the session's
//! identity, which also makes a second submission fail on the primary key;
//! an entry names its session by the same identity ([`SessionId::hex`]).
//!
//! The quiz a token shows depends on ChaCha8 and on rand's `partial_shuffle`
//! and `shuffle`, pinned by `Cargo.lock`. An upgrade that changed either would
//! show a session in progress other questions after the upgrade (and refuse
//! its answers as not served): `a_token_always_serves_the_same_quiz` fails
//! first.
//!
//! # No two sessions share a token (SPEC §6)
//!
//! Three things keep two visitors out of one session:
//!
//! - One [`KeyClock`] never hands out a key twice: keys rise, start above
//!   the highest key stored (every submitted session's), and keep rising
//!   when the clock goes back.
//! - Nodes of one database hand out keys in their own residue class modulo
//!   [`NODE_STRIDE`], by the number each leases (`store/postgres/nodes.rs`),
//!   and only while that lease is confirmed ([`NodeLease`]): a node that
//!   cannot confirm its number starts no session (`503`).
//! - Neither holds against everything. A lease table edited by hand (the
//!   red team forced one lease stale with one `UPDATE`, and a second node
//!   took the number while the first still used it: 407 of ~1,700 tokens
//!   were the same on both), a database clock that jumps, or a booth
//!   restarted with its clock set back before its last sessions were
//!   submitted can each make two sessions' keys meet. So every token also
//!   carries a 64-bit nonce from the operating system's random generator
//!   (through `rand::rng()`), never 0, and a session's identity, the one its
//!   submission and its entry are stored under, is its key *and* its nonce.
//!
//! Two sessions share an identity only if both their keys and their nonces
//! meet. Whatever the leases and clocks did, among n sessions that happens
//! with probability at most n(n−1)/2 · 2⁻⁶⁴ < n²/2⁶⁵ (the birthday bound):
//! 2.7·10⁻⁸ for a million sessions, 2.7·10⁻⁴ for a hundred million; and only
//! pairs whose keys met count, which takes a broken lease or clock first.
//! Two tokens differ wherever their identities do (the identity is in the
//! token).
//!
//! # Layout
//!
//! 43 bytes, 86 hex digits: key (8, big-endian) · nonce (8) · the first 8
//! bytes of the set version (16 hex digits) · round index (2) · flags (1:
//! bit 0 English, bit 1 长辈版) · the first 16 bytes of the MAC.
//!
//! Tokens sealed before the nonce (35 bytes, 70 hex digits: the same without
//! the nonce) still open and continue: their identity is their key alone
//! (nonce 0), as their submissions and entries were stored, and no token of
//! the new layout has nonce 0, so the two never meet.
//!
//! A session started from a listed source (SPEC §11, `/?src=ID`) carries
//! the source's id (1 to 32 bytes of `[a-z0-9-]`) after the flags, under
//! the MAC: 44 to 75 bytes, up to 150 hex digits. The length says whether
//! it is there, so a token without it (every token sealed before sources,
//! and every session from no listed source) is the 43 bytes above and its
//! source is `direct`. The source is fixed at the start: changing the list
//! later changes no token, and no one can change a token's source without
//! the secret. A token of the layout before the nonce never carries one.

pub use crate::ids::{new_secret, NodeLease, SessionId, LEASE_HOLD, NODE_STRIDE, SEQ_BITS};
use hmac::{Hmac, Mac};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use subtle::ConstantTimeEq;

/// Key · nonce · version · round · flags.
const PAYLOAD: usize = 27;
/// The first layout's payload: key · version · round · flags.
const LEGACY_PAYLOAD: usize = 19;
const TAG: usize = 16;
/// Length of a token in hex digits (without a source).
pub const TOKEN_HEX_LEN: usize = 2 * (PAYLOAD + TAG);
/// Length of the longest token: one with a source of 32 bytes.
pub const MAX_TOKEN_HEX_LEN: usize = TOKEN_HEX_LEN + 2 * crate::sources::MAX_ID;
/// Length of a token sealed before the nonce (still opened).
pub const LEGACY_TOKEN_HEX_LEN: usize = 2 * (LEGACY_PAYLOAD + TAG);
/// Hex digits of the set version a token names.
pub const VERSION_PREFIX_LEN: usize = 16;

/// The languages a session can have, by their bit in the token.
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
    /// What the session is stored under.
    pub id: SessionId,
    /// The first [`VERSION_PREFIX_LEN`] hex digits of the set version.
    pub version: String,
    /// Index of the round in the set version's rounds.
    pub round: u16,
    /// `zh` or `en`.
    pub lang: &'static str,
    /// Started in 长辈版 (large text): no countdown unless the bank
    /// requires its time limit.
    pub large: bool,
    /// The listed source it was started from; `None` is `direct`.
    pub source: Option<String>,
    tag: [u8; TAG],
}

impl SessionToken {
    /// Seals a new token. `version` is the set version's hex digest. An
    /// identity with nonce 0 gives a token of the layout before the nonce.
    pub fn seal(key: &TokenKey, id: SessionId, version: &str, round: u16, lang: &str) -> Self {
        Self::seal_with(key, id, version, round, lang, false)
    }

    /// Seals a new token, in 长辈版 when `large`.
    pub fn seal_with(
        key: &TokenKey,
        id: SessionId,
        version: &str,
        round: u16,
        lang: &str,
        large: bool,
    ) -> Self {
        Self::seal_from(key, id, version, round, lang, large, None)
    }

    /// Seals a new token of a session started from `source` (an id the
    /// caller found listed; anything that is not a source id, and any
    /// source on an identity of the layout before the nonce, seals as
    /// `direct`).
    pub fn seal_from(
        key: &TokenKey,
        id: SessionId,
        version: &str,
        round: u16,
        lang: &str,
        large: bool,
        source: Option<&str>,
    ) -> Self {
        let prefix = &version[..VERSION_PREFIX_LEN.min(version.len())];
        let lang = LANGS.iter().copied().find(|l| *l == lang).unwrap_or("zh");
        let source = source
            .filter(|s| {
                id.nonce != 0 && crate::sources::valid_id(s) && *s != crate::sources::DIRECT
            })
            .map(str::to_owned);
        let mut token = Self {
            id,
            version: prefix.to_owned(),
            round,
            lang,
            large,
            source,
            tag: [0; TAG],
        };
        token.tag = key.tag(&token.payload());
        token
    }

    /// The sealed bytes: with the nonce after the key, or (nonce 0) in the
    /// layout before it.
    fn payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(PAYLOAD);
        p.extend_from_slice(&self.id.key.to_be_bytes());
        if self.id.nonce != 0 {
            p.extend_from_slice(&self.id.nonce.to_be_bytes());
        }
        let mut version = [0u8; 8];
        // A prefix that is not hex (never made by `seal` from a real version) seals as zeros.
        let _ = hex::decode_to_slice(&self.version, &mut version);
        p.extend_from_slice(&version);
        p.extend_from_slice(&self.round.to_be_bytes());
        // Bit 0: English; bit 1: 长辈版 (tokens sealed before it have 0 there).
        p.push(u8::from(self.lang == "en") | (u8::from(self.large) << 1));
        if let Some(source) = &self.source {
            p.extend_from_slice(source.as_bytes());
        }
        p
    }

    /// Reads and checks a token of either layout; `None` for anything not
    /// sealed by this key.
    pub fn open(key: &TokenKey, text: &str) -> Option<Self> {
        // One form only, the one `encode` gives: an upper-case copy of a token
        // would open the same session under another rate-limit key.
        if !(text.len() == LEGACY_TOKEN_HEX_LEN
            || (TOKEN_HEX_LEN..=MAX_TOKEN_HEX_LEN).contains(&text.len()))
            || !text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        let bytes = hex::decode(text).ok()?;
        let (payload, tag) = bytes.split_at(bytes.len() - TAG);
        if !bool::from(key.tag(payload).ct_eq(tag)) {
            return None;
        }
        let key_of = |at: usize| {
            Some(u64::from_be_bytes(
                payload.get(at..at + 8)?.try_into().ok()?,
            ))
        };
        let (id, rest) = if payload.len() >= PAYLOAD {
            let nonce = key_of(8)?;
            // Never sealed: a nonce of 0 is the first layout's.
            if nonce == 0 {
                return None;
            }
            (
                SessionId {
                    key: key_of(0)?,
                    nonce,
                },
                &payload[16..],
            )
        } else {
            (SessionId::legacy(key_of(0)?), &payload[8..])
        };
        let flags = rest[10];
        if flags > 3 {
            return None;
        }
        let source = match &rest[11..] {
            [] => None,
            bytes => {
                let s = std::str::from_utf8(bytes).ok()?;
                // Never sealed: `seal_from` keeps only a source id.
                if !crate::sources::valid_id(s) || s == crate::sources::DIRECT {
                    return None;
                }
                Some(s.to_owned())
            }
        };
        let lang = *LANGS.get(usize::from(flags & 1))?;
        let mut t = Self {
            id,
            version: hex::encode(&rest[..8]),
            round: u16::from_be_bytes([rest[8], rest[9]]),
            lang,
            large: flags & 2 != 0,
            source,
            tag: [0; TAG],
        };
        t.tag.copy_from_slice(tag);
        Some(t)
    }

    /// The token as sent to the visitor.
    pub fn encode(&self) -> String {
        let mut bytes = self.payload();
        bytes.extend_from_slice(&self.tag);
        hex::encode(bytes)
    }

    /// The generator that picks this session's questions and option order.
    pub fn rng(&self) -> ChaCha8Rng {
        let mut seed = [0u8; 32];
        seed[..TAG].copy_from_slice(&self.tag);
        seed[TAG..].copy_from_slice(&self.tag);
        ChaCha8Rng::from_seed(seed)
    }

    /// The session's source as counted: its listed id, or `direct`.
    pub fn source_id(&self) -> &str {
        self.source.as_deref().unwrap_or(crate::sources::DIRECT)
    }

    /// When the session started, in milliseconds since the Unix epoch.
    pub fn started_ms(&self) -> i64 {
        self.id.started_ms()
    }
}

/// Hands out session identities: a key (the start time in milliseconds,
/// shifted left by 20 bits, plus a sequence number, so keys are unique,
/// rise with time, and land at the end of the submissions table when they
/// are written) and a fresh nonce ([`SessionId::fresh`]).
///
/// Nodes sharing one database ([`KeyClock::for_node`]) hand out keys in
/// their own residue class modulo [`NODE_STRIDE`], so two nodes whose
/// leases hold never hand out the same key, even in the same millisecond:
/// node `n` only gives keys `k` with `k % NODE_STRIDE == n % NODE_STRIDE`
/// (up to 4,096 a millisecond), and none while its lease is unconfirmed.
#[derive(Debug)]
pub struct KeyClock {
    last: AtomicU64,
    /// The node's lease, whose number's residue modulo `stride` this
    /// clock's keys have (shared with the store, which renews it); `None`
    /// on a database of one node.
    lease: Option<Arc<NodeLease>>,
    stride: u64,
}

impl KeyClock {
    /// A clock that never hands out a key at or below `floor` (the highest key
    /// already stored, so a clock set back between runs cannot repeat one).
    pub fn new(floor: u64) -> Self {
        Self {
            last: AtomicU64::new(floor),
            lease: None,
            stride: 1,
        }
    }

    /// The clock of a node of several on one database, by its lease.
    pub fn for_node(floor: u64, lease: Arc<NodeLease>) -> Self {
        Self {
            last: AtomicU64::new(floor),
            lease: Some(lease),
            stride: NODE_STRIDE,
        }
    }

    /// The next identity for a session starting at `now_ms`; `None` while
    /// this node's lease is not confirmed.
    pub fn next(&self, now_ms: i64) -> Option<SessionId> {
        let node = match &self.lease {
            Some(lease) => lease.confirmed(Instant::now())?,
            None => 0,
        };
        let base = u64::try_from(now_ms).unwrap_or(0) << SEQ_BITS;
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let key = class_at_or_above(base.max(last + 1), node, self.stride);
            match self
                .last
                .compare_exchange_weak(last, key, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return Some(SessionId::fresh(key)),
                Err(seen) => last = seen,
            }
        }
    }
}

/// The smallest key `≡ node (mod stride)` at or above `k`.
fn class_at_or_above(k: u64, node: u64, stride: u64) -> u64 {
    let (node, r) = (node % stride, k % stride);
    let up = (node + stride - r) % stride;
    k.saturating_add(up)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;
    use std::collections::HashSet;
    use std::time::Duration;

    const VERSION: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// What the fixture bank serves for the seed `[7; 32]`: question index and option order.
    const PINNED: &[(usize, &str)] = &[(2, "TF"), (1, "BAC"), (0, "CBA")];

    /// A token of the layout before the nonce, sealed under `a fixed
    /// secret` (MAC computed apart, in Python's `hmac`): key
    /// `1_700_000_000_000 << 20 | 5`, [`VERSION`], round 1, English, 长辈版.
    const LEGACY: &str = "18bcfe56800000050123456789abcdef000103036943ec253f693c3186fc4a2bb642e0";
    /// What the fixture bank served for [`LEGACY`] before the nonce came.
    const LEGACY_SERVED: &[(usize, &str)] = &[(2, "TF"), (1, "CBA"), (0, "ABC")];

    fn served(bank: &crate::bank::Bank, token: &SessionToken) -> Vec<(usize, String)> {
        crate::quiz::serve(bank, &mut token.rng())
            .into_iter()
            .map(|s| (s.index, s.options.iter().collect()))
            .collect()
    }

    fn pinned(list: &[(usize, &str)]) -> Vec<(usize, String)> {
        list.iter().map(|(i, o)| (*i, (*o).to_owned())).collect()
    }

    fn fixture_bank() -> crate::bank::Bank {
        crate::bank::parse_bank(include_str!("../../tests/fixtures/valid.yaml"))
            .bank
            .expect("the fixture bank is valid")
    }

    fn lease(number: u64) -> Arc<NodeLease> {
        Arc::new(NodeLease::new(number, Instant::now()))
    }

    #[test]
    fn a_token_round_trips_and_only_opens_under_its_key() {
        let key = TokenKey::new(b"secret");
        let id = SessionId::fresh(42 << SEQ_BITS);
        let t = SessionToken::seal(&key, id, VERSION, 3, "en");
        let text = t.encode();
        assert_eq!(text.len(), TOKEN_HEX_LEN);
        assert_eq!(
            &text[..16],
            format!("{:016x}", 42u64 << SEQ_BITS),
            "the key first"
        );
        assert_eq!(
            &text[16..32],
            format!("{:016x}", id.nonce),
            "then the nonce"
        );
        let back = SessionToken::open(&key, &text).expect("opens");
        assert_eq!(back, t);
        assert_eq!(back.id, id);
        assert_eq!(back.version, &VERSION[..VERSION_PREFIX_LEN]);
        assert_eq!((back.round, back.lang, back.started_ms()), (3, "en", 42));
        assert!(!back.large);
        let large = SessionToken::seal_with(&key, SessionId::fresh(9), VERSION, 0, "zh", true);
        let back = SessionToken::open(&key, &large.encode()).expect("opens");
        assert!(
            back.large && back.lang == "zh",
            "长辈版 is sealed in: {back:?}"
        );
        assert!(SessionToken::open(&TokenKey::new(b"other"), &text).is_none());
    }

    #[test]
    fn a_source_is_sealed_in_and_cannot_be_changed() {
        let key = TokenKey::new(b"secret");
        let id = SessionId::fresh(42 << SEQ_BITS);
        let t = SessionToken::seal_from(&key, id, VERSION, 1, "zh", false, Some("wuhua-1"));
        let text = t.encode();
        assert_eq!(text.len(), TOKEN_HEX_LEN + 2 * "wuhua-1".len());
        let back = SessionToken::open(&key, &text).expect("opens");
        assert_eq!(back.source.as_deref(), Some("wuhua-1"));
        assert_eq!(back.source_id(), "wuhua-1");
        assert_eq!((back.id, back.round, back.lang), (id, 1, "zh"));
        // Another source is another MAC: an edited source does not open.
        let hex_of = hex::encode("wuhua-2");
        let edited = format!(
            "{}{}{}",
            &text[..TOKEN_HEX_LEN - 2 * TAG],
            hex_of,
            &text[text.len() - 2 * TAG..]
        );
        assert_eq!(edited.len(), text.len());
        assert!(SessionToken::open(&key, &edited).is_none());
        // Nor does one with the source cut off, nor one with it added.
        let cut = format!(
            "{}{}",
            &text[..TOKEN_HEX_LEN - 2 * TAG],
            &text[text.len() - 2 * TAG..]
        );
        assert!(SessionToken::open(&key, &cut).is_none());
        let plain = SessionToken::seal(&key, id, VERSION, 1, "zh").encode();
        assert_eq!(
            plain.len(),
            TOKEN_HEX_LEN,
            "no source: the layout before sources"
        );
        let plain = SessionToken::open(&key, &plain).unwrap();
        assert_eq!(
            (plain.source.as_deref(), plain.source_id()),
            (None, "direct")
        );
        // Only a source id is sealed; `direct` is no source.
        for odd in ["direct", "Bad id", "", &"x".repeat(33)] {
            let t = SessionToken::seal_from(&key, id, VERSION, 0, "zh", false, Some(odd));
            assert_eq!(t.source, None, "{odd:?}");
            assert_eq!(t.encode().len(), TOKEN_HEX_LEN);
        }
        let longest =
            SessionToken::seal_from(&key, id, VERSION, 0, "zh", false, Some(&"x".repeat(32)));
        assert_eq!(longest.encode().len(), MAX_TOKEN_HEX_LEN);
        assert!(SessionToken::open(&key, &longest.encode()).is_some());
        // A token of the first layout never carries one.
        let legacy = SessionToken::seal_from(
            &key,
            SessionId::legacy(7),
            VERSION,
            0,
            "zh",
            false,
            Some("wuhua"),
        );
        assert_eq!(
            (legacy.source.clone(), legacy.encode().len()),
            (None, LEGACY_TOKEN_HEX_LEN)
        );
        // Each digit of a sourced token is under the MAC.
        for i in 0..text.len() {
            let mut bytes = text.clone().into_bytes();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            assert!(
                SessionToken::open(&key, &String::from_utf8(bytes).unwrap()).is_none(),
                "digit {i}"
            );
        }
    }

    #[test]
    fn any_changed_digit_is_refused() {
        let key = TokenKey::new(b"secret");
        let new = SessionToken::seal(&key, SessionId::fresh(7), VERSION, 0, "zh").encode();
        let legacy = SessionToken::seal(&key, SessionId::legacy(7), VERSION, 0, "zh").encode();
        assert_eq!(legacy.len(), LEGACY_TOKEN_HEX_LEN);
        for text in [new, legacy] {
            for i in 0..text.len() {
                let mut bytes = text.clone().into_bytes();
                bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
                let changed = String::from_utf8(bytes).unwrap();
                assert!(SessionToken::open(&key, &changed).is_none(), "digit {i}");
            }
            for bad in [
                "",
                "zz",
                &text[1..],
                &format!("{text}0"),
                &format!("{text}00"),
            ] {
                assert!(SessionToken::open(&key, bad).is_none(), "{bad}");
            }
            assert!(
                SessionToken::open(&key, &text.to_ascii_uppercase()).is_none(),
                "one form only: lower-case hex"
            );
        }
        // The new layout with a nonce of 0 is never sealed, so never opened,
        // even under the right MAC: it would name a session of the old layout.
        let mut payload = Vec::from(7u64.to_be_bytes());
        payload.extend_from_slice(&[0; 8]);
        payload.extend_from_slice(&hex::decode(&VERSION[..16]).unwrap());
        payload.extend_from_slice(&[0, 0, 0]);
        let mut forged = payload.clone();
        forged.extend_from_slice(&key.tag(&payload));
        assert!(SessionToken::open(&key, &hex::encode(forged)).is_none());
    }

    #[test]
    fn the_same_token_gives_the_same_generator() {
        let key = TokenKey::new(b"secret");
        let a = SessionToken::seal(&key, SessionId::fresh(1), VERSION, 0, "zh");
        let b = SessionToken::seal(&key, SessionId::fresh(2), VERSION, 0, "zh");
        let c = SessionToken::seal(&key, SessionId::fresh(1), VERSION, 0, "zh");
        let draw = |t: &SessionToken| t.rng().next_u64();
        assert_eq!(draw(&a), draw(&a.clone()));
        assert_eq!(
            draw(&a),
            draw(&SessionToken::open(&key, &a.encode()).unwrap())
        );
        assert_ne!(draw(&a), draw(&b));
        assert_ne!(
            draw(&a),
            draw(&c),
            "the same key, another nonce: another quiz"
        );
    }

    #[test]
    fn a_token_always_serves_the_same_quiz() {
        let bank = fixture_bank();
        let key = TokenKey::new(b"a fixed secret");
        let token = SessionToken::seal(
            &key,
            SessionId::fresh(42 << SEQ_BITS),
            &bank.version,
            0,
            "zh",
        );
        assert_eq!(served(&bank, &token), served(&bank, &token.clone()));
        // Pinned against a fixed seed, so a change in rand's algorithms shows here.
        let mut rng = ChaCha8Rng::from_seed([7; 32]);
        let picked: Vec<(usize, String)> = crate::quiz::serve(&bank, &mut rng)
            .into_iter()
            .map(|s| (s.index, s.options.iter().collect()))
            .collect();
        assert_eq!(picked, pinned(PINNED));
    }

    #[test]
    fn a_token_sealed_before_the_nonce_still_opens_and_serves_the_same_quiz() {
        let key = TokenKey::new(b"a fixed secret");
        let t = SessionToken::open(&key, LEGACY).expect("a token of the first layout opens");
        assert_eq!(t.id, SessionId::legacy((1_700_000_000_000 << SEQ_BITS) | 5));
        assert_eq!(t.started_ms(), 1_700_000_000_000);
        assert_eq!(
            (t.version.as_str(), t.round, t.lang, t.large),
            (&VERSION[..16], 1, "en", true)
        );
        assert_eq!(t.encode(), LEGACY, "it is sent back as it came");
        assert_eq!(served(&fixture_bank(), &t), pinned(LEGACY_SERVED));
        // Its entry was stored under its key alone, as 16 hex digits.
        assert_eq!(t.id.hex(), "18bcfe5680000005");
        let sealed = SessionToken::seal_with(&key, t.id, VERSION, 1, "en", true);
        assert_eq!(sealed.encode(), LEGACY);
    }

    #[test]
    fn two_nodes_never_hand_out_the_same_key_in_the_same_millisecond() {
        let a = KeyClock::for_node(0, lease(1));
        let b = KeyClock::for_node(0, lease(2));
        let mut seen = HashSet::new();
        for ms in [5_000, 5_000, 5_001, 4_999] {
            for _ in 0..300 {
                let (ka, kb) = (a.next(ms).unwrap().key, b.next(ms).unwrap().key);
                assert_eq!(ka % NODE_STRIDE, 1);
                assert_eq!(kb % NODE_STRIDE, 2);
                assert!(
                    seen.insert(ka) && seen.insert(kb),
                    "a key was handed out twice"
                );
            }
        }
        let first = KeyClock::for_node(0, lease(7)).next(5_000).unwrap();
        assert_eq!(
            first.started_ms(),
            5_000,
            "a key still tells its start time"
        );
        // A node given a new number (its lease lost) carries it at once,
        // still above every key it gave before.
        let number = lease(3);
        let c = KeyClock::for_node(0, number.clone());
        let before = c.next(9_000).unwrap().key;
        number.confirm(4, Instant::now());
        let after = c.next(9_000).unwrap().key;
        assert_eq!((before % NODE_STRIDE, after % NODE_STRIDE), (3, 4));
        assert!(after > before);
    }

    /// Sessions sealed from `n` identities of `clock` at `ms`, as tokens.
    fn minted(key: &TokenKey, clock: &KeyClock, ms: i64, n: usize) -> Vec<SessionToken> {
        (0..n)
            .map(|_| {
                let id = clock.next(ms).expect("the lease holds");
                SessionToken::seal(key, id, VERSION, 0, "zh")
            })
            .collect()
    }

    /// How many keys, identities and tokens two lists of tokens share.
    fn shared(a: &[SessionToken], b: &[SessionToken]) -> (usize, usize, usize) {
        let count = |f: &dyn Fn(&SessionToken) -> String| {
            let left: HashSet<String> = a.iter().map(f).collect();
            b.iter().filter(|t| left.contains(&f(t))).count()
        };
        (
            count(&|t| t.id.key.to_string()),
            count(&|t| t.id.hex()),
            count(&|t| t.encode()),
        )
    }

    #[test]
    fn two_clocks_with_one_node_number_share_keys_but_never_a_token() {
        // The red team's attack: a lease forced stale, and a second node
        // leasing the number the first still uses. Their keys meet; their
        // identities and tokens must not.
        let key = TokenKey::new(b"secret");
        let (a, b) = (
            KeyClock::for_node(0, lease(0)),
            KeyClock::for_node(0, lease(0)),
        );
        let mut on_a = Vec::new();
        let mut on_b = Vec::new();
        for ms in [1_000, 1_001, 1_002] {
            on_a.extend(minted(&key, &a, ms, 2_000));
            on_b.extend(minted(&key, &b, ms, 2_000));
        }
        let (keys, ids, tokens) = shared(&on_a, &on_b);
        assert!(keys >= 6_000, "the attack makes keys meet: {keys}");
        assert_eq!((ids, tokens), (0, 0), "no shared identity or token");
        let all: HashSet<String> = on_a.iter().chain(&on_b).map(SessionToken::encode).collect();
        assert_eq!(all.len(), 12_000);
    }

    #[test]
    fn a_clock_set_back_before_a_restart_repeats_keys_but_never_a_token() {
        // A SQLite booth: sessions started, none submitted (so the floor
        // stays 0), a restart with the clock set back a second.
        let key = TokenKey::new(b"secret");
        let before = minted(&key, &KeyClock::new(0), 10_000, 3_000);
        let restarted = KeyClock::new(0);
        let mut after = minted(&key, &restarted, 9_000, 1_000);
        after.extend(minted(&key, &restarted, 10_000, 3_000));
        let (keys, ids, tokens) = shared(&before, &after);
        assert!(keys > 0, "the clock set back gives old keys again: {keys}");
        assert_eq!((ids, tokens), (0, 0));
        // What was submitted is the floor: keys start above it.
        let floor = before.last().unwrap().id.key;
        assert!(KeyClock::new(floor).next(9_000).unwrap().key > floor);
    }

    #[test]
    fn a_node_whose_lease_is_not_confirmed_starts_no_session() {
        let number = lease(5);
        let clock = KeyClock::for_node(0, number.clone());
        assert_eq!(clock.next(1_000).unwrap().key % NODE_STRIDE, 5);
        // Found taken by another node.
        number.lapse();
        assert_eq!(number.number(), 5);
        assert!(number.confirmed(Instant::now()).is_none());
        assert!(clock.next(1_000).is_none(), "no session without a lease");
        // Leased again (another number).
        number.confirm(6, Instant::now());
        assert_eq!(clock.next(1_000).unwrap().key % NODE_STRIDE, 6);
        // Not renewed for LEASE_HOLD (the database out of reach): no more.
        let now = Instant::now();
        assert_eq!(
            number.confirmed(now + LEASE_HOLD - Duration::from_secs(1)),
            Some(6)
        );
        assert_eq!(
            number.confirmed(now + LEASE_HOLD + Duration::from_millis(1)),
            None
        );
        // A tool's fixed number never lapses.
        let fixed = NodeLease::fixed(9);
        assert_eq!(
            fixed.confirmed(now + Duration::from_secs(86_400 * 365)),
            Some(9)
        );
        // One node alone (SQLite) needs no lease.
        assert!(KeyClock::new(0).next(1_000).is_some());
    }

    #[test]
    fn keys_rise_and_never_repeat_even_when_the_clock_goes_back() {
        let clock = KeyClock::new(0);
        let key = |ms| clock.next(ms).unwrap().key;
        let a = key(1_000);
        let b = key(1_000);
        let c = key(999);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(a >> SEQ_BITS, 1_000);
        let resumed = KeyClock::new(c);
        assert!(resumed.next(5).unwrap().key > c);
        let shared = Arc::new(KeyClock::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let clock = shared.clone();
                std::thread::spawn(move || {
                    (0..1000)
                        .map(|_| clock.next(7).unwrap().key)
                        .collect::<Vec<_>>()
                })
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
