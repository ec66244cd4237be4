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
 * Sections, one file each and in the nav in this order: admin-sets.js
 * (upload with a problem review by line or cell, publish, remove, reload),
 * admin-stats.js (counts and a per-question chart, any set's), admin-funnel.js
 * (the funnel by day, hour or source: chart, table, CSV), admin-entries.js
 * (search, Excel and CSV, erasing one person), admin-draws.js (every set's
 * rounds and their keeping time, commit a
 * draw, list of draws), admin-claims.js (the claim desk, winners, the audit
 * log; a receipt QR opens /admin#claim=RECEIPT there), admin-poster.js
 * (the poster and the booth tablet), admin-sources.js (the campaign's
 * sources: their links, QR codes and posters, and the list's upload). The console's
 * bundle is these files in that order (src/pages.rs).
 * Admin.reloadAll() refreshes every section, e.g. after the active set changed.
 */
var Admin = (function () {
  'use strict';

  var t = DrawI18n.t;
  var sections = [];
  var signedIn = false;

  var $ = Staff.$, el = Staff.el, clear = Staff.clear;

  function link(href, text, className) {
    var a = el('a', className, text);
    a.href = href;
    return a;
  }

  // ---- token ------------------------------------------------------------------

  var token = Staff.token, storeToken = Staff.storeToken;

  // ---- requests ---------------------------------------------------------------

  /**
   * fetch with the staff token. body: an object (sent as JSON) or a string
   * (sent as contentType, default text/plain; e.g. YAML). → the parsed JSON
   * (or text for non-JSON answers). Throws an Error with .status (0 for no
   * connection), .code (the API's "error") and .body; a 401 also signs out.
   */
  function api(method, path, body, contentType) {
    return Staff.request(method, path, { body: body, contentType: contentType, auth: true }).then(null, function (err) {
      if (err.status === 401 && signedIn) signOut(t('token_bad'));
      throw err;
    });
  }

  /**
   * Downloads a staff file (it needs the token, so no plain link): fetched as
   * a blob, saved through an object URL and <a download>. → the file name.
   */
  function download(path, filename) {
    return Staff.request('GET', path, { auth: true, as: 'blob' }).then(null, function (err) {
      if (err.status === 401 && signedIn) signOut(t('token_bad'));
      throw err;
    }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var a = el('a');
      a.href = url;
      a.download = filename;
      a.hidden = true;
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      return filename;
    });
  }

  /** The organizer's time zone name, e.g. Asia/Shanghai ('' when unknown). */
  function timeZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { return ''; }
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

  /** Fetch every section's data again (after the active set changed, say). */
  function reloadAll() {
    if (!signedIn) return;
    sections.forEach(function (s) { if (s.started && s.load) s.load(); });
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

  // A name or phone erased under SPEC §8, as staff read it.
  function erased(e) {
    return el('span', 'erased', e && e.why === 'withdrawn' ? t('erased_withdrawn') : t('erased_purged'));
  }
  // A table cell with the value, or why it is gone.
  function contactCell(value, e, className) {
    var td = el('td', className || null, value || '');
    if (value === null || value === undefined) td.appendChild(erased(e));
    return td;
  }

  // ---- every set's rounds (SPEC §4 GET /admin/api/rounds), grouped by set --------

  /**
   * The rounds of /admin/api/rounds grouped by set, in the order listed
   * (the live set first): [{id, title, live, rounds}]. `sets` is
   * /admin/api/sets (for the titles; may be empty).
   */
  function roundGroups(rounds, sets) {
    var groups = [], bySet = {};
    (rounds || []).forEach(function (r, i) {
      var g = bySet[r.set];
      if (!g) {
        var loaded = (sets || []).filter(function (x) { return x.id === r.set; })[0];
        var title = loaded && (DrawI18n.lang() === 'en' ? loaded.title_en || loaded.title : loaded.title);
        g = bySet[r.set] = { id: r.set, title: title || r.set, live: false, rounds: [] };
        groups.push(g);
      }
      if (r.live) g.live = true;
      g.rounds.push({ round: r, index: i });
    });
    return groups;
  }

  /** "Title (id) · live" for a group of roundGroups. */
  function setLabel(g, key) {
    return t(key || 'set_group', { title: g.title, id: g.id, live: t(g.live ? 'set_live' : 'set_not_live') });
  }

  /** A round's name for staff: its title in the console's language, else its id. */
  function roundName(r) {
    var title = DrawI18n.lang() === 'en' ? r.title_en || r.title : r.title;
    return title && title !== r.id ? title + ' (' + r.id + ')' : r.id;
  }

  // ---- the set-or-round selector of the numbers' sections (stats, funnel) -------

  /** What two choices share: the same set and round ('' for every round). */
  function choiceKey(c) { return c ? c.set + '\n' + c.round : ''; }

  /**
   * The choices of the selector, grouped by set: each set's "all its rounds"
   * then each round: [{group, items: [{set, round ('' for all), label}]}].
   */
  function roundChoices(rounds, sets) {
    return roundGroups(rounds, sets).map(function (g) {
      var items = [{ set: g.id, round: '', label: t('stats_all_of', { title: g.title }) }];
      g.rounds.forEach(function (x) {
        items.push({ set: g.id, round: x.round.id, label: roundName(x.round) + ' · ' + t('state_' + x.round.state) });
      });
      return { group: g, items: items };
    });
  }

  /** Fills `select` with `choices` (an optgroup per set), `current` selected. */
  function fillChoices(select, choices, current) {
    clear(select);
    var n = 0;
    choices.forEach(function (c) {
      var group = el('optgroup');
      group.label = setLabel(c.group);
      c.items.forEach(function (item) {
        var opt = el('option', null, item.label);
        opt.value = String(n++);
        opt.setAttribute('data-set', item.set);
        opt.setAttribute('data-round', item.round);
        if (current && choiceKey(item) === choiceKey(current)) opt.selected = true;
        group.appendChild(opt);
      });
      select.appendChild(group);
    });
  }

  /** The choice `select` has selected: {set, round}, or null. */
  function selectedChoice(select) {
    var option = select.options[select.selectedIndex];
    return option ? { set: option.getAttribute('data-set'), round: option.getAttribute('data-round') } : null;
  }

  return {
    roundGroups: roundGroups,
    roundChoices: roundChoices,
    fillChoices: fillChoices,
    selectedChoice: selectedChoice,
    choiceKey: choiceKey,
    setLabel: setLabel,
    roundName: roundName,
    api: api,
    download: download,
    contactCell: contactCell,
    register: register,
    reloadAll: reloadAll,
    signedIn: function () { return signedIn; },
    timeZone: timeZone,
    errorText: errorText,
    t: t,
    time: DrawI18n.time,
    el: el,
    clear: clear,
    link: link,
    $: $
  };
})();
