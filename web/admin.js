/* quizbooth: the staff console, /admin (admin.html).
 *
 * The frame: sign-in with the admin token (kept in localStorage), a sign-out
 * button, `Admin.api(method, path, body)` which adds the token, and a list of
 * sections. Each feature is one <section class="admin-section"> in
 * admin.html plus one Admin.register({...}) call:
 *
 *   Admin.register({
 *     id: 'stats-section',          // the <section>'s id
 *     init: function (el) {...},    // once, after the first sign-in: bind events
 *     load: function () {...},      // after each sign-in: fetch data
 *     render: function () {...}     // on a language change: redraw from data
 *   });
 *
 * Sections, in this file and in the nav in this order: question sets
 * (upload with a line-by-line problem review, switch, reload), numbers
 * (counts and a per-question chart), entries (search, CSV), draws (rounds,
 * commit a draw, list of draws), poster (link to /admin/poster).
 * Admin.reloadAll() refreshes every section, e.g. after the active set changed.
 */
var Admin = (function () {
  'use strict';

  var t = DrawI18n.t;
  var sections = [];
  var signedIn = false;

  var $ = Staff.$, el = Staff.el, clear = Staff.clear;

  function link(href, text, className) {
    var a = el('a', className, text);
    a.href = href;
    return a;
  }

  // ---- token ------------------------------------------------------------------

  var token = Staff.token, storeToken = Staff.storeToken;

  // ---- requests ---------------------------------------------------------------

  /**
   * fetch with the staff token. body: an object (sent as JSON) or a string
   * (sent as contentType, default text/plain; e.g. YAML). → the parsed JSON
   * (or text for non-JSON answers). Throws an Error with .status (0 for no
   * connection), .code (the API's "error") and .body; a 401 also signs out.
   */
  function api(method, path, body, contentType) {
    return Staff.request(method, path, { body: body, contentType: contentType, auth: true }).then(null, function (err) {
      if (err.status === 401 && signedIn) signOut(t('token_bad'));
      throw err;
    });
  }

  /**
   * Downloads a staff file (it needs the token, so no plain link): fetched as
   * a blob, saved through an object URL and <a download>. → the file name.
   */
  function download(path, filename) {
    return Staff.request('GET', path, { auth: true, as: 'blob' }).then(null, function (err) {
      if (err.status === 401 && signedIn) signOut(t('token_bad'));
      throw err;
    }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var a = el('a');
      a.href = url;
      a.download = filename;
      a.hidden = true;
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      return filename;
    });
  }

  /** The organizer's time zone name, e.g. Asia/Shanghai ('' when unknown). */
  function timeZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { return ''; }
  }

  /** A plain sentence for a failed request: byStatus maps a status to a string key. */
  function errorText(err, byStatus) {
    if (!err.status) return t('network_error');
    var key = byStatus && (byStatus[err.status + ':' + err.code] || byStatus[err.status]);
    if (key) return t(key);
    return t('err_generic', { status: err.status, message: err.message });
  }

  // ---- sign-in ----------------------------------------------------------------

  function showLogin(message) {
    signedIn = false;
    $('login').hidden = false;
    $('logout').hidden = true;
    $('admin-nav').hidden = true;
    sections.forEach(function (s) { $(s.id).hidden = true; });
    $('login-error').textContent = message || '';
    $('token-input').focus();
  }

  function signOut(message) {
    storeToken('');
    showLogin(message);
  }

  function tryToken(value) {
    return fetch('/admin/api/whoami', {
      headers: { Authorization: 'Bearer ' + value, Accept: 'application/json' }, cache: 'no-store'
    }).then(function (res) {
      if (res.ok) return true;
      if (res.status === 401) return false;
      throw new Error(t('err_generic', { status: res.status, message: res.statusText }));
    }, function () { throw new Error(t('network_error')); });
  }

  function signIn(e) {
    e.preventDefault();
    var value = $('token-input').value.trim();
    if (!value) { $('login-error').textContent = t('token_empty'); return; }
    $('login-btn').disabled = true;
    tryToken(value).then(function (ok) {
      if (!ok) { $('login-error').textContent = t('token_bad'); return; }
      storeToken(value);
      $('token-input').value = '';
      enter();
    }, function (err) {
      $('login-error').textContent = err.message;
    }).then(function () { $('login-btn').disabled = false; });
  }

  function enter() {
    signedIn = true;
    $('login').hidden = true;
    $('logout').hidden = false;
    buildNav();
    sections.forEach(startSection);
  }

  function startSection(s) {
    var node = $(s.id);
    node.hidden = false;
    if (!s.started) {
      s.started = true;
      if (s.init) s.init(node);
    }
    if (s.load) s.load();
  }

  function buildNav() {
    var nav = $('admin-nav');
    clear(nav);
    nav.hidden = sections.length < 2;
    sections.forEach(function (s) {
      var key = $(s.id).getAttribute('data-title');
      nav.appendChild(link('#' + s.id, key ? t(key) : s.id));
    });
  }

  /** Fetch every section's data again (after the active set changed, say). */
  function reloadAll() {
    if (!signedIn) return;
    sections.forEach(function (s) { if (s.started && s.load) s.load(); });
  }

  /** Add a feature section (see the top of this file). */
  function register(section) {
    sections.push(section);
    if (signedIn) { buildNav(); startSection(section); }
  }

  function init() {
    DrawI18n.apply(document);
    DrawI18n.bindToggle($('lang-toggle'));
    DrawI18n.onChange(function () {
      if (!signedIn) return;
      buildNav();
      sections.forEach(function (s) { if (s.started && s.render) s.render(); });
    });
    $('login-form').addEventListener('submit', signIn);
    $('logout').addEventListener('click', function () { signOut(''); });
    if (!token()) { showLogin(''); return; }
    tryToken(token()).then(function (ok) {
      if (ok) enter(); else signOut(t('token_bad'));
    }, function (err) { showLogin(err.message); });
  }

  // Every deferred script (and so every register call) has run by DOMContentLoaded.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else setTimeout(init, 0);

  // A name or phone erased under SPEC §8, as staff read it.
  function erased(e) {
    return el('span', 'erased', e && e.why === 'withdrawn' ? t('erased_withdrawn') : t('erased_purged'));
  }
  // A table cell with the value, or why it is gone.
  function contactCell(value, e, className) {
    var td = el('td', className || null, value || '');
    if (value === null || value === undefined) td.appendChild(erased(e));
    return td;
  }

  return {
    api: api,
    download: download,
    contactCell: contactCell,
    register: register,
    reloadAll: reloadAll,
    signedIn: function () { return signedIn; },
    timeZone: timeZone,
    errorText: errorText,
    t: t,
    time: DrawI18n.time,
    el: el,
    clear: clear,
    link: link,
    $: $
  };
})();

