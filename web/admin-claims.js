/* quizbooth: the claim desk (核销) section of the staff console.
 *
 * The receipt QR on the visitor's page holds PUBLIC_URL/admin#claim=RECEIPT:
 * any phone camera opens this desk with it. The receipt is in the fragment,
 * which no request carries (server, proxy and logs never see it); the desk
 * takes it out of the address bar at once, looks it up (check only) after
 * sign-in, and staff confirm the hand-out. Staff may also scan the QR here
 * (BarcodeDetector where the browser has it: the old bare receipt or the
 * new URL), or type the receipt, or the public code and the phone it entered
 * with; the desk looks the win up (POST /admin/api/claims with check: true),
 * shows the prize and the full name and phone to compare with the person,
 * and one button hands the prize out. A second claim shows, in red, when it
 * was handed out. Below: a draw's winners with full contacts (copy or CSV,
 * for calling them, both made by the server with formulas defused) and the record of staff actions with its chain check.
 * Everything is built with textContent.
 */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el, clear = Admin.clear;
  var found = null;    // {request, claim} of the last look-up, or {error}
  var draws = [];      // revealed draws, newest first
  var winners = null;  // GET /admin/api/draws/{id}/winners
  var audit = null;    // {entries, verify}
  var scanning = null; // {stream, timer} while the camera runs
  var fromLink = null; // a receipt from the address's #claim=, until it is looked up

  // ---- a receipt in the address's fragment (#claim=RECEIPT) ------------------

  /**
   * The receipt a scanned text holds: a bare receipt (older QR codes), or
   * the desk's URL with #claim=RECEIPT. Also Admin.receiptIn, for tests.
   */
  function receiptIn(text) {
    var s = String(text || '').trim();
    var m = /#claim=([^&#\s]*)/.exec(s);
    if (m) {
      try { s = decodeURIComponent(m[1]); } catch (e) { s = m[1]; }
    }
    return s.trim();
  }

  /** Takes #claim=… out of the address (before any request is made), keeping it in memory. */
  function takeFragment() {
    if (!/^#claim=/.test(location.hash)) return false;
    fromLink = receiptIn(location.hash);
    try { history.replaceState(null, '', location.pathname + location.search); } catch (e) { location.hash = ''; }
    return !!fromLink;
  }
  takeFragment();
  A.receiptIn = receiptIn;

  /** After sign-in: fill the desk with the receipt from the link and look it up. */
  function useFragment() {
    if (!fromLink || !A.signedIn()) return;
    $('claim-receipt').value = fromLink;
    $('claim-code').value = '';
    $('claim-phone').value = '';
    fromLink = null;
    found = { note: t('claim_from_link') };
    lookUp();
    var section = $('claims-section');
    if (section.scrollIntoView) section.scrollIntoView();
  }

  // ---- the desk --------------------------------------------------------------

  function request() {
    var receipt = $('claim-receipt').value.trim();
    if (receipt) return { receipt: receipt };
    var code = $('claim-code').value.trim(), phone = $('claim-phone').value.trim();
    return code && phone ? { code: code, phone: phone } : null;
  }

  function lookUp(e) {
    if (e) e.preventDefault();
    var body = request();
    if (!body) { found = { error: t('claim_empty') }; renderFound(); return; }
    var ask = Object.assign({ check: true }, body);
    var note = found && found.note;
    A.api('POST', '/admin/api/claims', ask).then(function (c) {
      found = { request: body, claim: c, note: note };
    }, function (err) {
      if (err.status === 401) return;
      found = { error: claimError(err), already: err.code === 'already_claimed', note: note };
    }).then(renderFound);
  }

  function handOut() {
    var button = $('claim-give');
    if (button) button.disabled = true;
    A.api('POST', '/admin/api/claims', found.request).then(function (c) {
      found = { request: found.request, claim: c, done: true };
      loadWinners();
      loadAudit();
    }, function (err) {
      found = { error: claimError(err), already: err.code === 'already_claimed' };
    }).then(renderFound);
  }

  function claimError(err) {
    var body = err.body || {};
    if (err.code === 'already_claimed') return t('claim_already', { at: A.time(body.claimed_at) });
    if (err.code === 'not_a_winner') return t(body.erased === 'purged' ? 'claim_phone_erased' : 'claim_not_winner');
    if (err.code === 'claim_closed') return t('claim_closed');
    if (err.code === 'withdrawn') return t('claim_withdrawn');
    if (err.code === 'invalid_claim') return t('claim_empty');
    return A.errorText(err);
  }

  function renderFound() {
    var box = $('claim-result');
    clear(box);
    box.hidden = !found;
    if (!found) return;
    if (found.note) box.appendChild(el('p', 'small muted claim-note', found.note));
    if (!found.error && !found.claim) { box.className = 'claim-result'; return; }
    box.className = 'claim-result ' + (found.error ? (found.already ? 'claim-again' : 'bad') : 'ok');
    if (found.error) { box.appendChild(el('p', 'claim-headline', found.error)); return; }
    var c = found.claim;
    box.appendChild(el('p', 'claim-headline', found.done ? t('claim_done', { at: A.time(c.claimed_at) }) : t('claim_found')));
    box.appendChild(el('p', 'claim-prize', t('claim_prize', { prize: c.prize, draw: c.draw })));
    box.appendChild(el('p', 'mono', c.code));
    box.appendChild(el('p', 'claim-person', c.name ? t('claim_person', { name: c.name, phone: c.phone }) : t('claim_person_erased')));
    if (!found.done) {
      var give = el('button', 'btn btn-big claim-give', t('claim_give'));
      give.type = 'button';
      give.id = 'claim-give';
      give.addEventListener('click', handOut);
      box.appendChild(give);
    }
  }

  // ---- the camera (where the browser can read QR codes itself) ---------------

  function canScan() {
    return typeof window.BarcodeDetector === 'function' && navigator.mediaDevices &&
      typeof navigator.mediaDevices.getUserMedia === 'function';
  }

  function toggleScan() {
    if (scanning) { stopScan(); return; }
    var video = $('claim-video');
    var detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      scanning = { stream: stream };
      $('claim-scan').textContent = t('claim_scan_stop');
      scanning.timer = setInterval(function () {
        detector.detect(video).then(function (codes) {
          if (!codes.length) return;
          // The receipt QR holds the desk's URL with #claim=; older ones the bare receipt.
          $('claim-receipt').value = receiptIn(codes[0].rawValue);
          stopScan();
          lookUp();
        }, function () { /* not ready yet */ });
      }, 300);
    }, function (err) { found = { error: A.errorText({ status: 0, message: String(err) }) }; renderFound(); });
  }

  function stopScan() {
    if (!scanning) return;
    clearInterval(scanning.timer);
    scanning.stream.getTracks().forEach(function (tr) { tr.stop(); });
    scanning = null;
    $('claim-video').hidden = true;
    $('claim-scan').textContent = t('claim_scan');
  }

  // ---- winners with contacts ---------------------------------------------------

  function loadDraws() {
    return A.api('GET', '/api/draws?limit=500').then(function (list) {
      draws = list.filter(function (d) { return d.status === 'revealed'; });
      var select = $('winners-draw'), keep = select.value;
      clear(select);
      draws.forEach(function (d) {
        var o = el('option', null, '#' + d.id + ' ' + d.prize);
        o.value = d.id;
        select.appendChild(o);
      });
      if (keep && draws.some(function (d) { return String(d.id) === keep; })) select.value = keep;
      return loadWinners();
    }, function () { /* shown by the draws section */ });
  }

  function loadWinners() {
    var id = $('winners-draw').value;
    if (!id) { winners = null; renderWinners(); return Promise.resolve(); }
    return A.api('GET', '/admin/api/draws/' + encodeURIComponent(id) + '/winners').then(function (w) {
      winners = w;
      renderWinners();
    }, function () { winners = null; renderWinners(); });
  }

  function renderWinners() {
    var body = $('winners-body');
    clear(body);
    $('winners-note').textContent = draws.length ? '' : t('winners_none');
    if (!winners) return;
    winners.winners.forEach(function (w) {
      var tr = el('tr');
      // Each cell names its column: at phone width the rows are cards (staff-admin.css).
      var cells = [el('td', 'num', String(w.place)), el('td', 'mono', w.code),
        A.contactCell(w.name, w.erased), A.contactCell(w.phone, w.erased, 'mono')];
      ['th_place', 'th_code', 'th_name', 'th_phone'].forEach(function (key, i) {
        cells[i].setAttribute('data-label', t(key));
        tr.appendChild(cells[i]);
      });
      tr.appendChild(claimCell(w));
      body.appendChild(tr);
    });
  }

  // A win past its claim deadline is not "not claimed": it is over, and its
  // place may have been drawn again (SPEC §7). `expired` from the server;
  // computed from claim_by where an older server leaves it out.
  function claimCell(w) {
    var d = draws.filter(function (x) { return String(x.id) === String(winners.draw); })[0];
    var expired = typeof w.expired === 'boolean' ? w.expired :
      !w.claimed && !!(d && d.claim_by) && Date.parse(d.claim_by) < Date.now();
    var td = el('td', w.claimed ? 'ok' : expired ? 'expired' : 'muted');
    td.setAttribute('data-label', t('th_claim'));
    td.setAttribute('data-state', w.claimed ? 'claimed' : expired ? 'expired' : 'open');
    td.textContent = w.claimed ? t('claimed_yes', { at: A.time(w.claimed_at) }) :
      expired ? t(d && d.replaced_by ? 'claimed_expired_redrawn' : 'claimed_expired') : t('claimed_no');
    return td;
  }

  // The list to copy and the CSV both come from the server, which defuses
  // spreadsheet formulas by the one rule of every export (and audits it).
  function copyWinners() {
    if (!winners) return;
    var note = $('winners-note'), n = winners.winners.length;
    A.api('GET', '/admin/api/draws/' + encodeURIComponent(winners.draw) + '/winners.tsv').then(function (text) {
      if (!navigator.clipboard || !navigator.clipboard.writeText) throw new Error('no clipboard');
      return navigator.clipboard.writeText(text);
    }).then(function () { note.textContent = t('winners_copied', { n: n }); }, function (err) {
      if (err.status !== 401) note.textContent = t('winners_copy_failed');
    });
  }

  // Excel (phones as text, local times) or CSV.
  function downloadWinners(ext) {
    if (!winners) return;
    var note = $('winners-note');
    A.download('/admin/api/draws/' + encodeURIComponent(winners.draw) + '/winners.' + ext,
      'winners-draw-' + winners.draw + '.' + ext).then(null, function (err) {
      if (err.status !== 401) note.textContent = A.errorText(err);
    });
  }

  // ---- the record ----------------------------------------------------------------

  function loadAudit() {
    return Promise.all([A.api('GET', '/admin/api/audit'), A.api('GET', '/admin/api/audit/verify')]).then(function (r) {
      audit = { entries: r[0], verify: r[1] };
      renderAudit();
    }, function () { /* shown elsewhere */ });
  }

  function renderAudit() {
    var list = $('audit-list'), badge = $('audit-verified');
    clear(list);
    if (!audit) return;
    badge.textContent = audit.verify.verified ? t('audit_ok') : t('audit_broken', { seq: audit.verify['break'] && audit.verify['break'].seq });
    badge.className = 'badge ' + (audit.verify.verified ? 'badge-revealed' : 'badge-bad');
    if (!audit.entries.length) { list.appendChild(el('li', 'muted', t('audit_empty'))); return; }
    audit.entries.forEach(function (e) {
      var li = el('li');
      li.value = e.seq;
      li.appendChild(el('span', 'muted small', A.time(e.at) + ' · '));
      li.appendChild(el('b', null, actionText(e.action)));
      li.appendChild(el('span', 'audit-detail', ' ' + detailText(e)));
      li.setAttribute('data-action', e.action);
      list.appendChild(li);
    });
  }

  /** The action in the console's language (the machine name for one it does not know). */
  function actionText(action) {
    var key = 'audit_act_' + action;
    return t(key) === key ? action : t(key);
  }

  /**
   * The row's `fields` (ids, counts, masked contacts, the service's own
   * words; parsed by the server from the detail, which the hash chain
   * covers) as a sentence in the console's language; for a shape it does
   * not know, "label value" pairs; the raw `detail` where a row has no fields.
   */
  function detailText(e) {
    var f = e.fields;
    if (!f || typeof f !== 'object') return e.detail;
    var said = null;
    try { said = phrase(e.action, f); } catch (err) { said = null; }
    if (said) return said;
    var parts = Object.keys(f).filter(function (k) {
      return f[k] !== null && f[k] !== undefined && f[k] !== '' && !(Array.isArray(f[k]) && !f[k].length);
    }).map(function (k) {
      var key = 'audit_f_' + k, label = t(key) === key ? k : t(key);
      return label + ' ' + fieldValue(f[k]);
    });
    return parts.length ? parts.join(' · ') : e.detail;
  }

  function has() {
    var f = arguments[0];
    for (var i = 1; i < arguments.length; i++) if (f[arguments[i]] === null || f[arguments[i]] === undefined) return false;
    return true;
  }

  function exportFormat(f) { return t('audit_format_' + (f.format || 'csv')); }

  /** One sentence per action the service writes; null when the fields are not as expected. */
  function phrase(action, f) {
    switch (action) {
      case 'draw_committed':
        if (!has(f, 'draw', 'set', 'round', 'entries', 'winners')) return null;
        return t('audit_committed', { draw: f.draw, set: f.set, round: f.round, entries: f.entries, winners: f.winners,
          redraw: f.replaces ? t('audit_redraw_of', { id: f.replaces }) : '',
          digest: f.digest ? String(f.digest).slice(0, 12) + '…' : '–' });
      case 'draw_revealed':
        if (!has(f, 'draw', 'seed', 'codes')) return null;
        return t('audit_revealed', { draw: f.draw, seed: f.seed, codes: f.codes.join(' ') });
      case 'prize_claimed':
        if (!has(f, 'draw', 'code')) return null;
        return t('audit_claimed', { draw: f.draw, code: f.code,
          who: f.contact === 'erased' ? t('audit_claimed_erased') : [f.name, f.phone].filter(Boolean).join(' '),
          how: f.by === 'receipt' ? t('audit_by_receipt') : '' });
      case 'entry_withdrawn':
        if (!has(f, 'code')) return null;
        return t(f.by === 'staff' ? 'audit_withdrawn_staff' : 'audit_withdrawn_entrant', { code: f.code });
      case 'contacts_purged':
        if (!has(f, 'set', 'round', 'erased')) return null;
        return t('audit_purged', { set: f.set, round: f.round, erased: f.erased,
          how: t('purge_how_' + (f.how || 'staff') + (f.forced ? '_forced' : '')) });
      case 'set_uploaded':
      case 'set_activated':
      case 'set_removed':
        if (!has(f, 'set', 'version')) return null;
        return t('audit_set', { set: f.set, version: f.version }) +
          (f.questions !== undefined && f.questions !== null ? t('audit_set_questions', { n: f.questions }) : '') +
          (f.draft ? t('audit_set_draft') : '');
      case 'sets_reloaded':
        if (!has(f, 'count')) return null;
        return t('audit_reloaded', { count: f.count, broken: f.broken || 0 });
      case 'entries_exported':
        if (!has(f, 'rows', 'contacts')) return null;
        return t('audit_entries_exported', { rows: f.rows, contacts: f.contacts, format: exportFormat(f) });
      case 'winners_exported':
        if (!has(f, 'draw', 'winners', 'contacts')) return null;
        return t('audit_winners_exported', { draw: f.draw, winners: f.winners, contacts: f.contacts, format: exportFormat(f) });
      default:
        return null;
    }
  }

  function fieldValue(v) {
    if (Array.isArray(v)) return v.map(fieldValue).join(' ');
    if (typeof v === 'boolean') return t(v ? 'audit_yes' : 'audit_no');
    if (v && typeof v === 'object') {
      return Object.keys(v).map(function (k) {
        var key = 'audit_f_' + k;
        return (t(key) === key ? k : t(key)) + ' ' + fieldValue(v[k]);
      }).join('，');
    }
    return String(v);
  }

  Admin.register({
    id: 'claims-section',
    init: function () {
      $('claim-form').addEventListener('submit', lookUp);
      $('claim-scan').hidden = !canScan();
      if (canScan()) $('claim-scan').addEventListener('click', toggleScan);
      $('winners-draw').addEventListener('change', loadWinners);
      $('winners-copy').addEventListener('click', copyWinners);
      $('winners-xlsx').addEventListener('click', function () { downloadWinners('xlsx'); });
      $('winners-csv').addEventListener('click', function () { downloadWinners('csv'); });
      // The desk already open when another receipt link is opened in this tab.
      window.addEventListener('hashchange', function () { if (takeFragment()) useFragment(); });
    },
    load: function () { loadDraws(); loadAudit(); useFragment(); },
    render: function () { renderFound(); renderWinners(); renderAudit(); }
  });
})();
