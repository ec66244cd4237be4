// Every string key a page uses is in both languages of its table, and every
// key a table defines is used: no dead keys. A key is used when a page's
// scripts or HTML name it as a literal ('key', data-i18n="key"), or when it
// belongs to a family the console builds at run time ('pk_' + code, …):
// those families are enums on the Rust side (src/ui_keys.rs), whose test
// checks every variant has its strings, and every string is a variant.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const web = path.join(__dirname, '..', '..', 'web');
const read = (f) => fs.readFileSync(path.join(web, f), 'utf8');

function load(files) {
  const scope = { window: {}, document: { documentElement: {}, addEventListener() {}, querySelectorAll: () => [] },
    navigator: { languages: [] }, localStorage: { getItem: () => null, setItem() {} },
    location: { search: '', pathname: '/' }, Admin: { register() {}, t: () => '', $: () => null, el: () => null } };
  vm.createContext(scope);
  for (const f of files) vm.runInContext(read(f), scope, { filename: f });
  return scope;
}

const staffFiles = fs.readdirSync(web)
  .filter((f) => /^(admin|draw|show|poster|report|staff|verify|wall)/.test(f) && /\.(js|html)$/.test(f))
  .concat(['i18n.js']);

const FAMILIES = {
  'visitor page': {
    tables: () => vm.runInContext('STRINGS', load(['i18n.js', 'strings.js'])),
    files: ['app.js', 'after.js', 'index.html'],
    dynamic: [],
    // t(q.type): the question types (QuestionType in src/bank/mod.rs).
    runtime: ['single', 'multiple', 'truefalse'],
  },
  'staff and draw pages': {
    tables: () => vm.runInContext('DRAW_STRINGS', load(['i18n.js', 'strings-draw.js', 'strings-admin.js', 'strings-poster.js', 'strings-report.js', 'strings-wall.js'])),
    files: staffFiles,
    // Built at run time; each is an enum in src/ui_keys.rs (the audit's
    // actions and the field names src/audit/fields.rs reads are too; an
    // unknown one is shown as it is).
    dynamic: ['pk_', 'src_pk_', 'state_', 'what_', 'purge_how_', 'audit_format_', 'audit_act_', 'audit_f_'],
    runtime: [],
  },
};

/** The keys a page's sources name where a key is expected. */
function usedKeys(src) {
  const keys = new Set();
  const patterns = [
    /\bt\(\s*'([A-Za-z][A-Za-z0-9_]*)'(?!\s*\+)/g, // t('key', …), not t('prefix_' + x)
    /\bsay\(\s*[A-Za-z.]+\s*,\s*'([A-Za-z][A-Za-z0-9_]*)'(?!\s*\+)/g, // the poster's say(lang, 'key')
    /data-i18n(?:-[a-z-]+)?="([^"]+)"/g, // <span data-i18n="key">
  ];
  for (const re of patterns) for (const m of src.matchAll(re)) keys.add(m[1]);
  return keys;
}

for (const [name, fam] of Object.entries(FAMILIES)) {
  const src = fam.files.map(read).join('\n');

  test(`${name}: every key used is in both languages`, () => {
    const tables = fam.tables();
    const used = [...usedKeys(src)].concat(fam.runtime);
    assert.ok(used.length > 20, 'keys were found');
    assert.deepEqual(used.filter((k) => tables.zh[k] === undefined), [], 'used keys with no Chinese');
    assert.deepEqual(used.filter((k) => tables.en[k] === undefined), [], 'used keys with no English');
  });

  test(`${name}: every key defined is used`, () => {
    const tables = fam.tables();
    const named = (k) => src.includes(`'${k}'`) || src.includes(`"${k}"`);
    const dead = Object.keys(tables.zh).filter((k) => !named(k) && !fam.runtime.includes(k)
      && !fam.dynamic.some((p) => k.startsWith(p)));
    assert.deepEqual(dead, [], 'keys nothing uses (remove them from both languages)');
    for (const prefix of fam.dynamic) {
      assert.ok(src.includes(`'${prefix}' +`), `the family ${prefix}* is still built somewhere`);
    }
  });
}

test('the key finder finds what it should', () => {
  const keys = usedKeys(`t('a_b', { n: 1 }); say(lang, 'c'); <b data-i18n="d"></b> <i data-i18n-title="e"> t('f_' + x)`);
  assert.deepEqual([...keys].sort(), ['a_b', 'c', 'd', 'e']);
});
