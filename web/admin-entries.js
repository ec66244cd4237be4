/* quizbooth: a section of the staff console (see admin.js for how a
 * section registers). */
/* ---- Entries: search, the newest entries, Excel and CSV, and erasing one person --- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el;
  var LIMIT = 100;
  var result = null, error = null, query = '', seq = 0, csvState = null;
  // Erasing one person (SPEC §4, POST /admin/api/entries/{code}/withdraw):
  // the code whose confirm is open, and the last withdrawal's outcome.
  var asking = null, withdrawn = null;

  function load() {
    query = $('entries-q').value.trim();
    var mine = ++seq;
    // A search goes in the body: names and phones stay out of URLs (SPEC §4).
    var asked = query ? A.api('POST', '/admin/api/entries/search', { q: query, limit: LIMIT })
      : A.api('GET', '/admin/api/entries?limit=' + LIMIT);
    asked.then(function (r) {
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
      td.colSpan = 7;
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
      row.appendChild(actionCell(e));
      body.appendChild(row);
      if (asking === e.code) body.appendChild(confirmRow(e));
    });
    renderCsv();
    renderWithdrawn();
  }

  // An entry whose name and phone are still held can be withdrawn for its
  // person: a button, then a confirm that says what happens.
  function actionCell(e) {
    var td = el('td', 'entry-action');
    if (e.name === null || e.name === undefined || e.erased) return td;
    var b = el('button', 'btn-quiet small withdraw-btn', t('withdraw_btn'));
    b.type = 'button';
    b.disabled = asking === e.code;
    b.addEventListener('click', function () { asking = e.code; withdrawn = null; render(); });
    td.appendChild(b);
    return td;
  }

  function confirmRow(e) {
    var tr = el('tr', 'confirm-row');
    var td = el('td');
    td.colSpan = 7;
    var box = el('div', 'confirm-box withdraw-confirm-box');
    box.setAttribute('role', 'alert');
    box.appendChild(el('p', 'small', t('withdraw_ask', { code: e.code, name: e.name, phone: e.phone })));
    box.appendChild(el('p', 'small', t('withdraw_what')));
    var yes = el('button', 'btn btn-danger small withdraw-confirm', t('withdraw_confirm'));
    yes.type = 'button';
    yes.addEventListener('click', function () { withdraw(e.code, yes); });
    var no = el('button', 'btn-quiet small withdraw-cancel', t('cancel'));
    no.type = 'button';
    no.addEventListener('click', function () { asking = null; render(); });
    box.appendChild(yes);
    box.appendChild(no);
    td.appendChild(box);
    tr.appendChild(td);
    return tr;
  }

  function withdraw(code, button) {
    button.disabled = true;
    A.api('POST', '/admin/api/entries/' + encodeURIComponent(code) + '/withdraw', {}).then(function () {
      withdrawn = { code: code };
      // Its phone and name no longer find it: list it by its code, erased.
      $('entries-q').value = code;
    }, function (err) {
      if (err.status !== 401) withdrawn = { code: code, error: err };
    }).then(function () {
      asking = null;
      // The pools, the winners and the audit log change with it.
      A.reloadAll();
    });
  }

  function renderWithdrawn() {
    var p = $('entries-withdrawn');
    p.hidden = !withdrawn;
    if (!withdrawn) return;
    p.className = 'form-result ' + (withdrawn.error ? 'bad' : 'ok');
    p.textContent = !withdrawn.error ? t('withdraw_done', { code: withdrawn.code }) :
      withdrawn.error.status === 404 ? t('withdraw_unknown') : A.errorText(withdrawn.error);
  }

  function renderCsv() {
    var p = $('entries-csv-result');
    p.textContent = !csvState ? '' : csvState.error ? A.errorText(csvState.error) : t('csv_done', { name: csvState.name });
    p.className = 'small ' + (csvState && csvState.error ? 'form-error' : 'muted');
  }

  function two(n) { return (n < 10 ? '0' : '') + n; }

  // Excel first (phones stay text, times are local), CSV for other tools.
  function downloader(id, ext, busyKey, idleKey) {
    return function () {
      var button = $(id);
      var d = new Date();
      var name = 'entries-' + d.getFullYear() + two(d.getMonth() + 1) + two(d.getDate()) + '-' + two(d.getHours()) + two(d.getMinutes()) + '.' + ext;
      button.disabled = true;
      button.textContent = t(busyKey);
      A.download('/admin/api/entries.' + ext, name).then(function (n) { csvState = { name: n }; }, function (err) {
        if (err.status !== 401) csvState = { error: err };
      }).then(function () {
        button.disabled = false;
        button.textContent = t(idleKey);
        renderCsv();
      });
    };
  }

  Admin.register({
    id: 'entries-section',
    init: function () {
      var timer = null;
      $('entries-form').addEventListener('submit', function (e) { e.preventDefault(); clearTimeout(timer); load(); });
      $('entries-q').addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(load, 350); });
      $('entries-xlsx').addEventListener('click', downloader('entries-xlsx', 'xlsx', 'xlsx_busy', 'xlsx_btn'));
      $('entries-csv').addEventListener('click', downloader('entries-csv', 'csv', 'csv_busy', 'csv_btn'));
    },
    load: load,
    render: render
  });
})();
