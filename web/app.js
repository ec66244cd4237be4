/* quizbooth visitor page: start → quiz → result → draw entry → entry code.
   Plain ES2017 for WeChat's X5/XWeb (no ?. ?? object spread, no modules).
   Served after strings.js (global STRINGS) in one script; never innerHTML.

   Hooks for automated browser tests:
     #lang-toggle        header button, switches 中文 / English at any time
     #start              start button (start screen); #retry starts anew
     input.option        answer inputs (radio/checkbox), value = option key, inside <label>
     #prev #next         question navigation; #submit on the last question
     #confirm-submit     shown when #submit is pressed with unanswered questions
     #timer #clock       countdown (mm:ss)
     #score              "score / max" with data-score data-max data-percent data-passed
     #entry-form #name #phone #enter   draw entry form (only when passed)
     [data-error="name"] [data-error="phone"] [data-error="form"]   inline errors
     #entry-code         the draw code, e.g. 7KQ2-M9XD
     #board              board dialog (#board-close)
     main#app[data-screen] = start | closed | quiz | timeup | expired | result | error
   localStorage: quizbooth.lang, quizbooth.session, quizbooth.answers.<session> */
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  const app = $('app'), notice = $('notice'), langBtn = $('lang-toggle'), dlg = $('board');
  const TIMEOUT = 15000;
  // s: session object; a: {qid: [keys]}; i: question index; off: server - client clock (ms)
  const st = { lang: 'zh', set: null, s: null, a: {}, known: false, i: 0, off: 0, exp: NaN,
    busy: false, sending: false, confirm: false, screen: '', again: null };
  let timer = 0, noticeTimer = 0, lastFocus = null;

  /* ---------- small helpers ---------- */
  function t(k, v) {
    const d = STRINGS[st.lang] || STRINGS.zh;
    const s = d[k] != null ? d[k] : (STRINGS.zh[k] != null ? STRINGS.zh[k] : k);
    return v ? s.replace(/\{(\w+)\}/g, function (m, n) { return v[n] != null ? v[n] : m; }) : s;
  }
  function add(el, kids) {
    if (kids == null || kids === false) return;
    if (Array.isArray(kids)) { kids.forEach(function (c) { add(el, c); }); return; }
    el.appendChild(typeof kids === 'object' ? kids : document.createTextNode(String(kids)));
  }
  function h(tag, props, kids) {
    const el = document.createElement(tag);
    for (const k in props || {}) {
      const v = props[k];
      if (v == null || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k === 'class') el.className = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    add(el, kids);
    return el;
  }
  function paras(text) {
    return String(text || '').split(/\n\s*\n/).map(function (p) { return p.trim(); })
      .filter(Boolean).map(function (p) { return h('p', { text: p }); });
  }
  const letter = function (j) { return String.fromCharCode(65 + j); };
  const pad = function (n) { return (n < 10 ? '0' : '') + n; };
  const enc = encodeURIComponent;
  const sleep = function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); };
  function save(k, v) {
    try {
      if (v == null) localStorage.removeItem('quizbooth.' + k);
      else localStorage.setItem('quizbooth.' + k, typeof v === 'string' ? v : JSON.stringify(v));
    } catch (e) { /* private mode: carry on without persistence */ }
  }
  function load(k) { try { return localStorage.getItem('quizbooth.' + k); } catch (e) { return null; } }

  function say(msg, kind, ms) {
    clearTimeout(noticeTimer);
    notice.textContent = msg;
    notice.className = 'notice ' + (kind || '');
    notice.hidden = false;
    if (ms) noticeTimer = setTimeout(function () { notice.hidden = true; }, ms);
  }
  function unwarn() { if (notice.className.indexOf('warn') > 0) notice.hidden = true; }

  /* ---------- network: timeout + retry with a visible notice ---------- */
  function fetchT(method, url, body) {
    const opt = { method: method, headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' };
    if (body) { opt.headers['Content-Type'] = 'application/json'; opt.body = JSON.stringify(body); }
    const ac = window.AbortController ? new AbortController() : null;
    if (ac) opt.signal = ac.signal;
    return new Promise(function (resolve, reject) {
      const tm = setTimeout(function () { if (ac) ac.abort(); reject(new Error('timeout')); }, TIMEOUT);
      fetch(url, opt).then(function (r) {
        return r.text().then(function (txt) {
          clearTimeout(tm);
          resolve({ status: r.status, txt: txt, date: r.headers.get('Date') });
        });
      }).catch(function (e) { clearTimeout(tm); reject(e); });
    });
  }
  // Resolves {status, ok, data, date} for any answer below 500; retries timeouts,
  // network errors and 5xx; throws after `tries` attempts. POSTs are safe to repeat:
  // a landed submission or entry answers 409 and the caller re-reads the session.
  async function api(method, url, body, tries) {
    for (let n = 1; ; n++) {
      let r = null;
      try { r = await fetchT(method, url, body); } catch (e) { r = null; }
      if (r && r.status < 500) {
        unwarn();
        let data = null;
        try { data = JSON.parse(r.txt); } catch (e) { data = null; }
        return { status: r.status, ok: r.status >= 200 && r.status < 300, data: data || {}, date: r.date };
      }
      if (n >= (tries || 4)) { unwarn(); throw new Error('network'); }
      say(t('retrying'), 'warn');
      await sleep(Math.min(800 * n * n, 6000));
    }
  }
  // One action at a time: double taps are ignored, the button shows it is working.
  async function guard(btn, fn) {
    if (st.busy) return;
    st.busy = true;
    if (btn) { btn.disabled = true; btn.setAttribute('aria-busy', 'true'); }
    try { await fn(); } catch (e) { say(t('netFail'), 'err', 6000); } finally {
      st.busy = false;
      if (btn) { btn.disabled = false; btn.removeAttribute('aria-busy'); }
    }
  }

  /* ---------- state ---------- */
  function pickLang() {
    const s = load('lang');
    if (s === 'zh' || s === 'en') return s;
    const l = (navigator.languages && navigator.languages[0]) || navigator.language || '';
    return /^en/i.test(l) ? 'en' : 'zh';
  }
  function applyLang() {
    document.documentElement.lang = st.lang === 'zh' ? 'zh-CN' : 'en';
    $('brand').textContent = t('brand');
    langBtn.textContent = t('langBtn');
    langBtn.setAttribute('lang', st.lang === 'zh' ? 'en' : 'zh-CN');
    langBtn.hidden = false;
    $('board-close').textContent = t('close');
  }
  const sessUrl = function () { return '/api/sessions/' + enc(st.s.session) + '?lang=' + st.lang; };
  function useSession(s, date) {
    const same = st.s && st.s.session === s.session;
    st.s = s;
    const now = Date.parse(s.now || date);
    if (!isNaN(now)) st.off = now - Date.now();
    st.exp = Date.parse(s.expires_at);
    save('session', s.session);
    if (!same) {
      let o = null;
      try { o = JSON.parse(load('answers.' + s.session)); } catch (e) { o = null; }
      st.known = !!o;
      st.a = (o && o.a) || {};
      st.i = (o && o.i) | 0;
      st.confirm = false;
    }
    st.i = Math.max(0, Math.min(st.i, (s.questions || []).length - 1));
  }
  function saveA() { if (st.s) save('answers.' + st.s.session, { a: st.a, i: st.i }); }
  function forget() {
    if (st.s) save('answers.' + st.s.session, null);
    save('session', null);
    st.s = null; st.a = {}; st.i = 0; st.confirm = false;
    stopTimer();
  }
  async function refresh() {
    const r = await api('GET', sessUrl());
    if (r.ok && r.data.session) useSession(r.data, r.date);
    return r;
  }
  function goStartGone() { forget(); say(t('gone'), 'err', 6000); return showStart(); }

  /* ---------- flow ---------- */
  async function boot() {
    const id = load('session');
    try {
      if (id) {
        const r = await api('GET', '/api/sessions/' + enc(id) + '?lang=' + st.lang);
        if (r.ok && r.data.session) { useSession(r.data, r.date); return route(); }
        save('answers.' + id, null);
        save('session', null);
      }
      await showStart();
    } catch (e) { fatal(boot); }
  }
  function fatal(again) { st.again = again; show('error'); }
  function route() {
    if (st.s.result) { stopTimer(); show('result'); } else { show('quiz'); startTimer(); }
  }
  async function loadSet() {
    const r = await api('GET', '/api/set?lang=' + st.lang);
    st.set = r.ok ? r.data : null; // without the endpoint, a plain start screen still works
  }
  async function showStart() {
    stopTimer();
    await loadSet();
    show(st.set && st.set.open === false ? 'closed' : 'start');
  }
  async function startSession() {
    const r = await api('POST', '/api/sessions', { lang: st.lang });
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
        const r = await refresh();
        if (r.status === 404) { applyLang(); save('lang', st.lang); return goStartGone(); }
      } else if (st.screen === 'start' || st.screen === 'closed') await loadSet();
    } catch (e) { st.lang = old; throw e; }
    save('lang', st.lang);
    applyLang();
    closeBoard();
    show(st.screen, true);
  }

  /* ---------- rendering ---------- */
  function show(screen, keep) {
    st.screen = screen;
    app.setAttribute('data-screen', screen);
    const set = (st.s && st.s.set) || (st.set && st.set.set);
    document.title = (set && set.title) || t('title');
    const y = window.pageYOffset, nodes = views[screen](); // built before the old screen goes
    app.textContent = '';
    add(app, nodes);
    if (screen === 'quiz') tick();
    if (keep) { window.scrollTo(0, y); return; }
    window.scrollTo(0, 0);
    const hd = app.querySelector('h1,h2');
    if (hd) { hd.setAttribute('tabindex', '-1'); hd.focus(); }
  }
  function button(id, label, onclick, cls) {
    return h('button', { id: id, class: 'btn ' + (cls || ''), type: 'button', onclick: onclick }, label);
  }
  function act(fn) { return function (e) { const b = e.currentTarget; guard(b, fn); }; }
  function mins(secs) { return Math.round(secs / 6) / 10; }
  function fmtTime(iso) {
    const d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    try {
      return d.toLocaleString(st.lang === 'zh' ? 'zh-CN' : 'en-GB',
        { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
    } catch (e) { return iso; }
  }
  function card(cls, kids) { return h('section', { class: 'card ' + cls }, kids); }

  const views = {
    start: function () {
      const d = st.set || {}, set = d.set || {}, boards = d.boards || [], rules = [];
      if (d.questions_per_visitor) rules.push(t('rN', { n: d.questions_per_visitor }));
      if (d.pass_percent != null) rules.push(t('rP', { p: d.pass_percent }));
      if (d.time_limit_secs) rules.push(t('rT', { m: mins(d.time_limit_secs) }));
      const closes = d.round && d.round.closes;
      return [
        card('hero', [
          h('h1', { text: set.title || t('title') }),
          set.intro ? h('div', { class: 'txt' }, paras(set.intro)) : null,
          rules.length ? h('p', { class: 'rules' }, rules.map(function (x) { return h('span', { text: x }); })) : null,
          closes ? h('p', { class: 'note', text: t('closes', { t: fmtTime(closes) }) }) : null
        ]),
        boards.length ? h('section', { class: 'boards' }, [
          h('h2', { text: t('boardsT') }),
          h('p', { class: 'note', text: t('boardsHint') }),
          boards.map(function (b) {
            return h('details', { class: 'bd' }, [h('summary', { text: b.title }), h('div', { class: 'txt' }, paras(b.body))]);
          })
        ]) : null,
        h('div', { class: 'dock' }, button('start', t('start'), act(startSession), 'big'))
      ];
    },
    closed: function () {
      const set = st.set && st.set.set;
      return card('center', [h('h1', { text: t('closedT') }), set ? h('p', { class: 'note', text: set.title }) : null,
        h('p', { text: t('closedB') })]);
    },
    error: function () {
      return card('center', [h('h1', { text: t('loadFail') }), h('p', { text: t('netFail') }),
        button('reload', t('reload'), act(function () { return st.again(); }), 'big')]);
    },
    expired: function () {
      return card('center', [h('h1', { text: t('expiredT') }), h('p', { text: t('expiredB') }),
        button('retry', t('retry'), act(startSession), 'big')]);
    },
    timeup: function () {
      return card('center', [h('h1', { text: t('timeUpT') }), h('p', { text: t('timeUpB') }),
        button('submit', t('submit'), act(function () { return submit(false); }), 'big')]);
    },
    quiz: function () {
      const qs = st.s.questions, n = qs.length, i = st.i, q = qs[i], last = i === n - 1;
      const multi = q.type === 'multiple', chosen = st.a[q.id] || [];
      const fill = h('div');
      fill.style.width = Math.round((i + 1) / n * 100) + '%';
      const opts = q.options.map(function (o, j) {
        const inp = h('input', { class: 'option', type: multi ? 'checkbox' : 'radio', name: 'q', value: o.key,
          checked: chosen.indexOf(o.key) >= 0, onchange: onPick });
        return h('label', { class: 'opt' + (inp.checked ? ' sel' : '') }, [inp,
          q.type === 'truefalse' ? null : h('span', { class: 'k', 'aria-hidden': 'true', text: letter(j) }),
          h('span', { class: 'ot', text: o.text })]);
      });
      return [
        h('div', { class: 'qhead' }, [
          h('span', { text: (i + 1) + ' / ' + n, 'aria-label': t('progress', { i: i + 1, n: n }) }),
          isNaN(st.exp) ? null : h('span', { id: 'timer', class: 'timer', role: 'timer' },
            [h('small', { text: t('timeLeft') }), h('b', { id: 'clock' })])
        ]),
        h('div', { class: 'prog', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': n,
          'aria-valuenow': i + 1, 'aria-label': t('progress', { i: i + 1, n: n }) }, fill),
        card('q', [
          h('span', { class: 'tag' + (multi ? ' m' : ''), text: t(q.type) }),
          h('h2', { id: 'qtext', text: q.text }),
          h('div', { role: multi ? 'group' : 'radiogroup', 'aria-labelledby': 'qtext' }, opts)
        ]),
        h('div', { class: 'dock' }, st.confirm ? confirmBox() : h('div', { class: 'nav' }, [
          i > 0 ? button('prev', t('prev'), function () { go(i - 1); }, 'sec') : null,
          last ? button('submit', t('submit'), onSubmit) : button('next', t('next'), function () { go(i + 1); })
        ]))
      ];
    },
    result: function () {
      const s = st.s, r = s.result, e = s.entry, passed = !!r.passed;
      return [
        e ? card('center entry', [
          h('h1', { text: t('codeT') }),
          h('p', { id: 'entry-code', class: 'code', text: e.code }),
          h('p', { text: t('codeKeep') }),
          e.round ? h('p', { class: 'note', text: t('codeRound', { r: e.round }) }) : null,
          h('p', { class: 'note', text: t('codePublic') })
        ]) : null,
        card('center sum ' + (passed ? 'ok' : 'bad'), [
          h(e ? 'h2' : 'h1', { text: t(passed ? 'passed' : 'failed') }),
          h('p', { class: 'lbl', text: t('scoreL') }),
          h('p', { id: 'score', class: 'score', text: r.score + ' / ' + r.max_score, 'data-score': r.score,
            'data-max': r.max_score, 'data-percent': r.percent, 'data-passed': String(passed) }),
          h('p', { text: t('pct', { p: r.percent }) + ' · ' + t('passLine', { p: s.pass_percent }) }),
          passed ? null : h('p', { text: t('encourage') }),
          passed ? null : button('retry', t('retry'), act(startSession), 'big')
        ]),
        passed && !e ? entryForm() : null,
        review()
      ];
    }
  };

  /* ---------- quiz ---------- */
  function go(k) { st.i = k; st.confirm = false; saveA(); show('quiz'); }
  function missing() {
    const out = [];
    st.s.questions.forEach(function (q, j) { if (!(st.a[q.id] || []).length) out.push(j); });
    return out;
  }
  function onPick() {
    const q = st.s.questions[st.i], keys = [];
    Array.prototype.forEach.call(app.querySelectorAll('.option'), function (b) {
      if (b.checked) keys.push(b.value);
      b.parentNode.classList.toggle('sel', b.checked);
    });
    if (keys.length) st.a[q.id] = keys; else delete st.a[q.id];
    saveA();
    const box = $('confirm');
    if (box) {
      if (missing().length) box.parentNode.replaceChild(confirmBox(), box);
      else { st.confirm = false; show('quiz', true); $('submit').focus(); }
    }
  }
  function confirmBox() {
    const miss = missing();
    return h('div', { id: 'confirm', class: 'confirm', role: 'alert' }, [
      h('p', { text: t('unanswered', { n: miss.length }) }),
      h('div', { class: 'jump' }, miss.map(function (k) {
        return h('button', { class: 'chip', type: 'button', 'aria-label': t('qNum', { n: k + 1 }),
          onclick: function () { go(k); } }, String(k + 1));
      })),
      h('div', { class: 'nav' }, [
        button('keep', t('goBack'), function () { go(miss[0]); }, 'sec'),
        button('confirm-submit', t('confirmSubmit'), act(function () { return submit(false); }), 'warn')
      ])
    ]);
  }
  function onSubmit(e) {
    if (missing().length && !st.confirm) {
      st.confirm = true;
      show('quiz', true);
      $('confirm-submit').focus();
      return;
    }
    guard(e.currentTarget, function () { return submit(false); });
  }
  async function submit(auto) {
    if (st.sending || !st.s) return;
    st.sending = true;
    try {
      const s = st.s, ans = {};
      s.questions.forEach(function (q) {
        const keys = (st.a[q.id] || []).filter(function (k) {
          return q.options.some(function (o) { return o.key === k; });
        });
        if (keys.length) ans[q.id] = keys;
      });
      if (auto) say(t('timeUp'), '', 5000);
      const r = await api('POST', '/api/sessions/' + enc(s.session) + '/answers', { answers: ans }, auto ? 8 : 4);
      if (r.ok) {
        s.result = r.data;
        stopTimer();
        show('result');
        return relang();
      }
      if (r.status === 409) { // already submitted (e.g. a retry of a request that landed)
        await refresh();
        if (st.s.result) return route();
      } else if (r.status === 410) { stopTimer(); return show('expired'); }
      else if (r.status === 404) return goStartGone();
      else if (r.status === 422) await refresh();
      say(t('errGeneric'), 'err', 6000);
    } finally { st.sending = false; }
  }
  // The answer comes in the session's first language; if the visitor switched since,
  // the session re-read with ?lang= has the texts in theirs: show those quietly.
  function relang() {
    const id = st.s.session, before = JSON.stringify(st.s.result);
    api('GET', sessUrl(), null, 1).then(function (r) {
      if (r.ok && r.data.result && st.s && st.s.session === id && JSON.stringify(r.data.result) !== before) {
        useSession(r.data, r.date);
        if (st.screen === 'result') show('result', true);
      }
    }, function () { /* keep what we have */ });
  }
  function startTimer() { stopTimer(); if (!isNaN(st.exp)) timer = setInterval(tick, 500); }
  function stopTimer() { clearInterval(timer); timer = 0; }
  function tick() {
    if (!st.s || st.s.result || isNaN(st.exp)) return;
    const ms = st.exp - (Date.now() + st.off), sec = Math.max(0, Math.ceil(ms / 1000)), c = $('clock');
    if (c) {
      c.textContent = pad(Math.floor(sec / 60)) + ':' + pad(sec % 60);
      c.parentNode.classList.toggle('low', sec <= 60);
    }
    if (ms <= 0 && timer && !st.sending && !st.busy) {
      stopTimer();
      guard(null, async function () {
        try { await submit(true); } catch (e) { show('timeup'); throw e; }
      });
    }
  }

  /* ---------- result ---------- */
  function fmt(q, keys) {
    return keys.map(function (k) {
      let j = -1;
      q.options.forEach(function (o, x) { if (o.key === k) j = x; });
      if (j < 0) return k;
      return (q.type === 'truefalse' ? '' : letter(j) + '. ') + q.options[j].text;
    }).join(t('sep'));
  }
  function review() {
    const s = st.s, byId = {}, boards = {};
    s.questions.forEach(function (q) { byId[q.id] = q; });
    (s.boards || []).forEach(function (b) { boards[b.id] = b; });
    return h('section', {}, [
      h('h2', { text: t('review') }),
      h('ol', { class: 'rvl' }, (s.result.results || []).map(function (r, j) {
        const q = byId[r.id] || { text: r.id, options: [] }, bd = r.board && boards[r.board];
        const mine = r.given || (st.known ? st.a[r.id] || [] : null);
        return h('li', { class: 'card rv ' + (r.correct ? 'ok' : 'bad') }, [
          h('p', { class: 'rvh' }, [h('span', { class: 'mark', 'aria-hidden': 'true', text: r.correct ? '✓' : '✗' }),
            t('qNum', { n: j + 1 }) + ' · ' + t(r.correct ? 'right' : 'wrong')]),
          h('p', { class: 'q', text: q.text }),
          mine ? h('p', {}, [h('b', { text: t('yours') }), fmt(q, mine) || t('none')]) : null,
          h('p', {}, [h('b', { text: t('answer') }), fmt(q, r.answer || [])]),
          r.explanation ? h('div', { class: 'expl txt' }, paras(r.explanation)) : null,
          bd ? h('button', { class: 'link', type: 'button', onclick: function () { openBoard(bd); } },
            t('readBoard', { t: bd.title })) : null
        ]);
      }))
    ]);
  }

  /* ---------- draw entry ---------- */
  function entryForm() {
    const n0 = $('name'), p0 = $('phone'); // keep typed values across a language switch
    return h('form', { id: 'entry-form', class: 'card', novalidate: true, onsubmit: onEnter }, [
      h('h2', { text: t('entryT') }),
      h('p', { class: 'note', text: t('entryIntro') }),
      h('label', { class: 'f', for: 'name', text: t('name') }),
      h('input', { id: 'name', class: 'in', name: 'name', type: 'text', autocomplete: 'name', maxlength: '32',
        'aria-required': 'true', 'aria-describedby': 'name-err', value: n0 ? n0.value : null, oninput: clearErr }),
      h('p', { id: 'name-err', class: 'err', 'data-error': 'name', hidden: true }),
      h('label', { class: 'f', for: 'phone', text: t('phone') }),
      h('input', { id: 'phone', class: 'in', name: 'phone', type: 'tel', inputmode: 'tel', autocomplete: 'tel',
        maxlength: '20', 'aria-required': 'true', 'aria-describedby': 'phone-err phone-note',
        value: p0 ? p0.value : null, oninput: clearErr }),
      h('p', { id: 'phone-err', class: 'err', 'data-error': 'phone', hidden: true }),
      h('p', { id: 'phone-note', class: 'note', text: t('phoneNote') }),
      h('p', { id: 'form-err', class: 'err', 'data-error': 'form', role: 'alert', hidden: true }),
      h('button', { id: 'enter', class: 'btn big', type: 'submit' }, t('enter'))
    ]);
  }
  function clearErr(e) {
    const el = e.currentTarget;
    el.removeAttribute('aria-invalid');
    $(el.id + '-err').hidden = true;
    $('form-err').hidden = true;
  }
  function fieldErrs(bad) {
    let first = null;
    ['name', 'phone'].forEach(function (k) {
      const inp = $(k), err = $(k + '-err');
      if (bad[k]) {
        err.textContent = t(k === 'name' ? 'errName' : 'errPhone');
        err.hidden = false;
        inp.setAttribute('aria-invalid', 'true');
        if (!first) first = inp;
      } else { err.hidden = true; inp.removeAttribute('aria-invalid'); }
    });
    if (first) first.focus();
    return !!first;
  }
  function formErr(msg) { const el = $('form-err'); el.textContent = msg; el.hidden = false; }
  function normPhone(p) {
    return p.replace(/[\uff10-\uff19\uff0b]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/[\s\-\u2010-\u2015]/g, '').replace(/^(\+86|0086)/, '');
  }
  function onEnter(e) {
    e.preventDefault();
    const name = $('name').value.trim(), phone = normPhone($('phone').value), len = Array.from(name).length;
    $('form-err').hidden = true;
    if (fieldErrs({ name: !len || len > 32, phone: !/^1[3-9]\d{9}$/.test(phone) })) return;
    guard($('enter'), async function () {
      const r = await api('POST', '/api/entries', { session: st.s.session, name: name, phone: phone });
      if (r.ok && r.data.code) { st.s.entry = r.data; return show('result'); }
      if (r.status === 422) {
        const f = r.data.fields || {};
        if (!fieldErrs({ name: !!f.name, phone: !!f.phone })) formErr(t('errGeneric'));
      } else if (r.status === 409) { // this session already entered (a retried request?) or the phone did
        await refresh();
        if (st.s.entry) show('result'); else formErr(t('errUsed'));
      } else if (r.status === 403) formErr(t('errNotPassed'));
      else if (r.status === 404) await goStartGone();
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
  dlg.addEventListener('click', function (e) { if (e.target === dlg) closeBoard(); });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' || e.key === 'Esc') closeBoard(); });
  langBtn.addEventListener('click', function () { guard(langBtn, toggleLang); });

  st.lang = pickLang();
  applyLang();
  boot();
})();
