/* quizbooth: the claim desk (核销) section of the staff console.
 *
 * Staff scan the winner's receipt QR (BarcodeDetector where the browser has
 * it), or type the receipt, or the public code and the phone it entered
 * with; the desk looks the win up (POST /admin/api/claims with check: true),
 * shows the prize and the full name and phone to compare with the person,
 * and one button hands the prize out. A second claim shows, in red, when it
 * was handed out. Below: a draw's winners with full contacts (copy or CSV,
 * for calling them, both made by the server with formulas defused) and the record of staff actions with its chain check.
 * Everything is built with textContent.
 */
(function () {
  'use strict';

  Object.assign(DRAW_STRINGS.zh, {
    claims_title: '领奖核销',
    claims_note: '请中奖者出示领奖凭证（扫码或输入），核对姓名和手机号后点“确认发放”。抽奖码是公开的，只凭抽奖码领奖时必须同时核对登记的手机号。',
    claim_scan: '用摄像头扫描领奖凭证',
    claim_scan_stop: '停止扫描',
    f_receipt: '领奖凭证',
    f_receipt_hint: '例如 7KQ2-M9XD-4F8B',
    claim_or: '没有凭证时：抽奖码 + 登记的手机号',
    f_code: '抽奖码',
    f_phone: '手机号',
    claim_check: '查找',
    claim_found: '中奖，可以发放',
    claim_prize: '奖品：{prize}（第 {draw} 场抽奖）',
    claim_person: '请核对：{name}，{phone}',
    claim_give: '确认发放',
    claim_done: '已发放：{at}',
    claim_already: '这份奖品已经在 {at} 领过了，不能再次发放！',
    claim_not_winner: '没有找到：这个凭证或抽奖码没有中奖，或者手机号不对。',
    claim_closed: '已过领奖截止时间，不能再领取。',
    claim_withdrawn: '中奖者已撤回登记、删除了个人信息，这份奖品不能发放。',
    claim_person_erased: '姓名和手机号已按保存期限删除：领奖凭证已核验，请确认来人持有该凭证。',
    claim_phone_erased: '这一轮的姓名和手机号已删除，手机号无法再核对：请中奖者出示领奖凭证。',
    claim_empty: '请扫描或输入领奖凭证，或者输入抽奖码和手机号。',
    winners_title: '中奖名单（含完整联系方式）',
    f_draw: '抽奖',
    th_place: '名次', th_code: '抽奖码', th_name: '姓名', th_phone: '手机号', th_claim: '领取',
    claimed_yes: '已领取 {at}',
    claimed_no: '未领取',
    winners_copy: '复制名单',
    winners_csv: '下载 CSV',
    winners_copied: '已复制 {n} 行',
    winners_copy_failed: '这个浏览器不允许复制，请用“下载 CSV”。',
    winners_none: '还没有已开奖的抽奖。',
    audit_title: '操作记录',
    audit_ok: '记录完整 ✓',
    audit_broken: '记录被改动：第 {seq} 条',
    audit_empty: '还没有操作记录。'
  });
  Object.assign(DRAW_STRINGS.en, {
    claims_title: 'Claim desk',
    claims_note: 'Ask the winner for the claim receipt (scan or type it), compare the name and phone, then press Hand out. Draw codes are public: with a code alone, always check the phone it entered with.',
    claim_scan: 'Scan a receipt with the camera',
    claim_scan_stop: 'Stop scanning',
    f_receipt: 'Claim receipt',
    f_receipt_hint: 'e.g. 7KQ2-M9XD-4F8B',
    claim_or: 'Without a receipt: draw code + the phone it entered with',
    f_code: 'Draw code',
    f_phone: 'Phone',
    claim_check: 'Look up',
    claim_found: 'A winner: the prize can be handed out',
    claim_prize: 'Prize: {prize} (draw {draw})',
    claim_person: 'Check: {name}, {phone}',
    claim_give: 'Hand out',
    claim_done: 'Handed out: {at}',
    claim_already: 'This prize was already handed out at {at}. Do not hand it out again!',
    claim_not_winner: 'Not found: this receipt or code won nothing, or the phone does not match.',
    claim_closed: 'The claim deadline has passed.',
    claim_withdrawn: 'The winner withdrew the entry and had their details erased: this prize is not handed out.',
    claim_person_erased: 'The name and phone were erased at the end of their keeping time: the receipt checked out; make sure the person holds it.',
    claim_phone_erased: 'This round\'s names and phones were erased, so the phone can no longer be checked: ask the winner for their receipt.',
    claim_empty: 'Scan or type a receipt, or type a draw code and a phone.',
    winners_title: 'Winners (full contacts)',
    f_draw: 'Draw',
    th_place: 'Place', th_code: 'Code', th_name: 'Name', th_phone: 'Phone', th_claim: 'Claim',
    claimed_yes: 'claimed {at}',
    claimed_no: 'not claimed',
    winners_copy: 'Copy the list',
    winners_csv: 'Download CSV',
    winners_copied: '{n} rows copied',
    winners_copy_failed: 'This browser does not allow copying: use Download CSV.',
    winners_none: 'No revealed draw yet.',
    audit_title: 'Record of staff actions',
    audit_ok: 'chain holds ✓',
    audit_broken: 'changed at row {seq}',
    audit_empty: 'No staff action recorded yet.'
  });

  var A = Admin, t = Admin.t, $ = Admin.$, el = Admin.el, clear = Admin.clear;
  var found = null;    // {request, claim} of the last look-up, or {error}
  var draws = [];      // revealed draws, newest first
  var winners = null;  // GET /admin/api/draws/{id}/winners
  var audit = null;    // {entries, verify}
  var scanning = null; // {stream, timer} while the camera runs

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
    A.api('POST', '/admin/api/claims', ask).then(function (c) {
      found = { request: body, claim: c };
    }, function (err) {
      found = { error: claimError(err), already: err.code === 'already_claimed' };
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
          $('claim-receipt').value = codes[0].rawValue;
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
      tr.appendChild(el('td', 'num', String(w.place)));
      tr.appendChild(el('td', 'mono', w.code));
      tr.appendChild(A.contactCell(w.name, w.erased));
      tr.appendChild(A.contactCell(w.phone, w.erased, 'mono'));
      tr.appendChild(el('td', w.claimed ? 'ok' : 'muted', w.claimed ? t('claimed_yes', { at: A.time(w.claimed_at) }) : t('claimed_no')));
      body.appendChild(tr);
    });
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

  function downloadWinners() {
    if (!winners) return;
    var note = $('winners-note');
    A.download('/admin/api/draws/' + encodeURIComponent(winners.draw) + '/winners.csv',
      'winners-draw-' + winners.draw + '.csv').then(null, function (err) {
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
      li.appendChild(el('b', null, e.action));
      li.appendChild(el('span', null, ' ' + e.detail));
      list.appendChild(li);
    });
  }

  Admin.register({
    id: 'claims-section',
    init: function () {
      $('claim-form').addEventListener('submit', lookUp);
      $('claim-scan').hidden = !canScan();
      if (canScan()) $('claim-scan').addEventListener('click', toggleScan);
      $('winners-draw').addEventListener('change', loadWinners);
      $('winners-copy').addEventListener('click', copyWinners);
      $('winners-csv').addEventListener('click', downloadWinners);
    },
    load: function () { loadDraws(); loadAudit(); },
    render: function () { renderFound(); renderWinners(); renderAudit(); }
  });
})();
