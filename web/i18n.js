/* quizbooth: every page's i18n: {name} filling, lookup, language choice, data-i18n. */
var I18n = (function () {
  'use strict';
  var STORE = 'quizbooth.lang';

  function fill(s, vars) {
    if (!vars) return s;
    return String(s).replace(/\{(\w+)\}/g, function (all, name) {
      return vars[name] == null ? all : String(vars[name]);
    });
  }

  function text(tables, lang, key, vars) {
    var s = (tables[lang] || tables.zh)[key];
    if (s == null) s = tables.zh[key];
    return s == null ? key : fill(s, vars);
  }

  function initial() {
    var m = /[?&]lang=(zh|en)\b/.exec(location.search);
    if (m) return m[1];
    try {
      var saved = localStorage.getItem(STORE);
      if (saved === 'zh' || saved === 'en') return saved;
    } catch (e) { /* blocked */ }
    var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    for (var i = 0; i < langs.length; i++) {
      var l = String(langs[i]).toLowerCase();
      if (l.indexOf('zh') === 0) return 'zh';
      if (l.indexOf('en') === 0) return 'en';
    }
    return 'zh';
  }

  function create(tables) {
    var lang = initial();
    var listeners = [];

    function t(key, vars) { return text(tables, lang, key, vars); }

    function apply(root) {
      root = root || document;
      document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
      var nodes = root.querySelectorAll('[data-i18n]');
      for (var i = 0; i < nodes.length; i++) nodes[i].textContent = t(nodes[i].getAttribute('data-i18n'));
      ['placeholder', 'title', 'aria-label'].forEach(function (attr) {
        var els = root.querySelectorAll('[data-i18n-' + attr + ']');
        for (var j = 0; j < els.length; j++) els[j].setAttribute(attr, t(els[j].getAttribute('data-i18n-' + attr)));
      });
    }

    function set(next) {
      lang = next;
      try { localStorage.setItem(STORE, next); } catch (e) { /* blocked */ }
      apply(document);
      listeners.forEach(function (fn) { fn(lang); });
    }

    function bindToggle(button) {
      function label() {
        button.textContent = t('lang_other');
        button.setAttribute('aria-label', t('lang_other_label'));
        button.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN');
      }
      label();
      listeners.push(label);
      button.addEventListener('click', function () { set(lang === 'zh' ? 'en' : 'zh'); });
    }

    function time(iso) {
      if (!iso) return '';
      var d = new Date(iso);
      if (isNaN(d.getTime())) return iso;
      try {
        return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
          year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit'
        });
      } catch (e) { return d.toLocaleString(); }
    }

    return {
      t: t,
      apply: apply,
      set: set,
      bindToggle: bindToggle,
      time: time,
      lang: function () { return lang; },
      onChange: function (fn) { listeners.push(fn); }
    };
  }

  return { fill: fill, text: text, create: create };
})();
