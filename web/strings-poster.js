/* quizbooth: the printable poster's own strings, Chinese first, then English,
 * added to DRAW_STRINGS (strings-draw.js) so the public draw page, which
 * visitors open on their phones, need not download them.
 */
Object.assign(DRAW_STRINGS.zh, {
    poster_print: '打印',
    poster_back: '← 返回管理台',
    poster_hint: '打印时选 A4 纸、缩放“默认”。二维码宽约 12 厘米。',
    poster_cta: '扫码答题，答对 {p}% 即可参加抽奖',
    poster_cta_all: '扫码答题，全部答对即可参加抽奖',
    poster_cta_any: '扫码答题，答完即可参加抽奖',
    poster_type: '扫不了码？在手机浏览器里输入：',
    poster_rule: '每人 {n} 道题，限时 {m} 分钟。通过后登记姓名和手机号，领取抽奖码参加抽奖。开奖时由现场观众报数决定中奖者，结果公开，任何人都能用手机验证抽奖是否公平。',
    poster_no_set: '现在没有可用的题库，请先在管理台上传题库。',
    poster_source: '{name} 专属答题码',
    poster_no_source: '来源表里没有“{id}”：请在管理台的“来源”里检查编号。',
    poster_sources_token: '打印来源海报要先在管理台登录。',
    poster_no_sources: '来源表是空的：请先在管理台的“来源”里上传来源表。',
});

Object.assign(DRAW_STRINGS.en, {
    poster_print: 'Print',
    poster_back: '← Back to the console',
    poster_hint: 'Print on A4 at "Default" scale. The QR code is about 12 cm wide.',
    poster_cta: 'Scan to take the quiz: score {p}% to enter the prize draw',
    poster_cta_all: 'Scan to take the quiz: get every answer right to enter the prize draw',
    poster_cta_any: 'Scan to take the quiz and enter the prize draw',
    poster_type: 'Cannot scan? Type this into your phone\'s browser:',
    poster_rule: '{n} questions, {m} minutes. Pass, leave your name and phone number, and get an entry code for the draw. The winners follow from numbers called out by the audience, and anyone can check on a phone that the draw was fair.',
    poster_no_set: 'No question set is available: upload one in the console first.',
    poster_source: 'The quiz code of {name}',
    poster_no_source: 'No source "{id}" is listed: check the id under Sources in the console.',
    poster_sources_token: 'Sign in to the console first to print the sources\' posters.',
    poster_no_sources: 'The list of sources is empty: upload it under Sources in the console first.',
});
