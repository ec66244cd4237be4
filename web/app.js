/* quizbooth visitor page: start → quiz → result → draw entry → entry code.
   ES2017 only, for WeChat's X5/XWeb (no ?. ?? object spread, no modules).
   Served after strings.js (global STRINGS) in one script; API text only via textContent.
   Its hooks for browser tests and what it keeps on the phone: web/README.md (not here:
   every visitor downloads this file, comments included). */
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const app = $('app'), notice = $('notice'), langBtn = $('lang-toggle'), dlg = $('board'), largeBtn = $('large-toggle');
  // s: session; a: {qid: [keys]}; known: a is this visitor's own; i: question shown;
  // off: server clock − phone clock (ms); exp: expires_at (server ms)
  const st = { lang: 'zh', set: null, s: null, a: {}, known: false, i: 0, off: 0, exp: NaN,
    busy: false, sending: false, confirm: false, screen: '', again: null, phone: '', receipt: false, x: null, card: null };
  let timer = 0, noticeTimer = 0, lastFocus = null;

  /* ---------- helpers ---------- */
  function t(k, v) { return I18n.text(STRINGS, st.lang, k, v); } // web/i18n.js
  function add(el, kids) {
    if (kids == null || kids === false) return;
    if (Array.isArray(kids)) kids.forEach((c) => add(el, c));
    else el.appendChild(typeof kids === 'object' ? kids : document.createTextNode(kids));
  }
  // h('p', 'note', 'text') or h('input', {id: 'x', onchange: f}, kids); never innerHTML
  function h(tag, props, kids) {
    const el = document.createElement(tag);
    if (typeof props === 'string') el.className = props;
    else for (const k in props) {
      const v = props[k];
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    add(el, kids);
    return el;
  }
  const paras = (text) => String(text || '').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean).map((p) => h('p', 0, p));
  const letter = (j) => String.fromCharCode(65 + j);
  const pad = (n) => (n < 10 ? '0' : '') + n;
  const enc = encodeURIComponent;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  function save(k, v) {
    try {
      if (v == null) localStorage.removeItem('quizbooth.' + k);
      else localStorage.setItem('quizbooth.' + k, typeof v === 'string' ? v : JSON.stringify(v));
    } catch (e) { /* private mode: carry on without */ }
  }
  function load(k) { try { return localStorage.getItem('quizbooth.' + k); } catch (e) { return null; } }
  const secs = QuizSeconds(save, load); // web/seconds.js

  function say(msg, kind, ms) {
    clearTimeout(noticeTimer);
    notice.textContent = msg;
    notice.className = 'notice ' + (kind || '');
    notice.hidden = false;
    if (ms) noticeTimer = setTimeout(() => { notice.hidden = true; }, ms);
  }
  function unwarn() { if (/warn/.test(notice.className)) notice.hidden = true; }

  /* ---------- network: 15 s timeout, retries with a visible notice ---------- */
  function fetchT(method, url, body) {
    const opt = { method: method, headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' };
    if (body) { opt.headers['Content-Type'] = 'application/json'; opt.body = JSON.stringify(body); }
    const ac = window.AbortController ? new AbortController() : null;
    if (ac) opt.signal = ac.signal;
    return new Promise((resolve, reject) => {
      const tm = setTimeout(() => { if (ac) ac.abort(); reject(new Error('timeout')); }, 15000);
      fetch(url, opt).then((r) => r.text().then((txt) => {
        clearTimeout(tm);
        resolve({ status: r.status, txt: txt, date: r.headers.get('Date'), after: r.headers.get('Retry-After') });
      })).catch((e) => { clearTimeout(tm); reject(e); });
    });
  }
  // → {status, ok, data, date} for any status below 500; timeouts, network errors and
  // 5xx are retried (with a visible "正在重试…"), then it throws. Repeating a POST is
  // safe: the same answers again answer 200 with the stored result, the same entry
  // again 201 with the same code and receipt (SPEC §3); an older server's 409 makes
  // the caller re-read the session. A `patient` call told 503/429 with Retry-After
  // (a failover, SPEC §10) waits as told, up to a minute, then throws 'busy'.
  async function api(method, url, body, tries, patient) {
    const t0 = Date.now();
    for (let n = 1; ; n++) {
      let r = null;
      try { r = await fetchT(method, url, body); } catch (e) { r = null; }
      const wait = patient && r && (r.status === 503 || r.status === 429) && +r.after;
      if (wait > 0) {
        if (Date.now() - t0 > 6e4) { unwarn(); throw new Error('busy'); }
        say(t('waiting'), 'warn');
        await sleep(Math.min(wait, 15) * 1e3);
        continue;
      }
      if (r && r.status < 500) {
        unwarn();
        let data = null;
        try { data = JSON.parse(r.txt); } catch (e) { data = null; }
        return { status: r.status, ok: r.status >= 200 && r.status < 300, data: data || {}, date: r.date, retried: n > 1 };
      }
      if (n >= (tries || 4)) { unwarn(); throw new Error('network'); }
      say(t('retrying'), 'warn');
      await sleep(Math.min(800 * n * n, 6000));
    }
  }
  // One action at a time: double taps do nothing, the tapped button shows it works.
  async function guard(btn, fn) {
    if (st.busy) return;
    st.busy = true;
    if (btn) { btn.disabled = true; btn.setAttribute('aria-busy', 'true'); }
    try { await fn(); } catch (e) { e.message === 'busy' ? say(t('busyFail'), 'err') : say(t('netFail'), 'err', 6000); } finally {
      st.busy = false;
      if (btn) { btn.disabled = false; btn.removeAttribute('aria-busy'); }
    }
  }
  const act = (fn) => (e) => guard(e.currentTarget, fn);

  /* ---------- state ---------- */
  // 长辈版: remembered on this phone and in the session it starts.
  function setLarge(on) {
    st.large = on;
    save('large', on ? '1' : null);
    document.documentElement.classList.toggle('large', on);
    applyLang();
  }
  function pickLang() {
    const s = load('lang'), l = (navigator.languages && navigator.languages[0]) || navigator.language || '';
    return s === 'zh' || s === 'en' ? s : /^en/i.test(l) ? 'en' : 'zh';
  }
  function applyLang() {
    document.documentElement.lang = st.lang === 'zh' ? 'zh-CN' : 'en';
    $('brand').textContent = t('brand');
    langBtn.textContent = t('langBtn');
    largeBtn.textContent = t(st.large ? 'largeOff' : 'largeOn');
    largeBtn.setAttribute('aria-pressed', String(!!st.large));
    largeBtn.hidden = false;
    langBtn.setAttribute('lang', st.lang === 'zh' ? 'en' : 'zh-CN');
    langBtn.hidden = false;
    $('board-close').textContent = t('close');
  }
  const sessUrl = () => '/api/sessions/' + enc(st.s.session) + '?lang=' + st.lang;
  function useSession(s, date) {
    const same = st.s && st.s.session === s.session, now = Date.parse(s.now || date);
    st.s = s;
    if (!isNaN(now)) st.off = now - Date.now();
    // 长辈版 without a required limit: no countdown (the server grants the same).
    st.exp = s.timer === false ? NaN : Date.parse(s.expires_at);
    if (s.large && !st.large) setLarge(true);
    save('session', s.session);
    if (!same) {
      let o = null;
      try { o = JSON.parse(load('answers.' + s.session)); } catch (e) { o = null; }
      st.known = !!o;
      st.a = (o && o.a) || {};
      st.i = (o && o.i) | 0;
      st.phone = (o && o.p) || '';
      st.x = (o && o.x) || null;
      st.confirm = false;
      st.receipt = false;
      st.withdrawing = false;
    }
    st.i = Math.max(0, Math.min(st.i, s.questions.length - 1));
  }
  function saveA() { if (st.s) save('answers.' + st.s.session, { a: st.a, i: st.i, p: st.phone || undefined, x: st.x || undefined }); }
  function forget() {
    if (st.s) { save('answers.' + st.s.session, null); secs.drop(st.s.session); }
    save('session', null);
    st.s = null; st.a = {}; st.i = 0; st.confirm = false; st.phone = ''; st.receipt = false; st.withdrawing = false;
    st.x = null; st.card = null; st.typed = null;
    stopTimer();
  }
  async function refresh() {
    const r = await api('GET', sessUrl());
    if (r.ok && r.data.session) useSession(r.data, r.date);
    return r;
  }
  function gone() { forget(); say(t('gone'), 'err', 6000); return showStart(); }

  /* ---------- flow ---------- */
  async function boot() {
    const id = load('session');
    try {
      if (id) {
        const r = await api('GET', '/api/sessions/' + enc(id) + '?lang=' + st.lang);
        // The entry notice is the bank's (organizer, contact, erase date) after a
        // reload too: the start screen's data comes along (in the page already,
        // unless the visitor's language differs from the browser's).
        if (r.ok && r.data.session) { useSession(r.data, r.date); await loadSet(); return route(); }
        save('answers.' + id, null);
        save('session', null);
      }
      await showStart();
    } catch (e) { st.again = boot; show('error'); }
  }
  function route() {
    if (!st.s.result) { show('quiz'); return startTimer(); }
    stopTimer();
    // A reload in the middle of practice carries on there.
    if (!st.x) return show('result');
    return loadAfter().then(() => show('practice'), () => { st.x = null; show('result'); });
  }

  /* ---------- the booth's shared tablet (/kiosk) ---------- */
  // One visitor never sees the one before: 下一位观众 at the top of the result
  // screen, KIOSK_IDLE seconds without a touch on the result (KIOSK_RESET on
  // any other screen, mid-quiz too) clear this visitor's session, answers,
  // language and 大字 from the device; the entry itself stays on the server.
  // The receipt shows only when asked for, and staff withdraw for visitors.
  const kiosk = /^\/kiosk\/?$/.test(location.pathname);
  const params = new URLSearchParams(location.search);
  const kioskIdle = Math.max(1, +params.get('idle') || 90);
  const kioskReset = Math.max(kioskIdle, +params.get('reset') || 240);
  let idleTimer = 0;
  function kioskTop() {
    return kiosk ? h('div', { id: 'kiosk', class: 'kiosk-bar' }, [
      button('next-visitor', t('nextVisitor'), nextVisitor, 'big'),
      h('p', 'note', t('kioskNote', { s: kioskIdle }))
    ]) : null;
  }
  function nextVisitor() {
    clearTimeout(idleTimer);
    if (st.busy || st.sending) { idleTimer = setTimeout(nextVisitor, 5000); return; } // a reply still on its way
    forget();
    closeBoard();
    notice.hidden = true;
    save('lang', null);
    st.lang = pickLang();
    setLarge(false);
    window.scrollTo(0, 0);
    showStart().catch(() => { st.again = showStart; show('error'); });
  }
  function armIdle() {
    clearTimeout(idleTimer);
    if (kiosk && st.screen) idleTimer = setTimeout(nextVisitor, (st.screen === 'result' ? kioskIdle : kioskReset) * 1000);
  }
  if (kiosk) ['pointerdown', 'keydown', 'scroll', 'touchstart', 'input'].forEach((e) => window.addEventListener(e, armIdle, { passive: true }));
  // The server puts the start screen's data into the page itself (one round
  // trip less on weak Wi-Fi); it is used once, in the language it was made for.
  function embeddedSet() {
    const el = $('set-data');
    if (!el) return null;
    el.parentNode.removeChild(el);
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }
  async function loadSet() {
    const pre = embeddedSet();
    if (pre && pre.lang === st.lang) { st.set = pre; return; }
    const r = await api('GET', '/api/set?lang=' + st.lang);
    st.set = r.ok ? r.data : null; // without it, a plain start screen still works
  }
  async function showStart() {
    stopTimer();
    await loadSet();
    show(st.set && st.set.open === false ? 'closed' : 'start');
  }
  // The source this page was opened from (/?src=ID), kept for this tab so
  // a reload or a way back to a bare / still starts from it; the server
  // counts an id it does not list as direct.
  function source() {
    const ok = (v) => (v && /^[a-z0-9-]{1,32}$/.test(v) ? v : null);
    let src = ok(params.get('src'));
    try {
      if (src) sessionStorage.setItem('quizbooth.src', src);
      else src = ok(sessionStorage.getItem('quizbooth.src'));
    } catch (e) { /* private mode: the URL alone */ }
    return src;
  }
  const src = source();
  async function startSession() {
    const body = { lang: st.lang, large: !!st.large };
    if (src) body.src = src;
    const r = await api('POST', '/api/sessions', body);
    if (r.status === 409) { forget(); return show('closed'); }
    if (!r.ok || !r.data.session) return say(t('errGeneric'), 'err', 6000);
    forget();
    useSession(r.data, r.date);
    st.known = true;
    saveA();
    route();
  }
  async function toggleLang() {
    const old = st.lang;
    st.lang = old === 'zh' ? 'en' : 'zh';
    try {
      if (st.s) {
        if ((await refresh()).status === 404) { save('lang', st.lang); applyLang(); return gone(); }
        if (st.s.result) await loadSet(); // the entry notice, in the new language
      } else if (st.screen === 'start' || st.screen === 'closed') await loadSet();
    } catch (e) { st.lang = old; throw e; }
    save('lang', st.lang);
    applyLang();
    closeBoard();
    show(st.screen, true);
  }

  /* ---------- rendering ---------- */
  function boardList(boards, hintKey) {
    return boards.length ? h('section', 0, [
      h('h2', 0, t('boardsT')),
      h('p', 'note', t(hintKey)),
      boards.map((b) => h('details', 'bd', [h('summary', 0, b.title), h('div', 'txt', paras(b.body))]))
    ]) : null;
  }
  function show(screen, keep) {
    const set = (st.s && st.s.set) || (st.set && st.set.set), y = window.pageYOffset;
    st.screen = screen;
    app.setAttribute('data-screen', screen);
    // Practice is in 长辈版 whatever the visitor chose (the choice itself stays).
    document.documentElement.classList.toggle('large', !!st.large || screen === 'practice');
    largeBtn.hidden = screen === 'practice';
    document.title = (set && set.title) || t('title');
    const nodes = views[screen](); // built while the old screen (and typed values) still stand
    app.textContent = '';
    add(app, nodes);
    timeQuestion();
    armIdle();
    if (screen === 'quiz') tick();
    if (keep) return window.scrollTo(0, y);
    window.scrollTo(0, 0);
    const hd = app.querySelector('h1,h2');
    if (hd) { hd.setAttribute('tabindex', '-1'); hd.focus(); }
  }
  const button = (id, label, onclick, cls) => h('button', { id: id, class: 'btn ' + (cls || ''), type: 'button', onclick: onclick }, label);
  const card = (cls, kids) => h('section', 'card ' + cls, kids);
  const simple = (title, body, btn) => card('center', [h('h1', 0, title), h('p', 0, body), btn]);
  function fmtTime(iso) {
    const d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    try {
      return d.toLocaleString(st.lang === 'zh' ? 'zh-CN' : 'en-GB',
        { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
    } catch (e) { return iso; }
  }

  // A question's options as inputs of class `cls` (`mark(key)` adds to a label's class).
  function options(q, chosen, cls, onchange, mark) {
    return q.options.map((o, j) => {
      const on = chosen.indexOf(o.key) >= 0;
      return h('label', 'opt' + (on ? ' sel' : '') + (mark ? mark(o.key, on) : ''), [
        h('input', { class: cls, type: q.type === 'multiple' ? 'checkbox' : 'radio', name: 'q', value: o.key, checked: on,
          disabled: !onchange, onchange: onchange }),
        q.type === 'truefalse' ? null : h('span', { class: 'k', 'aria-hidden': 'true' }, letter(j)),
        h('span', 'ot', o.text)]);
    });
  }

  const views = {
    start() {
      const d = st.set || {}, set = d.set || {}, boards = d.boards || [], closes = d.round && d.round.closes, rules = [];
      if (d.questions_per_visitor) rules.push(t('rN', { n: d.questions_per_visitor }));
      if (d.pass_percent != null) rules.push(t('rP', { p: d.pass_percent }));
      // 长辈版 counts down only when the bank requires its limit (the session's `timer`).
      if (st.large && !d.time_limit_required) rules.push(t('rNoLimit'));
      else if (d.time_limit_secs) rules.push(limitText(d.time_limit_secs));
      if (d.min_answer_secs) rules.push(t('rMin', { s: d.min_answer_secs }));
      return [
        card('hero', [
          h('h1', 0, set.title || t('title')),
          h('div', 'txt', paras(set.intro)),
          rules.length ? h('p', 'rules', rules.map((x) => h('span', 0, x))) : null,
          d.round && d.round.title && d.round.title !== d.round.id ? h('p', 'note', t('codeRound', { r: d.round.title })) : null,
          closes ? h('p', 'note', t('closes', { t: fmtTime(closes) })) : null,
          d.round && d.round.notice ? h('p', 'infobox', d.round.notice) : null
        ]),
        boardList(boards, 'boardsHint'),
        h('div', 'dock', button('start', t('start'), act(startSession), 'big'))
      ];
    },
    // Closed: when the next round opens, in words, and the boards to read meanwhile.
    closed() {
      const d = st.set || {}, set = d.set, next = d.next_round;
      return [
        card('center', [
          h('h1', 0, t('closedT')),
          set ? h('p', 'note', set.title) : null,
          next && next.opens ? h('p', { id: 'next-round' }, t('opensAt', { r: next.title || next.id, t: fmtTime(next.opens) }))
            : h('p', 0, t('closedB'))
        ]),
        boardList(d.boards || [], 'boardsMeanwhile')
      ];
    },
    error: () => simple(t('loadFail'), t('netFail'), button('reload', t('reload'), act(() => st.again()), 'big')),
    expired: () => simple(t('expiredT'), t('expiredB'), button('retry', t('retry'), act(startSession), 'big')),
    timeup: () => simple(t('timeUpT'), t('timeUpB'), button('submit', t('submit'), act(() => submit(false)), 'big')),
    quiz() {
      const qs = st.s.questions, n = qs.length, i = st.i, q = qs[i], multi = q.type === 'multiple';
      const chosen = st.a[q.id] || [], where = t('progress', { i: i + 1, n: n }), fill = h('div');
      fill.style.width = Math.round((i + 1) / n * 100) + '%';
      const opts = options(q, chosen, 'option', onPick);
      return [
        h('div', 'qhead', [
          h('span', { 'aria-label': where }, (i + 1) + ' / ' + n),
          isNaN(st.exp) ? h('span', { id: 'untimed', class: 'timer untimed' }, t('noLimit'))
            : h('span', { id: 'timer', class: 'timer', role: 'timer' }, [h('small', 0, t('timeLeft')), h('b', { id: 'clock' })])
        ]),
        h('div', { class: 'prog', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': n, 'aria-valuenow': i + 1, 'aria-label': where }, fill),
        card('q', [
          h('span', 'tag' + (multi ? ' m' : ''), t(q.type)),
          h('h2', { id: 'qtext' }, q.text),
          h('div', { role: multi ? 'group' : 'radiogroup', 'aria-labelledby': 'qtext' }, opts)
        ]),
        h('div', 'dock qdock', st.confirm ? confirmBox() : h('div', 'nav', [
          i > 0 ? button('prev', t('prev'), () => go(i - 1), 'sec') : null,
          i === n - 1 ? button('submit', t('submit'), onSubmit) : button('next', t('next'), () => go(i + 1))
        ]))
      ];
    },
    practice: () => after.practice(),
    share: () => after.share(),
    result() {
      const s = st.s, r = s.result, e = s.entry, ok = !!r.passed;
      return [
        kioskTop(),
        e ? codeCard(s, e) : null,
        card('center sum ' + (ok ? 'ok' : 'bad'), [
          h(e ? 'h2' : 'h1', 0, t(ok ? 'passed' : r.percent >= s.pass_percent - 20 ? 'failed' : 'failedFar')),
          h('p', 'lbl', t('scoreL')),
          h('p', { id: 'score', class: 'score', 'data-score': r.score, 'data-max': r.max_score, 'data-percent': r.percent,
            'data-passed': String(ok) }, r.score + ' / ' + r.max_score),
          h('p', 0, t('pct', { p: r.percent }) + ' · ' + t('passLine', { p: s.pass_percent })),
          ok ? null : [h('p', 0, t('encourage')), button('retry', t('retry'), act(startSession), 'big')]
        ]),
        ok && !e ? entryOrWhyNot(r) : null,
        afterResult(r),
        review()
      ];
    }
  };

  // The code screen: what became of the entry first (the banner), then the
  // code, the masked phone that entered, and the private receipt (on the
  // kiosk only when asked for).
  function codeCard(s, e) {
    const won = !e.withdrawn_at && drawStates(e).some((x) => x.state === 'won');
    const phone = e.phone || st.phone;
    return card('center entry', [
      h('h1', 0, t(won ? 'wonT' : 'codeT')),
      e.withdrawn_at ? withdrawnBox(e) : statusBanner(e),
      h('p', 'lbl', t('codeLabel')),
      // Two groups that wrap as a whole on a narrow or zoomed screen, never clipped.
      h('p', { id: 'entry-code', class: 'code', 'aria-label': e.code },
        e.code.split('-').map((g, i, all) => h('span', 'grp', g + (i < all.length - 1 ? '-' : '')))),
      phone && !e.withdrawn_at ? h('p', { id: 'entry-phone', class: 'note' }, t('codePhone', { p: phone })) : null,
      e.receipt ? receiptPart(s, e) : null,
      h('p', 'note', t('codeRound', { r: roundName(s, e) })),
      s.round && s.round.notice ? h('p', { id: 'round-notice', class: 'infobox' }, s.round.notice) : null,
      myDraws(e),
      h('p', 'note', [t('codePublic'), ' ', h('a', { href: '/draws' }, t('allDraws'))]),
      e.withdrawn_at ? null : kiosk ? h('p', { id: 'kiosk-withdraw', class: 'note' }, t('kioskWithdraw')) : withdrawPart()
    ]);
  }
  // The receipt alone claims a prize: on this phone it stays in view (it is
  // shown again on every visit); on the shared tablet only behind a button.
  function receiptPart(s, e) {
    if (kiosk && !st.receipt) {
      return [h('p', 'note', t('kioskReceipt')),
        button('show-receipt', t('showReceipt'), () => { st.receipt = true; show('result', true); }, 'sec')];
    }
    return [
      h('p', 'lbl', t('receiptLabel')),
      h('p', { id: 'entry-receipt', class: 'receipt' }, e.receipt),
      h('img', { id: 'receipt-qr', class: 'receipt-qr', width: 168, height: 168, alt: t('receiptQr'),
        src: '/api/sessions/' + enc(s.session) + '/receipt.svg' }),
      h('p', { id: 'code-keep', class: 'note' }, t(kiosk ? 'kioskKeep' : 'codeKeep')),
      kiosk ? button('hide-receipt', t('hideReceipt'), () => { st.receipt = false; show('result', true); }, 'sec') : null
    ];
  }

  // The round as visitors call it: its title, else its id.
  const roundName = (s, e) => (s.round && s.round.title) || (e && (e.round_title || e.round)) || '';
  // A win past its claim deadline (the server says so; an older server only
  // gives claim_by) can no longer be claimed.
  function expired(d) {
    if (typeof d.expired === 'boolean') return d.expired;
    const by = Date.parse(d.claim_by);
    return !isNaN(by) && by < Date.now() + st.off;
  }
  function drawStates(e) {
    return (e.draws || []).map((d) => ({ d: d, state: d.status !== 'revealed' ? 'pending' : !d.won ? 'lost'
      : d.claimed ? 'claimed' : expired(d) ? 'expired' : 'won' }));
  }
  const lapsed = (d) => t(d.redrawn ? 'drawExpiredRedrawn' : 'drawExpired');
  // The one line that matters, above the code: won (prize, by when, where) /
  // handed out / lapsed / not drawn yet / not won.
  function statusBanner(e) {
    const all = drawStates(e), has = (k) => all.some((x) => x.state === k);
    const state = ['won', 'claimed', 'expired', 'pending', 'lost'].filter(has)[0] || 'none';
    const of = all.filter((x) => x.state === state).map((x) => x.d);
    const prizes = of.map((d) => d.prize).join(t('sep'));
    let title, body;
    if (state === 'won') {
      const by = of.map((d) => d.claim_by).filter(Boolean).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
      title = t('bannerWon', { prize: prizes });
      body = by ? t('bannerWonBy', { t: fmtTime(by) }) : t('bannerWonNoBy');
    } else if (state === 'claimed') { title = t('bannerClaimed', { prize: prizes }); body = t('bannerThanks'); }
    else if (state === 'expired') { title = prizes + t('sep') + lapsed(of[0]); body = t('bannerExpiredB'); }
    else if (state === 'pending') { title = t('bannerPending'); body = t('bannerPendingB'); }
    else if (state === 'lost') { title = t('bannerLost'); body = t('bannerThanks'); }
    else { title = t('bannerNone'); body = t('bannerPendingB'); }
    return h('div', { id: 'draw-status', class: 'status s-' + state, 'data-state': state, role: 'status' }, [
      h('p', 'st-t', title), h('p', 'st-b', body)
    ]);
  }
  // Every draw of the round that holds the visitor's code: pending, won (with
  // the claim deadline), lapsed, not won, handed out.
  function myDraws(e) {
    if (!e.draws || !e.draws.length) return null; // the banner says so
    return h('ul', { id: 'my-draws', class: 'my-draws' }, drawStates(e).map((x) => {
      const d = x.d, state = x.state;
      const text = state === 'pending' ? t('drawPending') : state === 'lost' ? t('drawLost')
        : state === 'claimed' ? t('drawClaimed') : state === 'expired' ? lapsed(d)
        : t('drawWon') + (d.claim_by ? ' ' + t('claimBy', { t: fmtTime(d.claim_by) }) : '');
      return h('li', { class: 'draw-' + state, 'data-state': state }, [
        h('a', { href: '/draws/' + enc(d.id) }, d.prize), ' · ', h('b', 0, text)
      ]);
    }));
  }

  // Withdrawal (SPEC §8): a plain button, then an inline confirm that says
  // what it does and cannot be undone; afterwards, what happened.
  function withdrawPart() {
    if (!st.withdrawing) {
      return h('button', { id: 'withdraw', class: 'link withdraw', type: 'button',
        onclick: () => { st.withdrawing = true; show('result', true); $('withdraw-keep').focus(); } }, t('withdraw'));
    }
    return h('div', { id: 'withdraw-confirm-box', class: 'confirm', role: 'alert' }, [
      h('p', 0, t('withdrawAsk')),
      h('div', 'nav', [
        button('withdraw-keep', t('withdrawKeep'), () => { st.withdrawing = false; show('result', true); }, 'sec'),
        button('withdraw-confirm', t('withdrawConfirm'), act(withdraw), 'warn')
      ])
    ]);
  }
  async function withdraw() {
    const r = await api('DELETE', '/api/sessions/' + enc(st.s.session) + '/entry');
    if (r.status === 404 && r.data.error === 'not_found') return gone();
    if (!r.ok) return say(t('errGeneric'), 'err', 6000);
    st.withdrawing = false;
    await refresh();
    show('result');
    say(t('withdrawnToast'), '', 6000);
  }
  function withdrawnBox(e) {
    return h('div', { id: 'withdrawn', class: 'infobox', role: 'status' }, [
      h('p', 0, h('b', 0, t('withdrawnT'))),
      h('p', 0, t('withdrawnBody', { t: fmtTime(e.withdrawn_at) })),
      h('p', 0, t(e.draws && e.draws.length ? 'withdrawnHeld' : 'withdrawnLeft')),
      // A withdrawn visitor may take the quiz and enter again (SPEC §8),
      // but not one whose code won: the round refuses their phone.
      (e.draws || []).some((d) => d.won) ? h('p', 'muted', t('withdrawnWon'))
        : button('again', t('again'), act(startSession), 'sec')
    ]);
  }

  /* ---------- quiz ---------- */
  // The question on screen, for the seconds sent with the answers (web/seconds.js).
  function timeQuestion() {
    const q = st.screen === 'quiz' && st.s && st.s.questions[st.i];
    secs.at(st.s && st.s.session, q ? q.id : null);
  }
  function go(k) { st.i = k; st.confirm = false; saveA(); show('quiz'); }
  function missing() {
    const out = [];
    st.s.questions.forEach((q, j) => { if (!(st.a[q.id] || []).length) out.push(j); });
    return out;
  }
  function onPick() {
    const q = st.s.questions[st.i], keys = [];
    Array.prototype.forEach.call(app.querySelectorAll('.option'), (b) => {
      if (b.checked) keys.push(b.value);
      b.parentNode.classList.toggle('sel', b.checked);
    });
    if (keys.length) st.a[q.id] = keys; else delete st.a[q.id];
    saveA();
    const box = $('confirm');
    if (!box) return;
    if (missing().length) box.parentNode.replaceChild(confirmBox(), box);
    else { st.confirm = false; show('quiz', true); $('submit').focus(); }
  }
  // Inline confirm step instead of confirm(): shown when some questions are unanswered.
  function confirmBox() {
    const miss = missing();
    return h('div', { id: 'confirm', class: 'confirm', role: 'alert' }, [
      h('p', 0, t('unanswered', { n: miss.length })),
      h('div', 'jump', miss.map((k) => h('button', { class: 'chip', type: 'button', 'aria-label': t('qNum', { n: k + 1 }), onclick: () => go(k) }, String(k + 1)))),
      h('div', 'nav', [
        button('keep', t('goBack'), () => go(miss[0]), 'sec'),
        button('confirm-submit', t('confirmSubmit'), act(() => submit(false)), 'warn')
      ])
    ]);
  }
  function onSubmit(e) {
    if (!missing().length) return guard(e.currentTarget, () => submit(false));
    st.confirm = true;
    show('quiz', true);
    $('confirm-submit').focus();
  }
  async function submit(auto) {
    if (st.sending || !st.s) return;
    st.sending = true;
    try {
      const s = st.s, ans = {};
      s.questions.forEach((q) => {
        const keys = (st.a[q.id] || []).filter((k) => q.options.some((o) => o.key === k));
        if (keys.length) ans[q.id] = keys;
      });
      if (auto) say(t('timeUp'), '', 5000);
      const r = await api('POST', '/api/sessions/' + enc(s.session) + '/answers', { answers: ans, secs: secs.take(s.session) }, auto ? 8 : 4, 1);
      // The time-up toast goes with the quiz: nothing covers the result.
      if (r.ok) { s.result = r.data; secs.drop(s.session); stopTimer(); if (auto) notice.hidden = true; show('result'); return relang(); }
      if (r.status === 409) { // already submitted, e.g. our timed-out request did land
        await refresh();
        if (st.s.result) { if (auto) notice.hidden = true; return route(); }
      } else if (r.status === 410) { stopTimer(); return show('expired'); }
      else if (r.status === 404) return gone();
      else if (r.status === 422) await refresh();
      // Time is up and the answers did not go: one clear screen, no toast over it.
      if (auto) { notice.hidden = true; stopTimer(); return show('timeup'); }
      say(t('errGeneric'), 'err', 6000);
    } finally { st.sending = false; }
  }
  // The result comes in the session's first language; if the visitor switched since,
  // the session re-read with ?lang= carries it in theirs: show that quietly.
  function relang() {
    const id = st.s.session, before = JSON.stringify(st.s.result);
    api('GET', sessUrl(), null, 1).then((r) => {
      if (r.ok && r.data.result && st.s && st.s.session === id && JSON.stringify(r.data.result) !== before) {
        useSession(r.data, r.date);
        if (st.screen === 'result') show('result', true);
      }
    }, () => {});
  }
  // "限时 10 分钟", or in seconds when short: never "0.2 分钟".
  function limitText(secs) {
    if (secs < 120 || secs % 60) return secs < 120 ? t('rTs', { s: secs }) : t('rT', { m: Math.round(secs / 6) / 10 });
    return t('rT', { m: secs / 60 });
  }
  function startTimer() { stopTimer(); if (!isNaN(st.exp)) timer = setInterval(tick, 500); }
  function stopTimer() { clearInterval(timer); timer = 0; }
  // Time left = expires_at − (phone clock + offset to the server's clock): immune to skew.
  function tick() {
    if (!st.s || st.s.result || isNaN(st.exp)) return;
    const ms = st.exp - (Date.now() + st.off), sec = Math.max(0, Math.ceil(ms / 1000)), c = $('clock');
    if (c) {
      c.textContent = pad(Math.floor(sec / 60)) + ':' + pad(sec % 60);
      c.parentNode.classList.toggle('low', sec <= 60);
    }
    if (ms <= 0 && timer && !st.sending && !st.busy) {
      stopTimer();
      guard(null, async () => {
        try { await submit(true); } catch (e) { stopTimer(); show('timeup'); notice.hidden = true; }
      });
    }
  }

  /* ---------- result ---------- */
  // The keys as the visitor saw them: by the letter shown (options may be
  // shuffled, so the bank's order would read "D；E；A；C").
  function fmt(q, keys) {
    const at = (k) => { let j = -1; q.options.forEach((o, x) => { if (o.key === k) j = x; }); return j; };
    return keys.map((k) => [k, at(k)]).sort((a, b) => (a[1] < 0 ? 99 : a[1]) - (b[1] < 0 ? 99 : b[1])).map((p) => {
      const j = p[1];
      return j < 0 ? p[0] : (q.type === 'truefalse' ? '' : letter(j) + '. ') + q.options[j].text;
    }).join(t('sep'));
  }
  function review() {
    const s = st.s, byId = {}, boards = {};
    s.questions.forEach((q) => { byId[q.id] = q; });
    (s.boards || []).forEach((b) => { boards[b.id] = b; });
    return h('section', 0, [
      h('h2', 0, t('review')),
      h('ol', 'rvl', (s.result.results || []).map((r, j) => {
        const q = byId[r.id] || { text: r.id, options: [] }, bd = r.board && boards[r.board];
        const mine = r.given || (st.known ? st.a[r.id] || [] : null); // unknown on another phone
        return h('li', 'card rv ' + (r.correct ? 'ok' : 'bad'), [
          h('p', 'rvh', [h('span', { class: 'mark', 'aria-hidden': 'true' }, r.correct ? '✓' : '✗'),
            t('qNum', { n: j + 1 }) + ' · ' + t(r.correct ? 'right' : 'wrong')]),
          h('p', 'q', q.text),
          mine ? h('p', 0, [h('b', 0, t('yours')), fmt(q, mine) || t('none')]) : null,
          h('p', 0, [h('b', 0, t('answer')), fmt(q, r.answer || [])]),
          r.explanation ? h('div', 'expl txt', paras(r.explanation)) : null,
          bd ? h('button', { class: 'link', type: 'button', onclick: () => openBoard(bd) }, t('readBoard', { t: bd.title })) : null
        ]);
      }))
    ]);
  }

  /* ---------- after a result: practice (错题再练) and the share card (SPEC §11) ---------- */
  // Their screens are web/after.js (with share.js, which draws the card): a bundle of
  // its own, fetched when first needed, so the first visit stays light. The share card
  // is not offered on the kiosk: a shared tablet sends nothing to WeChat, and its
  // gallery would keep the visitor's score.
  let after = null;
  function loadAfter() {
    return after ? Promise.resolve(after) : new Promise((resolve, reject) => {
      const el = h('script', { src: document.body.getAttribute('data-after') });
      el.onload = () => {
        after = QuizAfter({ st: st, h: h, t: t, button: button, card: card, options: options, fmt: fmt, paras: paras,
          kioskTop: kioskTop, openBoard: openBoard, saveA: saveA, show: show, $: $, app: app });
        resolve(after);
      };
      el.onerror = () => { el.parentNode.removeChild(el); reject(new Error('network')); };
      document.head.appendChild(el);
    });
  }
  function afterResult(r) {
    const missed = (r.results || []).filter((x) => !x.correct).length;
    const open = (screen) => act(() => loadAfter().then((a) => a.open(screen)));
    return missed || !kiosk ? h('div', 'after', [
      missed ? button('practice', t('practice', { n: missed }), open('practice'), 'sec') : null,
      kiosk ? null : button('share', t('share'), open('share'), 'sec')
    ]) : null;
  }

  /* ---------- draw entry ---------- */
  // A passed result enters the draw, unless it came too fast or entries have closed.
  function entryOrWhyNot(r) {
    const min = st.s.min_answer_secs;
    if (r.too_fast) {
      return card('center note-card', [h('p', { id: 'entry-refused' }, t('errTooFast', { s: min })),
        button('retry', t('retry'), act(startSession), 'big')]);
    }
    const closes = Date.parse(r.entry_closes);
    if (!isNaN(closes) && closes < Date.now() + st.off) return card('center note-card', [h('p', { id: 'entry-refused' }, t('errClosed'))]);
    return entryForm();
  }
  // What was typed, in memory only: kept through practice, the share card and a
  // language switch, for this session alone.
  function typed() {
    st.typed = { s: st.s.session, name: $('name').value, phone: $('phone').value, consent: $('consent').checked, publish: $('publish').checked };
  }
  function entryForm() {
    const v = (st.typed && st.typed.s === st.s.session && st.typed) || {};
    const field = (id, type, auto, max, more) => [
      h('label', { class: 'f', for: id }, t(id)),
      h('input', Object.assign({ id: id, class: 'in', name: id, type: type, autocomplete: kiosk ? 'off' : auto, maxlength: max,
        'aria-required': 'true', 'aria-describedby': id + '-err', oninput: clearErr }, more)),
      h('p', { id: id + '-err', class: 'err', 'data-error': id, hidden: true })
    ];
    return h('form', { id: 'entry-form', class: 'card', novalidate: true, onsubmit: onEnter, oninput: typed, onchange: typed }, [
      h('h2', 0, t('entryT')),
      h('p', 'note', t('entryIntro')),
      privacyNotice(),
      field('name', 'text', 'name', 32, { value: v.name }),
      field('phone', 'tel', 'tel', 20, { value: v.phone, inputmode: 'tel', 'aria-describedby': 'phone-err phone-note' }),
      h('p', { id: 'phone-note', class: 'note' }, t('phoneNote')),
      h('label', { class: 'check', for: 'consent' }, [
        h('input', { id: 'consent', name: 'consent', type: 'checkbox', 'aria-required': 'true',
          checked: v.consent, onchange: syncEnter }),
        h('span', 0, t('consentLabel'))
      ]),
      h('label', { class: 'check', for: 'publish' }, [
        h('input', { id: 'publish', name: 'publish', type: 'checkbox', checked: v.publish }),
        h('span', 0, t('publishLabel'))
      ]),
      h('p', { id: 'form-err', class: 'err', 'data-error': 'form', role: 'alert', hidden: true }),
      h('button', { id: 'enter', class: 'btn big', type: 'submit', disabled: !v.consent }, t('enter'))
    ]);
  }
  // The entry button waits for the consent box (SPEC §8).
  function syncEnter() { $('enter').disabled = !$('consent').checked; }
  // The notice of SPEC §8, from the bank's privacy block and the round's
  // notice: a two-line summary, the rest behind 展开全文.
  function privacyNotice() {
    const p = (st.set && st.set.privacy) || {}, r = st.s.round || {};
    const org = p.organizer || t('orgDefault'), contact = p.contact || t('contactDefault');
    const n = p.keep_days || 30;
    const keep = p.keep_until ? t('keepUntil', { t: fmtTime(p.keep_until), n: n }) : t('keepAfter', { n: n });
    const short = p.keep_until ? t('keepShort', { t: fmtTime(p.keep_until) }) : t('keepShortAfter', { n: n });
    return h('section', { id: 'privacy-notice', class: 'infobox' }, [
      h('p', { id: 'privacy-summary' }, t('noticeSummary', { org: org, keep: short })),
      h('details', 0, [
        h('summary', 0, t('noticeMore')),
        h('ul', 'notice-list', [
          h('li', 0, t('nWho', { org: org, contact: contact })),
          h('li', 0, t('nWhy', { purpose: p.purpose || t('purposeDefault') })),
          h('li', 0, t('nWhat')),
          h('li', 0, t('nKeep', { keep: keep })),
          h('li', 0, t('nPublish')),
          h('li', 0, t(kiosk ? 'nWithdrawKiosk' : 'nWithdraw', { contact: contact })),
          h('li', 0, t('nChild')),
          h('li', 0, t('nPrize', { notice: r.notice || t('prizeDefault') }))
        ])
      ])
    ]);
  }
  function clearErr(e) {
    e.currentTarget.removeAttribute('aria-invalid');
    $(e.currentTarget.id + '-err').hidden = true;
    $('form-err').hidden = true;
  }
  // Shows our own message under each bad field (never the API's text); focuses the first.
  function fieldErrs(bad) {
    let first = null;
    ['name', 'phone'].forEach((k) => {
      const inp = $(k), err = $(k + '-err');
      err.textContent = t(k === 'name' ? 'errName' : 'errPhone');
      err.hidden = !bad[k];
      if (bad[k]) { inp.setAttribute('aria-invalid', 'true'); first = first || inp; } else inp.removeAttribute('aria-invalid');
    });
    if (first) first.focus();
    return !!first;
  }
  function formErr(msg) { const el = $('form-err'); el.textContent = msg; el.hidden = false; }
  // Full-width digits from Chinese keyboards, spaces, hyphens, +86 / 0086 → 11 digits.
  const maskPhone = (p) => p.slice(0, 3) + '****' + p.slice(-4);
  const normPhone = (p) => p.replace(/[\uff10-\uff19\uff0b]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\-\u2010-\u2015]/g, '').replace(/^(\+86|0086)/, '');
  function onEnter(e) {
    e.preventDefault();
    const name = $('name').value.trim(), phone = normPhone($('phone').value), len = Array.from(name).length;
    $('form-err').hidden = true;
    if (fieldErrs({ name: !len || len > 32, phone: !/^1[3-9]\d{9}$/.test(phone) })) return;
    guard($('enter'), async () => {
      const r = await api('POST', '/api/entries', { session: st.s.session, name: name, phone: phone,
        consent: $('consent').checked, publish: $('publish').checked }, 0, 1);
      if (r.ok && r.data.code) {
        st.typed = null;
        st.phone = maskPhone(phone);
        saveA();
        st.s.entry = r.data;
        return show('result');
      }
      if (r.status === 422) {
        const f = r.data.fields || {};
        if (!fieldErrs({ name: !!f.name, phone: !!f.phone })) formErr(t('errGeneric'));
      } else if (r.status === 409 && r.data && r.data.error === 'round_closed') {
        formErr(t('errClosed'));
      } else if (r.status === 409) { // this session entered already (a retried request?), or the phone did
        await refresh();
        if (st.s.entry) {
          // After a lost reply, the entry that landed is this very request (an older server's 409).
          if (r.retried && r.data.error === 'already_entered') { st.phone = maskPhone(phone); saveA(); }
          show('result');
        }
        // Which phone entered is all it says: nothing of the other entry.
        else formErr(t('errUsed') + t('errUsedHint'));
      } else if (r.status === 403 && r.data && r.data.error === 'too_fast') {
        formErr(t('errTooFast', { s: st.s.min_answer_secs || '' }));
      } else if (r.status === 403) formErr(t('errNotPassed'));
      else if (r.status === 404) await gone();
      else formErr(t('errGeneric'));
    });
  }

  /* ---------- board dialog ---------- */
  function openBoard(b) {
    lastFocus = document.activeElement;
    $('board-title').textContent = b.title;
    const body = $('board-body');
    body.textContent = '';
    add(body, paras(b.body));
    dlg.hidden = false;
    dlg.scrollTop = 0;
    document.body.classList.add('lock');
    $('board-close').focus();
  }
  function closeBoard() {
    if (dlg.hidden) return;
    dlg.hidden = true;
    document.body.classList.remove('lock');
    if (lastFocus && document.body.contains(lastFocus)) lastFocus.focus();
  }
  $('board-close').addEventListener('click', closeBoard);
  dlg.addEventListener('click', (e) => { if (e.target === dlg) closeBoard(); });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' || e.key === 'Esc') closeBoard(); });
  langBtn.addEventListener('click', () => guard(langBtn, toggleLang));
  largeBtn.addEventListener('click', () => { setLarge(!st.large); if (st.screen) show(st.screen, true); });

  st.lang = pickLang();
  st.large = load('large') === '1';
  document.documentElement.classList.toggle('large', st.large);
  applyLang();
  boot();
})();
