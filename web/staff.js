/* quizbooth: what the draw, projector, poster and console pages share: the
 * DOM helpers, the staff token, and one request that answers the parsed JSON
 * (or bytes, or text) or throws an Error with .status (0: no connection),
 * .code (the API's "error") and .body. Loaded after strings-draw.js.
 */
var Staff = (function () {
  'use strict';

  var TOKEN_KEY = 'quizbooth.admin_token';
  var memoryToken = ''; // used when localStorage is blocked

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function token() {
    try { return localStorage.getItem(TOKEN_KEY) || memoryToken; } catch (e) { return memoryToken; }
  }

  function storeToken(value) {
    memoryToken = value;
    try {
      if (value) localStorage.setItem(TOKEN_KEY, value); else localStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* private mode: memoryToken serves this page */ }
  }

  /**
   * opts: {body: an object (JSON), a string or a Blob (sent as contentType),
   * contentType, auth: send the staff token, as: 'bytes' | 'blob' | 'json'}.
   */
  function request(method, path, opts) {
    opts = opts || {};
    var headers = { Accept: 'application/json' };
    if (opts.auth && token()) headers.Authorization = 'Bearer ' + token();
    var body = opts.body, payload;
    if (typeof body === 'string' || (typeof Blob !== 'undefined' && body instanceof Blob)) {
      payload = body;
      headers['Content-Type'] = opts.contentType || 'text/plain; charset=utf-8';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    return fetch(path, { method: method, headers: headers, body: payload, cache: 'no-store', credentials: 'same-origin' }).then(function (res) {
      if (res.ok && opts.as === 'bytes') return res.arrayBuffer().then(function (b) { return new Uint8Array(b); });
      if (res.ok && opts.as === 'blob') return res.blob();
      var isJson = (res.headers.get('Content-Type') || '').indexOf('json') >= 0;
      return (isJson ? res.json().catch(function () { return null; }) : res.text()).then(function (data) {
        if (res.ok) return data;
        var err = new Error((data && data.message) || res.status + ' ' + res.statusText);
        err.status = res.status;
        err.code = data && data.error;
        err.body = data;
        throw err;
      });
    }, function () {
      var err = new Error(DrawI18n.t('network_error'));
      err.status = 0;
      throw err;
    });
  }

  return { TOKEN_KEY: TOKEN_KEY, $: $, el: el, clear: clear, token: token, storeToken: storeToken, request: request };
})();
