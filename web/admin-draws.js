/* quizbooth: a section of the staff console (see admin.js for how a
 * section registers). */
/* ---- Draws: rounds, commit a draw, the draws so far ------------------------- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el;
  var rounds = null;      // GET /admin/api/rounds
  var draws = null;       // GET /api/draws
  var outcome = null;     // the last commit: {draw}, {error, pendingId} or {key} (a form problem)
  var COMMIT_ERRORS = {
    '409:pending_draw': 'err_409_commit', '422:empty_pool': 'err_422_commit',
    '409:claim_open': 'err_claim_open', '422:too_many_winners': 'err_too_many_winners',
    '422:invalid_claim_by': 'err_claim_by', '422:unknown_draw': 'err_replaces_unknown',
    '422:other_round': 'err_replaces_other_round', '422:invalid_seed_digits': 'seed_digits_bad'
  };
  var CLAIM_BY_MIN_MS = 24 * 3600 * 1000; // a claim deadline at least this far ahead (README)
  var repeatConfirmed = null;             // the set/round/prize staff chose to commit again
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
    A.api('GET', '/api/draws?limit=500').then(function (d) { draws = d; drawsError = null; renderDraws(); }, function (err) {
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
      td.colSpan = 7;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    var preferred = '';
    rounds.forEach(function (r, i) {
      var row = el('tr');
      row.appendChild(el('td', null, r.set));
      var id = el('td', 'mono', r.id);
      if (r.in_set === false) id.appendChild(el('div', 'small muted round-gone', t('round_not_in_set')));
      row.appendChild(id);
      row.appendChild(el('td', null, r.opens ? A.time(r.opens) : t('always_open')));
      row.appendChild(el('td', null, r.closes ? A.time(r.closes) : t('always_open')));
      var state = el('td');
      state.appendChild(el('span', 'badge badge-' + r.state, stateText(r.state)));
      row.appendChild(state);
      row.appendChild(el('td', 'num', String(r.entries)));
      row.appendChild(keepingCell(r));
      body.appendChild(row);

      // A draw is committed for a round of the set as loaded.
      if (r.in_set === false) return;
      var opt = el('option', null, t('round_option', { round: r.id, state: stateText(r.state), n: r.entries }));
      opt.value = String(i);
      select.appendChild(opt);
      if (r.state === 'open' || (!preferred && r.entries > 0)) preferred = String(i);
    });
    var drawable = function (v) { return v !== '' && rounds[+v] && rounds[+v].in_set !== false; };
    select.value = drawable(previous) ? previous : preferred || (select.options[0] ? select.options[0].value : '');
  }

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
    } else if (outcome.repeat) {
      box.classList.add('bad');
      box.appendChild(el('p', null, t('prize_repeat', { id: outcome.repeat.id, prize: outcome.repeat.prize })));
      var again = el('button', 'btn btn-danger small', t('prize_repeat_confirm'));
      again.type = 'button';
      again.id = 'draw-commit-anyway';
      again.addEventListener('click', function () { repeatConfirmed = outcome.repeatKey; commit(); });
      box.appendChild(again);
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
    var repeat = isRedraw ? null : repeatedPrize(round, prize);
    var repeatKey = round.set + '/' + round.id + '/' + prize;
    if (repeat && repeatConfirmed !== repeatKey) {
      outcome = { repeat: repeat, repeatKey: repeatKey }; renderOutcome(); return;
    }
    var button = $('draw-commit');
    button.disabled = true;
    button.textContent = t('committing');
    var body = { set: round.set, round: round.id, prize: prize, winners: winners, seed_digits: seedDigits };
    if (by && !isNaN(by.getTime())) body.claim_by = by.toISOString();
    if (isRedraw) body.replaces = replaces;
    A.api('POST', '/admin/api/draws', body)
      .then(function (d) {
        outcome = { draw: d };
        repeatConfirmed = null;
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
