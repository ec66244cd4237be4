/* quizbooth: a section of the staff console (see admin.js for how a
 * section registers). */
/* ---- Sources (SPEC §11): each unit's or channel's link, QR code and poster,
 * all posters and QR codes at once, and the list uploaded or pasted --------- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el, clear = Admin.clear;
  var XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  var list = null;       // the list as last read
  var outcome = null;    // {saved: n} | {problems: [...]} | {error: Error} | {nothing: true}

  function qrPath(id, ext) { return '/qr.' + ext + '?src=' + encodeURIComponent(id); }

  function cell(tag, text, className) { return el(tag, className || null, text == null ? '' : String(text)); }

  function row(s) {
    var tr = el('tr');
    tr.appendChild(cell('td', s.id, 'mono'));
    tr.appendChild(cell('td', s.name, 'wrap'));
    tr.appendChild(cell('td', s.headcount == null ? '–' : s.headcount, 'num'));
    var link = el('td', 'source-link mono');
    link.appendChild(A.link(s.link, s.link));
    link.firstChild.target = '_blank';
    link.firstChild.rel = 'noopener';
    tr.appendChild(link);
    var qr = el('td', 'source-qr');
    var img = el('img');
    img.src = qrPath(s.id, 'svg');
    img.alt = t('sources_qr_alt', { name: s.name });
    img.width = img.height = 56;
    qr.appendChild(img);
    tr.appendChild(qr);
    var files = el('td', 'links');
    var poster = A.link('/admin/poster?src=' + encodeURIComponent(s.id), t('sources_poster'), 'strong');
    poster.target = '_blank';
    poster.rel = 'noopener';
    files.appendChild(poster);
    [['png', 'sources_png'], ['svg', 'sources_svg']].forEach(function (f) {
      var a = A.link(qrPath(s.id, f[0]), t(f[1]));
      a.setAttribute('download', s.id + '.' + f[0]);
      files.appendChild(a);
    });
    tr.appendChild(files);
    return tr;
  }

  function renderList() {
    var box = $('sources-list');
    clear(box);
    var empty = !list || !list.length;
    $('sources-posters').hidden = $('sources-zip').hidden = empty;
    if (!list) return;
    if (empty) { box.appendChild(el('p', 'muted', t('sources_empty'))); return; }
    var table = el('table', 'table sources-table');
    var head = el('tr');
    ['sources_col_id', 'sources_col_name', 'sources_col_headcount', 'sources_col_link', 'sources_col_qr', 'sources_col_files']
      .forEach(function (k) {
        var th = cell('th', t(k), k === 'sources_col_headcount' ? 'num' : null);
        th.scope = 'col';
        head.appendChild(th);
      });
    table.appendChild(el('thead')).appendChild(head);
    var body = table.appendChild(el('tbody'));
    list.forEach(function (s) { body.appendChild(row(s)); });
    box.appendChild(table);
  }

  /** A problem in the console's language: its kind's string, else the server's words. */
  function problemText(p) {
    var key = 'src_pk_' + p.kind;
    var text = t(key, p.args || {});
    return text === key ? p.message : text;
  }

  function renderOutcome() {
    var result = $('sources-result'), ol = $('sources-problems');
    clear(ol);
    result.className = 'form-result wide';
    result.textContent = '';
    ol.hidden = true;
    if (!outcome) return;
    if (outcome.saving) { result.textContent = t('sources_saving'); return; }
    if (outcome.saved != null) {
      result.className += ' ok';
      result.textContent = t('sources_saved', { n: outcome.saved });
    } else if (outcome.nothing) {
      result.className += ' bad';
      result.textContent = t('sources_nothing');
    } else if (outcome.problems) {
      result.className += ' bad';
      result.textContent = t('sources_problems', { n: outcome.problems.length });
      outcome.problems.forEach(function (p) {
        var li = el('li');
        li.appendChild(el('span', 'mono problem-at', p.at));
        li.appendChild(document.createTextNode(' ' + problemText(p)));
        ol.appendChild(li);
      });
      ol.hidden = false;
    } else if (outcome.error) {
      result.className += ' bad';
      result.textContent = A.errorText(outcome.error);
    }
  }

  function render() { renderList(); renderOutcome(); }

  function load() {
    return A.api('GET', '/admin/api/sources').then(function (l) { list = l; renderList(); }, function (err) {
      if (err.status === 401) return;
      outcome = { error: err };
      renderOutcome();
    });
  }

  /** One CSV field. */
  function csvField(v) { return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; }

  /** Pasted text as CSV: cells copied from Excel come tab-separated. */
  function pastedCsv(text) {
    if (text.indexOf('\t') < 0) return text;
    return text.split(/\r?\n/).map(function (line) {
      return line.split('\t').map(csvField).join(',');
    }).join('\n');
  }

  function save(e) {
    e.preventDefault();
    var file = $('sources-file').files && $('sources-file').files[0];
    var text = $('sources-text').value.trim();
    var sent;
    if (file) sent = A.api('PUT', '/admin/api/sources', file, /\.csv$/i.test(file.name) ? 'text/csv' : XLSX_TYPE);
    else if (text) sent = A.api('PUT', '/admin/api/sources', pastedCsv(text) + '\n', 'text/csv');
    else { outcome = { nothing: true }; renderOutcome(); return; }
    $('sources-save').disabled = true;
    outcome = { saving: true };
    renderOutcome();
    sent.then(function (l) {
      list = l;
      outcome = { saved: l.length };
      $('sources-file').value = '';
      renderList();
    }, function (err) {
      if (err.status === 401) return;
      outcome = err.status === 422 && err.body && err.body.problems ? { problems: err.body.problems } : { error: err };
    }).then(function () {
      $('sources-save').disabled = false;
      renderOutcome();
    });
  }

  function zip() {
    var result = $('sources-zip-result');
    result.className = 'form-result';
    A.download('/admin/api/sources/qr.zip', 'sources-qr.zip').then(function (name) {
      result.className = 'form-result ok';
      result.textContent = t('sources_zip_done', { file: name });
    }, function (err) {
      if (err.status === 401) return;
      result.className = 'form-result bad';
      result.textContent = A.errorText(err);
    });
  }

  Admin.register({
    id: 'sources-section',
    init: function () {
      $('sources-form').addEventListener('submit', save);
      $('sources-refresh').addEventListener('click', load);
      $('sources-zip').addEventListener('click', zip);
    },
    load: load,
    render: render
  });
})();