/* ---- Question sets: the loaded sets, switch, reload, upload with a review -- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el;
  var sets = null, setsError = null;   // GET /admin/api/sets
  var reloadReport = null;             // POST /admin/api/reload, or {error}
  var activated = null;                // {id} or {error} of the last switch
  var outcome = null;                  // the last upload: {ok}, {problems, text|sheet} or {key}/{error}
  var confirming = null;               // {kind: 'activate'|'remove', id} waiting for a second press
  var sheetFile = null;                // a picked .xlsx/.csv, uploaded as it is
  var XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  var showAll = false;                 // the review shows every line, not just the problem hunks
  var CONTEXT = 2;                     // lines shown around a problem line
  var UPLOAD_ERRORS = { 413: 'err_413_upload' };

  function shortVersion(v) { return String(v || '').slice(0, 12); }

  function load() {
    A.api('GET', '/admin/api/sets').then(function (s) { sets = s; setsError = null; renderSets(); }, function (err) {
      if (err.status === 401) return;
      sets = [];
      setsError = err;
      renderSets();
    });
  }

  // ---- the list of sets ------------------------------------------------------

  function roundsTable(set) {
    if (!set.rounds || !set.rounds.length) return null;
    if (set.rounds.length === 1 && !set.rounds[0].opens && !set.rounds[0].closes) {
      var p = el('p', 'muted small', t('set_rounds_none'));
      p.appendChild(document.createTextNode(' '));
      p.appendChild(el('span', 'badge badge-' + set.rounds[0].state, t('state_' + set.rounds[0].state)));
      return p;
    }
    var wrap = el('div', 'table-wrap');
    var table = el('table', 'table table-compact rounds-mini');
    var head = el('tr');
    ['th_round', 'th_opens', 'th_closes', 'th_state'].forEach(function (k) { head.appendChild(el('th', null, t(k))); });
    var thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el('tbody');
    set.rounds.forEach(function (r) {
      var row = el('tr');
      row.appendChild(el('td', 'mono', r.id));
      var opens = el('td', null, r.opens ? A.time(r.opens) : t('always_open'));
      opens.setAttribute('data-label', t('th_opens'));
      row.appendChild(opens);
      var closes = el('td', null, r.closes ? A.time(r.closes) : t('always_open'));
      closes.setAttribute('data-label', t('th_closes'));
      row.appendChild(closes);
      var state = el('td');
      state.appendChild(el('span', 'badge badge-' + r.state, t('state_' + r.state)));
      row.appendChild(state);
      body.appendChild(row);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    return wrap;
  }

  function renderSets() {
    var list = $('sets-list');
    A.clear(list);
    var tz = A.timeZone();
    $('sets-tz').textContent = tz ? t('tz_note', { tz: tz }) : '';
    if (!sets) { list.appendChild(el('p', 'muted', t('loading'))); return; }
    if (!sets.length) {
      list.appendChild(el('p', 'muted', setsError ? A.errorText(setsError) : t('no_sets')));
      return;
    }
    sets.forEach(function (s) {
      var card = el('article', 'set-card' + (s.active ? ' is-active' : ''));
      card.id = 'set-' + s.id;
      card.setAttribute('data-set', s.id);
      card.setAttribute('data-active', s.active ? 'true' : 'false');

      var head = el('div', 'set-head');
      var titles = el('div', 'set-titles');
      titles.appendChild(el('h4', 'set-title', s.title || s.id));
      if (s.title_en && s.title_en !== s.title) {
        var en = el('p', 'set-title-en', s.title_en);
        en.lang = 'en';
        titles.appendChild(en);
      }
      head.appendChild(titles);
      var tools = el('div', 'set-tools');
      if (s.active) {
        tools.appendChild(el('span', 'badge badge-active', t('set_active')));
      } else {
        tools.appendChild(setButton('set-activate', 'activate-' + s.id, s.id, t('set_activate')));
        tools.appendChild(setButton('set-remove', 'remove-' + s.id, s.id, t('set_remove')));
      }
      tools.appendChild(setButton('set-xlsx', 'xlsx-' + s.id, s.id, t('set_xlsx')));
      head.appendChild(tools);
      card.appendChild(head);
      if (confirming && confirming.id === s.id) card.appendChild(confirmBox(s));

      var meta = el('p', 'set-meta');
      meta.appendChild(el('span', 'mono set-id', s.id));
      meta.appendChild(el('span', null, t('set_questions', { n: s.questions })));
      var version = el('span', 'mono', t('set_version', { version: shortVersion(s.version) }));
      version.title = s.version;
      meta.appendChild(version);
      card.appendChild(meta);

      var rounds = roundsTable(s);
      if (rounds) card.appendChild(rounds);
      list.appendChild(card);
    });
  }

  function setButton(cls, id, set, label) {
    var b = el('button', 'btn-quiet small ' + cls, label);
    b.type = 'button';
    b.id = id;
    b.setAttribute('data-set', set);
    return b;
  }

  function activeSet() {
    return (sets || []).filter(function (x) { return x.active; })[0] || null;
  }

  // Publishing and removing ask once more, naming the set and what it does:
  // who is mid-quiz on the live set, and that sessions and entries go on.
  function confirmBox(s) {
    var live = activeSet();
    var box = el('div', 'confirm-box set-confirm');
    box.setAttribute('role', 'alert');
    var text;
    if (confirming.kind === 'activate') {
      text = t('publish_ask', { title: s.title || s.id, id: s.id, live: live ? (live.title || live.id) : '–' });
      box.appendChild(el('p', null, text));
      box.appendChild(el('p', 'small', t('publish_playing', { n: live && live.playing ? live.playing : 0 })));
    } else {
      box.appendChild(el('p', null, t('remove_ask', { title: s.title || s.id, id: s.id })));
    }
    var yes = el('button', 'btn small ' + (confirming.kind === 'remove' ? 'btn-danger ' : '') + 'set-confirm-yes',
      t(confirming.kind === 'activate' ? 'publish_yes' : 'remove_yes'));
    yes.type = 'button';
    yes.id = 'confirm-' + confirming.kind + '-' + s.id;
    yes.addEventListener('click', function () {
      var kind = confirming.kind;
      confirming = null;
      if (kind === 'activate') activate(s.id, yes); else remove(s.id, yes);
    });
    var no = el('button', 'btn-quiet small', t('cancel'));
    no.type = 'button';
    no.addEventListener('click', function () { confirming = null; renderSets(); });
    box.appendChild(yes);
    box.appendChild(no);
    return box;
  }

  function askFor(kind, id) {
    confirming = { kind: kind, id: id };
    // The live set's count of visitors mid-quiz is read fresh for the question.
    A.api('GET', '/admin/api/sets').then(function (s) { sets = s; }, function () { /* ask with what we have */ }).then(function () {
      renderSets();
      var card = $('set-' + id);
      if (card && card.scrollIntoView) card.scrollIntoView({ block: 'center' });
    });
  }

  function remove(id, button) {
    button.disabled = true;
    A.api('DELETE', '/admin/api/sets/' + encodeURIComponent(id)).then(function () {
      activated = { removed: id };
      A.reloadAll();
    }, function (err) {
      if (err.status === 401) return;
      activated = { error: err };
      renderSets();
    }).then(renderActivated);
  }

  function activate(id, button) {
    button.disabled = true;
    button.textContent = t('set_activating');
    A.api('POST', '/admin/api/sets/' + encodeURIComponent(id) + '/activate').then(function () {
      activated = { id: id };
      A.reloadAll();
    }, function (err) {
      if (err.status === 401) return;
      activated = { error: err };
      button.disabled = false;
      button.textContent = t('set_activate');
    }).then(renderActivated);
  }

  function renderActivated() {
    var box = $('activate-result');
    A.clear(box);
    box.className = 'form-result';
    if (!activated) return;
    box.classList.add(activated.error ? 'bad' : 'ok');
    box.appendChild(el('p', null, activated.error ? A.errorText(activated.error)
      : activated.removed ? t('set_removed', { id: activated.removed }) : t('set_activated', { id: activated.id })));
  }

  // ---- reload from the folder ----------------------------------------------------

  function fileName(path) { return String(path).split(/[\\/]/).pop(); }

  function reload() {
    var button = $('reload-btn');
    button.disabled = true;
    button.textContent = t('reloading');
    A.api('POST', '/admin/api/reload').then(function (r) {
      reloadReport = r;
      A.reloadAll();
    }, function (err) {
      if (err.status !== 401) reloadReport = { error: err };
    }).then(function () {
      button.disabled = false;
      button.textContent = t('reload_btn');
      renderReload();
    });
  }

  function problemLine(p) {
    var li = el('li', p.warning ? 'is-warning' : 'is-error');
    li.appendChild(el('span', 'problem-at', t('problem_at', { line: p.line, column: p.column })));
    li.appendChild(el('span', 'tag', t(p.warning ? 'tag_warning' : 'tag_error')));
    li.appendChild(el('span', 'problem-msg', p.message));
    return li;
  }

  function renderReload() {
    var box = $('reload-result');
    A.clear(box);
    box.className = 'form-result wide';
    if (!reloadReport) return;
    if (reloadReport.error) {
      box.classList.add('bad');
      box.appendChild(el('p', null, A.errorText(reloadReport.error)));
      return;
    }
    var files = reloadReport.files || [];
    var bad = files.filter(function (f) { return !f.id; }).length;
    box.classList.add(bad ? 'bad' : 'ok');
    box.appendChild(el('p', null, t('reload_done', { n: files.length, ok: files.length - bad, bad: bad })));
    var list = el('ul', 'file-list');
    files.forEach(function (f) {
      var li = el('li', f.id ? 'file-ok' : 'file-bad');
      li.setAttribute('data-file', fileName(f.file));
      var name = el('span', 'mono file-name', fileName(f.file));
      name.title = f.file;
      li.appendChild(name);
      li.appendChild(el('span', 'file-state', f.id ? t('reload_file_ok', { id: f.id }) :
        t('reload_file_bad', { n: (f.problems || []).filter(function (p) { return !p.warning; }).length })));
      var problems = (f.problems || []).filter(function (p) { return !f.id || !p.warning; });
      if (problems.length) {
        var ul = el('ul', 'mini-problems');
        problems.forEach(function (p) { ul.appendChild(problemLine(p)); });
        li.appendChild(ul);
      }
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  // ---- upload ----------------------------------------------------------------------

  function pickFile() {
    var input = $('set-file');
    var file = input.files && input.files[0];
    var status = $('set-file-status');
    if (!file) return;
    var area = $('set-yaml');
    if (/\.(xlsx|csv)$/i.test(file.name)) {
      // A spreadsheet goes up as it is; the server reads it and names cells.
      sheetFile = file;
      area.value = '';
      area.disabled = true;
      status.textContent = t('file_sheet', { name: file.name });
      outcome = null;
      renderOutcome();
      return;
    }
    sheetFile = null;
    area.disabled = false;
    var reader = new FileReader();
    reader.onload = function () {
      var text = String(reader.result).replace(/^\uFEFF/, '');
      $('set-yaml').value = text;
      status.textContent = t('file_loaded', { name: file.name, lines: text.split('\n').length });
      outcome = null;
      renderOutcome();
    };
    reader.onerror = function () {
      status.textContent = t('file_error', { message: reader.error ? reader.error.message : '' });
    };
    reader.readAsText(file, 'utf-8');
  }

  function upload(e) {
    e.preventDefault();
    var text = $('set-yaml').value;
    var sheet = sheetFile;
    if (!sheet && !text.trim()) { outcome = { key: 'upload_empty' }; renderOutcome(); return; }
    var button = $('set-upload');
    button.disabled = true;
    button.textContent = t('uploading');
    // Checked and stored, not live: 发布 makes it what visitors get.
    var sent = sheet
      ? A.api('POST', '/admin/api/sets?activate=false&name=' + encodeURIComponent(sheet.name), sheet,
        /\.csv$/i.test(sheet.name) ? 'text/csv' : XLSX_TYPE)
      : A.api('POST', '/admin/api/sets?activate=false', text, 'application/yaml');
    sent.then(function (r) {
      outcome = { ok: r };
      A.reloadAll();
    }, function (err) {
      if (err.status === 401) return;
      if (err.status === 422 && err.body && err.body.problems) {
        outcome = { problems: err.body.problems, text: sheet ? null : text, sheet: sheet ? sheet.name : null };
        showAll = false;
      } else {
        outcome = { error: err };
      }
    }).then(function () {
      button.disabled = false;
      button.textContent = t('upload_btn');
      renderOutcome();
      var target = outcome && outcome.problems ? $('set-problems') : $('set-result');
      if (target && target.scrollIntoView) target.scrollIntoView({ block: 'start', behavior: 'smooth' });
    });
  }

  /**
   * What is wrong, in the organizer's language: the problem's kind from the
   * server's table of kinds (`pk_*` strings), else its English message.
   */
  function problemText(p) {
    var k = p.kind;
    if (!k) return p.message;
    var args = k.args || {};
    var key = 'pk_' + k.code;
    if ((k.code === 'unknown_column' || k.code === 'unknown_key') && args.suggestion) key = 'pk_' + k.code + '_near';
    if (k.code === 'truefalse_word' && !args.value) key = 'pk_truefalse_any';
    var text = t(key, args);
    return text === key ? p.message : text;
  }

  function renderOutcome() {
    var box = $('set-result');
    A.clear(box);
    box.className = 'form-result wide';
    $('set-problems').hidden = true;
    if (!outcome) return;
    if (outcome.ok) {
      var r = outcome.ok;
      box.classList.add('ok');
      box.appendChild(el('p', null, t('upload_ok', { id: r.id, n: r.questions, version: shortVersion(r.version) })));
      if (!r.active) {
        var publish = el('button', 'btn small', t('publish_btn', { id: r.id }));
        publish.type = 'button';
        publish.id = 'publish-uploaded';
        publish.addEventListener('click', function () { askFor('activate', r.id); });
        box.appendChild(publish);
      }
      var warnings = r.warnings || [];
      if (warnings.length) {
        box.appendChild(el('p', 'warn-head', t('warnings_n', { n: warnings.length })));
        var ul = el('ul', 'mini-problems');
        warnings.forEach(function (p) { ul.appendChild(problemLine(p)); });
        box.appendChild(ul);
      }
      return;
    }
    if (outcome.problems) { renderProblems(); return; }
    box.classList.add('bad');
    box.appendChild(el('p', null, outcome.key ? t(outcome.key) : A.errorText(outcome.error, UPLOAD_ERRORS)));
  }

  function renderProblems() {
    // A sheet's problems come in sheet order from the server; a text's by line.
    var problems = outcome.sheet ? outcome.problems.slice()
      : outcome.problems.slice().sort(function (a, b) { return a.line - b.line || a.column - b.column; });
    var errors = problems.filter(function (p) { return !p.warning; }).length;
    var count = $('problem-count');
    count.textContent = t('problems_n', { n: errors }) + (problems.length > errors ? ' ' + t('problems_w', { n: problems.length - errors }) : '');
    count.setAttribute('data-count', String(errors));

    var list = $('problem-list');
    A.clear(list);
    problems.forEach(function (p) {
      var li = el('li', 'problem ' + (p.warning ? 'is-warning' : 'is-error'));
      li.setAttribute('data-line', String(p.line));
      li.setAttribute('data-column', String(p.column));
      var head = el('div', 'problem-head');
      head.appendChild(el('span', 'tag', t(p.warning ? 'tag_warning' : 'tag_error')));
      head.appendChild(el('span', 'problem-at', place(p)));
      if (!p.sheet && outcome.text !== null) {
        var go = el('button', 'btn-quiet small problem-goto', t('problem_goto'));
        go.type = 'button';
        go.setAttribute('data-line', String(p.line));
        head.appendChild(go);
      }
      li.appendChild(head);
      li.appendChild(el('p', 'problem-msg', problemText(p)));
      list.appendChild(li);
    });
    var hasText = outcome.text !== null;
    $('review-head').hidden = !hasText;
    $('set-review').hidden = !hasText;
    if (hasText) renderReview(problems);
    $('set-problems').hidden = false;
  }

  /** Where a problem is: a sheet's cell, or a line and column. */
  function place(p) {
    return p.sheet ? t('problem_cell', { sheet: p.sheet, cell: p.cell }) : t('problem_at', { line: p.line, column: p.column });
  }

  /** The text with line numbers, problem lines marked, each message under its line. */
  function renderReview(problems) {
    var lines = outcome.text.replace(/\r\n?/g, '\n').split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    var byLine = {};
    problems.forEach(function (p) {
      var n = Math.min(Math.max(1, p.line | 0), lines.length);
      (byLine[n] = byLine[n] || []).push(p);
    });
    var shown = {};
    Object.keys(byLine).forEach(function (k) {
      for (var i = +k - CONTEXT; i <= +k + CONTEXT; i++) shown[i] = true;
    });
    var review = $('set-review');
    A.clear(review);
    $('review-toggle').textContent = t(showAll ? 'review_less' : 'review_all');
    var skipped = 0;
    function flushSkip() {
      if (!skipped) return;
      var skip = el('button', 'rl-skip', t('review_skip', { n: skipped }));
      skip.type = 'button';
      review.appendChild(skip);
      skipped = 0;
    }
    lines.forEach(function (text, i) {
      var n = i + 1;
      if (!showAll && !shown[n]) { skipped++; return; }
      flushSkip();
      var here = byLine[n];
      var row = el('div', 'rl' + (here ? (here.some(function (p) { return !p.warning; }) ? ' bad' : ' warn') : ''));
      row.id = 'review-line-' + n;
      row.setAttribute('data-line', String(n));
      row.appendChild(el('span', 'ln', String(n)));
      row.appendChild(el('span', 'lc', text || ' '));
      review.appendChild(row);
      (here || []).forEach(function (p) {
        var note = el('div', 'rl-note' + (p.warning ? ' warn' : ''));
        var caret = el('div', 'caret');
        // The text before the column, invisible, puts the caret under the right character whatever its width.
        caret.appendChild(el('span', 'caret-pad', text.slice(0, Math.max(0, (p.column | 0) - 1))));
        caret.appendChild(el('span', 'caret-mark', '^'));
        note.appendChild(caret);
        note.appendChild(el('p', 'note-msg', t('problem_at', { line: p.line, column: p.column }) + '：' + problemText(p)));
        review.appendChild(note);
      });
    });
    flushSkip();
  }

  /** Selects a line in the editor and scrolls it into view. */
  function gotoLine(n) {
    var area = $('set-yaml');
    var text = area.value;
    var start = 0;
    for (var i = 1; i < n; i++) {
      var next = text.indexOf('\n', start);
      if (next < 0) break;
      start = next + 1;
    }
    var end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (area.scrollIntoView) area.scrollIntoView({ block: 'center' });
    area.focus();
    try { area.setSelectionRange(start, end); } catch (e) { /* old browsers */ }
    var lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 20;
    area.scrollTop = Math.max(0, (n - 1) * lineHeight - area.clientHeight / 3);
  }

  Admin.register({
    id: 'sets-section',
    init: function () {
      $('sets-refresh').addEventListener('click', load);
      $('sets-list').addEventListener('click', function (e) {
        var b = e.target.closest ? e.target.closest('.set-activate, .set-remove, .set-xlsx') : null;
        if (!b || b.disabled) return;
        var id = b.getAttribute('data-set');
        if (b.classList.contains('set-activate')) askFor('activate', id);
        else if (b.classList.contains('set-remove')) askFor('remove', id);
        else A.download('/admin/api/sets/' + encodeURIComponent(id) + '.xlsx', id + '.xlsx');
      });
      $('template-btn').addEventListener('click', function () {
        A.download('/admin/api/template.xlsx', t('template_file'));
      });
      $('reload-btn').addEventListener('click', reload);
      $('set-file').addEventListener('change', pickFile);
      $('set-form').addEventListener('submit', upload);
      $('problem-list').addEventListener('click', function (e) {
        var b = e.target.closest ? e.target.closest('.problem-goto') : null;
        if (b) gotoLine(+b.getAttribute('data-line'));
      });
      $('review-toggle').addEventListener('click', function () {
        showAll = !showAll;
        if (outcome && outcome.problems) renderProblems();
      });
      $('set-review').addEventListener('click', function (e) {
        if (e.target.classList && e.target.classList.contains('rl-skip')) { showAll = true; renderProblems(); }
      });
      renderSets();
    },
    load: load,
    render: function () { renderSets(); renderActivated(); renderReload(); renderOutcome(); }
  });
})();

/* ---- Numbers: counts and the per-question chart ------------------------------ */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el;
  var SVG = 'http://www.w3.org/2000/svg';
  var REFRESH_MS = 30000;
  var stats = null, statsError = null, rounds = [], updated = null;
  var loading = false, again = false, lastWidth = 0;
  var FIRST = 12, chartAll = false; // bars shown before "show all"

  function load() {
    if (loading) { again = true; return; }
    loading = true;
    var round = $('stats-round').value;
    var rq = A.api('GET', '/admin/api/rounds').then(function (r) { rounds = r; }, function () { /* the selector keeps what it had */ });
    var sq = A.api('GET', '/admin/api/stats' + (round ? '?round=' + encodeURIComponent(round) : ''))
      .then(function (s) { stats = s; statsError = null; updated = new Date(); }, function (err) {
        if (err.status !== 401) { stats = null; statsError = err; }
      });
    Promise.all([rq, sq]).then(function () {
      loading = false;
      if (again) { again = false; load(); return; }
      render();
      // A round that went away with a switch of set: count every round instead.
      if (round && !rounds.some(function (r) { return r.id === round; })) { $('stats-round').value = ''; load(); }
    });
  }

  function renderRounds() {
    var select = $('stats-round');
    var previous = select.value;
    A.clear(select);
    var all = el('option', null, t('all_rounds'));
    all.value = '';
    select.appendChild(all);
    rounds.forEach(function (r) {
      var opt = el('option', null, r.id + ' · ' + t('state_' + r.state));
      opt.value = r.id;
      select.appendChild(opt);
    });
    select.value = rounds.some(function (r) { return r.id === previous; }) ? previous : '';
  }

  function render() {
    renderRounds();
    var s = stats;
    $('stats-set').textContent = s ? t('stats_set', { id: s.set }) : statsError ? A.errorText(statsError) : t('loading');
    $('stat-started').textContent = s ? String(s.sessions.started) : '–';
    $('stat-submitted').textContent = s ? String(s.sessions.submitted) : '–';
    $('stat-passed').textContent = s ? String(s.sessions.passed) : '–';
    $('stat-entries').textContent = s ? String(s.entries) : '–';
    $('stat-rate').textContent = s && s.sessions.submitted ?
      t('stat_rate', { p: Math.round(100 * s.sessions.passed / s.sessions.submitted) }) : '';
    $('stats-updated').textContent = updated ? t('stats_updated', {
      time: updated.toLocaleTimeString(DrawI18n.lang() === 'zh' ? 'zh-CN' : 'en-GB')
    }) : '';
    renderChart();
  }

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  var measureCtx = null;
  function textWidth(text, font) {
    if (!measureCtx) measureCtx = document.createElement('canvas').getContext('2d');
    if (!measureCtx) return text.length * 14;
    measureCtx.font = font;
    return measureCtx.measureText(text).width;
  }

  /** The text cut with an ellipsis to fit `width` pixels. */
  function fit(text, width, font) {
    if (textWidth(text, font) <= width) return text;
    var lo = 0, hi = text.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (textWidth(text.slice(0, mid) + '…', font) <= width) lo = mid; else hi = mid - 1;
    }
    return text.slice(0, lo) + '…';
  }

  function barColor(share) {
    if (share < 0.5) return '#c01f35';
    if (share < 0.8) return '#d97706';
    return '#17703a';
  }

  function renderChart() {
    var box = $('stats-chart');
    A.clear(box);
    if (!stats) return;
    var qs = (stats.questions || []).map(function (q, i) {
      return { q: q, n: i + 1, share: q.answered ? q.correct / q.answered : null };
    });
    var toggle = $('chart-toggle');
    toggle.hidden = true;
    if (!qs.length) { box.appendChild(el('p', 'muted', t('chart_empty'))); return; }
    if (!qs.some(function (x) { return x.q.answered > 0; })) { box.appendChild(el('p', 'muted', t('chart_no_answers'))); return; }
    // Lowest share first; questions nobody answered yet go last.
    qs.sort(function (a, b) {
      if (a.share === null || b.share === null) return (a.share === null) - (b.share === null) || a.n - b.n;
      return a.share - b.share || b.q.answered - a.q.answered || a.n - b.n;
    });
    if (qs.length > FIRST + 2) {
      toggle.hidden = false;
      toggle.textContent = chartAll ? t('chart_less', { n: FIRST }) : t('chart_more', { n: qs.length });
      toggle.setAttribute('aria-expanded', chartAll ? 'true' : 'false');
      if (!chartAll) qs = qs.slice(0, FIRST);
    }
    var width = Math.max(260, box.clientWidth || 600);
    lastWidth = width;
    var family = getComputedStyle(document.body).fontFamily;
    var font = '14px ' + family, smallFont = '600 13px ' + family;
    var ROW = 54, BAR = 14;
    var chart = svg('svg', {
      width: String(width), height: String(qs.length * ROW + 4), viewBox: '0 0 ' + width + ' ' + (qs.length * ROW + 4),
      role: 'img', 'aria-label': t('chart_title'), 'class': 'bar-chart'
    });
    chart.appendChild(svg('title', {}, t('chart_title')));
    qs.forEach(function (item, i) {
      var y = i * ROW;
      var q = item.q;
      var g = svg('g', { 'class': 'bar-row', 'data-question': q.id, transform: 'translate(0,' + y + ')' });
      g.appendChild(svg('title', {}, item.n + '. ' + (q.text || q.id) + ' (' + q.id + ')'));
      g.setAttribute('data-n', String(item.n));
      var value = item.share === null ? t('chart_none') :
        t('chart_label', { p: Math.round(100 * item.share), n: q.answered });
      var valueWidth = textWidth(value, smallFont);
      var label = fit(item.n + '. ' + (q.text || q.id), width - valueWidth - 16, font);
      g.appendChild(svg('text', { x: '0', y: '18', 'class': 'bar-text' }, label));
      g.appendChild(svg('text', { x: String(width), y: '18', 'text-anchor': 'end', 'class': 'bar-value' + (item.share === null ? ' none' : '') }, value));
      g.appendChild(svg('rect', { x: '0', y: '27', width: String(width), height: String(BAR), rx: '4', fill: '#e9edf3' }));
      if (item.share) {
        g.appendChild(svg('rect', {
          x: '0', y: '27', width: String(Math.max(2, width * item.share)), height: String(BAR), rx: '4',
          fill: barColor(item.share), 'class': 'bar'
        }));
      }
      chart.appendChild(g);
    });
    box.appendChild(chart);
  }

  function visible() {
    return A.signedIn() && document.visibilityState !== 'hidden' && !$('stats-section').hidden;
  }

  Admin.register({
    id: 'stats-section',
    init: function () {
      $('stats-refresh').addEventListener('click', load);
      $('stats-round').addEventListener('change', load);
      $('chart-toggle').addEventListener('click', function () { chartAll = !chartAll; renderChart(); });
      // Touch screens have no hover for the <title>: a tap shows the full question under the chart.
      $('stats-chart').addEventListener('click', function (e) {
        var g = e.target.closest ? e.target.closest('.bar-row') : null;
        var q = g && stats && stats.questions[+g.getAttribute('data-n') - 1];
        var detail = $('chart-detail');
        detail.hidden = !q;
        if (q) detail.textContent = g.getAttribute('data-n') + '. ' + (q.text || q.id) + ' (' + q.id + ') · ' +
          (q.answered ? t('chart_label', { p: Math.round(100 * q.correct / q.answered), n: q.answered }) : t('chart_none'));
      });
      setInterval(function () { if (visible()) load(); }, REFRESH_MS);
      document.addEventListener('visibilitychange', function () {
        if (visible() && (!updated || Date.now() - updated.getTime() > REFRESH_MS)) load();
      });
      var timer = null;
      window.addEventListener('resize', function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          if (stats && $('stats-chart').clientWidth !== lastWidth) renderChart();
        }, 150);
      });
      render();
    },
    load: load,
    render: render
  });
})();

