/* quizbooth: a section of the staff console (see admin.js for how a
 * section registers). */
/* ---- Draws: rounds, commit a draw, the draws so far ------------------------- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el;
  var rounds = null;      // GET /admin/api/rounds
  var sets = [];          // GET /admin/api/sets (titles for the groups)
  var draws = null;       // GET /api/draws
  var outcome = null;     // the last commit: {draw}, {error, pendingId}, {key} (a form problem), or {confirm} (asked first)
  var COMMIT_ERRORS = {
    '409:pending_draw': 'err_409_commit', '422:empty_pool': 'err_422_commit',
    '409:claim_open': 'err_claim_open', '422:too_many_winners': 'err_too_many_winners',
    '422:invalid_claim_by': 'err_claim_by', '422:unknown_draw': 'err_replaces_unknown',
    '422:other_round': 'err_replaces_other_round', '422:invalid_seed_digits': 'seed_digits_bad'
  };
  var CLAIM_BY_MIN_MS = 24 * 3600 * 1000; // a claim deadline at least this far ahead (README)
  var roundsError = null, drawsError = null; // failed loads, shown in their table

  function stateText(state) { return t('state_' + state) === 'state_' + state ? state : t('state_' + state); }

  function load() {
    var titles = A.api('GET', '/admin/api/sets').then(function (s) { sets = s; }, function () { /* ids instead */ });
    var listed = A.api('GET', '/admin/api/rounds').then(function (r) { rounds = r; roundsError = null; }, function (err) {
      if (err.status === 401) return;
      rounds = [];
      roundsError = err;
    });
    Promise.all([titles, listed]).then(renderRounds);
    loadDraws();
  }

  function loadDraws() {
    A.api('GET', '/api/draws?limit=500').then(function (d) { draws = d; drawsError = null; renderDraws(); }, function (err) {
      if (err.status !== 401) { draws = []; drawsError = err; renderDraws(); }
    });
  }

  // Every set that holds entries (or is live), a header row each, then its
  // rounds with the TRUE pool: what a draw committed now would seal.
  function renderRounds() {
    var body = $('rounds-body'), select = $('draw-round');
    var previous = select.value;
    A.clear(body);
    A.clear(select);
    if (!rounds) return;
    if (!rounds.length) {
      var tr = el('tr');
      var td = el('td', 'muted', roundsError ? A.errorText(roundsError) : t('no_rounds'));
      td.colSpan = 8;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    var preferred = '', unerased = [];
    A.roundGroups(rounds, sets).forEach(function (g) {
      var head = el('tr', 'set-row' + (g.live ? ' set-live' : ''));
      head.setAttribute('data-set', g.id);
      var th = el('th', null, A.setLabel(g));
      th.colSpan = 8;
      th.scope = 'rowgroup';
      head.appendChild(th);
      body.appendChild(head);
      var group = el('optgroup');
      group.label = A.setLabel(g);
      g.rounds.forEach(function (x) {
        var r = x.round, i = x.index;
        var row = el('tr', 'round-row');
        row.setAttribute('data-set', r.set);
        row.appendChild(el('td', 'round-set', r.set));
        var id = el('td', 'mono round-id', r.id);
        if (r.in_set === false) id.appendChild(el('div', 'small muted round-gone', t('round_not_in_set')));
        row.appendChild(id);
        row.appendChild(el('td', 'round-opens', r.opens ? A.time(r.opens) : t('always_open')));
        row.appendChild(el('td', 'round-closes', r.closes ? A.time(r.closes) : t('always_open')));
        var state = el('td', 'round-state');
        state.appendChild(el('span', 'badge badge-' + r.state, stateText(r.state)));
        row.appendChild(state);
        row.appendChild(el('td', 'num round-entries', String(r.entries)));
        var pool = el('td', 'num pool', String(poolOf(r)));
        pool.title = t('pool_title');
        row.appendChild(pool);
        row.appendChild(keepingCell(r));
        // On a phone each round is a card: every value under its column's name.
        var labels = ['th_set', 'th_round', 'th_opens', 'th_closes', 'th_state', 'th_entries', 'th_pool', 'th_erase'];
        Array.prototype.forEach.call(row.children, function (td, n) { td.setAttribute('data-label', t(labels[n])); });
        body.appendChild(row);
        if (!r.erase_after && r.entries > 0) unerased.push(r.set + '/' + r.id);

        // A draw is committed for a round of a set as loaded (live or not).
        if (r.in_set === false) return;
        var opt = el('option', null, t('round_option_pool', { round: A.roundName(r), state: stateText(r.state), pool: poolOf(r), n: r.entries }));
        opt.value = String(i);
        group.appendChild(opt);
        if ((r.live && r.state === 'open') || (!preferred && poolOf(r) > 0)) preferred = String(i);
      });
      if (group.children.length) select.appendChild(group);
    });
    var drawable = function (v) { return v !== '' && rounds[+v] && rounds[+v].in_set !== false; };
    select.value = drawable(previous) ? previous : preferred || (select.options[0] ? select.options[0].value : '');
    // SPEC §8: a round holding entries with no erase date, said at the top.
    var warn = $('rounds-warning');
    warn.hidden = !unerased.length;
    warn.textContent = unerased.length ? t('rounds_warning', { n: unerased.length, rounds: unerased.join('、') }) : '';
  }

  /** The codes a draw of the round would seal now (older servers: every entry). */
  function poolOf(r) { return typeof r.pool === 'number' ? r.pool : r.entries; }

  // SPEC §8: when the round's names and phones go, what was erased, and a
  // purge now, behind an inline confirm that says what it erases (and, while
  // winners may still claim, that it has to be forced).
  var purging = null, purgeOutcome = {}; // round key being confirmed; last purge result by key
  function roundKey(r) { return r.set + '/' + r.id; }
  function keepingCell(r) {
    var td = el('td', 'keeping'), key = roundKey(r);
    td.setAttribute('data-round', r.id);
    // No date erases it: said in red while it holds entries (SPEC §8).
    if (r.erase_after) td.appendChild(el('div', 'small', t('erase_on', { t: A.time(r.erase_after), n: r.keep_days })));
    else td.appendChild(el('div', 'small erase-warning' + (r.entries > 0 ? ' form-error' : ''),
      t(r.erase_warning === 'version_missing' ? 'erase_version_missing' : 'erase_manual')));
    if (r.last_purge) {
      td.appendChild(el('div', 'small muted purged', t('purged_at', { t: A.time(r.last_purge.at), n: r.last_purge.erased,
        how: t('purge_how_' + r.last_purge.how.replace(', ', '_')) })));
    }
    var done = purgeOutcome[key];
    if (done) td.appendChild(el('div', 'small ' + (done.error ? 'form-error' : 'muted'), done.error ? A.errorText(done.error) : t('purge_done', { n: done.erased })));
    if (purging !== key) {
      var b = el('button', 'btn-quiet small purge-btn', t('purge_btn'));
      b.type = 'button';
      b.addEventListener('click', function () { purging = key; renderRounds(); });
      td.appendChild(b);
      return td;
    }
    var open = r.last_claim_by && Date.parse(r.last_claim_by) > Date.now();
    var box = el('div', 'confirm-box');
    box.setAttribute('role', 'alert');
    box.appendChild(el('p', 'small', t('purge_ask', { round: r.id, n: r.entries })));
    if (open) box.appendChild(el('p', 'small form-error', t('purge_claim_open', { t: A.time(r.last_claim_by) })));
    if (r.state === 'open') box.appendChild(el('p', 'small', t('purge_round_open')));
    var yes = el('button', 'btn btn-danger small purge-confirm', t(open ? 'purge_force' : 'purge_confirm'));
    yes.type = 'button';
    yes.addEventListener('click', function () { purge(r, open, yes); });
    var no = el('button', 'btn-quiet small purge-cancel', t('cancel'));
    no.type = 'button';
    no.addEventListener('click', function () { purging = null; renderRounds(); });
    box.appendChild(yes);
    box.appendChild(no);
    td.appendChild(box);
    return td;
  }
  function purge(r, force, button) {
    var key = roundKey(r);
    button.disabled = true;
    A.api('POST', '/admin/api/rounds/' + encodeURIComponent(r.id) + '/purge', { set: r.set, force: !!force }).then(function (res) {
      purgeOutcome[key] = { erased: res.erased };
    }, function (err) {
      if (err.status !== 401) purgeOutcome[key] = { error: err };
    }).then(function () {
      purging = null;
      load();
    });
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
    var several = draws.some(function (d) { return d.set !== draws[0].set; });
    draws.slice().sort(function (a, b) { return b.id - a.id; }).forEach(function (d) {
      var revealed = d.status === 'revealed';
      var row = el('tr');
      row.appendChild(el('td', 'num', String(d.id)));
      var round = el('td', 'mono', d.round);
      // With more than one set drawn, each draw names its set.
      if (several) round.appendChild(el('div', 'small muted draw-set', d.set));
      row.appendChild(round);
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
    } else if (outcome.confirm) {
      renderConfirm(box, outcome.confirm);
    } else {
      box.classList.add('bad');
      box.appendChild(el('p', null, outcome.key ? t(outcome.key, outcome.params) : A.errorText(outcome.error, COMMIT_ERRORS)));
      if (outcome.pendingId) {
        var q = el('p');
        q.appendChild(A.link('/admin/draws/' + outcome.pendingId + '/show', t('open_show') + ' (#' + outcome.pendingId + ')'));
        box.appendChild(q);
      }
    }
  }

  // Committing is final: say what is sealed (prize, winners, round, the
  // true pool) and, for a prize the round already had, that too.
  function renderConfirm(box, c) {
    var r = c.round, pool = poolOf(r);
    box.classList.add('ask');
    box.setAttribute('data-pool', String(pool));
    box.appendChild(el('p', 'strong', t('commit_ask')));
    if (c.repeat) box.appendChild(el('p', 'form-error', t('prize_repeat', { id: c.repeat.id, prize: c.repeat.prize })));
    if (c.body.replaces) box.appendChild(el('p', null, t('commit_ask_redraw', { id: c.body.replaces })));
    box.appendChild(el('p', 'commit-detail', t('commit_ask_detail', {
      prize: c.body.prize, winners: c.body.winners, round: A.roundName(r), set: r.set, pool: pool
    })));
    if (!c.body.replaces && c.body.winners > pool) box.appendChild(el('p', 'form-error', t('commit_ask_more', { pool: pool })));
    var yes = el('button', 'btn small' + (c.repeat ? ' btn-danger' : ''), t(c.repeat ? 'prize_repeat_confirm' : 'commit_confirm'));
    yes.type = 'button';
    yes.id = c.repeat ? 'draw-commit-anyway' : 'draw-commit-confirm';
    yes.addEventListener('click', function () { send(c.body); });
    var no = el('button', 'btn-quiet small', t('cancel'));
    no.type = 'button';
    no.id = 'draw-commit-cancel';
    no.addEventListener('click', function () { outcome = null; renderOutcome(); $('draw-commit').focus(); });
    var p = el('p', 'confirm-actions');
    p.appendChild(yes);
    p.appendChild(document.createTextNode(' '));
    p.appendChild(no);
    box.appendChild(p);
  }

  /** An earlier draw of the round with the same prize text (a re-draw names its draw instead). */
  function repeatedPrize(round, prize) {
    return (draws || []).filter(function (d) {
      return d.set === round.set && d.round === round.id && String(d.prize).trim() === prize;
    })[0] || null;
  }

  function commit(e) {
    if (e) e.preventDefault();
    var chosen = $('draw-round').value;
    var round = rounds && chosen !== '' && rounds[+chosen];
    var prize = $('draw-prize').value.trim();
    var winners = Number($('draw-winners').value);
    var seedDigits = Number($('draw-seed-digits').value);
    if (!round) { outcome = { key: 'no_rounds' }; renderOutcome(); return; }
    if (!prize) { outcome = { key: 'prize_empty' }; renderOutcome(); $('draw-prize').focus(); return; }
    if (!Number.isInteger(winners) || winners < 1) {
      outcome = { key: 'winners_bad' }; renderOutcome(); $('draw-winners').focus(); return;
    }
    if (!Number.isInteger(seedDigits) || seedDigits < 1 || seedDigits > 64) {
      outcome = { key: 'seed_digits_bad' }; renderOutcome(); $('draw-seed-digits').focus(); return;
    }
    var claimBy = $('draw-claim-by').value, replaces = Number($('draw-replaces').value);
    var by = claimBy ? new Date(claimBy) : null;
    if (by && !isNaN(by.getTime()) && by.getTime() < Date.now() + CLAIM_BY_MIN_MS) {
      outcome = { key: 'claim_by_too_soon', params: { t: A.time(by.toISOString()) } };
      renderOutcome(); $('draw-claim-by').focus(); return;
    }
    var isRedraw = Number.isInteger(replaces) && replaces > 0;
    // The set is always named, so a round of a set that is not live is drawn too.
    var body = { set: round.set, round: round.id, prize: prize, winners: winners, seed_digits: seedDigits };
    if (by && !isNaN(by.getTime())) body.claim_by = by.toISOString();
    if (isRedraw) body.replaces = replaces;
    var repeat = isRedraw ? null : repeatedPrize(round, prize);
    var ask = function (r) {
      outcome = { confirm: { body: body, round: r, repeat: repeat } };
      renderOutcome();
      var yes = $('draw-commit-confirm') || $('draw-commit-anyway');
      if (yes) yes.focus();
    };
    // The pool as it is now, not as it was when the page loaded.
    A.api('GET', '/admin/api/rounds').then(function (list) {
      rounds = list;
      renderRounds();
      ask(list.filter(function (r) { return r.set === round.set && r.id === round.id; })[0] || round);
    }, function (err) { if (err.status !== 401) ask(round); });
  }

  function send(body) {
    var button = $('draw-commit');
    button.disabled = true;
    button.textContent = t('committing');
    outcome = null;
    renderOutcome();
    A.api('POST', '/admin/api/draws', body)
      .then(function (d) {
        outcome = { draw: d };
        $('draw-prize').value = '';
        load();
      }, function (err) {
        if (err.status === 401) return;
        outcome = { error: err, pendingId: err.code === 'pending_draw' && err.body && err.body.draw };
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
