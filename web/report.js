/* quizbooth: the report organizers send upward (工作总结材料), /admin/report?set=ID
 * (report.html), A4 to print or save as PDF (SPEC §11).
 *
 * Its data is one staff request, GET /admin/api/report?set=ID, made with
 * the token the console keeps in this browser (a form asks for it when
 * none is kept). The server reads every figure through the function its
 * own API uses; this page only lays them out: each figure shown carries
 * data-figure="NAME" and its exact value in data-value, so a test can hold
 * the page to the APIs. Texts from the bank come in both languages; the page
 * follows the console's language (I18n, the same stored choice).
 *
 * No name or phone is in the data: winners are listed by code, with the
 * masks only of those who agreed to their publication, as on the public
 * draw page.
 */
(function () {
  'use strict';

  var t = DrawI18n.t;
  var $ = Staff.$;
  var el = Staff.el;
  var num = ReportCharts.number;

  var params = new URLSearchParams(location.search);
  var setId = params.get('set');
  var data = null;

  function lang() { return DrawI18n.lang(); }

  /** A bank text ({zh, en}) in the page's language. */
  function tr(text) {
    if (!text) return '';
    return (lang() === 'en' ? text.en : text.zh) || text.zh || '';
  }

  /** An RFC 3339 time as written (the service's offset), to the minute; the offset named when it is not UTC+8. */
  function when(iso) {
    if (!iso) return '';
    var m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
    if (!m) return iso;
    var offset = m[3] === 'Z' ? '+00:00' : m[3];
    return m[1] + ' ' + m[2] + (offset === '+08:00' ? '' : ' (UTC' + offset + ')');
  }

  function day(iso) { return iso ? iso.slice(0, 10) : ''; }

  function pct(part, whole) { return whole > 0 ? (100 * part / whole).toFixed(1) + '%' : '—'; }

  /** A figure: its text, and its exact value for the tests. */
  function figure(tag, cls, name, value, text) {
    var e = el(tag, cls, text === undefined ? num(value) : text);
    e.setAttribute('data-figure', name);
    e.setAttribute('data-value', value === null || value === undefined ? '' : String(value));
    return e;
  }

  function section(id, titleKey) {
    var s = el('section', 'report-section');
    s.id = id;
    s.appendChild(el('h2', null, t(titleKey)));
    return s;
  }

  /** Whether a cell holds a number (a figure whose value is one, or — for none), set right-aligned. */
  function numeric(c) {
    if (typeof c === 'number' || c === '—' || (c && c.textContent === '—')) return true;
    var v = c && c.getAttribute ? c.getAttribute('data-value') : null;
    return v !== null && v !== '' && !isNaN(Number(v));
  }

  /** A table: headers (keys), rows of cells (a node, or a text). */
  function table(heads, rows, cls) {
    var tb = el('table', 'report-table' + (cls ? ' ' + cls : ''));
    var thead = el('thead');
    var hr = el('tr');
    heads.forEach(function (h, i) {
      var th = el('th', rows.length && numeric(rows[0][i]) ? 'num' : null, t(h));
      th.scope = 'col';
      hr.appendChild(th);
    });
    thead.appendChild(hr);
    tb.appendChild(thead);
    var body = el('tbody');
    rows.forEach(function (cells) {
      var tr = el('tr');
      cells.forEach(function (c, i) {
        var td = el(i === 0 ? 'th' : 'td');
        if (i === 0) td.scope = 'row';
        if (c && c.nodeType) td.appendChild(c); else td.textContent = c === null || c === undefined ? '' : String(c);
        if (numeric(c)) td.className = 'num';
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    tb.appendChild(body);
    return tb;
  }

  /** A chart in a figure that never breaks across pages, with its caption. */
  function chart(svg, caption) {
    var f = el('figure', 'report-figure');
    f.appendChild(svg);
    f.appendChild(el('figcaption', null, caption));
    return f;
  }

  function roundName(r) {
    var title = lang() === 'en' ? r.title_en || r.title : r.title;
    return title && title !== r.id ? title + ' (' + r.id + ')' : r.id;
  }

  /* ---- the sections, in the order the brief asks ------------------------- */

  function header(d) {
    var h = el('header', 'report-head');
    h.appendChild(el('p', 'report-kind', t('rp_kind')));
    h.appendChild(el('h1', null, tr(d.set.title)));
    if (d.organizer) h.appendChild(el('p', 'report-organizer', t('rp_organizer', { name: tr(d.organizer) })));
    var meta = el('p', 'report-meta muted small');
    meta.appendChild(document.createTextNode(t('rp_generated', { t: when(d.generated_at) }) + ' · '));
    meta.appendChild(el('span', 'mono', t('rp_set_line', { id: d.set.id, version: d.set.version.slice(0, 12) })));
    h.appendChild(meta);
    return h;
  }

  function overview(d) {
    var s = section('report-overview', 'rp_s_overview');
    var dates = d.dates || {};
    var text = dates.opens && dates.closes ? t('rp_dates', { from: when(dates.opens), to: when(dates.closes) })
      : dates.opens ? t('rp_dates_open', { from: when(dates.opens) })
        : dates.closes ? t('rp_dates_until', { to: when(dates.closes) }) : t('rp_dates_always');
    s.appendChild(el('p', 'report-dates', text));
    var rows = d.rounds.map(function (r) {
      return [roundName(r), r.opens ? when(r.opens) : t('rp_always'), r.closes ? when(r.closes) : t('rp_always'),
        figure('span', null, 'round:' + r.id + ':started', r.started),
        figure('span', null, 'round:' + r.id + ':passed', r.passed),
        figure('span', null, 'round:' + r.id + ':entries', r.entries)];
    });
    s.appendChild(table(['rp_th_round', 'rp_th_opens', 'rp_th_closes', 'rp_f_started', 'rp_f_passed', 'rp_f_entries'], rows));
    return s;
  }

  function figures(d) {
    var s = section('report-figures', 'rp_s_figures');
    var f = d.figures;
    var grid = el('div', 'report-figures');
    function cell(name, value, labelKey, note, text) {
      var c = el('div', 'report-figure-cell');
      c.appendChild(figure('p', 'report-big', name, value, text));
      c.appendChild(el('p', 'report-label', t(labelKey)));
      if (note) c.appendChild(el('p', 'report-note muted small', note));
      grid.appendChild(c);
    }
    if (f.visits !== undefined && f.visits !== null) cell('visits', f.visits, 'rp_f_visits', t('rp_f_visits_note'));
    cell('started', f.started, 'rp_f_started', t('rp_f_started_note'));
    cell('submitted', f.submitted, 'rp_f_submitted', null);
    var rate = f.submitted > 0 ? f.passed / f.submitted : null;
    cell('pass_rate', rate, 'rp_f_pass_rate', t('rp_f_pass_rate_note', { m: num(f.passed), n: num(f.submitted), p: f.pass_percent }),
      pct(f.passed, f.submitted));
    cell('entries', f.entries, 'rp_f_entries', t('rp_f_entries_note'));
    s.appendChild(grid);
    return s;
  }

  var STAGES = ['visits', 'starts', 'submitted', 'passed', 'entries'];
  var STAGE_KEYS = { visits: 'rp_f_visits', starts: 'rp_f_started', submitted: 'rp_f_submitted', passed: 'rp_f_passed', entries: 'rp_f_entries' };

  function stageSeries() {
    // Each stage keeps its colour in every chart, the funnel's included.
    return STAGES.map(function (k, i) { return { key: k, label: t(STAGE_KEYS[k]), color: ReportCharts.COLORS[i] }; });
  }

  function sourceName(r) {
    if (r.key === 'direct') return t('rp_src_direct');
    if (r.key === 'share') return t('rp_src_share');
    return r.name || r.key;
  }

  function stageCells(prefix, r) {
    return STAGES.map(function (k) { return figure('span', null, prefix + ':' + k, r[k]); });
  }

  function funnel(d) {
    var s = section('report-funnel', 'rp_s_funnel');
    var fu = d.funnel;
    if (!fu) {
      s.appendChild(el('p', 'muted', t('rp_no_funnel')));
      return s;
    }
    var tot = fu.totals;
    s.appendChild(chart(ReportCharts.funnel(STAGES.map(function (k) { return { label: t(STAGE_KEYS[k]), value: tot[k] }; }), t('rp_chart_funnel')),
      t('rp_chart_funnel')));

    s.appendChild(el('h3', null, t('rp_by_day')));
    if (fu.by_day.length) {
      s.appendChild(chart(ReportCharts.columns({
        label: t('rp_chart_by_day'),
        categories: fu.by_day.map(function (r) { return r.key.slice(5); }),
        series: stageSeries(),
        value: function (i, k) { return fu.by_day[i][k]; }
      }), t('rp_chart_by_day')));
    }
    s.appendChild(table(['rp_th_day'].concat(STAGES.map(function (k) { return STAGE_KEYS[k]; })),
      fu.by_day.map(function (r) { return [r.key].concat(stageCells('day:' + r.key, r)); })
        .concat([[t('rp_total')].concat(stageCells('total', tot))]), 'report-table-total'));

    s.appendChild(el('h3', null, t('rp_by_source')));
    // The chart holds 12 sources at most: those with the most entries (the table has them all).
    var top = fu.by_source.length <= 12 ? fu.by_source : fu.by_source.slice().sort(function (a, b) { return b.entries - a.entries; }).slice(0, 12);
    if (top.length) {
      s.appendChild(chart(ReportCharts.bars({
        label: t('rp_chart_by_source'),
        categories: top.map(sourceName),
        series: stageSeries().slice(1),
        value: function (i, k) { return top[i][k]; }
      }), fu.by_source.length > top.length ? t('rp_chart_by_source_top', { n: top.length, m: fu.by_source.length }) : t('rp_chart_by_source')));
    }
    s.appendChild(table(['rp_th_source'].concat(STAGES.map(function (k) { return STAGE_KEYS[k]; })),
      fu.by_source.map(function (r) { return [sourceName(r)].concat(stageCells('source:' + r.key, r)); })));
    return s;
  }

  function league(d) {
    var s = section('report-league', 'rp_s_league');
    var fu = d.funnel;
    if (!fu || !fu.league || !fu.league.length) {
      s.appendChild(el('p', 'muted', t('rp_no_league')));
      return s;
    }
    s.appendChild(el('p', 'small muted', t(fu.league_by === 'rate' ? 'rp_league_note' : 'rp_league_note_entries')));
    var rows = fu.league.map(function (r, i) {
      return [String(i + 1), sourceName(r),
        r.headcount ? figure('span', null, 'league:' + r.key + ':headcount', r.headcount) : '—',
        figure('span', null, 'league:' + r.key + ':starts', r.starts),
        figure('span', null, 'league:' + r.key + ':entries', r.entries),
        figure('span', null, 'league:' + r.key + ':rate', r.rate, r.rate === null || r.rate === undefined ? '—' : (100 * r.rate).toFixed(1) + '%')];
    });
    s.appendChild(table(['rp_th_rank', 'rp_th_source', 'rp_th_headcount', 'rp_f_started', 'rp_f_entries', 'rp_th_rate'], rows, 'report-league'));
    return s;
  }

  function optionText(q, key) {
    var o = q.options.filter(function (x) { return x.key === key; })[0];
    return o ? tr(o.text) : key;
  }

  function worst(d) {
    var s = section('report-worst', 'rp_s_worst');
    if (!d.worst.length) {
      s.appendChild(el('p', 'muted', t('rp_no_worst')));
      return s;
    }
    var list = el('ol', 'report-questions');
    d.worst.forEach(function (q) {
      var li = el('li', 'report-question');
      li.setAttribute('data-question', q.id);
      li.appendChild(el('p', 'report-q-text', tr(q.text)));
      var rate = el('p', 'report-q-rate');
      rate.appendChild(document.createTextNode(t('rp_q_rate') + ' '));
      rate.appendChild(figure('strong', null, 'q:' + q.id + ':rate', q.answered > 0 ? q.correct / q.answered : null, pct(q.correct, q.answered)));
      rate.appendChild(document.createTextNode(' ('));
      rate.appendChild(figure('span', null, 'q:' + q.id + ':correct', q.correct));
      rate.appendChild(document.createTextNode(' / '));
      rate.appendChild(figure('span', null, 'q:' + q.id + ':answered', q.answered));
      rate.appendChild(document.createTextNode(')'));
      li.appendChild(rate);
      li.appendChild(el('p', 'report-q-answer', t('rp_q_answer', {
        a: q.answer.map(function (k) { return k + '. ' + optionText(q, k); }).join(t('rp_list_sep'))
      })));
      var wrong = (q.wrong || []).filter(function (w) { return w.picks > 0; }).slice(0, 2);
      if (wrong.length) {
        var w = el('p', 'report-q-wrong');
        w.appendChild(el('span', 'report-q-label', t('rp_q_wrong')));
        wrong.forEach(function (x, i) {
          if (i) w.appendChild(document.createTextNode(t('rp_list_sep')));
          w.appendChild(document.createTextNode(x.key + '. ' + optionText(q, x.key)));
          w.appendChild(figure('span', 'report-q-picks', 'q:' + q.id + ':picks:' + x.key, x.picks,
            t('rp_q_picks', { n: num(x.picks), p: pct(x.picks, q.answered) })));
        });
        li.appendChild(w);
      }
      if (q.explanation) {
        var e = el('p', 'report-q-explanation');
        e.appendChild(el('span', 'report-q-label', t('rp_q_explanation')));
        e.appendChild(document.createTextNode(tr(q.explanation)));
        li.appendChild(e);
      }
      list.appendChild(li);
    });
    s.appendChild(list);
    return s;
  }

  function draws(d) {
    var s = section('report-draws', 'rp_s_draws');
    if (!d.draws.length) {
      s.appendChild(el('p', 'muted', t('rp_no_draws')));
      return s;
    }
    var roundTitles = {};
    d.rounds.forEach(function (r) { roundTitles[r.id] = roundName(r); });
    d.draws.forEach(function (dr) {
      var box = el('article', 'report-draw');
      box.setAttribute('data-draw', dr.id);
      box.appendChild(el('h3', null, t('rp_draw_head', { id: dr.id, prize: dr.prize })));
      var dl = el('dl', 'report-draw-facts');
      function fact(key, value, cls) {
        dl.appendChild(el('dt', null, t(key)));
        var dd = el('dd', cls || null);
        if (value && value.nodeType) dd.appendChild(value); else dd.textContent = value;
        dl.appendChild(dd);
      }
      fact('rp_draw_round', roundTitles[dr.round] || dr.round);
      if (dr.replaces) fact('rp_draw_replaces', t('rp_draw_replaces_text', { id: dr.replaces }));
      fact('rp_draw_committed', when(dr.committed_at));
      var pool = figure('span', null, 'draw:' + dr.id + ':entry_count', dr.entry_count);
      fact('rp_draw_pool', pool);
      fact('rp_draw_digest', figure('span', null, 'draw:' + dr.id + ':entries_digest', dr.entries_digest, dr.entries_digest), 'mono hash');
      if (dr.status === 'revealed') {
        fact('rp_draw_revealed', when(dr.revealed_at));
        fact('rp_draw_seed', figure('span', null, 'draw:' + dr.id + ':public_seed', dr.public_seed, dr.public_seed), 'mono');
        var claims = el('span');
        claims.appendChild(figure('span', null, 'draw:' + dr.id + ':claimed', dr.claimed));
        claims.appendChild(document.createTextNode(' / '));
        claims.appendChild(figure('span', null, 'draw:' + dr.id + ':winners', dr.winners.length));
        if (dr.claim_by) claims.appendChild(document.createTextNode(' ' + t('rp_draw_claim_by', { t: when(dr.claim_by) })));
        fact('rp_draw_claims', claims);
      } else {
        fact('rp_draw_revealed', t('rp_draw_not_revealed'));
      }
      var link = el('a', 'report-link', dr.link);
      link.href = dr.link;
      fact('rp_draw_link', link, 'mono');
      box.appendChild(dl);
      if (dr.winners && dr.winners.length) {
        var rows = dr.winners.map(function (w, i) {
          var mask = w.name || w.phone ? [w.name, w.phone].filter(Boolean).join(' ') : t('rp_not_published');
          var state = w.claimed ? t('rp_claimed') : w.expired ? t('rp_expired') : t('rp_unclaimed');
          return [String(i + 1), figure('span', 'mono', 'draw:' + dr.id + ':winner:' + i, w.code, w.code), mask, state];
        });
        box.appendChild(table(['rp_th_place', 'rp_th_code', 'rp_th_mask', 'rp_th_claim'], rows, 'report-winners'));
      }
      s.appendChild(box);
    });
    return s;
  }

  function privacy(d) {
    var s = section('report-privacy', 'rp_s_privacy');
    s.appendChild(el('p', null, t('rp_privacy_intro')));
    var list = el('ul', 'report-privacy');
    d.rounds.forEach(function (r) {
      var name = roundName(r);
      var purge = r.last_purge;
      var due = r.erase_after;
      var purgedWhenDue = purge && due && purge.at >= due;
      if (purge) list.appendChild(el('li', null, t('rp_privacy_purged', { round: name, t: when(purge.at), n: num(purge.erased) })));
      if (purgedWhenDue) return;
      if (due) list.appendChild(el('li', null, t('rp_privacy_due', { round: name, t: when(due), n: r.keep_days === null ? d.keep_days : r.keep_days })));
      else if (r.erase_warning === 'never_closes') list.appendChild(el('li', null, t('rp_privacy_never', { round: name })));
      else list.appendChild(el('li', null, t('rp_privacy_missing', { round: name })));
    });
    s.appendChild(list);
    if (d.contact) s.appendChild(el('p', 'small', t('rp_privacy_contact', { contact: tr(d.contact) })));
    return s;
  }

  function footer() {
    return el('footer', 'report-foot muted small', t('rp_footer'));
  }

  function render() {
    var main = $('report');
    Staff.clear(main);
    if (!data) return;
    document.title = t('rp_doc_title', { title: tr(data.set.title) });
    [header, overview, figures, funnel, league, worst, draws, privacy, footer].forEach(function (part) {
      main.appendChild(part(data));
    });
    main.setAttribute('aria-busy', 'false');
    main.setAttribute('data-ready', 'true');
  }

  /* ---- loading ------------------------------------------------------------ */

  function showError(message) {
    var p = $('report-error');
    p.textContent = message || '';
    p.hidden = !message;
  }

  function askToken(message) {
    showError(message);
    $('report-login').hidden = false;
    Staff.clear($('report'));
    $('report-token').focus();
  }

  function load() {
    if (!Staff.token()) return askToken(t('rp_need_token'));
    var path = '/admin/api/report' + (setId ? '?set=' + encodeURIComponent(setId) : '');
    Staff.request('GET', path, { auth: true }).then(function (d) {
      showError('');
      $('report-login').hidden = true;
      data = d;
      render();
    }, function (err) {
      if (err.status === 401) return askToken(t('rp_bad_token'));
      Staff.clear($('report'));
      showError(err.status === 404 ? t('rp_no_set') : t('load_error', { message: err.message }));
    });
  }

  function init() {
    DrawI18n.apply(document);
    DrawI18n.bindToggle($('lang-toggle'));
    DrawI18n.onChange(render);
    $('report-print').addEventListener('click', function () { window.print(); });
    $('report-login').addEventListener('submit', function (e) {
      e.preventDefault();
      Staff.storeToken($('report-token').value.trim());
      $('report-token').value = '';
      load();
    });
    load();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
