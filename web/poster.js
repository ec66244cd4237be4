/* quizbooth: the printable A4 poster, /admin/poster (poster.html).
 *
 * The poster itself is bilingual and fixed (Chinese large, English small);
 * the toolbar follows the language toggle. The title, pass mark and rules
 * come from the public /api/set; the address written out is the server's
 * public URL (from /admin/api/whoami when a staff token is stored, else this
 * page's origin), the same one the QR code holds. The sheet is laid out in
 * millimetres at A4 size so what fits on screen fits on paper; on a narrow
 * screen it is scaled down to fit, never in print.
 *
 * ?src=ID: the poster of one source (SPEC §11), its QR code and link
 * /?src=ID, and its name on it; ?all=1: one sheet for every source, one A4
 * page each, to print at once (both read the list with the staff token).
 */
(function () {
  'use strict';

  var t = DrawI18n.t;

  var $ = Staff.$;

  /** A string of the poster in a fixed language, whatever the toolbar shows. */
  function say(lang, key, vars) { return I18n.text(DRAW_STRINGS, lang, key, vars); }

  var token = Staff.token;

  function getJson(path, auth) { return Staff.request('GET', path, { auth: !!auth }); }

  function publicUrl() {
    var fallback = location.origin;
    if (!token()) return Promise.resolve(fallback);
    return getJson('/admin/api/whoami', true)
      .then(function (w) { return w.public_url || fallback; }, function () { return fallback; });
  }

  function ctaKey(p) { return p >= 100 ? 'poster_cta_all' : p <= 0 ? 'poster_cta_any' : 'poster_cta'; }

  var params = new URLSearchParams(location.search);
  var srcId = params.get('src'), all = params.get('all') === '1';

  function fill(zh, en, url) {
    var set = zh.set || {};
    $('poster-title').textContent = set.title || set.id || '';
    var enTitle = en && en.set && en.set.title;
    $('poster-title-en').textContent = enTitle && enTitle !== set.title ? enTitle : '';
    var p = zh.pass_percent;
    $('poster-cta').textContent = say('zh', ctaKey(p), { p: p });
    $('poster-cta-en').textContent = say('en', ctaKey(p), { p: p });
    var vars = { n: zh.questions_per_visitor, m: Math.max(1, Math.ceil((zh.time_limit_secs || 0) / 60)) };
    $('poster-rule').textContent = say('zh', 'poster_rule', vars);
    $('poster-rule-en').textContent = say('en', 'poster_rule', vars);
    var type = $('poster-type').children;
    type[0].textContent = say('zh', 'poster_type');
    type[1].textContent = say('en', 'poster_type');
    $('poster-url').textContent = url;
    document.title = (set.title || 'quizbooth') + ' · 海报';
    fitAll();
  }

  /** A sheet named for a source: its QR code, its link, its name. */
  function forSource(frame, s) {
    var q = function (c) { return frame.querySelector('.' + c); };
    q('poster-qr').src = '/qr.svg?src=' + encodeURIComponent(s.id);
    q('poster-url').textContent = s.link;
    var line = q('poster-source');
    line.children[0].textContent = say('zh', 'poster_source', { name: s.name });
    line.children[1].textContent = say('en', 'poster_source', { name: s.name });
    line.hidden = false;
  }

  /** The sources' sheets: the one of ?src=ID, or (?all=1) one for each, copies of the first. */
  function sourceSheets(sources) {
    var first = $('sheet-frame');
    if (srcId) {
      var s = sources.filter(function (x) { return x.id === srcId; })[0];
      if (!s) return showError(t('poster_no_source', { id: srcId }));
      forSource(first, s);
      document.title = s.name + ' · ' + document.title;
    } else if (all) {
      if (!sources.length) return showError(t('poster_no_sources'));
      var after = first;
      sources.forEach(function (s, i) {
        var frame = first;
        if (i > 0) {
          frame = first.cloneNode(true);
          frame.removeAttribute('id');
          var ids = frame.querySelectorAll('[id]');
          for (var k = 0; k < ids.length; k++) ids[k].removeAttribute('id');
          after.parentNode.insertBefore(frame, after.nextSibling);
          after = frame;
          frame.querySelector('.poster-qr').addEventListener('load', fitAll);
        }
        forSource(frame, s);
      });
    }
    fitAll();
  }

  function frames() { return document.querySelectorAll('.sheet-frame'); }

  function fitAll() {
    var f = frames();
    for (var i = 0; i < f.length; i++) fitSheet(f[i]);
  }

  function scaleAll() {
    var f = frames();
    for (var i = 0; i < f.length; i++) scaleToScreen(f[i]);
  }

  /** Shrinks what is too big so the sheet stays one A4 page. */
  function fitSheet(frame) {
    var q = function (c) { return frame.querySelector('.' + c); };
    var sheet = q('sheet');
    var title = q('poster-title'), url = q('poster-url'), qr = q('poster-qr');
    title.style.fontSize = '';
    url.style.fontSize = '';
    qr.style.width = qr.style.height = '';
    // The address on one line if at all possible: people copy it by eye.
    url.style.whiteSpace = url.style.wordBreak = '';
    for (var u = 9; u > 4.5 && url.scrollWidth > url.clientWidth; u -= 0.5) url.style.fontSize = u + 'mm';
    if (url.scrollWidth > url.clientWidth) { url.style.whiteSpace = 'normal'; url.style.wordBreak = 'break-all'; }
    for (var f = 13; f >= 8 && sheet.scrollHeight > sheet.clientHeight; f -= 0.5) title.style.fontSize = f + 'mm';
    for (var k = 118; k >= 80 && sheet.scrollHeight > sheet.clientHeight; k -= 2) qr.style.width = qr.style.height = k + 'mm';
    scaleToScreen(frame);
  }

  /** On a screen narrower than the sheet, scale the sheet down (print CSS undoes this). */
  function scaleToScreen(frame) {
    var sheet = frame.querySelector('.sheet');
    sheet.style.transform = '';
    frame.style.height = frame.style.width = '';
    var w = sheet.offsetWidth, h = sheet.offsetHeight;
    var room = document.documentElement.clientWidth - 16;
    if (w <= room) return;
    var s = room / w;
    sheet.style.transform = 'scale(' + s + ')';
    frame.style.width = Math.floor(w * s) + 'px';
    frame.style.height = Math.ceil(h * s) + 'px';
  }

  function showError(message) {
    var p = $('poster-error');
    p.textContent = message;
    p.hidden = !message;
  }

  /** The sources, when this poster is a source's (?src=ID) or every source's (?all=1). */
  function sources() {
    if (!srcId && !all) return Promise.resolve(null);
    if (!token()) return Promise.reject({ sourcesToken: true });
    return getJson('/admin/api/sources', true);
  }

  function load() {
    Promise.all([
      getJson('/api/set?lang=zh'),
      getJson('/api/set?lang=en').catch(function () { return null; }),
      publicUrl(),
      sources()
    ]).then(function (r) {
      showError('');
      fill(r[0], r[1], r[2]);
      if (r[3]) sourceSheets(r[3]);
    }, function (err) {
      showError(err.sourcesToken || err.status === 401 ? t('poster_sources_token')
        : err.status === 404 || err.status === 503 ? t('poster_no_set') : t('load_error', { message: err.message }));
      publicUrl().then(function (url) { $('poster-url').textContent = url; fitAll(); });
    });
  }

  function init() {
    DrawI18n.apply(document);
    DrawI18n.bindToggle($('lang-toggle'));
    $('poster-print').addEventListener('click', function () { window.print(); });
    $('poster-qr').addEventListener('load', fitAll);
    var timer = null;
    window.addEventListener('resize', function () { clearTimeout(timer); timer = setTimeout(scaleAll, 100); });
    load();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
