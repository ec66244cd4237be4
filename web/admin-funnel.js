/* quizbooth: a section of the staff console (see admin.js for how a
 * section registers). */
/* ---- The funnel (SPEC §11): visits → starts → submitted → passed → entries of a
 * set or round, by day, hour or source in the service's time zone; a chart drawn
 * here as inline SVG (a row of five bars per day, hour or source), the table with
 * its totals, and the same rows as CSV ------------------------------------------ */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el, clear = Admin.clear;
  var SVG = 'http://www.w3.org/2000/svg';
  var STAGES = ['visits', 'starts', 'submitted', 'passed', 'entries'];
  var STAGE_KEYS = {
    visits: 'funnel_visits', starts: 'funnel_starts', submitted: 'funnel_submitted',
    passed: 'funnel_passed', entries: 'funnel_entries'
  };
  var BY_KEYS = { day: 'funnel_by_day', hour: 'funnel_by_hour', source: 'funnel_by_source' };
  var CHART_TITLES = { day: 'funnel_chart_title_day', hour: 'funnel_chart_title_hour', source: 'funnel_chart_title_source' };
  var COLORS = ['#94a3b8', '#2563eb', '#7c3aed', '#0f766e', '#c2410c'];
  var CHART_ROWS = 24; // the chart's last rows (the table has them all)
  var funnel = null, error = null, rounds = [], sets = [], by = 'day';
  var choices = [], chosen = null; // {set, round} (null: the live set, every round)
  var lastWidth = 0, csvState = null;

  function query() {
    var q = '?by=' + by;
    if (chosen) q += '&set=' + encodeURIComponent(chosen.set) + (chosen.round ? '&round=' + encodeURIComponent(chosen.round) : '');
    return q;
  }

  function load() {
    var asked = query();
    Promise.all([
      A.api('GET', '/admin/api/rounds').then(function (r) { rounds = r; }, function () { /* keeps what it had */ }),
      A.api('GET', '/admin/api/sets').then(function (x) { sets = x; }, function () { /* ids instead of titles */ }),
      A.api('GET', '/admin/api/funnel' + asked).then(function (f) { funnel = f; error = null; }, function (err) {
        if (err.status !== 401) { funnel = null; error = err; }
      })
    ]).then(function () {
      if (asked !== query()) return; // a newer choice is loading
      render();
    });
  }

  function renderScope() {
    choices = A.roundChoices(rounds, sets);
    var live = choices.filter(function (c) { return c.group.live; })[0];
    A.fillChoices($('funnel-round'), choices, chosen || (live && { set: live.group.id, round: '' }));
  }

  /** A row's key as staff read it: a day as is, an hour as "12-07 09:00", a source by its name. */
  function keyText(row) {
    if (by === 'hour') return row.key.slice(5, 10) + ' ' + row.key.slice(11, 16);
    if (by === 'source') {
      if (row.key === 'direct') return t('funnel_direct');
      if (row.key === 'share') return t('funnel_share');
      return row.name ? row.name : t('funnel_unlisted', { id: row.key });
    }
    return row.key;
  }

  function percent(n, of) { return of ? Math.round(100 * n / of) + '%' : '–'; }

  function rateText(rate) { return rate == null ? '–' : (Math.round(rate * 1000) / 10) + '%'; }

  function cell(tag, text, className) { return el(tag, className || null, text == null ? '' : String(text)); }

  function renderTable() {
    var box = $('funnel-table');
    clear(box);
    if (!funnel) return;
    if (!funnel.rows.length) { box.appendChild(el('p', 'muted', t('funnel_empty'))); return; }
    var table = el('table', 'table funnel-table');
    table.setAttribute('aria-label', t('funnel_table_caption'));
    var head = el('tr');
    var cols = [BY_KEYS[by]].concat(STAGES.map(function (s) { return STAGE_KEYS[s]; }));
    if (by === 'source') cols = cols.concat(['funnel_headcount', 'funnel_rate']);
    cols.forEach(function (k, i) {
      var th = cell('th', t(k), i ? 'num' : null);
      th.scope = 'col';
      head.appendChild(th);
    });
    var thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el('tbody');
    funnel.rows.forEach(function (r) {
      var tr = el('tr');
      var th = cell('th', keyText(r), by === 'source' ? 'wrap' : null);
      th.scope = 'row';
      if (by === 'source') th.title = r.key;
      tr.appendChild(th);
      STAGES.forEach(function (s) { tr.appendChild(cell('td', r[s], 'num')); });
      if (by === 'source') {
        tr.appendChild(cell('td', r.headcount == null ? '–' : r.headcount, 'num'));
        tr.appendChild(cell('td', rateText(r.rate), 'num'));
      }
      body.appendChild(tr);
    });
    table.appendChild(body);
    var foot = el('tfoot');
    var total = el('tr');
    var th = cell('th', t('funnel_total'));
    th.scope = 'row';
    total.appendChild(th);
    STAGES.forEach(function (s) { total.appendChild(cell('td', funnel.totals[s], 'num')); });
    if (by === 'source') { total.appendChild(cell('td', '')); total.appendChild(cell('td', '')); }
    foot.appendChild(total);
    table.appendChild(foot);
    box.appendChild(table);
  }

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** The totals as a line of five stages, each with its share of the one before. */
  function renderTotals() {
    var box = $('funnel-totals');
    clear(box);
    if (!funnel) return;
    STAGES.forEach(function (s, i) {
      var n = funnel.totals[s];
      var tile = el('div', 'tile funnel-tile');
      var dt = el('dt');
      var key = el('span', 'funnel-key');
      key.style.background = COLORS[i];
      dt.appendChild(key);
      dt.appendChild(document.createTextNode(t(STAGE_KEYS[s])));
      tile.appendChild(dt);
      tile.appendChild(el('dd', null, String(n)));
      tile.appendChild(el('dd', 'tile-sub', i ? t('funnel_of_before', { p: percent(n, funnel.totals[STAGES[i - 1]]) }) : ''));
      box.appendChild(tile);
    });
  }

  /** A row of five bars per day, hour or source, on one scale; the last CHART_ROWS rows. */
  function renderChart() {
    var box = $('funnel-chart');
    clear(box);
    $('funnel-chart-note').textContent = '';
    if (!funnel || !funnel.rows.length) return;
    var rows = funnel.rows;
    if (by !== 'source' && rows.length > CHART_ROWS) {
      rows = rows.slice(rows.length - CHART_ROWS);
      $('funnel-chart-note').textContent = t('funnel_chart_last', { n: CHART_ROWS, all: funnel.rows.length });
    }
    var max = 1;
    rows.forEach(function (r) { STAGES.forEach(function (s) { if (r[s] > max) max = r[s]; }); });
    var width = Math.max(260, box.clientWidth || 600);
    lastWidth = width;
    var LABEL = width < 520 ? 0 : 150; // on a phone the label sits above its bars
    var BAR = 10, GAP = 4, NUM = 52;
    var barsTop = LABEL ? 0 : 20;
    var rowHeight = barsTop + STAGES.length * (BAR + GAP) + 14;
    var barWidth = width - LABEL - NUM;
    var title = t(CHART_TITLES[by]);
    var chart = svg('svg', {
      width: String(width), height: String(rows.length * rowHeight), viewBox: '0 0 ' + width + ' ' + (rows.length * rowHeight),
      role: 'img', 'aria-label': title, 'class': 'funnel-chart-svg'
    });
    chart.appendChild(svg('title', {}, title));
    rows.forEach(function (r, i) {
      var g = svg('g', { transform: 'translate(0,' + (i * rowHeight) + ')', 'class': 'funnel-row', 'data-key': r.key });
      g.appendChild(svg('title', {}, keyText(r) + ': ' + STAGES.map(function (s) { return t(STAGE_KEYS[s]) + ' ' + r[s]; }).join(' · ')));
      g.appendChild(svg('text', { x: '0', y: LABEL ? String(barsTop + 2 * (BAR + GAP) + BAR) : '14', 'class': 'funnel-label' }, keyText(r)));
      STAGES.forEach(function (s, j) {
        var y = barsTop + j * (BAR + GAP);
        var w = r[s] ? Math.max(2, barWidth * r[s] / max) : 0;
        g.appendChild(svg('rect', { x: String(LABEL), y: String(y), width: String(barWidth), height: String(BAR), fill: '#eef1f6' }));
        if (w) g.appendChild(svg('rect', { x: String(LABEL), y: String(y), width: String(w), height: String(BAR), fill: COLORS[j], 'class': 'funnel-bar funnel-' + s }));
        g.appendChild(svg('text', { x: String(width), y: String(y + BAR), 'text-anchor': 'end', 'class': 'funnel-num' }, String(r[s])));
      });
      chart.appendChild(g);
    });
    box.appendChild(chart);
  }

  function renderCsv() {
    var p = $('funnel-csv-result');
    p.textContent = !csvState ? '' : csvState.error ? A.errorText(csvState.error) : t('csv_done', { name: csvState.name });
    p.className = 'small ' + (csvState && csvState.error ? 'form-error' : 'muted');
  }

  function render() {
    renderScope();
    $('funnel-status').textContent = error ? A.errorText(error) : funnel ? t('funnel_tz', { tz: funnel.tz }) : t('loading');
    renderTotals();
    renderChart();
    renderTable();
    renderCsv();
  }

  function downloadCsv() {
    var button = $('funnel-csv');
    button.disabled = true;
    var name = 'funnel-by-' + by + '.csv';
    A.download('/admin/api/funnel.csv' + query(), name).then(function (n) { csvState = { name: n }; }, function (err) {
      if (err.status !== 401) csvState = { error: err };
    }).then(function () { button.disabled = false; renderCsv(); });
  }

  Admin.register({
    id: 'funnel-section',
    init: function () {
      $('funnel-refresh').addEventListener('click', load);
      $('funnel-round').addEventListener('change', function () {
        chosen = A.selectedChoice($('funnel-round'));
        load();
      });
      $('funnel-by').addEventListener('change', function () { by = $('funnel-by').value; csvState = null; load(); });
      $('funnel-csv').addEventListener('click', downloadCsv);
      var timer = null;
      window.addEventListener('resize', function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          if (funnel && $('funnel-chart').clientWidth !== lastWidth) renderChart();
        }, 150);
      });
      render();
    },
    load: load,
    render: render
  });
})();
