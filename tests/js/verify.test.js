// The public draw page's JavaScript (web/verify.js) against the golden vectors
// of the Python reference (tests/fixtures/draw_vectors.json), once with
// crypto.subtle and once with the pure-JS SHA-256 that phones on plain-http
// Wi-Fi fall back to.  Run: node --test tests/js/
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const V = require('../../web/verify.js');
const cases = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'draw_vectors.json'), 'utf8'));
const seedCases = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'seed_vectors.json'), 'utf8'));

test('public seeds are normalised or refused as the Python reference does', () => {
  assert.ok(seedCases.length >= 10);
  for (const c of seedCases) {
    assert.equal(V.normaliseSeed(c.raw), c.normalised, `${JSON.stringify(c.raw)}: ${c.note}`);
  }
});

test('a reveal reads a typed seed as the Python reference does (one call, one seed)', () => {
  const digitCases = JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'digit_seed_vectors.json'), 'utf8'));
  assert.ok(digitCases.length >= 20);
  for (const c of digitCases) {
    assert.equal(V.revealSeed(c.raw, c.seed_digits).seed, c.seed,
      `${JSON.stringify(c.raw)} (${c.seed_digits} digits): ${c.note}`);
  }
  const forms = ['73915', '7 3 9 1 5', '739,15', '7.3.9.1.5', '7-3-9-1-5'];
  assert.deepEqual([...new Set(forms.map((f) => V.revealSeed(f, 5).seed))], ['73915']);
  assert.deepEqual(V.revealSeed('7 3 ９ 1', null), { seed: null, count: 2, bad: 5 }, 'names the position');
  assert.equal(V.revealSeed('73 9\u{1F600}', null).bad, 5, 'an emoji after four characters');
  assert.deepEqual(V.revealSeed('7 3 9', 6), { seed: null, count: 3, bad: 0 }, 'too few digits');
});

test('a draw committed with seed_digits verifies only with that many digits', async () => {
  const c = cases[0];
  assert.equal(c.public_seed, '20211011');
  const draw = {
    entries_digest: c.digest, entry_count: V.sortCodes(c.entries).length, public_seed: c.public_seed,
    winners_wanted: c.winners, winners: c.expected_winners.map((code) => ({ code })),
  };
  assert.equal((await V.verify(c.entries_txt, { ...draw, seed_digits: 8 })).ok, true);
  const r = await V.verify(c.entries_txt, { ...draw, seed_digits: 6 });
  assert.equal(r.winnersOk, true, 'the winners follow from the seed shown');
  assert.equal(r.digitsOk, false, 'but not with the digit count sealed at commit');
  assert.equal(r.ok, false);
  const older = cases.find((x) => x.name === 'ten-entries-three-winners');
  const o = await V.verify(older.entries_txt, {
    entries_digest: older.digest, entry_count: null, public_seed: older.public_seed,
    winners_wanted: older.winners, winners: older.expected_winners.map((code) => ({ code })),
  });
  assert.equal(o.ok, true, 'an older printable-ASCII seed, no seed_digits: still verifies');
});

test('a chain of re-draws follows the Python reference', async () => {
  const chain = JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'chain_vectors.json'), 'utf8'));
  const drawn = [];
  for (const d of chain.draws) {
    const pool = V.sortCodes(chain.entries.filter((c) => drawn.indexOf(c) < 0));
    assert.equal(V.entriesText(pool), d.entries_txt, 'the pool leaves out every earlier winner');
    assert.equal(await V.sha256Hex(d.entries_txt), d.digest);
    const won = await V.pick(pool, await V.seed(d.digest, d.public_seed), d.winners);
    assert.deepEqual(won, d.expected_winners);
    drawn.push(...won);
  }
  assert.equal(new Set(drawn).size, drawn.length, 'no code drawn twice');
});

test('a draw published with an invisible character in its seed does not verify', async () => {
  const c = cases[0];
  const rigged = '2021\u200b1011';
  const seedBytes = await V.seed(c.digest, rigged);
  const winners = await V.pick(V.sortCodes(c.entries), seedBytes, c.winners);
  const r = await V.verify(c.entries_txt, {
    entries_digest: c.digest, entry_count: c.entries.length, public_seed: rigged,
    winners_wanted: c.winners, winners: winners.map((code) => ({ code })),
  });
  assert.equal(r.winnersOk, true, 'the winners follow from the rigged seed');
  assert.equal(r.seedOk, false, 'but the seed is not one the service accepts');
  assert.equal(r.ok, false);
});

const PATHS = [
  { name: 'crypto.subtle', pure: false },
  { name: 'pure-JS SHA-256', pure: true },
];

function usePath(p) {
  if (!p.pure) assert.ok(globalThis.crypto && globalThis.crypto.subtle, 'Node has crypto.subtle');
  V.forcePureSha256 = p.pure;
}

test('the fixture file has cases', () => {
  assert.ok(cases.length > 0);
});

