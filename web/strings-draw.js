/* quizbooth: UI strings of the draw pages (public draw page, projector view,
 * staff console), Chinese first, then English; and DrawI18n, the small
 * lookup those pages share.
 *
 * In HTML, an element with data-i18n="key" gets t(key) as its text;
 * data-i18n-placeholder / data-i18n-title / data-i18n-aria-label set those
 * attributes. {name} in a string is filled from t(key, {name: ...}).
 * A page that adds strings (say a later admin section) can
 * Object.assign(DRAW_STRINGS.zh, {...}) before DrawI18n.apply() runs.
 */
var DRAW_STRINGS = {
  zh: {
    lang_other: 'English',
    lang_other_label: 'Switch to English',
    brand: '网络安全宣传周 · 有奖答题',
    loading: '加载中…',
    retry: '重试',
    load_error: '加载失败：{message}',
    network_error: '无法连接服务器，请检查网络后重试。',
    not_found: '找不到这场抽奖。',
    none_yet: '暂无',
    more_draws: '更早的抽奖',

    // public draw page
    draw_title: '抽奖公示',
    draw_no: '第 {id} 场抽奖',
    round: '轮次',
    status: '状态',
    status_committed: '已封存 · 待开奖',
    status_revealed: '已开奖',
    entry_count: '参与的抽奖码',
    entry_count_n: '{n} 个',
    winners_wanted: '中奖名额',
    winners_wanted_n: '{n} 名',
    committed_at: '封存时间',
    revealed_at: '开奖时间',
    winners_title: '中奖名单',
    winners_pending: '尚未开奖。开奖后中奖名单会显示在这里（本页每 20 秒自动刷新）。',
    winners_none: '奖池为空，没有中奖者。',
    just_revealed: '刚刚开奖了！',
    winner_verified: '已验证',
    check_title: '验证这场抽奖',
    digest_label: '参与名单摘要（SHA-256）',
    seed_label: '公开种子',
    seed_pending: '开奖时由现场观众报出，目前尚未公布',
    entries_link: '查看参与名单 entries.txt（{n} 个抽奖码）',
    verify_btn: '在本机验证',
    verify_hint: '你的手机会自己下载名单、计算摘要，并按公开种子重新抽一遍，不依赖服务器的说法。',
    verify_running: '正在验证…',
    verify_match: '全部一致 ✓',
    verify_match_committed: '名单与公示摘要一致 ✓',
    verify_mismatch: '验证未通过 ✗',
    verify_error: '无法完成验证',
    chk_digest_ok: '名单文件的 SHA-256 与公示摘要一致',
    chk_digest_bad: '摘要不一致（digest mismatch）：下载到的名单不是封存时的那一份',
    chk_count_ok: '名单共 {n} 个抽奖码，与公示人数一致',
    chk_count_bad: '人数不一致：名单里有 {n} 个抽奖码，公示为 {m} 个',
    chk_sorted_bad: '名单格式不对：没有按规定排序，或有重复的抽奖码',
    chk_winners_ok: '按公开种子重新算出的中奖码与公布的完全一致',
    chk_winners_bad: '中奖结果不一致（winners differ）',
    chk_winners_pending: '尚未开奖：公开种子公布后，可以再验证中奖结果',
    chk_seed_bad: '公开种子里有不可见或形近的字符：它不是本系统会接受的种子，这场抽奖不可信',
    chk_digits_bad: '公开种子不是封存时定下的 {n} 位数字：这场抽奖不可信',
    seed_digits_label: '开奖号码位数',
    seed_digits_n: '{n} 位数字（封存时定下，开奖时只能输入正好这么多位）',
    seed_digits_free: '1 至 64 位数字',
    winner_claimed: '已领取',
    winner_open: '未领取',
    winner_open_by: '未领取 · {t} 前可领',
    winner_expired: '逾期未领',
    winner_expired_redrawn: '逾期未领（名额已补抽）',
    winner_redraw_link: '看第 {id} 场补抽',
    code_won_elsewhere: '这个抽奖码在本轮另一场抽奖中中奖了：{prize}。',
    code_won_elsewhere_state: '这个抽奖码在本轮另一场抽奖中中奖了：{prize}（{state}）。',
    redraw_of: '本场为第 {id} 场的补抽',
    redrawn_by: '本场未领取的名额已在第 {id} 场补抽',
    claim_by_line: '领奖截止：{t}',
    seed_bytes: '共 {n} 个字符；计算时用的字节（十六进制）：{hex}',
    computed_digest: '本机算出的摘要',
    computed_winners: '本机算出的中奖码',
    listed_winners: '公布的中奖码',
    verify_unsupported: '这个浏览器太旧，无法在本机验证（缺少 BigInt）。请换用较新的浏览器，或在电脑上运行 quizbooth draw-verify。',
    verify_fetch_error: '下载名单失败（{message}），请稍后重试。',
    code_title: '查我的抽奖码',
    code_label: '抽奖码（8 位，如 7KQ2-M9XD）',
    code_btn: '查询',
    code_invalid: '抽奖码是 8 位字母和数字，例如 7KQ2-M9XD。',
    code_won: '恭喜！{code} 中奖了：{prize}。请按现场工作人员的指引领奖。',
    code_won_by: '恭喜！{code} 中奖了：{prize}。请在 {t} 前凭领奖凭证到展台领奖。',
    code_won_claimed: '{code} 中奖了：{prize}，奖品已领取。',
    code_won_expired: '{code} 中奖了：{prize}，但没有在领奖截止时间（{t}）前领取，已不能领奖。',
    code_won_expired_redrawn: '{code} 中奖了：{prize}，但没有在领奖截止时间（{t}）前领取，已不能领奖；名额已在第 {id} 场补抽。',
    code_pending: '{code} 在本场抽奖名单中，等待开奖。',
    code_not_won: '{code} 在本场抽奖名单中，这次没有中奖。',
    code_absent: '{code} 不在本场抽奖名单中。',
    code_absent_hint: '只有答题通过并登记的抽奖码参加它所在轮次的抽奖；在同一轮较早的抽奖中已中奖的码，不再参加后面的抽奖。',
    how_title: '这场抽奖怎样保证公平',
    how_1: '封存：开奖前，把所有参与的抽奖码排好序列成名单 entries.txt，并公布它的 SHA-256 摘要。之后名单改动哪怕一个字符，摘要都会完全不同。',
    how_2: '公开种子：开奖时，由现场观众报出一串数字（或用当期彩票号码）作为公开种子，封存时谁也不可能预先知道。种子只算数字，位数在封存时就定下了，同一串号码怎么输入都是同一个种子。',
    how_3: '人人可重算：中奖码只由“名单 + 摘要 + 公开种子”经 SHA-256 算出。点“在本机验证”，你的手机就会自己重算一遍。',
    how_cli: '在电脑上重算',
    how_cli_text: '用 quizbooth 自带的命令，或按下面的规则用任何编程语言重算：',
    how_rule: 'seed = SHA-256(摘要 + ":" + 公开种子)；第 j 个随机数 = SHA-256(seed ‖ j 的 8 字节大端) 的前 8 字节（大端）；每抽一人：m = 剩余人数，舍弃不小于 2^64 − (2^64 mod m) 的数，下标 = 随机数 mod m，从名单中取出该码。',
    draws_list_title: '全部抽奖',
    draws_none: '还没有抽奖。工作人员封存一场抽奖后，它就会列在这里：开奖前可以先看参与名单的摘要，开奖后看中奖名单。',
    list_claim_by: '领奖截止 {t}',
    list_claim_closed: '领奖已截止',
    list_redrawn: '未领的名额已在第 {id} 场补抽',
    list_redraw_of: '第 {id} 场的补抽',

    // projector view
    show_title: '现场开奖',
    show_entries: '{n} 个抽奖码参与',
    show_winners_wanted: '抽取 {n} 名',
    show_digest: '参与名单摘要 SHA-256 · 请拍照留存',
    show_url: '用手机打开，自己验证',
    show_how: '参与名单和它的摘要从现在起已经公开、不能再改；开奖用的数字由现场观众报出，谁也无法预先知道。开奖后，任何人都能用手机重算一遍中奖结果。',
    seed_input_label: '现场观众报出的数字',
    seed_input_label_n: '现场观众报出的 {n} 位数字',
    seed_input_hint: '按报出的顺序输入数字，例如 0 7 2 1 3 3',
    seed_rule: '只算数字 0-9；空格和 , . - + / : ; 会被去掉，其他字符一律不收。',
    seed_count: '已输入 {m} / {n} 位',
    seed_count_free: '已输入 {m} 位（1 至 64 位）',
    seed_count_wrong: '这场抽奖封存时定为正好 {n} 位数字，现在是 {m} 位。',
    seed_too_long: '最多 64 位数字，现在是 {m} 位。',
    show_seed_digits: '开奖号码 {n} 位',
    reveal_claim_closed: '这场抽奖的领奖截止时间已过，不能再开奖（开奖后中奖者将无法领奖）。请重新封存一场领奖截止更晚的抽奖。',
    reveal_btn: '开奖',
    confirm_reveal: '用这个公开种子开奖？开奖后不能更改。',
    confirm_yes: '确认开奖',
    confirm_no: '返回修改',
    seed_empty: '请先输入现场观众报出的数字。',
    seed_invalid: '公开种子只能是数字 0-9。第 {position} 个字符不是（字母、全角数字、不可见字符都不行），请删掉后重新输入。',
    seed_preview: '将要计算的公开种子（只保留数字）：',
    revealing: '正在开奖…',
    winner_n: '第 {n} 位中奖者',
    skip: '跳过动画',
    fullscreen: '全屏',
    show_seed: '公开种子',
    show_digest_short: '摘要',
    show_scan: '扫码查看公示，自己验证',
    show_claim: '领奖：凭领奖凭证到展台，截止 {t}',
    show_claim_free: '领奖：凭领奖凭证到展台',
    show_claim_closed: '领奖已于 {t} 截止',

    // staff sign-in (projector view and console)
    login_title: '工作人员登录',
    token_label: '管理令牌（服务启动时会打印出来）',
    login_btn: '登录',
    token_empty: '请输入管理令牌。',
    token_bad: '令牌不正确，或已失效（401）。',
    poster_print: '打印',
    poster_back: '← 返回管理台',
    poster_hint: '打印时选 A4 纸、缩放“默认”。二维码宽约 12 厘米。',
    poster_cta: '扫码答题，答对 {p}% 即可参加抽奖',
    poster_cta_all: '扫码答题，全部答对即可参加抽奖',
    poster_cta_any: '扫码答题，答完即可参加抽奖',
    poster_type: '扫不了码？在手机浏览器里输入：',
    poster_rule: '每人 {n} 道题，限时 {m} 分钟。通过后登记姓名和手机号，领取抽奖码参加抽奖。开奖时由现场观众报数决定中奖者，结果公开，任何人都能用手机验证抽奖是否公平。',
    poster_no_set: '现在没有可用的题库，请先在管理台上传题库。',

    err_generic: '出错了（{status}）：{message}',
  },

  en: {
    lang_other: '中文',
    lang_other_label: '切换到中文',
    brand: 'Cybersecurity Week · Prize quiz',
    loading: 'Loading…',
    retry: 'Retry',
    load_error: 'Could not load: {message}',
    network_error: 'Cannot reach the server. Check the connection and try again.',
    not_found: 'There is no such draw.',
    none_yet: 'None yet',
    more_draws: 'Earlier draws',

    draw_title: 'Prize draw',
    draw_no: 'Draw {id}',
    round: 'Round',
    status: 'Status',
    status_committed: 'Committed · awaiting reveal',
    status_revealed: 'Revealed',
    entry_count: 'Entry codes',
    entry_count_n: '{n}',
    winners_wanted: 'Winners',
    winners_wanted_n: '{n}',
    committed_at: 'Committed',
    revealed_at: 'Revealed',
    winners_title: 'Winners',
    winners_pending: 'Not revealed yet. The winners will appear here (this page refreshes every 20 seconds).',
    winners_none: 'The pool was empty: no winners.',
    just_revealed: 'The draw has just been revealed!',
    winner_verified: 'verified',
    check_title: 'Check this draw',
    digest_label: 'Entry list digest (SHA-256)',
    seed_label: 'Public seed',
    seed_pending: 'called out by the audience at the reveal; not public yet',
    entries_link: 'The entry list: entries.txt ({n} codes)',
    verify_btn: 'Verify in this browser',
    verify_hint: 'Your phone downloads the list, computes its digest and re-runs the draw with the public seed: no need to trust the server.',
    verify_running: 'Verifying…',
    verify_match: 'Everything matches ✓',
    verify_match_committed: 'The list matches the published digest ✓',
    verify_mismatch: 'Verification failed ✗',
    verify_error: 'Could not verify',
    chk_digest_ok: 'The SHA-256 of entries.txt equals the published digest',
    chk_digest_bad: 'Digest mismatch: the downloaded list is not the one committed',
    chk_count_ok: 'The list has {n} entry codes, as published',
    chk_count_bad: 'Count differs: the list has {n} entry codes, {m} were published',
    chk_sorted_bad: 'Bad list format: not in the required order, or a code appears twice',
    chk_winners_ok: 'The winners recomputed from the public seed are exactly the ones listed',
    chk_winners_bad: 'Winners differ',
    chk_winners_pending: 'Not revealed yet: once the public seed is out, check the winners too',
    chk_seed_bad: 'The public seed holds invisible or look-alike characters: no seed this service accepts does, so this draw cannot be trusted',
    chk_digits_bad: 'The public seed is not the {n} digits fixed when the draw was committed: this draw cannot be trusted',
    seed_digits_label: 'Seed digits',
    seed_digits_n: '{n} digits (fixed at commit: the reveal takes exactly that many)',
    seed_digits_free: '1 to 64 digits',
    winner_claimed: 'claimed',
    winner_open: 'not claimed yet',
    winner_open_by: 'not claimed yet · claim by {t}',
    winner_expired: 'unclaimed by the deadline',
    winner_expired_redrawn: 'unclaimed by the deadline (place re-drawn)',
    winner_redraw_link: 'see re-draw {id}',
    code_won_elsewhere: 'This code won another draw of the round: {prize}.',
    code_won_elsewhere_state: 'This code won another draw of the round: {prize} ({state}).',
    redraw_of: 'a re-draw of draw {id}',
    redrawn_by: 'places left unclaimed were re-drawn in draw {id}',
    claim_by_line: 'claim by {t}',
    seed_bytes: '{n} characters; the bytes hashed (hex): {hex}',
    computed_digest: 'Digest computed here',
    computed_winners: 'Winners computed here',
    listed_winners: 'Winners listed',
    verify_unsupported: 'This browser is too old to verify (no BigInt). Use a newer browser, or run quizbooth draw-verify on a computer.',
    verify_fetch_error: 'Could not download the list ({message}). Try again later.',
    code_title: 'Check my entry code',
    code_label: 'Entry code (8 characters, e.g. 7KQ2-M9XD)',
    code_btn: 'Check',
    code_invalid: 'An entry code has 8 letters and digits, e.g. 7KQ2-M9XD.',
    code_won: 'Congratulations! {code} won: {prize}. Staff at the booth will tell you how to collect it.',
    code_won_by: 'Congratulations! {code} won: {prize}. Bring your claim receipt to the booth by {t}.',
    code_won_claimed: '{code} won: {prize}. The prize has been collected.',
    code_won_expired: '{code} won: {prize}, but it was not collected by the claim deadline ({t}) and can no longer be claimed.',
    code_won_expired_redrawn: '{code} won: {prize}, but it was not collected by the claim deadline ({t}) and can no longer be claimed; the place was re-drawn in draw {id}.',
    code_pending: '{code} is in this draw, waiting for the reveal.',
    code_not_won: '{code} is in this draw; it did not win this time.',
    code_absent: '{code} is not in this draw.',
    code_absent_hint: 'A code enters the draws of the round in which its quiz was passed; a code that won an earlier draw of a round is not in that round\'s later draws.',
    how_title: 'How this draw is kept fair',
    how_1: 'Commit: before the reveal, every entry code goes, sorted, into a list (entries.txt) whose SHA-256 digest is published. Change a single character of the list and the digest is completely different.',
    how_2: 'Public seed: at the reveal, the audience calls out numbers (or a lottery result is used) as the public seed, which nobody could know at commit time. Only the digits count and their number is fixed at commit, so however the numbers are typed they make one seed.',
    how_3: 'Anyone can recompute: the winners follow from the list, its digest and the public seed through SHA-256 alone. Tap "Verify in this browser" and your phone does it.',
    how_cli: 'Recompute on a computer',
    how_cli_text: 'With quizbooth\'s own command, or in any language, following the rule below:',
    how_rule: 'seed = SHA-256(digest + ":" + public seed); number j = first 8 bytes (big-endian) of SHA-256(seed ‖ j as 8 bytes big-endian); for each winner: m = codes left, skip numbers ≥ 2^64 − (2^64 mod m), index = number mod m, take that code out of the list.',
    draws_list_title: 'All draws',
    draws_none: 'No draws yet. Once staff commit a draw it is listed here: before the reveal with the digest of its entry list, afterwards with its winners.',
    list_claim_by: 'claim by {t}',
    list_claim_closed: 'claiming closed',
    list_redrawn: 'places left unclaimed re-drawn in draw {id}',
    list_redraw_of: 're-draw of draw {id}',

    show_title: 'Live draw',
    show_entries: '{n} entry codes',
    show_winners_wanted: '{n} winners',
    show_digest: 'Entry list digest (SHA-256) · take a photo',
    show_url: 'Check it yourself on your phone',
    show_how: 'The entry list and its digest are public from now on and cannot change; the numbers for the draw are called out by the audience, so nobody could know them in advance. Afterwards anyone can recompute the winners on a phone.',
    seed_input_label: 'Numbers called out by the audience',
    seed_input_label_n: 'The {n} digits called out by the audience',
    seed_input_hint: 'Type the digits in the order called, e.g. 0 7 2 1 3 3',
    seed_rule: 'Only the digits 0-9 count; spaces and , . - + / : ; are dropped, anything else is refused.',
    seed_count: '{m} of {n} digits',
    seed_count_free: '{m} digits (1 to 64)',
    seed_count_wrong: 'This draw was committed for exactly {n} digits; {m} are typed.',
    seed_too_long: 'At most 64 digits; {m} are typed.',
    show_seed_digits: 'a {n}-digit seed',
    reveal_claim_closed: 'The claim deadline of this draw has passed: it can no longer be revealed (its winners could not claim). Commit a new draw with a later deadline.',
    reveal_btn: 'Reveal',
    confirm_reveal: 'Reveal with this public seed? It cannot be changed afterwards.',
    confirm_yes: 'Reveal now',
    confirm_no: 'Edit',
    seed_empty: 'Type the numbers called out by the audience first.',
    seed_invalid: 'A public seed is the digits 0-9 only. Character {position} is not one (no letters, full-width digits or invisible characters): delete it and type again.',
    seed_preview: 'The public seed that will be hashed (the digits alone):',
    revealing: 'Revealing…',
    winner_n: 'Winner {n}',
    skip: 'Skip animation',
    fullscreen: 'Full screen',
    show_seed: 'Public seed',
    show_digest_short: 'Digest',
    show_scan: 'Scan for the public page and check it yourself',
    show_claim: 'To claim: bring your claim receipt to the booth by {t}',
    show_claim_free: 'To claim: bring your claim receipt to the booth',
    show_claim_closed: 'Claiming closed at {t}',

    login_title: 'Staff sign-in',
    token_label: 'Admin token (printed when the service starts)',
    login_btn: 'Sign in',
    token_empty: 'Enter the admin token.',
    token_bad: 'Wrong or expired token (401).',
    poster_print: 'Print',
    poster_back: '← Back to the console',
    poster_hint: 'Print on A4 at "Default" scale. The QR code is about 12 cm wide.',
    poster_cta: 'Scan to take the quiz: score {p}% to enter the prize draw',
    poster_cta_all: 'Scan to take the quiz: get every answer right to enter the prize draw',
    poster_cta_any: 'Scan to take the quiz and enter the prize draw',
    poster_type: 'Cannot scan? Type this into your phone\'s browser:',
    poster_rule: '{n} questions, {m} minutes. Pass, leave your name and phone number, and get an entry code for the draw. The winners follow from numbers called out by the audience, and anyone can check on a phone that the draw was fair.',
    poster_no_set: 'No question set is available: upload one in the console first.',

    err_generic: 'Error ({status}): {message}',
  }
};

