// The style bundles opened on visitors' phones (the visitor page, and the
// public draw page reached from a receipt or a poster's QR code) use no CSS
// that old phone WebViews drop. The baseline is the one es2017.test.js holds
// scripts to: Chromium 78, what Android WeChat's X5/XWeb core ran in December
// 2020 (Android 7's own WebView is older still, but it updates with Chrome).
// A declaration such a core does not know is dropped, so the layout breaks
// (flex `gap` gives no spacing at all); a selector it does not know drops the
// whole rule, every selector of its list with it. A use needs a fallback:
// the same property declared before it in the rule (the old core keeps that
// one), an `@supports` block (skipped), or an entry in ALLOWED saying why
// losing it there is harmless.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const web = path.join(__dirname, '..', '..', 'web');

// The files of the phone-facing bundles (src/pages.rs: the visitor page's
// `app`, the public draw page's `draw`).
const PHONE = {
  'visitor page': ['app.css'],
  'public draw page': ['staff.css', 'staff-draw.css'],
  // Not a phone, but a booth's screen is often an old TV box or kiosk browser.
  'wall': ['staff.css', 'staff-wall.css'],
};

// In a declaration (property: value), newer than Chromium 78.
const DECLARATIONS = [
  [/^inset(-block|-inline)?$/, null, 'inset (Chrome 87)'],
  [/^(margin|padding)-(block|inline)(-start|-end)?$/, null, 'logical margin/padding (Chrome 87)'],
  [/^aspect-ratio$/, null, 'aspect-ratio (Chrome 88)'],
  [/^accent-color$/, null, 'accent-color (Chrome 93)'],
  [/^(translate|rotate|scale)$/, null, 'individual transform properties (Chrome 104)'],
  [/^container(-type|-name)?$/, null, 'container queries (Chrome 105)'],
  [/^overflow(-x|-y)?$/, /\bclip\b/, 'overflow: clip (Chrome 90)'],
  [/^overflow-wrap$/, /\banywhere\b/, 'overflow-wrap: anywhere (Chrome 80)'],
  [/./, /\b(clamp|min|max)\(/, 'clamp()/min()/max() (Chrome 79)'],
  [/./, /\d(dvh|svh|lvh|dvw|svw|lvw)\b/, 'dynamic viewport units (Chrome 108)'],
  [/./, /\b(color-mix|oklch|oklab|lab|lch)\(/, 'new colour functions (Chrome 111)'],
];
// In a selector.
const SELECTORS = [
  [/:has\(/, ':has() (Chrome 105)'],
  [/:(is|where)\(/, ':is()/:where() (Chrome 88)'],
  [/:focus-visible/, ':focus-visible (Chrome 86)'],
  [/:not\([^)]*,/, ':not() with a list (Chrome 88)'],
  [/&/, 'nesting (Chrome 112)'],
];
// At-rules.
const AT_RULES = [
  [/^@container/, '@container (Chrome 105)'],
  [/^@layer/, '@layer (Chrome 99)'],
  [/^@property/, '@property (Chrome 85)'],
];

// `file: selector: what` → why an old core may drop it.
const ALLOWED = {
  'app.css: :focus:not(:focus-visible): :focus-visible (Chrome 86)':
    'hides the focus ring after a tap; an old core drops the rule and shows the ring',
  'app.css: .opt input { accent-color: #0a7c86 }: accent-color (Chrome 93)':
    'the tick boxes\' colour only; an old core draws them in its own colour',
  'staff.css: a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible: :focus-visible (Chrome 86)':
    'a thicker keyboard focus ring; an old core keeps its own ring',
};

/** The rules of a style sheet: { at, selector, decls: [[prop, value]] },
 *  `at` the enclosing at-rule preludes. Comments and strings are skipped. */
function rules(css) {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const out = [];
  const stack = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') {
      const head = text.slice(start, i).trim();
      stack.push(head);
      start = i + 1;
    } else if (c === '}') {
      const head = stack.pop();
      const body = text.slice(start, i);
      if (head !== undefined && !head.startsWith('@')) {
        const decls = body.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
          const colon = d.indexOf(':');
          return [d.slice(0, colon).trim().toLowerCase(), d.slice(colon + 1).trim()];
        });
        out.push({ at: stack.filter((h) => h.startsWith('@')), selector: head, decls });
      } else if (head !== undefined) {
        out.push({ at: stack.filter((h) => h.startsWith('@')).concat([head]), selector: '', decls: [] });
      }
      start = i + 1;
    } else if (c === ';' && stack.length === 0) {
      start = i + 1; // @import, @charset
    }
  }
  return out;
}

