/* quizbooth: a section of the staff console (see admin.js for how a
 * section registers). */
/* ---- Poster: the visitors' address and the link to the printable poster ------- */
(function () {
  'use strict';

  var A = Admin, t = Admin.t, $ = Admin.$;
  var publicUrl = null;

  /** Only this computer can open such an address. */
  function isLocal(url) {
    var host = '';
    try { host = new URL(url).hostname; } catch (e) { return false; }
    return /^(localhost|127\.|0\.0\.0\.0$|\[?::1\]?$)/.test(host);
  }

  function render() {
    $('public-url').textContent = publicUrl || '';
    var warning = $('public-url-warning');
    warning.hidden = !(publicUrl && isLocal(publicUrl));
    warning.textContent = t('poster_url_local');
  }

  Admin.register({
    id: 'poster-section',
    load: function () {
      A.api('GET', '/admin/api/whoami').then(function (w) { publicUrl = w.public_url; render(); }, function () { /* shown elsewhere */ });
    },
    render: render
  });
})();