var DrawI18n = (function () {
  'use strict';
  var STORE = 'quizbooth.lang';
  var listeners = [];

  /** ?lang= in the URL, else the visitor's earlier choice, else navigator.languages, else zh. */
  function initial() {
    var m = /[?&]lang=(zh|en)\b/.exec(location.search);
    if (m) return m[1];
    try {
      var saved = localStorage.getItem(STORE);
      if (saved === 'zh' || saved === 'en') return saved;
    } catch (e) { /* storage blocked: fine */ }
    var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    for (var i = 0; i < langs.length; i++) {
      var l = String(langs[i]).toLowerCase();
      if (l.indexOf('zh') === 0) return 'zh';
      if (l.indexOf('en') === 0) return 'en';
    }
    return 'zh';
  }

  var lang = initial();

  function t(key, vars) {
    var s = DRAW_STRINGS[lang][key];
    if (s === undefined) s = DRAW_STRINGS.zh[key];
    if (s === undefined) return key;
    return vars ? s.replace(/\{(\w+)\}/g, function (all, name) {
      return vars[name] === undefined ? all : String(vars[name]);
    }) : s;
  }

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
    try { localStorage.setItem(STORE, next); } catch (e) { /* ignore */ }
    apply(document);
    listeners.forEach(function (fn) { fn(lang); });
  }

  /** Make `button` the language toggle: it names the other language. */
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

  /** A date-time in the reader's language and time zone; '' for null. */
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
})();
