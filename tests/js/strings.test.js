// Every text a visitor or staff member sees comes from one table per
// language: the Chinese and English tables have the same keys, and every
// placeholder of a string is in its translation.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const web = path.join(__dirname, '..', '..', 'web');

/** Runs scripts as the pages do, in one global scope, and returns it. */
function load(files) {
  const scope = { window: {}, document: { documentElement: {}, addEventListener() {}, querySelectorAll: () => [] },
    navigator: { languages: [] }, localStorage: { getItem: () => null, setItem() {} },
    location: { search: '', pathname: '/' }, Admin: { register() {}, t: () => '', $: () => null, el: () => null } };
  vm.createContext(scope);
  for (const f of files) vm.runInContext(fs.readFileSync(path.join(web, f), 'utf8'), scope, { filename: f });
  return scope;
}

function same(tables, name) {
  const zh = Object.keys(tables.zh).sort();
  const en = Object.keys(tables.en).sort();
  assert.deepEqual(zh.filter((k) => !tables.en[k]), [], `${name}: keys with no English`);
  assert.deepEqual(en.filter((k) => !tables.zh[k]), [], `${name}: keys with no Chinese`);
  for (const k of zh) {
    if (typeof tables.zh[k] !== 'string') continue;
    const holes = (s) => (s.match(/\{[a-z_]+\}/g) || []).sort().join(' ');
    assert.equal(holes(tables.en[k]), holes(tables.zh[k]), `${name}.${k}: the same {placeholders}`);
  }
}

test('the visitor page has one table per language with the same keys', () => {
  const scope = load(['i18n.js', 'strings.js']);
  same(vm.runInContext('STRINGS', scope), 'STRINGS');
});

test('the staff pages have one table per language with the same keys', () => {
  const scope = load(['i18n.js', 'strings-draw.js', 'strings-admin.js', 'strings-poster.js', 'strings-report.js', 'strings-wall.js', 'admin-claims.js']);
  same(vm.runInContext('DRAW_STRINGS', scope), 'DRAW_STRINGS');
});
