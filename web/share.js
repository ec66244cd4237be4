/* quizbooth visitor page: the share card (SPEC §11), drawn for after.js (the bundle app.js
   loads after a result, so the first visit stays light). ES2017 only.

   ShareCard.draw({brand, title, label, score, note, line, call, qr}) → Promise of a PNG
   data: URL, which app.js shows in an <img>: WeChat's long-press menu (save the image,
   send it to a friend) works on images, not on a canvas. The card is drawn at 3 device
   pixels per CSS pixel (960 × 1500), sharp on any phone and after WeChat recompresses it.

   It draws only what it is given: after.js passes the set's title, the score, the campaign
   line and the same-origin QR of /?src=share, never a name, phone, code or receipt.

   Fonts: the canvas draws with the phone's own fonts (FONT, the stack app.css uses):
   WeChat on iOS has PingFang SC, on Android the system's CJK font (Noto Sans CJK, Source
   Han Sans or the maker's own). No web font is fetched: no third-party host, and no
   megabytes of CJK font over a booth's Wi-Fi. tests/browser/after_result.rs checks that
   Chinese draws as glyphs, not as boxes. */
var ShareCard = (function () {
  'use strict';
  const FONT = '-apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif';
  const W = 320, H = 500, SCALE = 3, PAD = 24;
  const NO_START = /^[，。、；：！？）》」』,.;:!?)]/;

  function image(src) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error('qr'));
      img.src = src;
    });
  }
  // The text in lines of at most `width` (CJK breaks anywhere but before closing
  // punctuation, other scripts between words), at most `max` lines, the last cut with "…".
  function wrap(x, text, width, max) {
    const tokens = String(text || '').match(/[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|\s+/g) || [];
    const lines = [];
    let cur = '';
    tokens.forEach((tok) => {
      const next = cur + tok;
      if (!cur || x.measureText(next.trim()).width <= width || NO_START.test(tok)) { cur = next; return; }
      lines.push(cur.trim());
      cur = /^\s+$/.test(tok) ? '' : tok;
    });
    if (cur.trim()) lines.push(cur.trim());
    if (lines.length <= max) return lines;
    const out = lines.slice(0, max);
    let last = out[max - 1];
    while (last && x.measureText(last + '…').width > width) last = last.slice(0, -1);
    out[max - 1] = last + '…';
    return out;
  }
  function text(x, lines, cx, y, lh) { lines.forEach((l, i) => x.fillText(l, cx, y + i * lh)); }
  function panel(x, left, top, w, h, r) {
    x.beginPath();
    x.moveTo(left + r, top);
    x.arcTo(left + w, top, left + w, top + h, r);
    x.arcTo(left + w, top + h, left, top + h, r);
    x.arcTo(left, top + h, left, top, r);
    x.arcTo(left, top, left + w, top, r);
    x.closePath();
    x.fill();
  }

  async function draw(c) {
    const qr = await image(c.qr);
    const canvas = document.createElement('canvas');
    canvas.width = W * SCALE;
    canvas.height = H * SCALE;
    const x = canvas.getContext('2d');
    x.scale(SCALE, SCALE);
    x.textBaseline = 'top';
    const font = (px, bold) => (bold ? 'bold ' : '') + px + 'px ' + FONT;

    const band = x.createLinearGradient(0, 0, W, 190);
    band.addColorStop(0, '#0b3a66');
    band.addColorStop(1, '#0a6a78');
    x.fillStyle = '#eef3f8';
    x.fillRect(0, 0, W, H);
    x.fillStyle = band;
    x.fillRect(0, 0, W, 190);
    x.fillStyle = 'rgba(255,255,255,.85)';
    x.font = font(14, true);
    x.textAlign = 'left';
    x.fillText(c.brand, PAD, 26);
    x.fillStyle = '#fff';
    x.font = font(25, true);
    const title = wrap(x, c.title, W - 2 * PAD, 3);
    text(x, title, PAD, 50 + (100 - title.length * 33) / 2, 33);

    x.shadowColor = 'rgba(11,58,102,.18)';
    x.shadowBlur = 8;
    x.fillStyle = '#fff';
    panel(x, 16, 160, W - 32, 324, 16);
    x.shadowColor = 'transparent';
    x.textAlign = 'center';
    x.fillStyle = '#4a5a6a';
    x.font = font(15);
    x.fillText(c.label, W / 2, 180);
    x.fillStyle = '#0b3a66';
    x.font = font(60, true);
    x.fillText(c.score, W / 2, 202);
    x.fillStyle = '#4a5a6a';
    x.font = font(15);
    x.fillText(c.note, W / 2, 272);
    x.fillStyle = '#0a6a78';
    x.font = font(16, true);
    text(x, wrap(x, c.line, W - 64, 2), W / 2, 304, 24);
    x.fillStyle = '#d5e0ea';
    x.fillRect(36, 358, W - 72, 1);

    // The QR's modules stay sharp: no smoothing when it is scaled.
    x.imageSmoothingEnabled = false;
    x.drawImage(qr, 36, 368, 108, 108);
    x.textAlign = 'left';
    x.fillStyle = '#0b3a66';
    x.font = font(16, true);
    const call = wrap(x, c.call, W - 36 - 160, 4);
    text(x, call, 160, 422 - call.length * 12, 24);
    return canvas.toDataURL('image/png');
  }

  return { draw: draw, FONT: FONT, width: W * SCALE, height: H * SCALE };
})();
