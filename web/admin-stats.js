/* quizbooth: a section of the staff console (see admin.js for how a
 * section registers). */
/* ---- Numbers: counts and the per-question chart, of any set that holds entries -- */
/* Each question's row: its share answered right, then the wrong option picked most
 * (`picks` against `answer`) and the median seconds spent on it (SPEC §11). */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el;
  var SVG = 'http://www.w3.org/2000/svg';
  var REFRESH_MS = 30000;
  var stats = null, statsError = null, rounds = [], sets = [], updated = null;
  var loading = false, again = false, lastWidth = 0;
  var FIRST = 12, chartAll = false; // bars shown before "show all"
  var worstFirst = true; // false: the bank's order
  // What the selector offers: each set holding entries (or live), all its
  // rounds then each round: [{group, items: [{set, round ('' for all), label}]}].
  var choices = [], chosen = null; // chosen: {set, round} (null: the live set)

  function load() {
    if (loading) { again = true; return; }
    loading = true;
    var pick = chosen;
    var rq = Promise.all([
      A.api('GET', '/admin/api/rounds').then(function (r) { rounds = r; }, function () { /* the selector keeps what it had */ }),
      A.api('GET', '/admin/api/sets').then(function (x) { sets = x; }, function () { /* ids instead of titles */ })
    ]);
    var query = pick ? '?set=' + encodeURIComponent(pick.set) + (pick.round ? '&round=' + encodeURIComponent(pick.round) : '') : '';
    var sq = A.api('GET', '/admin/api/stats' + query)
      .then(function (s) { stats = s; statsError = null; updated = new Date(); }, function (err) {
        if (err.status !== 401) { stats = null; statsError = err; }
      });
    Promise.all([rq, sq]).then(function () {
      loading = false;
      if (again) { again = false; load(); return; }
      choices = A.roundChoices(rounds, sets);
      // A set or round that went away: the live set's numbers instead.
      var offered = choices.some(function (c) {
        return c.items.some(function (item) { return A.choiceKey(item) === A.choiceKey(pick); });
      });
      if (pick && !offered) { chosen = null; load(); return; }
      render();
    });
  }

  function renderRounds() {
    A.fillChoices($('stats-round'), choices, chosen || (stats && { set: stats.set, round: stats.round || '' }));
  }

  function setText(s) {
    var g = A.roundGroups(rounds, sets).filter(function (x) { return x.id === s.set; })[0];
    return g ? A.setLabel(g, 'stats_set_of') : t('stats_set', { id: s.set });
  }

  function render() {
    renderRounds();
    var s = stats;
    $('stats-set').textContent = s ? setText(s) : statsError ? A.errorText(statsError) : t('loading');
    $('stats-set').setAttribute('data-set', s ? s.set : '');
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

  /** A question's or option's text in the console's language (the bank's
   *  English when it has one, else the Chinese). */
  function inLang(x) {
    return (DrawI18n.lang() === 'en' && x.text_en) || x.text || '';
  }

  /** The wrong option most picked of question q: {key, text, n, p}, or null. */
  function mostWrong(q) {
    var best = null;
    (q.options || []).forEach(function (o) {
      var n = (q.picks || {})[o.key] || 0;
      if (n > 0 && (q.answer || []).indexOf(o.key) < 0 && (!best || n > best.n)) {
        best = { key: o.key, text: inLang(o), n: n, p: q.answered ? Math.round(100 * n / q.answered) : 0 };
      }
    });
    return best;
  }

  function wrongText(q) {
    var w = mostWrong(q);
    return w ? t('chart_wrong', { key: w.key, text: w.text, n: w.n, p: w.p }) : t('chart_wrong_none');
  }

  function secsText(q) {
    return q.median_secs == null ? t('chart_secs_none') : t('chart_secs', { s: q.median_secs });
  }

  function renderOrder() {
    $('chart-heading').textContent = worstFirst ? t('chart_title') : t('chart_title_bank');
    $('chart-order').textContent = worstFirst ? t('chart_order_bank') : t('chart_order_worst');
  }

  function renderChart() {
    var box = $('stats-chart');
    A.clear(box);
    renderOrder();
    if (!stats) return;
    var qs = (stats.questions || []).map(function (q, i) {
      return { q: q, n: i + 1, share: q.answered ? q.correct / q.answered : null };
    });
    var toggle = $('chart-toggle');
    toggle.hidden = true;
    if (!qs.length) { box.appendChild(el('p', 'muted', t('chart_empty'))); return; }
    if (!qs.some(function (x) { return x.q.answered > 0; })) { box.appendChild(el('p', 'muted', t('chart_no_answers'))); return; }
    // Lowest share first; questions nobody answered yet go last.
    if (worstFirst) qs.sort(function (a, b) {
      if (a.share === null || b.share === null) return (a.share === null) - (b.share === null) || a.n - b.n;
      return a.share - b.share || b.q.answered - a.q.answered || a.n - b.n;
    });
    if (worstFirst && qs.length > FIRST + 2) {
      toggle.hidden = false;
      toggle.textContent = chartAll ? t('chart_less', { n: FIRST }) : t('chart_more', { n: qs.length });
      toggle.setAttribute('aria-expanded', chartAll ? 'true' : 'false');
      if (!chartAll) qs = qs.slice(0, FIRST);
    }
    var width = Math.max(260, box.clientWidth || 600);
    lastWidth = width;
    var family = getComputedStyle(document.body).fontFamily;
    var font = '14px ' + family, smallFont = '600 13px ' + family;
    var ROW = 80, BAR = 14;
    var chart = svg('svg', {
      width: String(width), height: String(qs.length * ROW + 4), viewBox: '0 0 ' + width + ' ' + (qs.length * ROW + 4),
      role: 'img', 'aria-label': $('chart-heading').textContent, 'class': 'bar-chart'
    });
    chart.appendChild(svg('title', {}, $('chart-heading').textContent));
    qs.forEach(function (item, i) {
      var y = i * ROW;
      var q = item.q;
      var g = svg('g', { 'class': 'bar-row', 'data-question': q.id, transform: 'translate(0,' + y + ')' });
      g.appendChild(svg('title', {}, item.n + '. ' + (inLang(q) || q.id) + ' (' + q.id + ')'));
      g.setAttribute('data-n', String(item.n));
      var value = item.share === null ? t('chart_none') :
        t('chart_label', { p: Math.round(100 * item.share), n: q.answered });
      var valueWidth = textWidth(value, smallFont);
      var label = fit(item.n + '. ' + (inLang(q) || q.id), width - valueWidth - 16, font);
      g.appendChild(svg('text', { x: '0', y: '18', 'class': 'bar-text' }, label));
      g.appendChild(svg('text', { x: String(width), y: '18', 'text-anchor': 'end', 'class': 'bar-value' + (item.share === null ? ' none' : '') }, value));
      g.appendChild(svg('rect', { x: '0', y: '27', width: String(width), height: String(BAR), rx: '4', fill: '#e9edf3' }));
      if (item.share) {
        g.appendChild(svg('rect', {
          x: '0', y: '27', width: String(Math.max(2, width * item.share)), height: String(BAR), rx: '4',
          fill: barColor(item.share), 'class': 'bar'
        }));
      }
      if (q.answered) {
        var secs = secsText(q), secsWidth = textWidth(secs, font);
        var wrong = mostWrong(q);
        g.appendChild(svg('text', { x: '0', y: '62', 'class': 'bar-wrong' + (wrong ? '' : ' none'), 'data-key': wrong ? wrong.key : '' },
          fit(wrongText(q), width - secsWidth - 16, font)));
        g.appendChild(svg('text', { x: String(width), y: '62', 'text-anchor': 'end', 'class': 'bar-secs' + (q.median_secs == null ? ' none' : '') }, secs));
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
      $('stats-round').addEventListener('change', function () {
        chosen = A.selectedChoice($('stats-round'));
        load();
      });
      $('chart-toggle').addEventListener('click', function () { chartAll = !chartAll; renderChart(); });
      $('chart-order').addEventListener('click', function () { worstFirst = !worstFirst; renderChart(); });
      // Touch screens have no hover for the <title>: a tap shows the full question under the chart.
      $('stats-chart').addEventListener('click', function (e) {
        var g = e.target.closest ? e.target.closest('.bar-row') : null;
        var q = g && stats && stats.questions[+g.getAttribute('data-n') - 1];
        var detail = $('chart-detail');
        detail.hidden = !q;
        if (q) detail.textContent = g.getAttribute('data-n') + '. ' + (inLang(q) || q.id) + ' (' + q.id + ') · ' +
          (q.answered ? t('chart_label', { p: Math.round(100 * q.correct / q.answered), n: q.answered }) + ' · ' +
            wrongText(q) + ' · ' + secsText(q) : t('chart_none'));
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
