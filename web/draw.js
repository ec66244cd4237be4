/* quizbooth: the public draw page, /draws/{id} (draw.html).
 *
 * Shows one draw (GET /api/draws/{id}), verifies it in the visitor's browser
 * with QuizboothVerify (verify.js) against GET /api/draws/{id}/entries.txt,
 * and tells a visitor whether their entry code is in the pool and won.
 * Without an id (or for an unknown one) it lists the draws instead.
 * Everything is built with textContent: nothing from the server becomes HTML.
 */
(function () {
  'use strict';

  var t = DrawI18n.t;
  var POLL_MS = 20000;
  var POLL_AFTER_MS = 60000;
  var CODE_RE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/; // Crockford base32, XXXX-XXXX

  var drawId = parseId();
  var draw = null;        // the last draw loaded
  var entries = null;     // Promise<Uint8Array>: entries.txt, kept for the code check
  var verified = null;    // {draw, result} or {error} of the last verification
  var checked = null;     // the last code check, re-rendered on a language change
  var pollTimer = null;

  var $ = Staff.$, el = Staff.el, clear = Staff.clear;

  function parseId() {
    var m = /\/draws\/(\d+)\/?$/.exec(location.pathname) || /[?&]id=(\d+)/.exec(location.search);
    return m ? m[1] : null;
  }

  /** GET → the response (ok) or an Error carrying .status and the server's message. */
  function get(url, as) { return Staff.request('GET', url, { as: as }); }

  function entriesUrl() { return '/api/draws/' + encodeURIComponent(drawId) + '/entries.txt'; }

  function loadEntries(fresh) {
    if (!entries || fresh) {
      entries = get(entriesUrl(), 'bytes');
      entries.catch(function () { entries = null; }); // a failed download is tried again next time
    }
    return entries;
  }

  // ---- loading -------------------------------------------------------------

  function setStatus(message, canRetry) {
    var box = $('load-status');
    box.hidden = !message;
    $('load-message').textContent = message || '';
    $('reload').hidden = !canRetry;
  }

  function start() {
    if (!drawId) { setStatus(''); showList(); return; }
    setStatus(t('loading'));
    get('/api/draws/' + encodeURIComponent(drawId)).then(function (d) {
      setStatus('');
      show(d);
    }, function (err) {
      if (err.status === 404) { setStatus(t('not_found')); showList(); return; }
      setStatus(err.status ? t('load_error', { message: err.message }) : err.message, true);
    });
  }

  /** Before the reveal every 20 s; after it every minute while a win is still open
   *  or expired without a re-draw (claims, the deadline and a re-draw change the list). */
  function schedulePoll() {
    clearTimeout(pollTimer);
    if (!draw || (draw.status === 'revealed' && !unsettled(draw))) return;
    pollTimer = setTimeout(function () {
      if (document.hidden) { schedulePoll(); return; }
      get('/api/draws/' + encodeURIComponent(drawId)).then(function (d) {
        var revealedNow = d.status !== draw.status;
        show(d);
        if (revealedNow) {
          $('just-revealed').hidden = false;
          resetChecks();
        }
      }, schedulePoll);
    }, draw.status === 'revealed' ? POLL_AFTER_MS : POLL_MS);
  }

  /** A new reveal makes earlier results stale: the visitor verifies again. */
  function resetChecks() {
    verified = null;
    renderVerify();
    if (checked && checked.code) checkCode(checked.code);
  }

  // ---- the draw ------------------------------------------------------------

  function show(d) {
    draw = d;
    $('draw').hidden = false;
    renderDraw();
    schedulePoll();
  }

  /** The digest as groups of 8 hex digits: they wrap cleanly and copy without spaces. */
  function renderHash(node, hex) {
    clear(node);
    for (var i = 0; i < hex.length; i += 8) node.appendChild(el('span', 'hash-group', hex.slice(i, i + 8)));
  }

  /** The seed's characters as hex, two digits each, grouped by character. */
  function seedHex(s) {
    var out = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      out.push(c < 128 ? (c < 16 ? '0' : '') + c.toString(16) : 'U+' + c.toString(16).toUpperCase());
    }
    return out.join(' ');
  }

  function shellQuote(s) { return "'" + String(s).replace(/'/g, "'\\''") + "'"; }

  function renderDraw() {
    var d = draw;
    if (!d) return;
    var revealed = d.status === 'revealed';
    document.title = d.prize + ' · ' + t('draw_title');
    $('draw-no').textContent = t('draw_no', { id: d.id });
    $('prize').textContent = d.prize;
    var badge = $('status');
    badge.textContent = t(revealed ? 'status_revealed' : 'status_committed');
    badge.className = 'badge ' + (revealed ? 'badge-revealed' : 'badge-committed');
    $('round').textContent = roundName(d);
    renderChain(d);
    var notice = DrawI18n.lang() === 'en' ? d.round_notice_en : d.round_notice;
    $('round-notice').textContent = notice || '';
    $('round-notice').hidden = !notice;
    $('entry-count').textContent = t('entry_count_n', { n: d.entry_count });
    $('winners-wanted').textContent = t('winners_wanted_n', { n: d.winners_wanted });
    $('seed-digits-row').hidden = d.seed_digits == null;
    $('seed-digits').textContent = d.seed_digits != null ? t('seed_digits_n', { n: d.seed_digits }) : '';
    $('committed-at').textContent = DrawI18n.time(d.committed_at);
    $('revealed-at-row').hidden = !d.revealed_at;
    $('revealed-at').textContent = DrawI18n.time(d.revealed_at);

    renderWinners();

    renderHash($('digest'), d.entries_digest);
    var seed = $('public-seed');
    seed.textContent = d.public_seed != null ? d.public_seed : t('seed_pending');
    seed.classList.toggle('pending', d.public_seed == null);
    var bytes = $('public-seed-bytes');
    bytes.hidden = d.public_seed == null;
    if (d.public_seed != null) bytes.textContent = t('seed_bytes', { n: d.public_seed.length, hex: seedHex(d.public_seed) });
    var link = $('entries-link');
    link.href = entriesUrl();
    link.textContent = t('entries_link', { n: d.entry_count });

    $('cli-command').textContent =
      'curl -o entries.txt ' + location.origin + entriesUrl() + '\n' +
      'quizbooth draw-verify --entries entries.txt \\\n' +
      '  --seed ' + (d.public_seed != null ? shellQuote(d.public_seed) : "'…'") + ' \\\n' +
      '  --winners ' + d.winners_wanted + ' --digest ' + d.entries_digest +
      (d.seed_digits != null ? ' --seed-digits ' + d.seed_digits : '');

    renderVerify();
    renderCode();
  }

  /** The re-draw links and the claim deadline, one line: each re-draw a link to its page. */
  function renderChain(d) {
    var chain = $('chain'), parts = [];
    clear(chain);
    if (d.replaces) parts.push(drawLink(t('redraw_of', { id: d.replaces }), d.replaces));
    if (d.replaced_by) parts.push(drawLink(t('redrawn_by', { id: d.replaced_by }), d.replaced_by));
    if (d.claim_by) parts.push(document.createTextNode(t('claim_by_line', { t: DrawI18n.time(d.claim_by) })));
    parts.forEach(function (node, i) {
      if (i) chain.appendChild(document.createTextNode(' · '));
      chain.appendChild(node);
    });
    chain.hidden = !parts.length;
  }

  function drawLink(text, id) {
    var a = el('a', null, text);
    a.href = '/draws/' + encodeURIComponent(id);
    return a;
  }

  /**
   * Where a win stands (issue 22): 'claimed'; 'open' (can still be claimed);
   * 'expired' (not claimed by claim_by); 'expired-redrawn' (and its place
   * was drawn again). The server's `expired` decides when it sends one (its
   * clock is the desk's); else a re-draw, which the server allows only past
   * claim_by, or this browser's clock against claim_by.
   */
  function winState(d, w) {
    if (w.claimed) return 'claimed';
    var expired = typeof w.expired === 'boolean' ? w.expired :
      d.replaced_by != null || (!!d.claim_by && Date.parse(d.claim_by) <= Date.now());
    if (!expired) return 'open';
    return d.replaced_by != null ? 'expired-redrawn' : 'expired';
  }

  /** The state's short label, as the winners list shows it. */
  function stateLabel(d, state) {
    if (state === 'open' && d.claim_by) return t('winner_open_by', { t: DrawI18n.time(d.claim_by) });
    return t({ claimed: 'winner_claimed', open: 'winner_open', expired: 'winner_expired',
      'expired-redrawn': 'winner_expired_redrawn' }[state]);
  }

  /** True while something on the page can still change: a win to claim, or one expired but not re-drawn. */
  function unsettled(d) {
    return (d.winners || []).some(function (w) { var s = winState(d, w); return s === 'open' || s === 'expired'; });
  }

  function renderWinners() {
    var d = draw, list = $('winners'), note = $('winners-note');
    // The same draw verified (a later poll's copy of it counts: the seed and digest are fixed).
    var ok = verified && verified.result && verified.draw && verified.draw.id === d.id &&
      verified.draw.public_seed === d.public_seed && verified.result.winnersOk;
    clear(list);
    note.textContent = '';
    if (d.status !== 'revealed') { note.textContent = t('winners_pending'); return; }
    if (!d.winners || !d.winners.length) { note.textContent = t('winners_none'); return; }
    d.winners.forEach(function (w) {
      var li = el('li', 'winner');
      li.appendChild(el('span', 'code', w.code));
      var who = el('span', 'who');
      who.appendChild(el('span', null, w.name));
      who.appendChild(el('span', 'phone', w.phone));
      li.appendChild(who);
      var state = winState(d, w);
      li.setAttribute('data-state', state);
      li.classList.add('win-' + state);
      var line = el('span', 'win-state');
      line.appendChild(el('span', 'badge badge-win-' + state, stateLabel(d, state)));
      if (state === 'expired-redrawn') {
        line.appendChild(document.createTextNode(' '));
        line.appendChild(drawLink(t('winner_redraw_link', { id: d.replaced_by }), d.replaced_by));
      }
      li.appendChild(line);
      if (ok) li.appendChild(el('span', 'tick', '✓ ' + t('winner_verified')));
      if (checked && checked.code === w.code) li.classList.add('mine');
      list.appendChild(li);
    });
  }

  // ---- verification --------------------------------------------------------

  function runVerify() {
    if (!draw) return;
    var d = draw;
    if (!QuizboothVerify.supported()) {
      verified = { error: t('verify_unsupported') };
      renderVerify();
      return;
    }
    var button = $('verify');
    button.disabled = true;
    verified = { running: true };
    renderVerify();
    loadEntries(true).then(function (bytes) {
      return QuizboothVerify.verify(bytes, d);
    }).then(function (result) {
      verified = { draw: d, result: result };
    }, function (err) {
      verified = { error: err.status !== undefined ? t('verify_fetch_error', { message: err.message }) : String(err) };
    }).then(function () {
      button.disabled = false;
      renderVerify();
      renderWinners();
    });
  }

  function checkLine(list, ok, text) {
    var li = el('li', ok ? 'ok' : 'bad');
    li.appendChild(el('span', 'mark', ok ? '✓' : '✗'));
    li.appendChild(el('span', null, text));
    list.appendChild(li);
    return li;
  }

  function renderVerify() {
    var box = $('verify-result');
    clear(box);
    if (!verified) { box.hidden = true; box.removeAttribute('data-status'); box.className = 'result'; return; }
    box.hidden = false;
    if (verified.running) {
      box.setAttribute('data-status', 'running');
      box.className = 'result';
      box.appendChild(el('p', 'result-head', t('verify_running')));
      return;
    }
    if (verified.error) {
      box.setAttribute('data-status', 'error');
      box.className = 'result result-bad';
      box.appendChild(el('p', 'result-head', t('verify_error')));
      box.appendChild(el('p', null, verified.error));
      return;
    }
    var r = verified.result, d = verified.draw;
    box.setAttribute('data-status', r.ok ? 'match' : 'mismatch');
    box.className = 'result ' + (r.ok ? 'result-ok' : 'result-bad');
    box.appendChild(el('p', 'result-head',
      t(!r.ok ? 'verify_mismatch' : r.winnersOk === null ? 'verify_match_committed' : 'verify_match')));

    var list = el('ul', 'checks');
    checkLine(list, r.digestOk, t(r.digestOk ? 'chk_digest_ok' : 'chk_digest_bad'));
    checkLine(list, r.countOk, t(r.countOk ? 'chk_count_ok' : 'chk_count_bad', { n: r.entryCount, m: d.entry_count }));
    if (!r.sortedOk) checkLine(list, false, t('chk_sorted_bad'));
    if (!r.seedOk) checkLine(list, false, t('chk_seed_bad'));
    if (r.digitsOk === false) checkLine(list, false, t('chk_digits_bad', { n: d.seed_digits }));
    if (r.winnersOk === null) {
      var pending = checkLine(list, true, t('chk_winners_pending'));
      pending.className = 'pending';
      pending.firstChild.textContent = '…';
    } else {
      checkLine(list, r.winnersOk, t(r.winnersOk ? 'chk_winners_ok' : 'chk_winners_bad'));
    }
    box.appendChild(list);

    if (!r.digestOk) {
      box.appendChild(el('p', 'small', t('computed_digest')));
      var h = el('p', 'hash');
      renderHash(h, r.computedDigest);
      box.appendChild(h);
    }
    if (r.winnersOk === false) {
      box.appendChild(el('p', 'small', t('computed_winners') + '：' + (r.computedWinners.join(', ') || '—')));
      box.appendChild(el('p', 'small', t('listed_winners') + '：' +
        ((d.winners || []).map(function (w) { return w.code; }).join(', ') || '—')));
    }
  }

  // ---- "check my entry code" ------------------------------------------------

  /** Upper-case, drop spaces and hyphens, read O as 0 and I/L as 1 (Crockford), XXXX-XXXX. */
  function normaliseCode(raw) {
    var s = String(raw).trim().toUpperCase().replace(/[\s\-_]+/g, '')
      .replace(/O/g, '0').replace(/[IL]/g, '1');
    return s.length === 8 ? s.slice(0, 4) + '-' + s.slice(4) : s;
  }

  function checkCode(raw) {
    var code = normaliseCode(raw);
    if (!CODE_RE.test(code)) { checked = { status: 'invalid' }; renderCode(); return; }
    $('code-input').value = code;
    var d = draw;
    var won = (d.winners || []).some(function (w) { return w.code === code; });
    if (won) { checked = { status: 'won', code: code }; renderCode(); renderWinners(); return; }
    checked = { status: 'running', code: code };
    renderCode();
    Promise.all([loadEntries(false), winsElsewhere(code)]).then(function (r) {
      var text = new TextDecoder('utf-8').decode(r[0]);
      var inPool = QuizboothVerify.parseEntries(text).indexOf(code) >= 0;
      checked = { code: code, status: !inPool ? 'absent' : d.status === 'revealed' ? 'not-won' : 'pending',
        elsewhere: r[1] };
    }, function (err) {
      checked = { code: code, status: 'error', message: err.message };
    }).then(function () { renderCode(); renderWinners(); });
  }

  function renderCode() {
    var box = $('code-result');
    clear(box);
    if (!checked) { box.removeAttribute('data-status'); box.className = 'code-result'; return; }
    var c = checked;
    box.setAttribute('data-status', c.status);
    box.className = 'code-result code-' + c.status;
    var vars = { code: c.code, prize: draw ? draw.prize : '' };
    var win = c.status === 'won' ? wonText(draw, c.code, vars) : null;
    if (win) box.setAttribute('data-win', win.state);
    else box.removeAttribute('data-win');
    if (win && win.state !== 'open') box.className += ' code-won-' + win.state;
    var text = {
      invalid: t('code_invalid'),
      running: t('loading'),
      won: win && win.text,
      pending: t('code_pending', vars),
      'not-won': t('code_not_won', vars),
      absent: t('code_absent', vars),
      error: t('verify_fetch_error', { message: c.message })
    }[c.status];
    box.appendChild(el('p', null, text));
    if (c.status === 'absent') box.appendChild(el('p', 'small', t('code_absent_hint')));
    if (win && win.state === 'expired-redrawn') {
      var next = el('p', 'small');
      next.appendChild(drawLink(t('winner_redraw_link', { id: draw.replaced_by }), draw.replaced_by));
      box.appendChild(next);
    }
    // The code's wins in the other draws of the round.
    (c.elsewhere || []).forEach(function (o) {
      var p = el('p', 'small code-elsewhere');
      var mine = (o.winners || []).filter(function (w) { return w.code === c.code; })[0];
      var said = mine ? t('code_won_elsewhere_state', { prize: o.prize, state: stateLabel(o, winState(o, mine)) })
        : t('code_won_elsewhere', { prize: o.prize });
      p.appendChild(document.createTextNode(said + ' '));
      var a = el('a', null, t('draw_no', { id: o.id }));
      a.href = '/draws/' + encodeURIComponent(o.id);
      p.appendChild(a);
      box.appendChild(p);
    });
  }

  /** What a winning code reads: the win and where its claim stands. → {state, text} */
  function wonText(d, code, vars) {
    var w = (d.winners || []).filter(function (x) { return x.code === code; })[0];
    var state = w ? winState(d, w) : 'open';
    vars.t = DrawI18n.time(d.claim_by);
    vars.id = d.replaced_by;
    var key = {
      claimed: 'code_won_claimed',
      open: d.claim_by ? 'code_won_by' : 'code_won',
      expired: 'code_won_expired',
      'expired-redrawn': 'code_won_expired_redrawn'
    }[state];
    return { state: state, text: t(key, vars) };
  }

  /**
   * The other revealed draws of this draw's round that `code` won: the list
   * carries summaries, so each of the round's other draws is read whole.
   */
  function winsElsewhere(code) {
    var d = draw;
    return get('/api/draws?limit=' + PAGE_MAX).then(function (list) {
      var others = list.filter(function (o) {
        return o.id !== d.id && o.set === d.set && o.round === d.round && o.status === 'revealed';
      });
      return Promise.all(others.map(function (o) {
        return get('/api/draws/' + encodeURIComponent(o.id)).then(function (full) { return full; }, function () { return null; });
      })).then(function (full) {
        return full.filter(function (o) {
          return o && (o.winners || []).some(function (w) { return w.code === code; });
        });
      });
    }, function () { return []; });
  }

  /** The round as people call it: its title in the page's language, else its id. */
  function roundName(d) {
    var title = DrawI18n.lang() === 'en' ? d.round_title_en : d.round_title;
    return title || d.round;
  }

  // ---- the list of draws ----------------------------------------------------

  var draws = null, more = false;
  var PAGE = 50, PAGE_MAX = 500;

  function showList() {
    $('draw-list').hidden = false;
    draws = null;
    more = false;
    loadPage();
  }

  /** A page of the list (newest first), after the draws already shown. */
  function loadPage() {
    var last = draws && draws.length ? draws[draws.length - 1].id : null;
    get('/api/draws?limit=' + PAGE + (last !== null ? '&before=' + encodeURIComponent(last) : '')).then(function (list) {
      draws = (last !== null ? draws : []).concat(list);
      more = list.length === PAGE;
      renderList();
    }, function (err) {
      setStatus(err.message, true);
    });
  }

  function renderList() {
    var ul = $('draws');
    clear(ul);
    if (!draws) return;
    if (!draws.length) { ul.appendChild(el('li', 'muted draws-none', t('draws_none'))); return; }
    draws.forEach(function (d) { // newest first, as the API lists them
      var revealed = d.status === 'revealed';
      var li = el('li');
      li.setAttribute('data-status', d.status);
      var a = el('a', null, d.prize);
      a.href = '/draws/' + encodeURIComponent(d.id);
      li.appendChild(a);
      var line = el('span', 'list-line small');
      line.appendChild(el('span', 'badge ' + (revealed ? 'badge-revealed' : 'badge-committed'),
        t(revealed ? 'status_revealed' : 'status_committed')));
      var facts = [t('draw_no', { id: d.id }), roundName(d)];
      if (d.replaces) facts.push(t('list_redraw_of', { id: d.replaces }));
      if (d.replaced_by) facts.push(t('list_redrawn', { id: d.replaced_by }));
      else if (d.claim_by && Date.parse(d.claim_by) <= Date.now()) facts.push(t('list_claim_closed'));
      else if (d.claim_by) facts.push(t('list_claim_by', { t: DrawI18n.time(d.claim_by) }));
      line.appendChild(el('span', 'muted', ' ' + facts.join(' · ')));
      li.appendChild(line);
      ul.appendChild(li);
    });
    if (more) {
      var li = el('li');
      var b = el('button', 'btn-quiet', t('more_draws'));
      b.type = 'button';
      b.id = 'more-draws';
      b.addEventListener('click', function () { b.disabled = true; loadPage(); });
      li.appendChild(b);
      ul.appendChild(li);
    }
  }

  // ---- wiring ---------------------------------------------------------------

  function init() {
    DrawI18n.apply(document);
    DrawI18n.bindToggle($('lang-toggle'));
    DrawI18n.onChange(function () { renderDraw(); renderList(); });
    $('reload').addEventListener('click', start);
    $('verify').addEventListener('click', runVerify);
    $('code-form').addEventListener('submit', function (e) {
      e.preventDefault();
      if (draw) checkCode($('code-input').value);
    });
    start();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
