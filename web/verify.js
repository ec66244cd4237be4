/* quizbooth: the verifiable draw (SPEC section 5), recomputed in JavaScript.
 *
 * Pure functions, no DOM: loaded by the public draw page (/static/verify.js)
 * and by the Node test tests/js/verify.test.js.
 *
 *   entries.txt = the pool's codes sorted by UTF-8 bytes, each followed by "\n"
 *   digest      = lowercase hex SHA-256(entries.txt)
 *   seed        = SHA-256(UTF-8 of digest + ":" + public_seed)          32 bytes
 *   number j    = first 8 bytes, big-endian, of SHA-256(seed || j as u64 BE)
 *   pick        = for each winner: m = pool size; draw numbers until one is
 *                 below 2^64 - (2^64 mod m); remove pool[number mod m].
 *
 * SHA-256 comes from crypto.subtle when the page has it. WeChat on the booth's
 * plain-http Wi-Fi is not a secure context, so crypto.subtle is missing there:
 * then a small pure-JS SHA-256 below is used instead.
 *
 * BigInt is used through BigInt(...) calls only, never `123n` literals, so
 * that this file still parses on an engine without BigInt (the page then says
 * it cannot verify instead of breaking).
 */
var QuizboothVerify = (function () {
  'use strict';

  // ---- bytes and text ----------------------------------------------------

  function utf8Encode(text) {
    if (typeof TextEncoder !== 'undefined') return new TextEncoder().encode(text);
    var bin = unescape(encodeURIComponent(text)); // old engines only
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function utf8Decode(bytes) {
    if (typeof TextDecoder !== 'undefined') return new TextDecoder('utf-8').decode(bytes);
    var bin = '';
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return decodeURIComponent(escape(bin));
  }

  /** A string (as UTF-8), Uint8Array, other typed array or ArrayBuffer → Uint8Array. */
  function toBytes(data) {
    if (typeof data === 'string') return utf8Encode(data);
    if (data instanceof Uint8Array) return data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw new TypeError('expected a string, Uint8Array or ArrayBuffer');
  }

  function toHex(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  }

  function fromHex(hex) {
    var out = new Uint8Array(hex.length >> 1);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }

  // ---- SHA-256 -------------------------------------------------------------

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  /** Pure-JS SHA-256 (FIPS 180-4), synchronous: Uint8Array → 32-byte Uint8Array. */
  function sha256Pure(bytes) {
    var len = bytes.length;
    var total = Math.ceil((len + 9) / 64) * 64; // message + 0x80 + 64-bit length, padded
    var p = new Uint8Array(total);
    p.set(bytes);
    p[len] = 0x80;
    var bitsHi = Math.floor(len / 0x20000000), bitsLo = (len * 8) >>> 0;
    for (var b = 0; b < 4; b++) {
      p[total - 8 + b] = (bitsHi >>> (24 - 8 * b)) & 0xff;
      p[total - 4 + b] = (bitsLo >>> (24 - 8 * b)) & 0xff;
    }
    var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var W = new Array(64);
    function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
    for (var off = 0; off < total; off += 64) {
      for (var i = 0; i < 16; i++) {
        var o = off + 4 * i;
        W[i] = (p[o] << 24) | (p[o + 1] << 16) | (p[o + 2] << 8) | p[o + 3];
      }
      for (i = 16; i < 64; i++) {
        var s0 = rotr(W[i - 15], 7) ^ rotr(W[i - 15], 18) ^ (W[i - 15] >>> 3);
        var s1 = rotr(W[i - 2], 17) ^ rotr(W[i - 2], 19) ^ (W[i - 2] >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
      var a = H[0], c1 = H[1], c2 = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (i = 0; i < 64; i++) {
        var t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & c1) ^ (a & c2) ^ (c1 & c2))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c2; c2 = c1; c1 = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + c1) | 0; H[2] = (H[2] + c2) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    var out = new Uint8Array(32);
    for (i = 0; i < 8; i++) {
      out[4 * i] = H[i] >>> 24; out[4 * i + 1] = H[i] >>> 16; out[4 * i + 2] = H[i] >>> 8; out[4 * i + 3] = H[i];
    }
    return out;
  }

  function subtle() {
    var g = typeof globalThis !== 'undefined' ? globalThis : typeof self !== 'undefined' ? self : {};
    return g.crypto && g.crypto.subtle ? g.crypto.subtle : null;
  }

  /** SHA-256 of bytes (or a string, as UTF-8) → Promise<Uint8Array(32)>. */
  function sha256(data) {
    var bytes = toBytes(data);
    var s = api.forcePureSha256 ? null : subtle();
    if (!s) return Promise.resolve(sha256Pure(bytes));
    return s.digest('SHA-256', bytes).then(function (buf) { return new Uint8Array(buf); },
      function () { return sha256Pure(bytes); }); // a refusing crypto.subtle: compute it here
  }

  // ---- the draw ------------------------------------------------------------

  function hasBigInt() { return typeof BigInt === 'function'; }

  /** The j-th number of the stream, as a BigInt. */
  function number(seedBytes, j) {
    var block = new Uint8Array(seedBytes.length + 8);
    block.set(seedBytes);
    var hi = Math.floor(j / 4294967296), lo = j >>> 0;
    for (var b = 0; b < 4; b++) {
      block[seedBytes.length + b] = (hi >>> (24 - 8 * b)) & 0xff;
      block[seedBytes.length + 4 + b] = (lo >>> (24 - 8 * b)) & 0xff;
    }
    return sha256(block).then(function (h) { return BigInt('0x' + toHex(h.subarray(0, 8))); });
  }

  /**
   * The picking loop of step 4, with the numbers coming from `next()`
   * (→ BigInt or Promise<BigInt>). Exposed so a test can feed a hand-made
   * stream that exercises rejection sampling.
   */
  async function pickWithStream(sortedCodes, next, winners) {
    var TWO64 = BigInt(2) ** BigInt(64);
    var pool = sortedCodes.slice();
    var picked = [];
    while (picked.length < winners && pool.length > 0) {
      var m = BigInt(pool.length);
      var limit = TWO64 - (TWO64 % m);
      var n = await next();
      while (n >= limit) n = await next();
      picked.push(pool.splice(Number(n % m), 1)[0]);
    }
    return picked;
  }

  /** Compare two strings by their UTF-8 bytes (the Rust/Python order, not JS's UTF-16 order). */
  function compareUtf8(a, b) {
    var x = utf8Encode(a), y = utf8Encode(b), n = Math.min(x.length, y.length);
    for (var i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }

  /** Codes deduplicated and sorted ascending by UTF-8 bytes: the committed pool order. */
  function sortCodes(codes) {
    var seen = Object.create(null), out = [];
    codes.forEach(function (c) { if (!seen[c]) { seen[c] = true; out.push(c); } });
    return out.sort(compareUtf8);
  }

  /** The entries.txt text for a list of codes, given in pool order. */
  function entriesText(sortedCodes) {
    return sortedCodes.map(function (c) { return c + '\n'; }).join('');
  }

  /** entries.txt text → the codes in file order (each line's final "\n" dropped). */
  function parseEntries(text) {
    if (text === '') return [];
    var lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }

  /**
   * A published public seed as the verifiers accept it (SPEC 5.2): digits
   * since issue 21, any printable ASCII before, so older draws still verify;
   * trimmed of ASCII white space, every run of spaces made one space, then 1
   * to 200 characters of printable ASCII; null when the seed must be refused.
   */
  function normaliseSeed(raw) {
    var s = String(raw).replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, '').replace(/ {2,}/g, ' ');
    return /^[\x20-\x7e]{1,200}$/.test(s) ? s : null;
  }

  /**
   * What a reveal makes of the typed seed (SPEC 5.2, "one call, one seed"):
   * ASCII spaces and , . - + / : ; are dropped, anything but the digits 0-9
   * is refused (never converted), 1 to 64 digits, exactly `seedDigits` when
   * the draw was committed with it. The server decides; the projector uses
   * this to show, while staff type, what it will send.
   * → {seed: the digits or null, count: digits typed, bad: 1-based position
   *    of the first refused character (0 if none)}
   */
  function revealSeed(raw, seedDigits) {
    var s = String(raw), digits = '', bad = 0;
    // Everything before the first refused character is ASCII, so its index
    // + 1 is its position in characters, as the server's message counts.
    for (var i = 0; i < s.length && !bad; i++) {
      var c = s.charAt(i);
      if (c >= '0' && c <= '9') digits += c;
      else if (' ,.-+/:;'.indexOf(c) < 0) bad = i + 1;
    }
    var ok = !bad && digits.length >= 1 && digits.length <= 64 &&
      (seedDigits == null || digits.length === seedDigits);
    return { seed: ok ? digits : null, count: digits.length, bad: bad };
  }

  var api = {
    /** Set true to use the pure-JS SHA-256 even where crypto.subtle exists (tests). */
    forcePureSha256: false,

    /** True when this engine can run the draw (BigInt is there). */
    supported: hasBigInt,

    /** Lowercase hex SHA-256 of bytes, or of a string as UTF-8. */
    sha256Hex: function (bytesOrString) { return sha256(bytesOrString).then(toHex); },

    /** seed = SHA-256(UTF-8 of digestHex + ":" + publicSeed), 32 bytes. */
    seed: function (digestHex, publicSeed) { return sha256(digestHex + ':' + publicSeed); },

    /** The first `count` numbers of the stream, as BigInts. */
    numbers: async function (seedBytes, count) {
      var out = [];
      for (var j = 0; j < count; j++) out.push(await number(seedBytes, j));
      return out;
    },

    /** The winners, in the order picked, from the sorted pool and the 32-byte seed. */
    pick: function (sortedCodes, seedBytes, winners) {
      var j = 0;
      return pickWithStream(sortedCodes, function () { return number(seedBytes, j++); }, winners);
    },

    /**
     * Check a downloaded entries.txt (string, Uint8Array or ArrayBuffer: pass
     * the raw bytes when you have them) against a draw from GET /api/draws/{id}.
     * → {digestOk, winnersOk, computedDigest, computedWinners, countOk, sortedOk,
     *    seedOk, digitsOk, entryCount, codes, ok}; winnersOk and computedWinners
     *    are null while the draw has no public seed; seedOk is false when the
     *    published seed is not its own normal form (normaliseSeed), digitsOk
     *    when a draw committed with seed_digits shows a seed of other digits.
     */
    verify: async function (entries, draw) {
      var bytes = toBytes(entries);
      var text = typeof entries === 'string' ? entries : utf8Decode(bytes);
      var codes = parseEntries(text);
      var computedDigest = await api.sha256Hex(bytes);
      var result = {
        digestOk: computedDigest === draw.entries_digest,
        computedDigest: computedDigest,
        entryCount: codes.length,
        countOk: draw.entry_count == null || codes.length === draw.entry_count,
        sortedOk: entriesText(sortCodes(codes)) === text,
        winnersOk: null,
        computedWinners: null,
        codes: codes
      };
      // A published seed must be its own normal form: nothing invisible or look-alike in it.
      result.seedOk = draw.public_seed == null || normaliseSeed(draw.public_seed) === draw.public_seed;
      // A draw committed with seed_digits was revealed with exactly that many digits.
      result.digitsOk = draw.public_seed == null || draw.seed_digits == null ||
        revealSeed(draw.public_seed, draw.seed_digits).seed === draw.public_seed;
      if (draw.public_seed != null) {
        var seedBytes = await api.seed(draw.entries_digest, draw.public_seed);
        var computed = await api.pick(codes, seedBytes, draw.winners_wanted);
        var listed = (draw.winners || []).map(function (w) { return w.code; });
        result.computedWinners = computed;
        result.winnersOk = computed.length === listed.length &&
          computed.every(function (c, i) { return c === listed[i]; });
      }
      result.ok = result.digestOk && result.countOk && result.sortedOk && result.seedOk &&
        result.digitsOk && result.winnersOk !== false;
      return result;
    },

    normaliseSeed: normaliseSeed,
    revealSeed: revealSeed,
    parseEntries: parseEntries,
    sortCodes: sortCodes,
    entriesText: entriesText,
    pickWithStream: pickWithStream,
    sha256Pure: sha256Pure,
    toHex: toHex,
    fromHex: fromHex
  };
  return api;
})();

if (typeof module !== 'undefined') module.exports = QuizboothVerify;