for (const p of PATHS) {
  for (const c of cases) {
    test(`${c.name} (${p.name})`, async () => {
      usePath(p);
      const pool = V.sortCodes(c.entries);
      assert.equal(V.entriesText(pool), c.entries_txt, 'entries.txt: deduplicated, sorted by UTF-8 bytes');
      assert.deepEqual(V.parseEntries(c.entries_txt), pool, 'parseEntries gives the pool back');

      assert.equal(await V.sha256Hex(c.entries_txt), c.digest, 'digest of the text');
      assert.equal(await V.sha256Hex(new TextEncoder().encode(c.entries_txt)), c.digest, 'digest of the bytes');

      const seed = await V.seed(c.digest, c.public_seed);
      assert.ok(seed instanceof Uint8Array && seed.length === 32, 'seed is 32 bytes');
      assert.equal(V.toHex(seed), c.seed_hex, 'seed');

      const numbers = await V.numbers(seed, c.first_numbers.length);
      assert.deepEqual(numbers, c.first_numbers.map(BigInt), 'first numbers of the stream');

      assert.deepEqual(await V.pick(pool, seed, c.winners), c.expected_winners, 'winners in the order picked');

      const draw = {
        entries_digest: c.digest, entry_count: pool.length, public_seed: c.public_seed,
        winners_wanted: c.winners, winners: c.expected_winners.map((code) => ({ code })),
      };
      const r = await V.verify(c.entries_txt, draw);
      assert.equal(r.digestOk, true, 'verify: digest');
      assert.equal(r.winnersOk, true, 'verify: winners');
      assert.equal(r.sortedOk, true, 'verify: canonical order');
      // A seed the service would refuse (the UTF-8 case) verifies as math but not as a draw.
      const canonical = V.normaliseSeed(c.public_seed) === c.public_seed;
      assert.equal(r.seedOk, canonical, 'verify: the seed is its own normal form');
      assert.equal(r.ok, canonical, 'verify: ok');
      assert.deepEqual(r.computedWinners, c.expected_winners);
      const fromBytes = await V.verify(new TextEncoder().encode(c.entries_txt).buffer, draw);
      assert.equal(fromBytes.ok, canonical, 'verify accepts an ArrayBuffer');
    });
  }
}

test('the pure SHA-256 agrees with crypto.subtle across padding boundaries', async () => {
  for (let len = 0; len < 300; len++) {
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) bytes[i] = (i * 131 + len * 7) & 0xff;
    const expected = Buffer.from(await globalThis.crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    assert.equal(V.toHex(V.sha256Pure(bytes)), expected, `length ${len}`);
  }
  assert.equal(V.toHex(V.sha256Pure(new Uint8Array(0))),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'empty input (FIPS 180-4)');
  assert.equal(V.toHex(V.sha256Pure(new TextEncoder().encode('abc'))),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', '"abc" (FIPS 180-4)');
});

test('verify falls back to the pure SHA-256 when crypto.subtle is missing', async () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
  try {
    V.forcePureSha256 = false;
    assert.equal(globalThis.crypto, undefined, 'crypto is gone, as on a plain-http page');
    const c = cases[cases.length - 1];
    const r = await V.verify(c.entries_txt, {
      entries_digest: c.digest, entry_count: null, public_seed: c.public_seed,
      winners_wanted: c.winners, winners: c.expected_winners.map((code) => ({ code })),
    });
    assert.equal(r.ok, true);
  } finally {
    Object.defineProperty(globalThis, 'crypto', saved);
  }
});

test('rejection sampling: a number at or above 2^64 - (2^64 mod m) is skipped', async () => {
  // m = 3: 2^64 mod 3 = 1, so the limit is 2^64 - 1 and 2^64 - 1 itself is rejected.
  const stream = [2n ** 64n - 1n, 4n, 2n ** 64n - 2n];
  let i = 0;
  const got = await V.pickWithStream(['A', 'B', 'C'], () => stream[i++], 2);
  // 4 mod 3 = 1 → B; pool [A, C], m = 2: (2^64 - 2) mod 2 = 0 → A
  assert.deepEqual(got, ['B', 'A']);
  assert.equal(i, 3, 'three numbers drawn, one rejected');
});

test('an empty pool picks nobody; more winners than entries picks them all', async () => {
  usePath(PATHS[0]);
  const seed = await V.seed('00', 'x');
  assert.deepEqual(await V.pick([], seed, 3), []);
  assert.equal((await V.pick(['A', 'B'], seed, 5)).length, 2);
  assert.deepEqual(V.parseEntries(''), []);
});

test('verify reports a tampered file and wrong winners', async () => {
  usePath(PATHS[0]);
  const c = cases.find((x) => x.expected_winners.length >= 2) || cases[0];
  const draw = {
    entries_digest: c.digest, entry_count: V.sortCodes(c.entries).length, public_seed: c.public_seed,
    winners_wanted: c.winners, winners: c.expected_winners.map((code) => ({ code })),
  };
  const tampered = await V.verify(c.entries_txt + 'ZZZZ-ZZZZ\n', draw);
  assert.equal(tampered.digestOk, false, 'an added line changes the digest');
  assert.equal(tampered.countOk, false, 'and the count');
  assert.equal(tampered.ok, false);

  const swapped = { ...draw, winners: draw.winners.slice().reverse() };
  const r = await V.verify(c.entries_txt, swapped);
  assert.equal(r.digestOk, true);
  assert.equal(r.countOk, true);
  assert.equal(r.winnersOk, false, 'winners listed in another order differ');
  assert.equal(r.ok, false);

  const committed = { ...draw, public_seed: null, winners: [] };
  const r2 = await V.verify(c.entries_txt, committed);
  assert.equal(r2.winnersOk, null, 'no seed yet: winners not checked');
  assert.equal(r2.computedWinners, null);

  const unsorted = V.entriesText(V.sortCodes(c.entries).reverse());
  const r3 = await V.verify(unsorted, { ...committed, entries_digest: await V.sha256Hex(unsorted) });
  assert.equal(r3.sortedOk, false, 'a file out of byte order is not the canonical entries.txt');
});
