/* Visitor page: seconds each question is on screen while the page is visible (a revisit
   adds up), kept per session in localStorage, sent with the answers as "secs" (SPEC §11;
   the server clamps them and never scores them). QuizSeconds(save, load): app.js. ES2017. */
var QuizSeconds = function (save, load) {
  'use strict';
  let sid = null, id = null, since = -1, ms = {};
  const keep = () => { if (sid) save('secs.' + sid, ms); };
  function stop() {
    if (id !== null && since >= 0) ms[id] = (ms[id] || 0) + Math.max(0, Date.now() - since);
    since = -1;
  }
  function run() { if (id !== null && !document.hidden) since = Date.now(); }
  // Question q of session s is on screen (q null: none is).
  function at(s, q) {
    stop();
    if (!s || q == null) { keep(); id = null; return; }
    if (s !== sid) {
      keep();
      sid = s;
      try { ms = JSON.parse(load('secs.' + s)) || {}; } catch (e) { ms = {}; }
    } else if (id !== q) keep();
    id = q;
    run();
  }
  function take(s) {
    const out = {};
    if (s !== sid) return out;
    stop();
    keep();
    run();
    for (const k in ms) if (typeof ms[k] === 'number') out[k] = Math.round(ms[k] / 1000);
    return out;
  }
  function drop(s) {
    save('secs.' + s, null);
    if (s === sid) { sid = id = null; ms = {}; }
  }
  document.addEventListener('visibilitychange', () => { if (document.hidden) { stop(); keep(); } else run(); });
  window.addEventListener('pagehide', () => { stop(); keep(); });
  return { at: at, take: take, drop: drop };
};