/** What a style sheet uses that a Chromium 78 core lacks, outside @supports. */
function problems(css) {
  const found = [];
  for (const rule of rules(css)) {
    if (rule.at.some((a) => /^@supports\b/.test(a))) continue;
    for (const at of rule.at) {
      for (const [re, what] of AT_RULES) if (re.test(at)) found.push(`${at}: ${what}`);
    }
    if (!rule.selector) continue;
    for (const [re, what] of SELECTORS) if (re.test(rule.selector)) found.push(`${rule.selector}: ${what}`);
    const display = rule.decls.filter(([p]) => p === 'display').map(([, v]) => v).join(' ');
    rule.decls.forEach(([prop, value], i) => {
      const fallback = rule.decls.slice(0, i).some(([p]) => p === prop);
      if (/^(gap|row-gap|column-gap)$/.test(prop) && !/\bgrid\b/.test(display) && !fallback) {
        found.push(`${rule.selector}: ${prop} outside a grid (flex gap, Chrome 84)`);
      }
      for (const [p, v, what] of DECLARATIONS) {
        if (p.test(prop) && (!v || v.test(value)) && !fallback) found.push(`${rule.selector} { ${prop}: ${value} }: ${what}`);
      }
    });
  }
  return found;
}

for (const [page, files] of Object.entries(PHONE)) {
  for (const file of files) {
    test(`${file} (${page}) uses no CSS newer than Chromium 78`, () => {
      const css = fs.readFileSync(path.join(web, file), 'utf8');
      const found = problems(css).filter((p) => !ALLOWED[`${file}: ${p}`]);
      assert.deepEqual(found, [], `${file} needs a fallback for`);
    });
  }
}

test('the CSS gate would catch what old cores drop', () => {
  assert.equal(problems('.a { display: flex; gap: 8px; }').length, 1, 'flex gap');
  assert.equal(problems('.a { gap: 8px; }').length, 1, 'gap with no grid');
  assert.deepEqual(problems('.a { display: grid; gap: 8px; }'), [], 'grid gap is Chrome 66');
  assert.equal(problems('@media (min-width: 40em) { .a { inset: 0; } }').length, 1, 'inset in @media');
  assert.equal(problems('.a { aspect-ratio: 16 / 9; }').length, 1, 'aspect-ratio');
  assert.deepEqual(problems('@supports (aspect-ratio: 1) { .a { aspect-ratio: 1; } }'), [], '@supports is a fallback');
  assert.equal(problems('.a:has(.b), .c { color: red; }').length, 1, ':has');
  assert.equal(problems('.a { width: min(100%, 40rem); }').length, 1, 'min()');
  assert.deepEqual(problems('.a { width: 90%; width: min(100%, 40rem); }'), [], 'an earlier declaration is a fallback');
  assert.equal(problems('.a { overflow-wrap: anywhere; overflow-wrap: break-word; }').length, 1, 'a later one is not');
  assert.equal(problems('.a { content: "x:has(y)"; }').length, 0, 'strings are skipped');
  assert.equal(problems('/* gap: 1px */ .a { margin: 0; }').length, 0, 'comments are skipped');
});
