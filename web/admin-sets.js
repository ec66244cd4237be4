/* quizbooth: a section of the staff console (see admin.js for how a
 * section registers). */
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
      // The report to send upward (SPEC §11), A4 to print, in a tab of its own.
      var report = el('a', 'btn-quiet small set-report', t('set_report'));
      report.id = 'report-' + s.id;
      report.href = '/admin/report?set=' + encodeURIComponent(s.id);
      report.target = '_blank';
      report.rel = 'noopener';
      tools.appendChild(report);
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

      if (s.draft) {
        // A new version of the live set, waiting for 发布 (SPEC §4).
        var draft = el('p', 'set-draft');
        draft.setAttribute('data-draft', s.draft.version);
        draft.appendChild(el('span', 'badge badge-draft', t('set_draft', { version: shortVersion(s.draft.version), n: s.draft.questions })));
        draft.appendChild(document.createTextNode(' '));
        var publishDraft = setButton('set-activate', 'publish-draft-' + s.id, s.id, t('publish_btn', { id: s.id }));
        draft.appendChild(publishDraft);
        card.appendChild(draft);
      }

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
      text = t('publish_ask', { title: (s.active && s.draft ? s.draft.title : s.title) || s.id, id: s.id, live: live ? (live.title || live.id) : '–' });
      box.appendChild(el('p', null, text));
      box.appendChild(el('p', 'small', t('publish_playing', { n: live && live.playing ? live.playing : 0 })));
      publishWarnings(box, s, live);
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

  /**
   * What 发布 leaves behind or puts live that staff should know first: the
   * new set's template leftovers (and a set whose rounds are all over), and
   * the outgoing live set's rounds that still hold undrawn entries or keep
   * names and phones with no erase date (GET /admin/api/rounds).
   */
  function publishWarnings(box, s, live) {
    var target = s.active && s.draft ? s.draft : s;
    var items = [];
    var warnings = target.warnings || [];
    warnings.filter(function (p) { return kindOf(p) !== 'template_example'; }).forEach(function (p) {
      var li = el('li', 'publish-warning');
      li.setAttribute('data-kind', kindOf(p));
      li.textContent = problemText(p);
      items.push(li);
    });
    // The template's examples: one line naming them (as the upload report folds them).
    var examples = warnings.filter(function (p) { return kindOf(p) === 'template_example'; });
    if (examples.length) {
      var names = examples.slice(0, 6).map(function (p) { return t('what_' + p.kind.args.what, { id: p.kind.args.id || '' }); });
      var li = el('li', 'publish-warning', t('publish_examples', { n: examples.length, list: names.join('、') + (examples.length > 6 ? '…' : '') }));
      li.setAttribute('data-kind', 'template_example');
      items.push(li);
    }
    if (live && live.id !== s.id) {
      (liveRounds || []).filter(function (r) { return r.set === live.id && r.entries > 0; }).forEach(function (r) {
        var name = r.title || r.id;
        if (r.pool > 0) {
          var undrawn = el('li', 'publish-warning', t('publish_undrawn', { round: name, set: live.id, n: r.pool }));
          undrawn.setAttribute('data-kind', 'undrawn');
          items.push(undrawn);
        }
        if (!r.erase_after && r.erase_warning && !r.purged_at) {
          var kept = el('li', 'publish-warning', t('publish_no_erase', { round: name, set: live.id, n: r.entries }));
          kept.setAttribute('data-kind', 'no_erase_date');
          items.push(kept);
        }
      });
    }
    if (!items.length) return;
    box.appendChild(el('p', 'warn-head', t('publish_warnings', { n: items.length })));
    var ul = el('ul', 'publish-warnings');
    items.forEach(function (li) { ul.appendChild(li); });
    box.appendChild(ul);
  }

  var liveRounds = null;               // GET /admin/api/rounds, read for 发布's confirm

  function askFor(kind, id) {
    confirming = { kind: kind, id: id };
    // The live set's count of visitors mid-quiz, and its rounds, are read fresh for the question.
    var rounds = kind === 'activate' ? A.api('GET', '/admin/api/rounds').then(function (r) { liveRounds = r; }, function () { liveRounds = null; }) : null;
    A.api('GET', '/admin/api/sets').then(function (s) { sets = s; }, function () { /* ask with what we have */ }).then(function () {
      return rounds;
    }).then(function () {
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
    li.appendChild(el('span', 'problem-at', place(p)));
    li.appendChild(el('span', 'tag', t(p.warning ? 'tag_warning' : 'tag_error')));
    li.appendChild(el('span', 'problem-msg', problemText(p)));
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
    if (args.what) {
      // A leftover names what it is in: 主办方, 题目“hotline”…
      var what = t('what_' + args.what, { id: args.id || '' });
      args = Object.assign({}, args, { what: what === 'what_' + args.what ? args.what : what });
    }
    if (k.code === 'no_round_ahead' && args.last) args = Object.assign({}, args, { last: A.time(args.last) });
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
        var ul = el('ul', 'problem-list upload-warnings');
        ul.id = 'upload-warnings';
        reportItems(warnings, false).forEach(function (li) { ul.appendChild(li); });
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
    reportItems(problems, outcome.text !== null).forEach(function (li) { list.appendChild(li); });
    var hasText = outcome.text !== null;
    $('review-head').hidden = !hasText;
    $('set-review').hidden = !hasText;
    if (hasText) renderReview(problems);
    $('set-problems').hidden = false;
  }

  function kindOf(p) { return p.kind ? p.kind.code : ''; }

  /** Kinds said once for all their places: one line, the places listed. */
  var FOLDED = { missing_translation: 'fold_translations', template_example: 'fold_examples' };

  /** One problem: its tag, its place (with 在编辑框中定位 for a text), what to do. */
  function problemItem(p, canGo) {
    var li = el('li', 'problem ' + (p.warning ? 'is-warning' : 'is-error'));
    li.setAttribute('data-line', String(p.line));
    li.setAttribute('data-column', String(p.column));
    if (p.kind) li.setAttribute('data-kind', p.kind.code);
    var head = el('div', 'problem-head');
    head.appendChild(el('span', 'tag', t(p.warning ? 'tag_warning' : 'tag_error')));
    head.appendChild(el('span', 'problem-at', place(p)));
    if (!p.sheet && canGo) {
      var go = el('button', 'btn-quiet small problem-goto', t('problem_goto'));
      go.type = 'button';
      go.setAttribute('data-line', String(p.line));
      head.appendChild(go);
    }
    li.appendChild(head);
    li.appendChild(el('p', 'problem-msg', problemText(p)));
    return li;
  }

  /**
   * The report, in the order an organizer acts on it: every error, then the
   * warnings that need a decision (placeholders, rounds over, privacy), then
   * template examples and missing translations, each folded into one line
   * with its places written compactly and listed in full behind a toggle.
   */
  function reportItems(problems, canGo) {
    var items = [];
    problems.filter(function (p) { return !p.warning; }).forEach(function (p) { items.push(problemItem(p, canGo)); });
    var warnings = problems.filter(function (p) { return p.warning; });
    warnings.filter(function (p) { return !FOLDED[kindOf(p)]; }).forEach(function (p) { items.push(problemItem(p, canGo)); });
    ['template_example', 'missing_translation'].forEach(function (code) {
      var these = warnings.filter(function (p) { return kindOf(p) === code; });
      if (!these.length) return;
      var li = el('li', 'problem is-warning is-folded');
      li.setAttribute('data-kind', code);
      li.setAttribute('data-count', String(these.length));
      var head = el('div', 'problem-head');
      head.appendChild(el('span', 'tag', t('tag_warning')));
      head.appendChild(el('span', 'problem-at', compactPlaces(these)));
      li.appendChild(head);
      li.appendChild(el('p', 'problem-msg', t(FOLDED[code], { n: these.length })));
      var more = el('details', 'folded-places');
      more.appendChild(el('summary', null, t('fold_show', { n: these.length })));
      var ul = el('ul', 'mini-problems');
      these.forEach(function (p) {
        var one = el('li');
        one.appendChild(el('span', 'problem-at', place(p)));
        if (code === 'template_example') one.appendChild(el('span', null, problemText(p)));
        ul.appendChild(one);
      });
      more.appendChild(ul);
      li.appendChild(more);
      items.push(li);
    });
    return items;
  }

  /**
   * Places written short: runs of rows in one column joined (题目!D2–D28、F5),
   * lines listed (第 12、30 行); at most 8 runs, then 等 N 处.
   */
  function compactPlaces(problems) {
    var runs = [], lines = [], sheets = [];
    problems.forEach(function (p) { if (p.sheet && sheets.indexOf(p.sheet) < 0) sheets.push(p.sheet); });
    function col(p) { return String(p.cell || '').replace(/[0-9]+$/, ''); }
    // Cells column by column (题目!D2–D9, not D2、F2、D3…), sheets in the order they come.
    problems = problems.slice().sort(function (a, b) {
      var sa = a.sheet ? sheets.indexOf(a.sheet) : -1, sb = b.sheet ? sheets.indexOf(b.sheet) : -1;
      var ca = col(a), cb = col(b);
      return sa - sb || ca.length - cb.length || (ca < cb ? -1 : ca > cb ? 1 : 0) || a.line - b.line;
    });
    problems.forEach(function (p) {
      if (p.sheet && p.cell) {
        var c = col(p);
        var last = runs[runs.length - 1];
        if (last && last.sheet === p.sheet && last.col === c && p.line === last.to + 1) last.to = p.line;
        else runs.push({ sheet: p.sheet, col: c, from: p.line, to: p.line });
      } else if (lines[lines.length - 1] !== p.line) {
        lines.push(p.line);
      }
    });
    var parts = [], sheetBefore = null;
    runs.slice(0, 8).forEach(function (r) {
      var prefix = r.sheet === sheetBefore ? '' : r.sheet + '!';
      sheetBefore = r.sheet;
      parts.push(prefix + r.col + r.from + (r.to > r.from ? '–' + r.col + r.to : ''));
    });
    var text = parts.join('、');
    if (lines.length) text += (text ? '、' : '') + t('fold_lines', { lines: lines.slice(0, 8).join('、') });
    if (runs.length > 8 || lines.length > 8) text += ' ' + t('fold_more', { n: problems.length });
    return text;
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
    // Folded kinds (missing translations, template examples) are one line in
    // the list above; the text review marks them only when showing every line,
    // so the errors' lines are not buried among them.
    problems.filter(function (p) { return showAll || !FOLDED[kindOf(p)]; }).forEach(function (p) {
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
