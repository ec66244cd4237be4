/* quizbooth: the wall, /wall (wall.html), the booth's big screen at
 * 1920x1080 or 1280x720: the quiz's QR code and link, today's and the
 * round's counts, the sources' league, and the latest revealed draw.
 *
 * It asks GET /api/wall every POLL_MS (the server builds that answer once a
 * second per node whoever asks, and answers 304 while it has not changed).
 * A request that fails (the Wi-Fi dropped, the service restarting) leaves
 * the last numbers on the screen with a quiet "reconnecting" mark, and the
 * next poll tries again: the page never reloads and never needs a hand.
 * The screen shows its language first and the other one under it, smaller.
 */
(function () {
  'use strict';

  var POLL_MS = 5000;     // at least every 10 s (SPEC §11)
  var GIVE_UP_MS = 8000;  // a request that hangs this long counts as failed
  var BUMP_MS = 1600;     // a changed number glows this long

  var t = DrawI18n.t;
  var $ = Staff.$, el = Staff.el, clear = Staff.clear;
  var data = null;        // the last answer
  var lastOk = null;      // when it came

  function lang() { return DrawI18n.lang(); }
  function other() { return lang() === 'zh' ? 'en' : 'zh'; }
  /** A string in language `l`. */
  function say(l, key, vars) { return I18n.text(DRAW_STRINGS, l, key, vars); }
  /** A string in the other language, for the smaller line. */
  function t2(key, vars) { return say(other(), key, vars); }
  function locale(l) { return l === 'zh' ? 'zh-CN' : 'en-GB'; }

  function applyStrings() {
    DrawI18n.apply(document);
    var nodes = document.querySelectorAll('[data-i18n-other]');
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = t2(nodes[i].getAttribute('data-i18n-other'));
    document.title = t('wall_title') + ' · quizbooth';
    $('wall-qr').alt = t('wall_qr_alt');
  }

  /** A count as read from afar: 1,234 in full; from 100,000 on, short
   *  (12.3万 / 123k, 123万 / 1.23M: three digits tell a crowd's size). */
  function number(n) {
    if (typeof n !== 'number') return '–';
    try {
      if (n >= 100000) {
        return new Intl.NumberFormat(lang() === 'zh' ? 'zh-CN' : 'en', { notation: 'compact', maximumSignificantDigits: 3 }).format(n);
      }
      return n.toLocaleString(locale(lang()));
    } catch (e) { return String(n); }
  }

  /** `YYYY-MM-DD` (the service's day) as `12月7日` / `7 December`. */
  function day(iso, l) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
    if (!m) return iso || '';
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    try { return d.toLocaleDateString(locale(l), { month: 'long', day: 'numeric', timeZone: 'UTC' }); } catch (e) { return iso; }
  }

  function clock(at) {
    function two(n) { return (n < 10 ? '0' : '') + n; }
    return two(at.getHours()) + ':' + two(at.getMinutes()) + ':' + two(at.getSeconds());
  }

  /** Sets a count; one that changed since the last answer glows a moment. */
  function setCount(id, n) {
    var node = $(id);
    var text = number(n);
    if (node.textContent === text) return;
    var changed = node.getAttribute('data-n') !== null;
    node.textContent = text;
    node.setAttribute('data-n', String(n));
    if (changed) {
      node.classList.add('bump');
      setTimeout(function () { node.classList.remove('bump'); }, BUMP_MS);
    }
  }

  /** 本轮 · its title, and whether it has not opened yet or is over, in `l`. */
  function roundTitle(r, l) {
    var title = l === 'en' ? r.title_en : r.title;
    var text = title ? say(l, 'wall_round_named', { title: title }) : say(l, 'wall_round');
    if (r.state === 'upcoming') text += say(l, 'wall_state_upcoming');
    if (r.state === 'closed') text += say(l, 'wall_state_closed');
    return text;
  }

  function renderCounts(d) {
    var today = d.today;
    $('today').hidden = !today;
    document.body.setAttribute('data-today', today ? 'yes' : 'no');
    if (today) {
      $('today-title').textContent = t('wall_today_on', { date: day(today.date, lang()) });
      $('today-other').textContent = t2('wall_today_on', { date: day(today.date, other()) });
      setCount('today-starts', today.starts);
      setCount('today-passed', today.passed);
      setCount('today-entries', today.entries);
    }
    var r = d.round;
    $('round').hidden = !r;
    if (r) {
      $('round-title').textContent = roundTitle(r, lang());
      $('round-other').textContent = roundTitle(r, other());
      setCount('round-starts', r.counts.starts);
      setCount('round-passed', r.counts.passed);
      setCount('round-entries', r.counts.entries);
    }
    if (today) fitNumbers($('today'));
    if (r) fitNumbers($('round'));
    $('no-set').hidden = !!d.set;
    $('set-title').textContent = d.set ? (lang() === 'en' ? d.set.title_en : d.set.title) : '';
  }

  var NUM_VH = 9, NUM_MIN_VH = 3.6;

  /** The counts of a span at one size, the largest (from 9vh down) at which
   *  none overflows its column: 34,000 or 3,100,000 still fits. */
  function fitNumbers(span) {
    var nums = span.querySelectorAll('.wall-num');
    var vh = NUM_VH;
    function set() { for (var i = 0; i < nums.length; i++) nums[i].style.fontSize = vh + 'vh'; }
    function over() {
      for (var i = 0; i < nums.length; i++) if (nums[i].scrollWidth > nums[i].clientWidth + 1) return true;
      return false;
    }
    set();
    while (vh > NUM_MIN_VH && over()) { vh -= 0.5; set(); }
  }

  function percent(rate) {
    // Two significant digits at least, so close rates do not read alike.
    var p = rate * 100;
    return (p >= 10 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toFixed(2)) + '%';
  }

  /** Drops the last items of `list` while it overflows its box; → how many went. */
  function fit(list) {
    var dropped = 0;
    while (list.lastChild && list.scrollHeight > list.clientHeight + 1) {
      list.removeChild(list.lastChild);
      dropped++;
    }
    return dropped;
  }

  function renderLeague(d) {
    var league = d.league || { rows: [] };
    var rows = league.rows || [];
    $('league').hidden = rows.length === 0;
    document.body.setAttribute('data-league', rows.length ? 'yes' : 'no');
    if (!rows.length) return;
    var byRate = league.by === 'rate';
    $('league-by').textContent = t(byRate ? 'wall_by_rate' : 'wall_by_entries');
    var list = $('league-list');
    clear(list);
    rows.forEach(function (s, i) {
      var li = el('li', 'wall-row' + (i < 3 ? ' top' : ''));
      li.setAttribute('data-id', s.id);
      li.appendChild(el('span', 'wall-rank', String(i + 1)));
      li.appendChild(el('span', 'wall-name', s.name));
      var value = el('span', 'wall-value');
      if (byRate) {
        value.appendChild(el('strong', null, s.rate == null ? '–' : percent(s.rate)));
        value.appendChild(el('span', 'wall-sub', t('wall_entries_n', { n: number(s.entries) })));
      } else {
        value.appendChild(el('strong', null, t('wall_entries_n', { n: number(s.entries) })));
      }
      li.appendChild(value);
      list.appendChild(li);
    });
    fit(list);
  }

  function renderDraw(d) {
    var draw = d.draw;
    var list = $('draw-winners');
    clear(list);
    $('draw-none').hidden = !!draw;
    $('draw-prize').hidden = !draw;
    $('draw-more').hidden = true;
    if (!draw) return;
    var round = lang() === 'en' ? draw.round_title_en : draw.round_title;
    $('draw-prize').textContent = draw.prize + (round ? ' · ' + round : '');
    draw.winners.forEach(function (w) {
      var li = el('li', 'wall-winner' + (w.claimed ? ' claimed' : ''));
      li.appendChild(el('span', 'wall-code', w.code));
      if (w.name || w.phone) li.appendChild(el('span', 'wall-who', [w.name, w.phone].filter(Boolean).join(' ')));
      if (w.claimed) li.appendChild(el('span', 'wall-claimed', t('wall_claimed')));
      list.appendChild(li);
    });
    var hidden = fit(list) + (draw.winners_total - draw.winners.length);
    if (hidden > 0) {
      var url = String(d.url || location.origin).replace(/\/+$/, '') + '/draws/' + draw.id;
      var more = $('draw-more');
      more.textContent = t('wall_more_winners', { n: number(hidden), url: url });
      more.hidden = false;
      // The line takes room from the list: fit again, and count what that hid.
      var again = fit(list);
      if (again) more.textContent = t('wall_more_winners', { n: number(hidden + again), url: url });
    }
  }

  /** Only the computer serving can open such an address: the QR is no use to a phone. */
  function isLocal(url) {
    var m = /^[a-z]+:\/\/(\[[^\]]*\]|[^\/:]*)/i.exec(url || '');
    return !!m && /^(localhost|127\.|0\.0\.0\.0$|\[::1?\]$)/i.test(m[1]);
  }

  function renderLink() {
    var state = document.body.getAttribute('data-link');
    $('link-text').textContent = !lastOk ? t(state === 'lost' ? 'network_error' : 'loading')
      : state === 'live' ? t('wall_live', { time: clock(lastOk) }) : t('wall_reconnecting', { time: clock(lastOk) });
  }

  function render() {
    renderLink();
    if (!data) return;
    $('wall-url').textContent = String(data.url || '').replace(/\/+$/, '');
    var local = $('wall-url-local');
    local.hidden = !isLocal(data.url);
    // The warning takes the room of a smaller QR code (no use to a phone anyway).
    document.body.classList.toggle('url-local', !local.hidden);
    local.textContent = t('wall_url_local');
    renderCounts(data);
    renderLeague(data);
    renderDraw(data);
  }

  function linked(state) {
    document.body.setAttribute('data-link', state);
    renderLink();
  }

  /** One poll: the answer (the browser revalidates by ETag), else the mark. */
  function poll() {
    var abort = typeof AbortController === 'function' ? new AbortController() : null;
    var giveUp = setTimeout(function () { if (abort) abort.abort(); }, GIVE_UP_MS);
    fetch('/api/wall', { cache: 'no-cache', headers: { Accept: 'application/json' }, signal: abort ? abort.signal : undefined })
      .then(function (res) {
        if (!res.ok) throw new Error(String(res.status));
        return res.json();
      })
      .then(function (d) {
        data = d;
        lastOk = new Date();
        document.body.setAttribute('data-link', 'live');
        render();
      }, function () {
        linked('lost');
      })
      .then(function () {
        clearTimeout(giveUp);
        setTimeout(poll, POLL_MS);
      });
  }

  /** For tests and a look at a crowded day: shows `d` as if the server had sent it. */
  window.QuizboothWall = { show: function (d) { data = d; render(); } };

  function init() {
    applyStrings();
    DrawI18n.onChange(function () { applyStrings(); render(); });
    var resized = null;
    window.addEventListener('resize', function () {
      clearTimeout(resized);
      resized = setTimeout(render, 200);
    });
    render();
    poll();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
