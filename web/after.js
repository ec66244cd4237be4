/* quizbooth visitor page: the screens after a result (SPEC §11), in a bundle of their own
   with share.js that app.js loads when first needed. ES2017 only.

   QuizAfter(kit) → {open(screen), practice(), share()}: kit is app.js's state and helpers
   (st, h, t, button, card, options, fmt, paras, kioskTop, openBoard, saveA, show, $, app).

   Practice (错题再练) replays the missed questions from the session the page already holds,
   answers and explanations included: it sends nothing, so nothing is stored or counted, and
   it never ends in an entry. Always in 长辈版 (app.js's show()). Its place is kept with the
   answers (st.x): a reload carries on, the kiosk's reset forgets it.

   The share card: ShareCard (share.js) draws it from what is safe to show; the screen says
   plainly that the code and the receipt are not to be shared. */
var QuizAfter = function (kit) {
  'use strict';
  const st = kit.st, h = kit.h, t = kit.t, button = kit.button, show = kit.show, saveA = kit.saveA;
  const sameKeys = (a, b) => a.length === b.length && a.every((k) => b.indexOf(k) >= 0);
  const scoreText = (r) => r.score + ' / ' + r.max_score;

  function open(screen) {
    if (screen === 'practice') return practise();
    st.card = null;
    show('share');
  }
  function practise() {
    const ids = st.s.questions.map((q) => q.id);
    st.x = { q: st.s.result.results.filter((x) => !x.correct && ids.indexOf(x.id) >= 0).map((x) => x.id), i: 0, p: {}, r: {} };
    saveA();
    show('practice');
  }
  function leave() { st.x = null; saveA(); show('result'); }
  function go(i) { st.x.i = i; saveA(); show('practice'); }

  function practice() {
    const x = st.x, qs = {}, rs = {};
    st.s.questions.forEach((q) => { qs[q.id] = q; });
    st.s.result.results.forEach((r) => { rs[r.id] = r; });
    x.q = x.q.filter((id) => qs[id] && rs[id]);
    const n = x.q.length, exit = button('practice-exit', t('back'), leave, 'sec');
    if (x.i >= n) {
      const k = x.q.filter((id) => sameKeys(x.p[id] || [], rs[id].answer || [])).length;
      return [kit.kioskTop(), kit.card('center', [h('h1', 0, t('practiceDone', { k: k, n: n })),
        button('practice-again', t('practiceAgain'), practise, 'big'), exit])];
    }
    const q = qs[x.q[x.i]], r = rs[q.id], right = r.answer || [], picked = x.p[q.id] || [], shown = !!x.r[q.id];
    const ok = sameKeys(picked, right), multi = q.type === 'multiple';
    const bd = r.board && (st.s.boards || []).filter((b) => b.id === r.board)[0];
    const mark = (k, on) => (shown && right.indexOf(k) >= 0 ? ' right' : shown && on ? ' wrong' : '');
    return [
      kit.kioskTop(),
      h('h1', 'ph', t('practiceT', { i: x.i + 1, n: n })),
      h('p', 'note', t('practiceNote')),
      h('section', { class: 'card q', 'data-qid': q.id }, [
        h('span', 'tag' + (multi ? ' m' : ''), t(q.type)),
        h('h2', { id: 'ptext' }, q.text),
        h('div', { role: multi ? 'group' : 'radiogroup', 'aria-labelledby': 'ptext' },
          kit.options(q, picked, 'popt', shown ? null : () => pick(q), mark))
      ]),
      shown ? h('div', { id: 'practice-feedback', class: 'card rv ' + (ok ? 'ok' : 'bad'), tabindex: '-1' }, [
        h('p', 'rvh', [h('span', { class: 'mark', 'aria-hidden': 'true' }, ok ? '✓' : '✗'), t(ok ? 'right' : 'wrong')]),
        h('p', 0, [h('b', 0, t('answer')), kit.fmt(q, right)]),
        r.explanation ? h('div', 'expl txt', kit.paras(r.explanation)) : null,
        bd ? h('button', { class: 'link', type: 'button', onclick: () => kit.openBoard(bd) }, t('readBoard', { t: bd.title })) : null
      ]) : multi ? button('practice-check', t('practiceCheck'), () => reveal(q)) : null,
      h('div', 'nav after', [
        x.i > 0 ? button('practice-prev', t('prev'), () => go(x.i - 1), 'sec') : null,
        shown ? button('practice-next', t(x.i === n - 1 ? 'practiceEnd' : 'next'), () => go(x.i + 1)) : null
      ]),
      exit
    ];
  }
  // A single answer shows its explanation at once; a multiple one when checked.
  function pick(q) {
    const keys = [];
    Array.prototype.forEach.call(kit.app.querySelectorAll('.popt'), (b) => { if (b.checked) keys.push(b.value); });
    st.x.p[q.id] = keys;
    if (q.type !== 'multiple') return reveal(q);
    saveA();
    show('practice', true);
  }
  function reveal(q) {
    if (!(st.x.p[q.id] || []).length) return;
    st.x.r[q.id] = 1;
    saveA();
    show('practice', true);
    const fb = kit.$('practice-feedback');
    fb.focus();
    if (fb.scrollIntoView) fb.scrollIntoView({ block: 'nearest' });
  }

  function share() {
    const c = st.card;
    if (!c || c.lang !== st.lang) draw();
    return kit.card('center share', [
      h('h1', 0, t('shareT')),
      c && c.url && c.lang === st.lang
        ? h('img', { id: 'share-card', class: 'share-card', src: c.url, width: 320, height: 500,
          alt: t('shareAlt', { t: st.s.set.title, s: scoreText(st.s.result) }) })
        : c && c.failed ? [h('p', { id: 'share-failed', class: 'err', role: 'alert' }, t('shareFail')),
          button('share-retry', t('retry'), () => { st.card = null; show('share', true); })]
          : h('div', { class: 'spin', role: 'img', 'aria-label': t('shareMaking') }),
      h('p', 'note', t('shareHow')),
      h('p', { id: 'share-warn', class: 'infobox warnbox' }, t('shareWarn')),
      button('share-back', t('back'), () => show('result'), 'sec')
    ]);
  }
  // Only the title, the score and the campaign's line are drawn, with the QR of /?src=share.
  function draw() {
    const r = st.s.result, c = st.card = { lang: st.lang };
    ShareCard.draw({
      brand: t('brand'), title: st.s.set.title, label: t('scoreL'), score: scoreText(r), note: t('pct', { p: r.percent }),
      line: t('shareLine'), call: t('shareCall'), qr: '/qr.png?src=share'
    }).then((url) => { c.url = url; }, () => { c.failed = true; }).then(() => {
      if (st.card === c && st.screen === 'share') show('share', true);
    });
  }

  return { open: open, practice: practice, share: share };
};
