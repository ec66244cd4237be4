/* quizbooth: the report's charts (report.js), drawn as inline SVG in the
 * page: no chart library, no other host. Each chart is one <svg> with a
 * viewBox, so it scales to the sheet's width on screen and on paper, with a
 * <title> and an aria-label saying what it shows; the numbers themselves are
 * in the table beside it.
 *
 *   ReportCharts.funnel(stages)          horizontal bars, largest first, each
 *                                        with its count and its share of the first
 *   ReportCharts.columns(opts)           grouped columns per category (days)
 *   ReportCharts.bars(opts)              grouped horizontal bars per category (sources)
 *
 * opts: {label, categories: [text], series: [{key, label, color}],
 *        value: function (categoryIndex, seriesKey) -> number}
 */
var ReportCharts = (function () {
  'use strict';

  var NS = 'http://www.w3.org/2000/svg';
  var WIDTH = 680;
  var FONT = 11;
  /** Five stages, told apart in print and in greyscale (dark to light). */
  var COLORS = ['#0a1f44', '#0b57b7', '#3d8fd1', '#17703a', '#d99a00'];

  function node(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function svg(height, label) {
    var s = node('svg', {
      viewBox: '0 0 ' + WIDTH + ' ' + height, width: '100%', role: 'img', 'aria-label': label,
      'font-size': FONT, 'font-family': 'inherit', class: 'report-chart'
    });
    s.appendChild(node('title', null, label));
    return s;
  }

  /** A round number at or above max, and its tick step: 1, 2 or 5 times a power of ten. */
  function scale(max) {
    if (!(max > 0)) return { top: 1, step: 1 };
    var raw = max / 4;
    var p = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var step = [1, 2, 5, 10].map(function (m) { return m * p; }).filter(function (s) { return s >= raw; })[0];
    step = Math.max(1, step);
    return { top: Math.ceil(max / step) * step, step: step };
  }

  function number(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

  /** Cuts a label to what fits in `chars` (a CJK character counts as two). */
  function fit(text, chars) {
    var out = '', used = 0;
    for (var i = 0; i < text.length; i++) {
      var w = text.charCodeAt(i) > 0x2e80 ? 2 : 1;
      if (used + w > chars) return out + '…';
      out += text[i];
      used += w;
    }
    return out;
  }

  function legend(s, series, y) {
    var x = 0;
    series.forEach(function (sr) {
      s.appendChild(node('rect', { x: x, y: y - 9, width: 10, height: 10, fill: sr.color }));
      s.appendChild(node('text', { x: x + 14, y: y }, sr.label));
      x += 24 + sr.label.length * (sr.label.charCodeAt(0) > 0x2e80 ? FONT : FONT * 0.6);
    });
  }

  function colored(series) {
    return series.map(function (sr, i) { return { key: sr.key, label: sr.label, color: sr.color || COLORS[i % COLORS.length] }; });
  }

  /** stages: [{label, value}] in order; each bar's length is its value, its text the count and % of the first. */
  function funnel(stages, label) {
    var row = 30, left = 120, right = 150;
    var height = stages.length * row + 8;
    var s = svg(height, label);
    var first = stages.length ? stages[0].value : 0;
    var max = Math.max.apply(null, stages.map(function (st) { return st.value; }).concat([1]));
    var span = WIDTH - left - right;
    stages.forEach(function (st, i) {
      var y = 4 + i * row;
      var w = Math.max(1, span * st.value / max);
      s.appendChild(node('text', { x: left - 8, y: y + 17, 'text-anchor': 'end' }, st.label));
      s.appendChild(node('rect', { x: left, y: y + 3, width: w.toFixed(1), height: row - 8, fill: COLORS[i % COLORS.length] }));
      var share = first > 0 ? ' (' + (100 * st.value / first).toFixed(1) + '%)' : '';
      s.appendChild(node('text', { x: (left + w + 6).toFixed(1), y: y + 17, 'font-weight': 600 }, number(st.value) + (i > 0 ? share : '')));
    });
    return s;
  }

  function axis(s, sc, x0, x1, yOf) {
    for (var v = 0; v <= sc.top; v += sc.step) {
      var y = yOf(v).toFixed(1);
      s.appendChild(node('line', { x1: x0, x2: x1, y1: y, y2: y, stroke: v === 0 ? '#556079' : '#d5dce8', 'stroke-width': 1 }));
      s.appendChild(node('text', { x: x0 - 6, y: Number(y) + 4, 'text-anchor': 'end', fill: '#556079' }, number(v)));
    }
  }

  /** Grouped columns, one group per category (a day), one column per series. */
  function columns(opts) {
    var series = colored(opts.series), cats = opts.categories;
    var top = 26, bottom = 34, left = 52, height = 240;
    var s = svg(height, opts.label);
    legend(s, series, 12);
    var max = 0;
    cats.forEach(function (c, i) { series.forEach(function (sr) { max = Math.max(max, opts.value(i, sr.key)); }); });
    var sc = scale(max);
    var plot = height - top - bottom;
    var yOf = function (v) { return top + plot - plot * v / sc.top; };
    axis(s, sc, left, WIDTH, yOf);
    var band = (WIDTH - left) / Math.max(1, cats.length);
    var bar = Math.max(1, Math.min(14, band * 0.8 / series.length));
    var every = Math.ceil(cats.length / 16); // at most 16 labels
    cats.forEach(function (c, i) {
      var x0 = left + i * band + (band - bar * series.length) / 2;
      series.forEach(function (sr, j) {
        var v = opts.value(i, sr.key);
        var h = plot * v / sc.top;
        s.appendChild(node('rect', { x: (x0 + j * bar).toFixed(1), y: (top + plot - h).toFixed(1), width: bar.toFixed(1), height: h.toFixed(1), fill: sr.color }));
      });
      if (i % every === 0) {
        s.appendChild(node('text', { x: (left + i * band + band / 2).toFixed(1), y: height - bottom + 16, 'text-anchor': 'middle' }, c));
      }
    });
    return s;
  }

  /** Grouped horizontal bars, one group per category (a source), one bar per series. */
  function bars(opts) {
    var series = colored(opts.series), cats = opts.categories;
    var top = 24, left = 150, right = 56, bar = 7, gap = 9;
    var group = bar * series.length + gap;
    var height = top + cats.length * group + 22;
    var s = svg(height, opts.label);
    legend(s, series, 12);
    var max = 0;
    cats.forEach(function (c, i) { series.forEach(function (sr) { max = Math.max(max, opts.value(i, sr.key)); }); });
    var sc = scale(max);
    var span = WIDTH - left - right;
    var xOf = function (v) { return left + span * v / sc.top; };
    for (var v = 0; v <= sc.top; v += sc.step) {
      var x = xOf(v).toFixed(1);
      s.appendChild(node('line', { x1: x, x2: x, y1: top - 4, y2: height - 20, stroke: v === 0 ? '#556079' : '#d5dce8', 'stroke-width': 1 }));
      s.appendChild(node('text', { x: x, y: height - 6, 'text-anchor': 'middle', fill: '#556079' }, number(v)));
    }
    cats.forEach(function (c, i) {
      var y0 = top + i * group;
      s.appendChild(node('text', { x: left - 8, y: y0 + (bar * series.length) / 2 + 4, 'text-anchor': 'end' }, fit(c, 22)));
      series.forEach(function (sr, j) {
        var v = opts.value(i, sr.key);
        var w = span * v / sc.top;
        s.appendChild(node('rect', { x: left, y: y0 + j * bar, width: w.toFixed(1), height: bar - 1, fill: sr.color }));
      });
    });
    return s;
  }

  return { funnel: funnel, columns: columns, bars: bars, COLORS: COLORS, number: number };
})();
