/* quizbooth: a section of the staff console (see admin.js for how a
 * section registers). */
/* ---- Entries: search, the newest entries, CSV ----------------------------------- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el;
  var LIMIT = 100;
  var result = null, error = null, query = '', seq = 0, csvState = null;

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
