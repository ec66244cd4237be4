// Every served script parses as ES2017 and uses no API newer than
// Chromium 78 (Android WeChat's X5/XWeb ran Chromium 78 in December 2020
// and 86 through 2022; `Object.hasOwn`, `AbortSignal.timeout` and
// `toReversed` broke real WeChat pages in 2025). The parser is acorn from
// npm, installed by .ci/run into a temp folder (never served, never in the
// repo): `npm install --no-save --prefix /tmp/quizbooth-npm acorn axe-core`.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const modules = process.env.QUIZBOOTH_NODE_MODULES || '/tmp/quizbooth-npm/node_modules';
const web = path.join(__dirname, '..', '..', 'web');
const scripts = fs.readdirSync(web).filter((f) => f.endsWith('.js'));

let acorn = null;
try {
  acorn = require(path.join(modules, 'acorn'));
} catch (e) {
  if (process.env.CI === 'true') throw new Error(`acorn is not installed at ${modules}: .ci/run installs it`);
  console.log(`# skipped: acorn not found at ${modules} (npm install --no-save --prefix /tmp/quizbooth-npm acorn)`);
}

// Newer than Chromium 78, with the version that brought it. A use needs a
// fallback and an entry in ALLOWED with the reason.
const NEWER = [
  [/\.replaceAll\(/, 'String.prototype.replaceAll (Chrome 85)'],
  [/\.at\(-?\d/, 'Array/String.prototype.at (Chrome 92)'],
  [/Object\.hasOwn\(/, 'Object.hasOwn (Chrome 93)'],
  [/structuredClone\(/, 'structuredClone (Chrome 98)'],
  [/\.findLast(Index)?\(/, 'Array.prototype.findLast (Chrome 97)'],
  [/AbortSignal\.timeout\(/, 'AbortSignal.timeout (Chrome 103)'],
  [/AbortSignal\.any\(/, 'AbortSignal.any (Chrome 116)'],
  [/\.to(Reversed|Sorted|Spliced)\(/, 'Array.prototype.toReversed/toSorted/toSpliced (Chrome 110)'],
  [/Promise\.any\(/, 'Promise.any (Chrome 85)'],
  [/\.groupBy\(/, 'Object.groupBy (Chrome 117)'],
  [/Array\.fromAsync\(/, 'Array.fromAsync (Chrome 121)'],
  [/navigator\.clipboard\.write\(/, 'ClipboardItem writes (Chrome 76, flaky in WebViews)'],
];
// `file: what` → why it is safe there (none today; BarcodeDetector, the
// claim desk's camera, is feature-detected with typing as the fallback).
const ALLOWED = {};

for (const file of scripts) {
  test(`${file} parses as ES2017`, { skip: !acorn }, () => {
    const src = fs.readFileSync(path.join(web, file), 'utf8');
    assert.doesNotThrow(() => acorn.parse(src, { ecmaVersion: 2017, sourceType: 'script' }),
      `${file} uses syntax newer than ES2017`);
  });
  test(`${file} uses no API newer than Chromium 78`, () => {
    const src = fs.readFileSync(path.join(web, file), 'utf8');
    for (const [re, what] of NEWER) {
      assert.ok(!re.test(src) || ALLOWED[`${file}: ${what}`], `${file} uses ${what}`);
    }
  });
}

test('the gate would catch ES2018+ syntax and new APIs', { skip: !acorn }, () => {
  assert.throws(() => acorn.parse('const o = {...a};', { ecmaVersion: 2017 }));
  assert.throws(() => acorn.parse('a?.b', { ecmaVersion: 2017 }));
  assert.ok(NEWER.some(([re]) => re.test('x.replaceAll("a", "b")')));
});
