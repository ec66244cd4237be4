/* quizbooth: the projector view of one draw, /admin/draws/{id}/show (show.html).
 *
 * Before the reveal: the prize, the entry count and the digest, big enough to
 * photograph, the public page's address, and the public-seed input. Reveal
 * (POST /admin/api/draws/{id}/reveal, staff token) then rolls codes for each
 * winner in turn and lands on it; the full list stays. A draw that is already
 * revealed shows its winners at once. The browser re-checks the result with
 * verify.js and says so at the bottom.
 */
(function () {
  'use strict';

  var t = DrawI18n.t;
  var ROLL_MS = 2000;       // rolling codes per winner
  var HOLD_MS = 2600;       // a landed winner stays centre stage this long
  var CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  var reducedMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  var drawId = (/\/draws\/(\d+)\/show\/?$/.exec(location.pathname) || /[?&]id=(\d+)/.exec(location.search) || [])[1];
  var draw = null;
  var pool = [];            // codes of entries.txt, for the rolling animation
  var entriesBytes = null;  // Promise<Uint8Array>
  var shown = 0;            // winners already on the list
  var skipping = false;
  var wake = null;          // ends the current sleep early (skip)
  var afterLogin = null;
  var publicBase = null;    // the service's public URL, from /admin/api/whoami

  var $ = Staff.$, el = Staff.el, clear = Staff.clear;

  // ---- token and requests -----------------------------------------------------

  var token = Staff.token;

  /** A request with the staff token; → parsed JSON, or throws Error{status, code, message}. */
  function api(method, path, body) { return Staff.request(method, path, { body: body, auth: true }); }

  function showLogin(message, then) {
    afterLogin = then || null;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('token-input').focus();
  }

  function login(e) {
    e.preventDefault();
    var value = $('token-input').value.trim();
    if (!value) { $('login-error').textContent = t('token_empty'); return; }
    var headers = { Authorization: 'Bearer ' + value, Accept: 'application/json' };
    fetch('/admin/api/whoami', { headers: headers, cache: 'no-store' }).then(function (res) {
      if (res.status === 401) { $('login-error').textContent = t('token_bad'); return; }
      if (!res.ok) { $('login-error').textContent = t('err_generic', { status: res.status, message: res.statusText }); return; }
      Staff.storeToken(value); // private mode: kept for this page only
      res.json().then(learnPublicUrl, function () {});
      $('token-input').value = '';
      $('login').hidden = true;
      if (afterLogin) { var next = afterLogin; afterLogin = null; next(); }
    }, function () { $('login-error').textContent = t('network_error'); });
  }

  /** A committed draw needs a working token before the reveal: check it now, not in front of the crowd. */
  function checkToken() {
    if (!token()) { showLogin(''); return; }
    api('GET', '/admin/api/whoami').then(learnPublicUrl, function (err) {
      if (err.status === 401) showLogin(t('token_bad'));
    });
  }

  function learnPublicUrl(who) {
    if (who && typeof who.public_url === 'string' && /^https?:\/\//.test(who.public_url)) {
      publicBase = who.public_url;
      render();
    }
  }

  // ---- loading ----------------------------------------------------------------

  function load() {
    if (!drawId) { $('load-status').textContent = t('not_found'); return; }
    api('GET', '/api/draws/' + drawId).then(function (d) {
      draw = d;
      $('load-status').hidden = true;
      loadEntries();
      render();
      if (d.status === 'revealed') {
        showAll();
        if (token()) api('GET', '/admin/api/whoami').then(learnPublicUrl, function () {});
      } else {
        $('pre').hidden = false;
        $('reveal').disabled = claimClosed();
        previewSeed();
        checkToken();
        if ($('login').hidden) $('seed-input').focus();
      }
    }, function (err) {
      $('load-status').textContent = err.status === 404 ? t('not_found') : t('load_error', { message: err.message });
    });
  }

  function loadEntries() {
    entriesBytes = fetch('/api/draws/' + drawId + '/entries.txt', { cache: 'no-store' }).then(function (res) {
      if (!res.ok) throw new Error(res.status + ' ' + res.statusText);
      return res.arrayBuffer();
    }).then(function (buf) {
      var bytes = new Uint8Array(buf);
      pool = QuizboothVerify.parseEntries(new TextDecoder('utf-8').decode(bytes));
      return bytes;
    });
    entriesBytes.catch(function () { /* the animation falls back to made-up codes */ });
  }

  /** The public page's address: on the server's public URL (from whoami) when known, so
   *  that a projector laptop opened on 127.0.0.1 still shows the address phones can reach. */
  function publicUrl() {
    var base = (publicBase || location.origin).replace(/\/+$/, '');
    return base + '/draws/' + draw.id;
  }

  /** The public page's QR (the server encodes its public URL and the path). */
  function qrSrc() { return '/qr.svg?path=' + encodeURIComponent('/draws/' + draw.id); }

  function renderDigest(node, hex) {
    clear(node);
    for (var i = 0; i < hex.length; i += 8) node.appendChild(el('span', 'hash-group', hex.slice(i, i + 8)));
  }

  /** The address, allowed to wrap before its path rather than mid-word. */
  function renderUrl(node, url) {
    clear(node);
    var cut = url.indexOf('/draws/');
    node.appendChild(document.createTextNode(url.slice(0, cut)));
    node.appendChild(document.createElement('wbr'));
    node.appendChild(document.createTextNode(url.slice(cut)));
  }

  function render() {
    if (!draw) return;
    var d = draw;
    document.title = d.prize + ' · ' + t('show_title');
    var round = (DrawI18n.lang() === 'en' ? d.round_title_en : d.round_title) || d.round;
    $('draw-no').textContent = t('draw_no', { id: d.id }) + ' · ' + round +
      (d.replaces ? ' · ' + t('redraw_of', { id: d.replaces }) : '');
    $('head').hidden = false;
    $('prize').textContent = d.prize;
    $('entry-count').textContent = t('show_entries', { n: d.entry_count });
    $('winners-wanted').textContent = t('show_winners_wanted', { n: d.winners_wanted });
    $('seed-digits-sep').hidden = $('seed-digits-line').hidden = d.seed_digits == null;
    $('seed-digits-line').textContent = d.seed_digits != null ? t('show_seed_digits', { n: d.seed_digits }) : '';
    renderDigest($('digest'), d.entries_digest);
    renderUrl($('public-url'), publicUrl());
    $('public-qr').src = qrSrc();
    var labels = $('winner-list').querySelectorAll('.w-index');
    for (var i = 0; i < labels.length; i++) labels[i].textContent = t('winner_n', { n: i + 1 });
    renderSeedRule();
    renderProof();
  }

  // ---- reveal -----------------------------------------------------------------

  /** What the reveal would make of the typed seed (SPEC 5.2): {seed, count, bad}. */
  function typedSeed() { return QuizboothVerify.revealSeed($('seed-input').value, draw ? draw.seed_digits : null); }

  /** The seed as the server will hash it: the digits typed, or null if it would be refused. */
  function seedValue() { return typedSeed().seed; }

  /** Why the typed seed would be refused (a message), or '' when it is fine or still empty. */
  function seedProblem(typed) {
    var n = draw && draw.seed_digits;
    if (typed.bad) return t('seed_invalid', { position: typed.bad });
    if (typed.count > 64) return t('seed_too_long', { m: typed.count });
    if (n != null && typed.count > n) return t('seed_count_wrong', { n: n, m: typed.count });
    return '';
  }

  /** The seed's length rule: one box per digit the draw was committed for. */
  function renderSeedRule() {
    if (!draw) return;
    var n = draw.seed_digits, boxes = $('seed-boxes');
    $('seed-label').textContent = n != null ? t('seed_input_label_n', { n: n }) : t('seed_input_label');
    boxes.hidden = n == null;
    if (n != null && boxes.children.length !== n) {
      clear(boxes);
      for (var i = 0; i < n; i++) boxes.appendChild(el('span', 'seed-box', ''));
    }
    previewSeed();
  }

  /** Shows, large, the seed that would be hashed, while it is typed: its digits in the boxes and a count. */
  function previewSeed() {
    if (!draw) return;
    var typed = typedSeed(), n = draw.seed_digits;
    var digits = $('seed-input').value.replace(/[^0-9]/g, '');
    var boxes = $('seed-boxes').children;
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].textContent = digits.charAt(i);
      boxes[i].className = 'seed-box' + (i < digits.length ? ' filled' : '');
    }
    $('seed-count').textContent = n != null ? t('seed_count', { m: typed.count, n: n }) : t('seed_count_free', { m: typed.count });
    $('seed-count').className = 'seed-count' + (typed.seed ? ' ok' : '');
    // With a box a digit, the boxes are the preview.
    $('seed-boxes').className = 'seed-boxes' + (typed.seed ? ' complete' : '');
    $('seed-preview').hidden = typed.seed == null || n != null;
    $('seed-preview-text').textContent = typed.seed || '';
    $('reveal-error').textContent = claimClosed() ? t('reveal_claim_closed') : seedProblem(typed);
  }

  function claimPassed(d) { return !!d.claim_by && Date.parse(d.claim_by) <= Date.now(); }

  /** Where and until when the winners claim; once the deadline is past, that it is. */
  function claimLine(d) {
    if (!d.claim_by) return t('show_claim_free');
    return t(claimPassed(d) ? 'show_claim_closed' : 'show_claim', { t: DrawI18n.time(d.claim_by) });
  }

  /** Past its claim deadline a draw is no longer revealed (its winners would forfeit at once). */
  function claimClosed() {
    return !!draw && draw.status !== 'revealed' && claimPassed(draw);
  }

  function askConfirm(e) {
    e.preventDefault();
    $('reveal-error').textContent = '';
    var typed = typedSeed(), n = draw && draw.seed_digits;
    if (typed.seed == null) {
      $('reveal-error').textContent = seedProblem(typed) ||
        (!typed.count ? t('seed_empty') : t('seed_count_wrong', { n: n, m: typed.count }));
      $('seed-input').focus();
      return;
    }
    $('confirm-seed').textContent = typed.seed;
    $('seed-input').readOnly = true;
    $('reveal-step').hidden = true;
    $('confirm').hidden = false;
    $('confirm-yes').focus();
  }

  function backToEdit() {
    $('confirm').hidden = true;
    $('reveal-step').hidden = false;
    $('seed-input').readOnly = false;
    $('seed-input').focus();
  }

  function reveal() {
    var button = $('confirm-yes');
    button.disabled = true;
    button.textContent = t('revealing');
    api('POST', '/admin/api/draws/' + drawId + '/reveal', { public_seed: seedValue() }).then(function (d) {
      draw = d;
      render();
      return animate();
    }, function (err) {
      if (err.status === 401) {
        showLogin(t('token_bad'), reveal);
      } else if (err.code === 'claim_closed') {
        $('reveal-error').textContent = t('reveal_claim_closed');
        backToEdit();
      } else if (err.status === 409) {
        // Revealed meanwhile (another screen): show what was drawn.
        return api('GET', '/api/draws/' + drawId).then(function (d) {
          draw = d;
          render();
          showAll();
        });
      } else {
        $('reveal-error').textContent = t('err_generic', { status: err.status, message: err.message });
        backToEdit();
      }
    }).then(function () {
      button.disabled = false;
      button.textContent = t('confirm_yes');
    });
  }

  // ---- the show ---------------------------------------------------------------

  function sleep(ms) {
    return new Promise(function (resolve) {
      if (skipping) { resolve(); return; }
      var id = setTimeout(done, ms);
      wake = done;
      function done() { clearTimeout(id); wake = null; resolve(); }
    });
  }

  function randomCode() {
    if (pool.length) return pool[Math.floor(Math.random() * pool.length)];
    var s = '';
    for (var i = 0; i < 8; i++) s += CROCKFORD[Math.floor(Math.random() * 32)] + (i === 3 ? '-' : '');
    return s;
  }

  /** Cards a row: 1-3 winners in one row; 4 in one; 5-6 as 3+3; 7-8 as 4+4; more, 6 a row. */
  function columnsClass() {
    var n = (draw.winners || []).length;
    return 'cols-' + (n <= 3 ? Math.max(n, 1) : n === 4 ? 4 : n <= 6 ? 3 : n <= 8 ? 4 : 6);
  }

  function addWinner(w) {
    var li = el('li', 'w-card');
    li.appendChild(el('span', 'w-index', t('winner_n', { n: shown + 1 })));
    li.appendChild(el('span', 'w-code', w.code));
    var who = el('span', 'w-who');
    who.appendChild(el('span', null, w.name));
    who.appendChild(el('span', 'w-phone', w.phone));
    li.appendChild(who);
    $('winner-list').appendChild(li);
    shown++;
  }

  function startResults(instant) {
    var n = (draw.winners || []).length;
    $('pre').hidden = true;
    $('results').hidden = false;
    $('results').className = 'results ' + columnsClass() + (n <= 3 ? ' big' : '') + (instant ? ' instant' : '');
    clear($('winner-list'));
    shown = 0;
  }

  async function animate() {
    startResults();
    var winners = draw.winners || [];
    document.body.classList.add('revealing');
    $('theatre').hidden = !winners.length;
    var code = $('roll-code'), who = $('roll-who');
    for (var i = 0; i < winners.length; i++) {
      var w = winners[i];
      $('roll-label').textContent = t('winner_n', { n: i + 1 });
      code.className = 'roll-code rolling';
      who.classList.remove('shown');
      if (!skipping && !reducedMotion) {
        var t0 = Date.now();
        while (!skipping && Date.now() - t0 < ROLL_MS) {
          code.textContent = randomCode();
          var p = (Date.now() - t0) / ROLL_MS;
          await sleep(45 + 230 * p * p); // slows down towards the landing
        }
      }
      code.textContent = w.code;
      code.className = 'roll-code landed';
      $('roll-name').textContent = w.name;
      $('roll-phone').textContent = w.phone;
      who.classList.add('shown');
      await sleep(HOLD_MS);
      addWinner(w);
    }
    $('theatre').hidden = true;
    document.body.classList.remove('revealing');
    finish();
  }

  /** An already revealed draw: every winner at once. */
  function showAll() {
    startResults(true);
    (draw.winners || []).forEach(addWinner);
    finish();
  }

  function finish() {
    $('no-winners').hidden = (draw.winners || []).length > 0;
    $('proof').hidden = false;
    renderProof();
    entriesBytes.then(function (bytes) {
      return QuizboothVerify.supported() ? QuizboothVerify.verify(bytes, draw) : null;
    }).then(function (r) {
      draw.check = r;
      renderProof();
    }, function () { /* the crowd's phones can still check */ });
  }

  /** After the reveal: the public page's QR stays up, with where and until when to claim. */
  function renderProof() {
    if (!draw || $('proof').hidden) return;
    var qr = $('after-qr'), src = qrSrc();
    if (qr.getAttribute('src') !== src) qr.src = src;
    $('claim-line').textContent = claimLine(draw);
    $('claim-line').className = 'claim-line' + (claimPassed(draw) ? ' closed' : '');
    $('proof-seed').textContent = draw.public_seed || '';
    $('proof-digest').textContent = draw.entries_digest;
    renderUrl($('proof-url'), publicUrl());
    var c = draw.check, mark = $('proof-check');
    mark.textContent = c ? t(c.ok ? 'verify_match' : 'verify_mismatch') : '';
    mark.className = 'proof-check ' + (c ? (c.ok ? 'ok' : 'bad') : '');
  }

  // ---- wiring -----------------------------------------------------------------

  function init() {
    DrawI18n.apply(document);
    DrawI18n.bindToggle($('lang-toggle'));
    DrawI18n.onChange(function () {
      render();
      if (!$('confirm-yes').disabled) $('confirm-yes').textContent = t('confirm_yes');
    });
    var fs = $('fullscreen');
    if (!document.documentElement.requestFullscreen) fs.hidden = true;
    fs.addEventListener('click', function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(function () { /* refused: stay windowed */ });
    });
    $('reveal-form').addEventListener('submit', askConfirm);
    $('seed-input').addEventListener('input', previewSeed);
    $('confirm-yes').addEventListener('click', reveal);
    $('confirm-no').addEventListener('click', backToEdit);
    $('skip').addEventListener('click', function () { skipping = true; if (wake) wake(); });
    $('login-form').addEventListener('submit', login);
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !$('confirm').hidden) backToEdit();
    });
    load();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