/* ---- Entries: search, the newest entries, CSV ----------------------------------- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el;
  var LIMIT = 100;
  var result = null, error = null, query = '', seq = 0, csvState = null;

  function load() {
    query = $('entries-q').value.trim();
    var mine = ++seq;
    A.api('GET', '/admin/api/entries?limit=' + LIMIT + (query ? '&q=' + encodeURIComponent(query) : '')).then(function (r) {
      if (mine !== seq) return;
      result = r; error = null; render();
    }, function (err) {
      if (mine !== seq || err.status === 401) return;
      result = null; error = err; render();
    });
  }

  function render() {
    var tz = A.timeZone();
    $('entries-tz').textContent = tz ? t('tz_note', { tz: tz }) : '';
    var total = $('entries-total');
    var body = $('entries-body');
    A.clear(body);
    if (!result) { total.textContent = error ? A.errorText(error) : t('loading'); renderCsv(); return; }
    var rows = result.entries || [];
    // `total` counts the matches; the rows are the newest of them (up to LIMIT).
    if (query) {
      total.textContent = t(result.total > rows.length ? 'entries_found_many' : 'entries_found', { n: rows.length, total: result.total });
    } else {
      total.textContent = t('entries_total', { n: result.total }) +
        (result.total > rows.length ? t('entries_shown', { n: rows.length }) : '');
    }
    total.setAttribute('data-total', String(result.total));
    if (!rows.length) {
      var tr = el('tr');
      var td = el('td', 'muted', t(query ? 'entries_no_match' : 'entries_none'));
      td.colSpan = 6;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    rows.forEach(function (e) {
      var row = el('tr');
      row.setAttribute('data-code', e.code);
      row.appendChild(el('td', 'mono code-cell', e.code));
      row.appendChild(el('td', 'mono', e.round));
      row.appendChild(A.contactCell(e.name, e.erased));
      row.appendChild(A.contactCell(e.phone, e.erased, 'mono'));
      row.appendChild(el('td', 'num', e.score + ' (' + e.percent + '%)'));
      row.appendChild(el('td', null, A.time(e.created_at)));
      body.appendChild(row);
    });
    renderCsv();
  }

  function renderCsv() {
    var p = $('entries-csv-result');
    p.textContent = !csvState ? '' : csvState.error ? A.errorText(csvState.error) : t('csv_done', { name: csvState.name });
    p.className = 'small ' + (csvState && csvState.error ? 'form-error' : 'muted');
  }

  function two(n) { return (n < 10 ? '0' : '') + n; }

  function downloadCsv() {
    var button = $('entries-csv');
    var d = new Date();
    var name = 'entries-' + d.getFullYear() + two(d.getMonth() + 1) + two(d.getDate()) + '-' + two(d.getHours()) + two(d.getMinutes()) + '.csv';
    button.disabled = true;
    button.textContent = t('csv_busy');
    A.download('/admin/api/entries.csv', name).then(function (n) { csvState = { name: n }; }, function (err) {
      if (err.status !== 401) csvState = { error: err };
    }).then(function () {
      button.disabled = false;
      button.textContent = t('csv_btn');
      renderCsv();
    });
  }

  Admin.register({
    id: 'entries-section',
    init: function () {
      var timer = null;
      $('entries-form').addEventListener('submit', function (e) { e.preventDefault(); clearTimeout(timer); load(); });
      $('entries-q').addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(load, 350); });
      $('entries-csv').addEventListener('click', downloadCsv);
    },
    load: load,
    render: render
  });
})();

/* ---- Draws: rounds, commit a draw, the draws so far ------------------------- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el;
  var rounds = null;      // GET /admin/api/rounds
  var draws = null;       // GET /api/draws
  var outcome = null;     // the last commit: {draw}, {error, pendingId} or {key} (a form problem)
  var COMMIT_ERRORS = {
    '409:pending_draw': 'err_409_commit', '422:empty_pool': 'err_422_commit',
    '409:claim_open': 'err_claim_open', '422:too_many_winners': 'err_too_many_winners',
    '422:invalid_claim_by': 'err_claim_by', '422:unknown_draw': 'err_replaces_unknown',
    '422:other_round': 'err_replaces_other_round'
  };
  var roundsError = null, drawsError = null; // failed loads, shown in their table

  function stateText(state) { return t('state_' + state) === 'state_' + state ? state : t('state_' + state); }

  function load() {
    A.api('GET', '/admin/api/rounds').then(function (r) { rounds = r; roundsError = null; renderRounds(); }, function (err) {
      if (err.status === 401) return;
      rounds = [];
      roundsError = err;
      renderRounds();
    });
    loadDraws();
  }

  function loadDraws() {
    A.api('GET', '/api/draws').then(function (d) { draws = d; drawsError = null; renderDraws(); }, function (err) {
      if (err.status !== 401) { draws = []; drawsError = err; renderDraws(); }
    });
  }

  function renderRounds() {
    var body = $('rounds-body'), select = $('draw-round');
    var previous = select.value;
    A.clear(body);
    A.clear(select);
    if (!rounds) return;
    if (!rounds.length) {
      var tr = el('tr');
      var td = el('td', 'muted', roundsError ? A.errorText(roundsError) : t('no_rounds'));
      td.colSpan = 7;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    var preferred = '';
    rounds.forEach(function (r, i) {
      var row = el('tr');
      row.appendChild(el('td', null, r.set));
      row.appendChild(el('td', 'mono', r.id));
      row.appendChild(el('td', null, r.opens ? A.time(r.opens) : t('always_open')));
      row.appendChild(el('td', null, r.closes ? A.time(r.closes) : t('always_open')));
      var state = el('td');
      state.appendChild(el('span', 'badge badge-' + r.state, stateText(r.state)));
      row.appendChild(state);
      row.appendChild(el('td', 'num', String(r.entries)));
      row.appendChild(keepingCell(r));
      body.appendChild(row);

      var opt = el('option', null, t('round_option', { round: r.id, state: stateText(r.state), n: r.entries }));
      opt.value = String(i);
      select.appendChild(opt);
      if (r.state === 'open' || (!preferred && r.entries > 0)) preferred = String(i);
    });
    select.value = previous && rounds[+previous] ? previous : preferred || '0';
  }

  // SPEC §8: when the round's names and phones go, what was erased, and a
  // purge now, behind an inline confirm that says what it erases (and, while
  // winners may still claim, that it has to be forced).
  var purging = null, purgeOutcome = {}; // round key being confirmed; last purge result by key
  function roundKey(r) { return r.set + '/' + r.id; }
  function keepingCell(r) {
    var td = el('td', 'keeping'), key = roundKey(r);
    td.setAttribute('data-round', r.id);
    td.appendChild(el('div', 'small', r.erase_after ? t('erase_on', { t: A.time(r.erase_after), n: r.keep_days })
      : t('erase_manual')));
    if (r.last_purge) {
      td.appendChild(el('div', 'small muted purged', t('purged_at', { t: A.time(r.last_purge.at), n: r.last_purge.erased,
        how: t('purge_how_' + r.last_purge.how.replace(', ', '_')) })));
    }
    var done = purgeOutcome[key];
    if (done) td.appendChild(el('div', 'small ' + (done.error ? 'form-error' : 'muted'), done.error ? A.errorText(done.error) : t('purge_done', { n: done.erased })));
    if (purging !== key) {
      var b = el('button', 'btn-quiet small purge-btn', t('purge_btn'));
      b.type = 'button';
      b.addEventListener('click', function () { purging = key; renderRounds(); });
      td.appendChild(b);
      return td;
    }
    var open = r.last_claim_by && Date.parse(r.last_claim_by) > Date.now();
    var box = el('div', 'confirm-box');
    box.setAttribute('role', 'alert');
    box.appendChild(el('p', 'small', t('purge_ask', { round: r.id, n: r.entries })));
    if (open) box.appendChild(el('p', 'small form-error', t('purge_claim_open', { t: A.time(r.last_claim_by) })));
    var yes = el('button', 'btn btn-danger small purge-confirm', t(open ? 'purge_force' : 'purge_confirm'));
    yes.type = 'button';
    yes.addEventListener('click', function () { purge(r, open, yes); });
    var no = el('button', 'btn-quiet small purge-cancel', t('cancel'));
    no.type = 'button';
    no.addEventListener('click', function () { purging = null; renderRounds(); });
    box.appendChild(yes);
    box.appendChild(no);
    td.appendChild(box);
    return td;
  }
  function purge(r, force, button) {
    var key = roundKey(r);
    button.disabled = true;
    A.api('POST', '/admin/api/rounds/' + encodeURIComponent(r.id) + '/purge', { set: r.set, force: !!force }).then(function (res) {
      purgeOutcome[key] = { erased: res.erased };
    }, function (err) {
      if (err.status !== 401) purgeOutcome[key] = { error: err };
    }).then(function () {
      purging = null;
      load();
    });
  }

  function renderDraws() {
    var body = $('draws-body');
    A.clear(body);
    if (!draws) return;
    if (!draws.length) {
      var tr = el('tr');
      var td = el('td', 'muted', drawsError ? A.errorText(drawsError) : t('none_yet'));
      td.colSpan = 8;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    draws.slice().sort(function (a, b) { return b.id - a.id; }).forEach(function (d) {
      var revealed = d.status === 'revealed';
      var row = el('tr');
      row.appendChild(el('td', 'num', String(d.id)));
      row.appendChild(el('td', 'mono', d.round));
      row.appendChild(el('td', 'wrap', d.prize));
      row.appendChild(el('td', 'num', String(d.winners_wanted)));
      row.appendChild(el('td', 'num', String(d.entry_count)));
      var status = el('td');
      status.appendChild(el('span', 'badge ' + (revealed ? 'badge-revealed' : 'badge-committed'),
        t(revealed ? 'status_revealed' : 'status_committed')));
      row.appendChild(status);
      row.appendChild(el('td', null, A.time(d.committed_at)));
      var links = el('td', 'links');
      links.appendChild(A.link('/admin/draws/' + d.id + '/show', t('link_show'), revealed ? null : 'strong'));
      links.appendChild(A.link('/draws/' + d.id, t('link_public')));
      row.appendChild(links);
      body.appendChild(row);
    });
  }

  function renderOutcome() {
    var box = $('draw-form-result');
    A.clear(box);
    box.className = 'form-result';
    if (!outcome) return;
    if (outcome.draw) {
      var d = outcome.draw;
      box.classList.add('ok');
      box.appendChild(el('p', null, t('commit_ok', { id: d.id, n: d.entry_count })));
      var p = el('p');
      p.appendChild(A.link('/admin/draws/' + d.id + '/show', t('open_show'), 'btn'));
      p.appendChild(document.createTextNode(' '));
      p.appendChild(A.link('/draws/' + d.id, t('link_public')));
      box.appendChild(p);
    } else {
      box.classList.add('bad');
      box.appendChild(el('p', null, outcome.key ? t(outcome.key) : A.errorText(outcome.error, COMMIT_ERRORS)));
      if (outcome.pendingId) {
        var q = el('p');
        q.appendChild(A.link('/admin/draws/' + outcome.pendingId + '/show', t('open_show') + ' (#' + outcome.pendingId + ')'));
        box.appendChild(q);
      }
    }
  }

  function commit(e) {
    e.preventDefault();
    var round = rounds && rounds[+$('draw-round').value];
    var prize = $('draw-prize').value.trim();
    var winners = Number($('draw-winners').value);
    if (!round) { outcome = { key: 'no_rounds' }; renderOutcome(); return; }
    if (!prize) { outcome = { key: 'prize_empty' }; renderOutcome(); $('draw-prize').focus(); return; }
    if (!Number.isInteger(winners) || winners < 1) {
      outcome = { key: 'winners_bad' }; renderOutcome(); $('draw-winners').focus(); return;
    }
    var button = $('draw-commit');
    button.disabled = true;
    button.textContent = t('committing');
    var body = { set: round.set, round: round.id, prize: prize, winners: winners };
    var claimBy = $('draw-claim-by').value, replaces = Number($('draw-replaces').value);
    if (claimBy && !isNaN(new Date(claimBy).getTime())) body.claim_by = new Date(claimBy).toISOString();
    if (Number.isInteger(replaces) && replaces > 0) body.replaces = replaces;
    A.api('POST', '/admin/api/draws', body)
      .then(function (d) {
        outcome = { draw: d };
        $('draw-prize').value = '';
        load();
      }, function (err) {
        if (err.status === 401) return;
        outcome = { error: err, pendingId: err.code === 'pending_draw' && err.body && err.body.draw };
      })
      .then(function () {
        button.disabled = false;
        button.textContent = t('commit_btn');
        renderOutcome();
      });
  }

  Admin.register({
    id: 'draws-section',
    init: function () {
      $('draw-form').addEventListener('submit', commit);
      $('draws-refresh').addEventListener('click', load);
    },
    load: load,
    render: function () { renderRounds(); renderDraws(); renderOutcome(); }
  });
})();

/* ---- Poster: the visitors' address and the link to the printable poster ------- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$;
  var publicUrl = null;

  /** Only this computer can open such an address. */
  function isLocal(url) {
    var host = '';
    try { host = new URL(url).hostname; } catch (e) { return false; }
    return /^(localhost|127\.|0\.0\.0\.0$|\[?::1\]?$)/.test(host);
  }

  function render() {
    $('public-url').textContent = publicUrl || '';
    var warning = $('public-url-warning');
    warning.hidden = !(publicUrl && isLocal(publicUrl));
    warning.textContent = t('poster_url_local');
  }

  Admin.register({
    id: 'poster-section',
    load: function () {
      A.api('GET', '/admin/api/whoami').then(function (w) { publicUrl = w.public_url; render(); }, function () { /* shown elsewhere */ });
    },
    render: render
  });
})();
