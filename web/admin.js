/* quizbooth: the staff console, /admin (admin.html).
 *
 * The frame: sign-in with the admin token (kept in localStorage), a sign-out
 * button, `Admin.api(method, path, body)` which adds the token, and a list of
 * sections. Each feature is one <section class="admin-section"> in
 * admin.html plus one Admin.register({...}) call:
 *
 *   Admin.register({
 *     id: 'stats-section',          // the <section>'s id
 *     init: function (el) {...},    // once, after the first sign-in: bind events
 *     load: function () {...},      // after each sign-in: fetch data
 *     render: function () {...}     // on a language change: redraw from data
 *   });
 *
 * The draws section (rounds, commit a draw, list of draws) is at the end of
 * this file.
 */
var Admin = (function () {
  'use strict';

  var TOKEN_KEY = 'quizbooth.admin_token';
  var t = DrawI18n.t;
  var sections = [];
  var signedIn = false;

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function link(href, text, className) {
    var a = el('a', className, text);
    a.href = href;
    return a;
  }

  // ---- token ------------------------------------------------------------------

  var memoryToken = ''; // used when localStorage is blocked

  function token() {
    try { return localStorage.getItem(TOKEN_KEY) || memoryToken; } catch (e) { return memoryToken; }
  }

  function storeToken(value) {
    memoryToken = value;
    try {
      if (value) localStorage.setItem(TOKEN_KEY, value); else localStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* private mode: memoryToken serves this page */ }
  }

  // ---- requests ---------------------------------------------------------------

  /**
   * fetch with the staff token. body: an object (sent as JSON) or a string
   * (sent as contentType, default text/plain; e.g. YAML). → the parsed JSON
   * (or text for non-JSON answers). Throws an Error with .status (0 for no
   * connection), .code (the API's "error") and .body; a 401 also signs out.
   */
  function api(method, path, body, contentType) {
    var headers = { Accept: 'application/json' };
    if (token()) headers.Authorization = 'Bearer ' + token();
    var payload;
    if (typeof body === 'string') {
      payload = body;
      headers['Content-Type'] = contentType || 'text/plain; charset=utf-8';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    return fetch(path, { method: method, headers: headers, body: payload, cache: 'no-store' }).then(function (res) {
      var isJson = (res.headers.get('Content-Type') || '').indexOf('json') >= 0;
      return (isJson ? res.json().catch(function () { return null; }) : res.text()).then(function (data) {
        if (res.ok) return data;
        var err = new Error((data && data.message) || res.status + ' ' + res.statusText);
        err.status = res.status;
        err.code = data && data.error;
        err.body = data;
        if (res.status === 401 && signedIn) signOut(t('token_bad'));
        throw err;
      });
    }, function () {
      var err = new Error(t('network_error'));
      err.status = 0;
      throw err;
    });
  }

  /** A plain sentence for a failed request: byStatus maps a status to a string key. */
  function errorText(err, byStatus) {
    if (!err.status) return t('network_error');
    var key = byStatus && (byStatus[err.status + ':' + err.code] || byStatus[err.status]);
    if (key) return t(key);
    return t('err_generic', { status: err.status, message: err.message });
  }

  // ---- sign-in ----------------------------------------------------------------

  function showLogin(message) {
    signedIn = false;
    $('login').hidden = false;
    $('logout').hidden = true;
    $('admin-nav').hidden = true;
    sections.forEach(function (s) { $(s.id).hidden = true; });
    $('login-error').textContent = message || '';
    $('token-input').focus();
  }

  function signOut(message) {
    storeToken('');
    showLogin(message);
  }

  function tryToken(value) {
    return fetch('/admin/api/whoami', {
      headers: { Authorization: 'Bearer ' + value, Accept: 'application/json' }, cache: 'no-store'
    }).then(function (res) {
      if (res.ok) return true;
      if (res.status === 401) return false;
      throw new Error(t('err_generic', { status: res.status, message: res.statusText }));
    }, function () { throw new Error(t('network_error')); });
  }

  function signIn(e) {
    e.preventDefault();
    var value = $('token-input').value.trim();
    if (!value) { $('login-error').textContent = t('token_empty'); return; }
    $('login-btn').disabled = true;
    tryToken(value).then(function (ok) {
      if (!ok) { $('login-error').textContent = t('token_bad'); return; }
      storeToken(value);
      $('token-input').value = '';
      enter();
    }, function (err) {
      $('login-error').textContent = err.message;
    }).then(function () { $('login-btn').disabled = false; });
  }

  function enter() {
    signedIn = true;
    $('login').hidden = true;
    $('logout').hidden = false;
    buildNav();
    sections.forEach(startSection);
  }

  function startSection(s) {
    var node = $(s.id);
    node.hidden = false;
    if (!s.started) {
      s.started = true;
      if (s.init) s.init(node);
    }
    if (s.load) s.load();
  }

  function buildNav() {
    var nav = $('admin-nav');
    clear(nav);
    nav.hidden = sections.length < 2;
    sections.forEach(function (s) {
      var key = $(s.id).getAttribute('data-title');
      nav.appendChild(link('#' + s.id, key ? t(key) : s.id));
    });
  }

  /** Add a feature section (see the top of this file). */
  function register(section) {
    sections.push(section);
    if (signedIn) { buildNav(); startSection(section); }
  }

  function init() {
    DrawI18n.apply(document);
    DrawI18n.bindToggle($('lang-toggle'));
    DrawI18n.onChange(function () {
      if (!signedIn) return;
      buildNav();
      sections.forEach(function (s) { if (s.started && s.render) s.render(); });
    });
    $('login-form').addEventListener('submit', signIn);
    $('logout').addEventListener('click', function () { signOut(''); });
    if (!token()) { showLogin(''); return; }
    tryToken(token()).then(function (ok) {
      if (ok) enter(); else signOut(t('token_bad'));
    }, function (err) { showLogin(err.message); });
  }

  // Every deferred script (and so every register call) has run by DOMContentLoaded.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else setTimeout(init, 0);

  return {
    api: api,
    register: register,
    errorText: errorText,
    t: t,
    time: DrawI18n.time,
    el: el,
    clear: clear,
    link: link,
    $: $
  };
})();

/* ---- Draws: rounds, commit a draw, the draws so far ------------------------- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el;
  var rounds = null;      // GET /admin/api/rounds
  var draws = null;       // GET /api/draws
  var outcome = null;     // the last commit: {draw}, {error, pendingId} or {key} (a form problem)
  var COMMIT_ERRORS = { 409: 'err_409_commit', '422:empty_pool': 'err_422_commit' };
  var roundsError = null, drawsError = null; // failed loads, shown in their table

  function stateText(state) { return t('state_' + state) === 'state_' + state ? state : t('state_' + state); }

  function load() {
    A.api('GET', '/admin/api/rounds').then(function (r) { rounds = r; roundsError = null; renderRounds(); }, function (err) {
      if (err.status === 401) return;
      rounds = [];
      roundsError = err;
      renderRounds();
    });
    loadDraws();
  }

  function loadDraws() {
    A.api('GET', '/api/draws').then(function (d) { draws = d; drawsError = null; renderDraws(); }, function (err) {
      if (err.status !== 401) { draws = []; drawsError = err; renderDraws(); }
    });
  }

  function renderRounds() {
    var body = $('rounds-body'), select = $('draw-round');
    var previous = select.value;
    A.clear(body);
    A.clear(select);
    if (!rounds) return;
    if (!rounds.length) {
      var tr = el('tr');
      var td = el('td', 'muted', roundsError ? A.errorText(roundsError) : t('no_rounds'));
      td.colSpan = 6;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    var preferred = '';
    rounds.forEach(function (r, i) {
      var row = el('tr');
      row.appendChild(el('td', null, r.set));
      row.appendChild(el('td', 'mono', r.id));
      row.appendChild(el('td', null, r.opens ? A.time(r.opens) : t('always_open')));
      row.appendChild(el('td', null, r.closes ? A.time(r.closes) : t('always_open')));
      var state = el('td');
      state.appendChild(el('span', 'badge badge-' + r.state, stateText(r.state)));
      row.appendChild(state);
      row.appendChild(el('td', 'num', String(r.entries)));
      body.appendChild(row);

      var opt = el('option', null, t('round_option', { round: r.id, state: stateText(r.state), n: r.entries }));
      opt.value = String(i);
      select.appendChild(opt);
      if (r.state === 'open' || (!preferred && r.entries > 0)) preferred = String(i);
    });
    select.value = previous && rounds[+previous] ? previous : preferred || '0';
  }

  function renderDraws() {
    var body = $('draws-body');
    A.clear(body);
    if (!draws) return;
    if (!draws.length) {
      var tr = el('tr');
      var td = el('td', 'muted', drawsError ? A.errorText(drawsError) : t('none_yet'));
      td.colSpan = 8;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    draws.slice().sort(function (a, b) { return b.id - a.id; }).forEach(function (d) {
      var revealed = d.status === 'revealed';
      var row = el('tr');
      row.appendChild(el('td', 'num', String(d.id)));
      row.appendChild(el('td', 'mono', d.round));
      row.appendChild(el('td', 'wrap', d.prize));
      row.appendChild(el('td', 'num', String(d.winners_wanted)));
      row.appendChild(el('td', 'num', String(d.entry_count)));
      var status = el('td');
      status.appendChild(el('span', 'badge ' + (revealed ? 'badge-revealed' : 'badge-committed'),
        t(revealed ? 'status_revealed' : 'status_committed')));
      row.appendChild(status);
      row.appendChild(el('td', null, A.time(d.committed_at)));
      var links = el('td', 'links');
      links.appendChild(A.link('/admin/draws/' + d.id + '/show', t('link_show'), revealed ? null : 'strong'));
      links.appendChild(A.link('/draws/' + d.id, t('link_public')));
      row.appendChild(links);
      body.appendChild(row);
    });
  }

  function renderOutcome() {
    var box = $('draw-form-result');
    A.clear(box);
    box.className = 'form-result';
    if (!outcome) return;
    if (outcome.draw) {
      var d = outcome.draw;
      box.classList.add('ok');
      box.appendChild(el('p', null, t('commit_ok', { id: d.id, n: d.entry_count })));
      var p = el('p');
      p.appendChild(A.link('/admin/draws/' + d.id + '/show', t('open_show'), 'btn'));
      p.appendChild(document.createTextNode(' '));
      p.appendChild(A.link('/draws/' + d.id, t('link_public')));
      box.appendChild(p);
    } else {
      box.classList.add('bad');
      box.appendChild(el('p', null, outcome.key ? t(outcome.key) : A.errorText(outcome.error, COMMIT_ERRORS)));
      if (outcome.pendingId) {
        var q = el('p');
        q.appendChild(A.link('/admin/draws/' + outcome.pendingId + '/show', t('open_show') + ' (#' + outcome.pendingId + ')'));
        box.appendChild(q);
      }
    }
  }

  function commit(e) {
    e.preventDefault();
    var round = rounds && rounds[+$('draw-round').value];
    var prize = $('draw-prize').value.trim();
    var winners = Number($('draw-winners').value);
    if (!round) { outcome = { key: 'no_rounds' }; renderOutcome(); return; }
    if (!prize) { outcome = { key: 'prize_empty' }; renderOutcome(); $('draw-prize').focus(); return; }
    if (!Number.isInteger(winners) || winners < 1) {
      outcome = { key: 'winners_bad' }; renderOutcome(); $('draw-winners').focus(); return;
    }
    var button = $('draw-commit');
    button.disabled = true;
    button.textContent = t('committing');
    A.api('POST', '/admin/api/draws', { set: round.set, round: round.id, prize: prize, winners: winners })
      .then(function (d) {
        outcome = { draw: d };
        $('draw-prize').value = '';
        load();
      }, function (err) {
        if (err.status === 401) return;
        outcome = { error: err, pendingId: err.status === 409 && err.body && err.body.draw };
      })
      .then(function () {
        button.disabled = false;
        button.textContent = t('commit_btn');
        renderOutcome();
      });
  }

  Admin.register({
    id: 'draws-section',
    init: function () {
      $('draw-form').addEventListener('submit', commit);
      $('draws-refresh').addEventListener('click', load);
    },
    load: load,
    render: function () { renderRounds(); renderDraws(); renderOutcome(); }
  });
})();
