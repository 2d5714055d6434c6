// English → Simplified Chinese from a small grammar: the same kind of sentences as eng-fra
// ("she is not happy ." → "她不高兴。", "we have a cat ." → "我们有一只猫。"). The English side is
// lower-case with the final punctuation as a separate token; the Chinese side is written without
// spaces and ends with "。" or "？"; the task reads it at character level.
//
// What the Chinese side gets right:
//   - adjectival predicates without 是: 很 + adjective in plain statements (她很高兴), 非常 "very",
//     真 "really", 太…了 "too", 有点 "a little" (with unwelcome states only: 有点累), 不 "not",
//     不太 "not very / not too";
//   - measure words between a number or 这/那 and the noun (一只猫, 两本书, 一辆车, 那个男孩, 那匹马),
//     两 rather than 二 before a measure word, 一些 "some" without one;
//   - 有 / 没有 for possession ("i don't have a cat" → 我没有猫, without number or measure word),
//     never 不有;
//   - questions with 吗 (你累吗？ 你有猫吗？), which keep the statement's word order;
//   - time and place words before the verb (他每天工作, 我们一起跳舞, 他在家工作), 在 + verb for the
//     progressive (她在喝茶), 会说 for speaking a language, and verb–object collocations that
//     differ by object (看电视, 听音乐, 踢足球, 打篮球, 弹钢琴);
//   - 的 after possessive pronouns (我的妈妈) and after two-syllable or colour adjectives before a
//     noun (一只可爱的狗, 一辆红色的车), none after single-syllable ones (一只小猫, 一辆新车).
// As in eng-fra, English decides the Chinese: "you" is 你 and "you all" 你们; "your" is 你的
// (你们的 after "you all"); "they", whose gender English does not say, is 他们 (the default; 她们
// is for a group known to be female).

import type { Pair, SplitSizes, Splits } from '../pair';
import type { Rng } from '../rng';
import { generateSplits, resolveSizes } from './generate';

type Kind = 'person' | 'animal' | 'thing' | 'abstract';

interface ZhNoun {
  en: string;
  enPl: string;
  zh: string;
  /** Measure word (classifier). */
  mw: string;
  kind: Kind;
  /** A kinship term: used with a possessive only ("my mother", not "the mothers"). */
  kin?: true;
  /** Takes no adjective in a noun phrase ("a beautiful newspaper" reads oddly). */
  plain?: true;
}

const z = (en: string, zh: string, mw: string, kind: Kind, enPl = `${en}s`): ZhNoun => ({ en, enPl, zh, mw, kind });

export const ZH_PEOPLE: readonly ZhNoun[] = [
  z('boy', '男孩', '个', 'person'),
  z('girl', '女孩', '个', 'person'),
  z('man', '男人', '个', 'person', 'men'),
  z('woman', '女人', '个', 'person', 'women'),
  { ...z('father', '爸爸', '个', 'person'), kin: true },
  { ...z('mother', '妈妈', '个', 'person'), kin: true },
  { ...z('brother', '哥哥', '个', 'person'), kin: true },
  { ...z('sister', '姐姐', '个', 'person'), kin: true },
  { ...z('son', '儿子', '个', 'person'), kin: true },
  { ...z('daughter', '女儿', '个', 'person'), kin: true },
  z('child', '孩子', '个', 'person', 'children'),
  z('teacher', '老师', '个', 'person'),
  z('doctor', '医生', '个', 'person'),
  z('student', '学生', '个', 'person'),
  z('friend', '朋友', '个', 'person'),
  { ...z('grandfather', '爷爷', '个', 'person'), kin: true },
  { ...z('grandmother', '奶奶', '个', 'person'), kin: true },
  { ...z('uncle', '叔叔', '个', 'person'), kin: true },
  { ...z('aunt', '阿姨', '个', 'person'), kin: true },
];

export const ZH_ANIMALS: readonly ZhNoun[] = [
  z('cat', '猫', '只', 'animal'),
  z('dog', '狗', '只', 'animal'),
  z('bird', '鸟', '只', 'animal'),
  z('rabbit', '兔子', '只', 'animal'),
  z('horse', '马', '匹', 'animal'),
  z('fish', '鱼', '条', 'animal', 'fish'),
  z('cow', '牛', '头', 'animal'),
  z('pig', '猪', '头', 'animal'),
  z('sheep', '羊', '只', 'animal', 'sheep'),
  z('duck', '鸭子', '只', 'animal'),
  z('bear', '熊', '只', 'animal'),
  z('tiger', '老虎', '只', 'animal'),
  z('panda', '熊猫', '只', 'animal'),
  z('monkey', '猴子', '只', 'animal'),
  z('elephant', '大象', '头', 'animal'),
];

export const ZH_THINGS: readonly ZhNoun[] = [
  z('book', '书', '本', 'thing'),
  z('pen', '笔', '支', 'thing'),
  z('car', '车', '辆', 'thing'),
  z('bike', '自行车', '辆', 'thing'),
  z('computer', '电脑', '台', 'thing'),
  z('house', '房子', '栋', 'thing'),
  z('key', '钥匙', '把', 'thing'),
  z('chair', '椅子', '把', 'thing'),
  z('umbrella', '伞', '把', 'thing'),
  z('table', '桌子', '张', 'thing'),
  { ...z('ticket', '票', '张', 'thing'), plain: true },
  z('bed', '床', '张', 'thing'),
  { ...z('photo', '照片', '张', 'thing'), plain: true },
  { ...z('map', '地图', '张', 'thing'), plain: true },
  z('phone', '手机', '部', 'thing'),
  z('watch', '手表', '块', 'thing', 'watches'),
  z('hat', '帽子', '顶', 'thing'),
  z('bag', '包', '个', 'thing'),
  z('dress', '裙子', '条', 'thing', 'dresses'),
  z('shirt', '衬衫', '件', 'thing'),
  z('coat', '外套', '件', 'thing'),
  { ...z('letter', '信', '封', 'thing'), plain: true },
  z('cup', '杯子', '个', 'thing'),
  z('ball', '球', '个', 'thing'),
  z('box', '盒子', '个', 'thing', 'boxes'),
  z('lamp', '灯', '盏', 'thing'),
  z('boat', '船', '条', 'thing'),
  { ...z('newspaper', '报纸', '份', 'thing'), plain: true },
  z('idea', '主意', '个', 'abstract'),
  z('question', '问题', '个', 'abstract'),
];

interface ZhAdjective {
  en: string;
  zh: string;
  /** Who or what it is said of, as a predicate. */
  of: readonly Kind[];
  /** Reads naturally with 有点 "a little" (unwelcome states). */
  aLittle: boolean;
}

const PA: readonly Kind[] = ['person', 'animal'];
const P: readonly Kind[] = ['person'];

export const ZH_ADJECTIVES: readonly ZhAdjective[] = [
  { en: 'happy', zh: '高兴', of: P, aLittle: false },
  { en: 'sad', zh: '难过', of: P, aLittle: true },
  { en: 'tired', zh: '累', of: PA, aLittle: true },
  { en: 'busy', zh: '忙', of: P, aLittle: true },
  { en: 'hungry', zh: '饿', of: PA, aLittle: true },
  { en: 'thirsty', zh: '渴', of: PA, aLittle: true },
  { en: 'cold', zh: '冷', of: PA, aLittle: true },
  { en: 'hot', zh: '热', of: PA, aLittle: true },
  { en: 'tall', zh: '高', of: P, aLittle: false },
  { en: 'short', zh: '矮', of: P, aLittle: true },
  { en: 'young', zh: '年轻', of: P, aLittle: false },
  { en: 'old', zh: '老', of: PA, aLittle: true },
  { en: 'fat', zh: '胖', of: PA, aLittle: true },
  { en: 'thin', zh: '瘦', of: PA, aLittle: true },
  { en: 'smart', zh: '聪明', of: PA, aLittle: false },
  { en: 'kind', zh: '善良', of: P, aLittle: false },
  { en: 'lazy', zh: '懒', of: PA, aLittle: true },
  { en: 'strong', zh: '强壮', of: PA, aLittle: false },
  { en: 'beautiful', zh: '漂亮', of: PA, aLittle: false },
  { en: 'cute', zh: '可爱', of: PA, aLittle: false },
  { en: 'nervous', zh: '紧张', of: PA, aLittle: true },
  { en: 'angry', zh: '生气', of: PA, aLittle: true },
  { en: 'serious', zh: '认真', of: P, aLittle: false },
  { en: 'honest', zh: '诚实', of: P, aLittle: false },
  { en: 'brave', zh: '勇敢', of: PA, aLittle: false },
  { en: 'shy', zh: '害羞', of: PA, aLittle: true },
  { en: 'careful', zh: '小心', of: P, aLittle: false },
  { en: 'friendly', zh: '友好', of: PA, aLittle: false },
  { en: 'healthy', zh: '健康', of: PA, aLittle: false },
  { en: 'bored', zh: '无聊', of: P, aLittle: true },
  { en: 'rich', zh: '富有', of: P, aLittle: false },
  { en: 'poor', zh: '穷', of: P, aLittle: true },
  { en: 'quiet', zh: '安静', of: PA, aLittle: false },
  { en: 'sleepy', zh: '困', of: PA, aLittle: true },
  { en: 'lonely', zh: '孤独', of: PA, aLittle: true },
  { en: 'big', zh: '大', of: ['animal'], aLittle: false },
  { en: 'small', zh: '小', of: ['animal'], aLittle: true },
  { en: 'fast', zh: '快', of: ['animal'], aLittle: false },
  { en: 'slow', zh: '慢', of: ['animal'], aLittle: true },
];

/** Adjectives inside a noun phrase: the form before the noun (with 的 where Chinese needs it). */
interface ZhAttributive {
  en: string;
  zh: string;
  of: readonly Kind[];
}

export const ZH_ATTRIBUTIVES: readonly ZhAttributive[] = [
  { en: 'small', zh: '小', of: ['animal', 'thing'] },
  { en: 'big', zh: '大', of: ['animal', 'thing'] },
  { en: 'new', zh: '新', of: ['thing'] },
  // "old" of a thing is 旧 (of a person 老)
  { en: 'old', zh: '旧', of: ['thing'] },
  { en: 'good', zh: '好', of: ['thing', 'abstract'] },
  { en: 'red', zh: '红色的', of: ['thing'] },
  { en: 'black', zh: '黑色的', of: ['animal', 'thing'] },
  { en: 'white', zh: '白色的', of: ['animal', 'thing'] },
  { en: 'blue', zh: '蓝色的', of: ['thing'] },
  { en: 'green', zh: '绿色的', of: ['thing'] },
  { en: 'beautiful', zh: '漂亮的', of: ['animal', 'thing'] },
  { en: 'cute', zh: '可爱的', of: ['animal'] },
  { en: 'expensive', zh: '很贵的', of: ['thing'] },
  { en: 'cheap', zh: '便宜的', of: ['thing'] },
];

const ZH_NUMBERS: readonly (readonly [string, string])[] = [
  ['two', '两'],
  ['three', '三'],
  ['four', '四'],
  ['five', '五'],
  ['six', '六'],
  ['seven', '七'],
  ['eight', '八'],
  ['nine', '九'],
  ['ten', '十'],
];

type ZhIntensifier = '' | 'very' | 'really' | 'too' | 'a little';

/** Foods and drinks: English form in a general statement (plural or mass), Chinese. */
export const ZH_FOODS: readonly (readonly [string, string, string])[] = [
  // [general statement, progressive object, Chinese]
  ['apples', 'an apple', '苹果'],
  ['bananas', 'a banana', '香蕉'],
  ['oranges', 'an orange', '橙子'],
  ['eggs', 'an egg', '鸡蛋'],
  ['cake', 'a cake', '蛋糕'],
  ['rice', 'rice', '米饭'],
  ['bread', 'bread', '面包'],
  ['meat', 'meat', '肉'],
  ['fish', 'fish', '鱼'],
  ['noodles', 'noodles', '面条'],
  ['chocolate', 'chocolate', '巧克力'],
  ['vegetables', 'vegetables', '蔬菜'],
  ['chicken', 'chicken', '鸡肉'],
  ['dumplings', 'dumplings', '饺子'],
];

export const ZH_DRINKS: readonly (readonly [string, string])[] = [
  ['water', '水'],
  ['tea', '茶'],
  ['coffee', '咖啡'],
  ['milk', '牛奶'],
  ['juice', '果汁'],
  ['beer', '啤酒'],
  ['wine', '葡萄酒'],
];

export const ZH_LANGUAGES: readonly (readonly [string, string])[] = [
  ['chinese', '中文'],
  ['english', '英语'],
  ['french', '法语'],
  ['german', '德语'],
  ['japanese', '日语'],
  ['spanish', '西班牙语'],
  ['russian', '俄语'],
  ['korean', '韩语'],
];

export const ZH_PLACES: readonly (readonly [string, string])[] = [
  ['beijing', '北京'],
  ['shanghai', '上海'],
  ['hong kong', '香港'],
  ['paris', '巴黎'],
  ['london', '伦敦'],
  ['tokyo', '东京'],
  ['new york', '纽约'],
  ['rome', '罗马'],
  ['berlin', '柏林'],
  ['moscow', '莫斯科'],
  ['china', '中国'],
  ['france', '法国'],
  ['japan', '日本'],
  ['england', '英国'],
  ['germany', '德国'],
  ['canada', '加拿大'],
  ['the united states', '美国'],
];

interface EnVerb {
  base: string;
  third: string;
  ing: string;
}
const v = (base: string, third = `${base}s`, ing = `${base}ing`): EnVerb => ({ base, third, ing });

/** A verb with its object fixed, or an intransitive verb: English verb + rest, Chinese verb phrase. */
interface ZhActivity {
  en: EnVerb;
  /** English words after the verb ("tv", "the piano"); empty for intransitive verbs. */
  enRest: string;
  zh: string;
}

const act = (en: EnVerb, enRest: string, zh: string): ZhActivity => ({ en, enRest, zh });

export const ZH_ACTIVITIES: readonly ZhActivity[] = [
  act(v('work'), '', '工作'),
  act(v('sing', 'sings', 'singing'), '', '唱歌'),
  act(v('dance', 'dances', 'dancing'), '', '跳舞'),
  act(v('swim', 'swims', 'swimming'), '', '游泳'),
  act(v('run', 'runs', 'running'), '', '跑步'),
  act(v('cook'), '', '做饭'),
  act(v('rest'), '', '休息'),
  act(v('sleep'), '', '睡觉'),
  act(v('travel', 'travels', 'traveling'), '', '旅行'),
  act(v('study', 'studies', 'studying'), '', '学习'),
  act(v('watch', 'watches', 'watching'), 'tv', '看电视'),
  act(v('read'), 'books', '看书'),
  act(v('read'), 'the newspaper', '看报纸'),
  act(v('listen', 'listens', 'listening'), 'to music', '听音乐'),
  act(v('play', 'plays', 'playing'), 'football', '踢足球'),
  act(v('play', 'plays', 'playing'), 'basketball', '打篮球'),
  act(v('play', 'plays', 'playing'), 'tennis', '打网球'),
  act(v('play', 'plays', 'playing'), 'the piano', '弹钢琴'),
  act(v('play', 'plays', 'playing'), 'the guitar', '弹吉他'),
  act(v('play', 'plays', 'playing'), 'chess', '下棋'),
  act(v('play', 'plays', 'playing'), 'games', '玩游戏'),
  act(v('write', 'writes', 'writing'), 'letters', '写信'),
];

type ZhAdverb = '' | 'every day' | 'today' | 'now' | 'often' | 'at home' | 'together';
const ZH_ADVERB: Record<Exclude<ZhAdverb, ''>, string> = {
  'every day': '每天',
  today: '今天',
  now: '现在',
  often: '经常',
  'at home': '在家',
  together: '一起',
};

// ---------------------------------------------------------------------------------------------
// Subjects

type PronounKey = 'i' | 'you' | 'he' | 'she' | 'we' | 'they';

interface ZhSubject {
  en: string;
  zh: string;
  /** English third person singular (is, has, does, -s). */
  third: boolean;
  /** English "am" / "are" / "is". */
  be: 'am' | 'are' | 'is';
  plural: boolean;
  kind: Kind;
}

const POSSESSIVES: readonly PronounKey[] = ['i', 'you', 'he', 'she', 'we', 'they'];
const EN_POSSESSIVE: Record<PronounKey, string> = { i: 'my', you: 'your', he: 'his', she: 'her', we: 'our', they: 'their' };

/** `plural`: "you all" (你们) rather than "you" (你). */
function zhPronoun(key: PronounKey, plural = false): string {
  switch (key) {
    case 'i':
      return '我';
    case 'you':
      return plural ? '你们' : '你';
    case 'he':
      return '他';
    case 'she':
      return '她';
    case 'we':
      return '我们';
    case 'they':
      return '他们';
  }
}

function sampleSubject(rng: Rng, kinds: readonly Kind[]): ZhSubject {
  if (rng.chance(0.6)) {
    const key = rng.weighted<PronounKey>([
      ['i', 3],
      ['you', 2],
      ['he', 2],
      ['she', 2],
      ['we', 1.5],
      ['they', 1.5],
    ]);
    const youAll = key === 'you' && rng.chance(0.3);
    const third = key === 'he' || key === 'she';
    return { en: youAll ? 'you all' : key, zh: zhPronoun(key, youAll), third, be: key === 'i' ? 'am' : third ? 'is' : 'are', plural: youAll || key === 'we' || key === 'they', kind: 'person' };
  }
  const pool = [...(kinds.includes('person') ? ZH_PEOPLE : []), ...(kinds.includes('animal') ? ZH_ANIMALS : [])];
  const noun = rng.pick(pool);
  if (noun.kin || rng.chance(0.5)) {
    // "my mother" → 我的妈妈 (singular only: Chinese rarely marks the plural here)
    const owner = rng.pick(POSSESSIVES);
    return { en: `${EN_POSSESSIVE[owner]} ${noun.en}`, zh: `${zhPronoun(owner)}的${noun.zh}`, third: true, be: 'is', plural: false, kind: noun.kind };
  }
  if (rng.chance(0.3)) {
    return { en: `the ${noun.enPl}`, zh: `那些${noun.zh}`, third: false, be: 'are', plural: true, kind: noun.kind };
  }
  return { en: `the ${noun.en}`, zh: `那${noun.mw}${noun.zh}`, third: true, be: 'is', plural: false, kind: noun.kind };
}

// ---------------------------------------------------------------------------------------------
// Sentences: each template draws its parts and renders both sides.

const end = (question: boolean) => ({ en: question ? ' ?' : ' .', zh: question ? '？' : '。' });

/** English "does not" / "doesn't" / "do not" / "don't". */
function enDoNot(rng: Rng, s: ZhSubject): string {
  const contracted = rng.chance(0.35);
  return s.third ? (contracted ? "doesn't" : 'does not') : contracted ? "don't" : 'do not';
}

function enBeNot(rng: Rng, s: ZhSubject): string {
  if (s.be === 'am') return rng.chance(0.3) ? "i'm not" : 'i am not';
  const contracted = rng.chance(0.35);
  if (!contracted) return `${s.en} ${s.be} not`;
  return `${s.en} ${s.be === 'is' ? "isn't" : "aren't"}`;
}

function sentenceBe(rng: Rng): Pair {
  const s = sampleSubject(rng, ['person', 'animal']);
  const adj = rng.pick(ZH_ADJECTIVES.filter((a) => a.of.includes(s.kind)));
  const r = rng.next();
  if (r < 0.15) {
    // question: 吗, no 很
    return { src: `${s.be} ${s.en} ${adj.en} ?`, tgt: `${s.zh}${adj.zh}吗？` };
  }
  const e = end(false);
  if (r < 0.45) {
    const notVery = rng.chance(0.35);
    const too = notVery && rng.chance(0.3);
    const en = `${enBeNot(rng, s)}${notVery ? (too ? ' too' : ' very') : ''} ${adj.en}`;
    return { src: en + e.en, tgt: `${s.zh}${notVery ? '不太' : '不'}${adj.zh}${e.zh}` };
  }
  const options: ZhIntensifier[] = ['', '', 'very', 'really', 'too', ...(adj.aLittle ? (['a little'] as const) : [])];
  const intens = rng.pick(options);
  const zh =
    intens === ''
      ? `很${adj.zh}`
      : intens === 'very'
        ? `非常${adj.zh}`
        : intens === 'really'
          ? `真${adj.zh}`
          : intens === 'too'
            ? `太${adj.zh}了`
            : `有点${adj.zh}`;
  const beForm = s.be === 'am' && rng.chance(0.3) ? "i'm" : `${s.en} ${s.be}`;
  return { src: `${beForm}${intens ? ` ${intens}` : ''} ${adj.en}${e.en}`, tgt: `${s.zh}${zh}${e.zh}` };
}

/** An object noun phrase for 有 / 想要 / 看见: "a small cat" → 一只小猫. */
function sampleCountedObject(rng: Rng, nouns: readonly ZhNoun[], allowSome: boolean) {
  const noun = rng.pick(nouns);
  const attributives = noun.plain ? [] : ZH_ATTRIBUTIVES.filter((a) => a.of.includes(noun.kind));
  const adj = attributives.length > 0 && rng.chance(0.3) ? rng.pick(attributives) : undefined;
  const enCore = (plural: boolean) => `${adj ? `${adj.en} ` : ''}${plural ? noun.enPl : noun.en}`;
  const zhCore = `${adj ? adj.zh : ''}${noun.zh}`;
  const r = rng.next();
  let counted: { en: string; zh: string };
  if (r < 0.6 || noun.kind === 'abstract') {
    const core = enCore(false);
    counted = { en: `${/^[aeiou]/.test(core) ? 'an' : 'a'} ${core}`, zh: `一${noun.mw}${zhCore}` };
  } else if (r < 0.75 && allowSome) {
    counted = { en: `some ${enCore(true)}`, zh: `一些${zhCore}` };
  } else {
    const [en, zh] = rng.pick(ZH_NUMBERS);
    counted = { en: `${en} ${enCore(true)}`, zh: `${zh}${noun.mw}${zhCore}` };
  }
  return {
    counted,
    /** Negative statements and questions: "any cats" / "a cat" → bare noun, no number or measure word. */
    bare: { en: (any: boolean) => (any && noun.kind !== 'abstract' && noun.kind !== 'person' ? `any ${enCore(true)}` : `${/^[aeiou]/.test(enCore(false)) ? 'an' : 'a'} ${enCore(false)}`), zh: zhCore },
  };
}

function sentenceHave(rng: Rng): Pair {
  const s = sampleSubject(rng, ['person']);
  const relatives = ZH_PEOPLE.filter((p) => ['brother', 'sister', 'son', 'daughter', 'child', 'friend'].includes(p.en));
  const obj = sampleCountedObject(rng, [...ZH_ANIMALS, ...ZH_THINGS, ...relatives], true);
  const r = rng.next();
  if (r < 0.15 && s.en !== 'i') {
    return { src: `${s.third ? 'does' : 'do'} ${s.en} have ${obj.bare.en(true)} ?`, tgt: `${s.zh}有${obj.bare.zh}吗？` };
  }
  if (r < 0.45) {
    return { src: `${s.en} ${enDoNot(rng, s)} have ${obj.bare.en(rng.chance(0.5))} .`, tgt: `${s.zh}没有${obj.bare.zh}。` };
  }
  return { src: `${s.en} ${s.third ? 'has' : 'have'} ${obj.counted.en} .`, tgt: `${s.zh}有${obj.counted.zh}。` };
}

function sentenceWant(rng: Rng): Pair {
  const s = sampleSubject(rng, ['person']);
  const toBuy = rng.chance(0.5);
  const obj = sampleCountedObject(rng, toBuy ? ZH_THINGS.filter((t) => t.kind === 'thing') : [...ZH_ANIMALS, ...ZH_THINGS.filter((t) => t.kind === 'thing')], false);
  const enVerb = toBuy ? 'to buy ' : '';
  const zhVerb = toBuy ? '想买' : '想要';
  const r = rng.next();
  if (r < 0.15 && s.en !== 'i') {
    return { src: `${s.third ? 'does' : 'do'} ${s.en} want ${enVerb}${obj.bare.en(false)} ?`, tgt: `${s.zh}${zhVerb}${obj.bare.zh}吗？` };
  }
  if (r < 0.45) {
    return { src: `${s.en} ${enDoNot(rng, s)} want ${enVerb}${obj.bare.en(false)} .`, tgt: `${s.zh}不${zhVerb}${obj.bare.zh}。` };
  }
  return { src: `${s.en} ${s.third ? 'wants' : 'want'} ${enVerb}${obj.counted.en} .`, tgt: `${s.zh}${zhVerb}${obj.counted.zh}。` };
}

function sentenceSee(rng: Rng): Pair {
  const s = sampleSubject(rng, ['person']);
  const obj = sampleCountedObject(rng, [...ZH_ANIMALS, ...ZH_THINGS.filter((t) => ['car', 'bike', 'boat', 'house', 'ball', 'lamp'].includes(t.en))], true);
  return { src: `${s.en} ${s.third ? 'sees' : 'see'} ${obj.counted.en} .`, tgt: `${s.zh}看见${obj.counted.zh}。` };
}

/** like / eat / drink / speak / study / live in: simple present, negation with 不, questions with 吗. */
function sentenceVerb(rng: Rng): Pair {
  const s = sampleSubject(rng, ['person']);
  const choice = rng.weighted<'like' | 'love' | 'eat' | 'drink' | 'speak' | 'study' | 'live'>([
    ['like', 3],
    ['love', 1],
    ['eat', 2],
    ['drink', 2],
    ['speak', 2],
    ['study', 1],
    ['live', 2],
  ]);
  let en: EnVerb;
  let enObj: string;
  let zhVerb: string;
  let zhObj: string;
  let canProgress = false;
  let progObj = '';
  switch (choice) {
    case 'like': {
      const pool: (readonly [string, string])[] = [
        ...ZH_ANIMALS.map((a) => [a.enPl, a.zh] as const),
        ...ZH_FOODS.map(([g, , zh]) => [g, zh] as const),
        ...ZH_DRINKS,
        ['books', '书'],
        ['music', '音乐'],
        ['flowers', '花'],
      ];
      [enObj, zhObj] = rng.pick(pool);
      en = v('like');
      zhVerb = '喜欢';
      break;
    }
    case 'love': {
      const p = rng.pick(ZH_PEOPLE.filter((x) => !['man', 'woman', 'boy', 'girl', 'student', 'doctor', 'teacher'].includes(x.en)));
      const owner = rng.pick(POSSESSIVES);
      enObj = `${EN_POSSESSIVE[owner]} ${p.en}`;
      // "you all love your mother" → 你们爱你们的妈妈
      zhObj = `${zhPronoun(owner, s.en === 'you all')}的${p.zh}`;
      en = v('love');
      zhVerb = '爱';
      break;
    }
    case 'eat': {
      const [general, one, zh] = rng.pick(ZH_FOODS);
      enObj = general;
      progObj = one;
      zhObj = zh;
      en = v('eat');
      zhVerb = '吃';
      canProgress = true;
      break;
    }
    case 'drink': {
      [enObj, zhObj] = rng.pick(ZH_DRINKS);
      progObj = enObj;
      en = v('drink');
      zhVerb = '喝';
      canProgress = true;
      break;
    }
    case 'speak':
      // speaking a language is an ability: 会说 / 不会说
      [enObj, zhObj] = rng.pick(ZH_LANGUAGES);
      en = v('speak');
      zhVerb = '会说';
      break;
    case 'study':
      [enObj, zhObj] = rng.pick(ZH_LANGUAGES);
      progObj = enObj;
      en = v('study', 'studies', 'studying');
      zhVerb = '学习';
      canProgress = true;
      break;
    case 'live': {
      const [place, zh] = rng.pick(ZH_PLACES);
      enObj = `in ${place}`;
      zhObj = zh;
      en = v('live');
      zhVerb = '住在';
      break;
    }
  }
  const r = rng.next();
  if (r < 0.15 && s.en !== 'i') {
    return { src: `${s.third ? 'does' : 'do'} ${s.en} ${en.base} ${enObj} ?`, tgt: `${s.zh}${zhVerb}${zhObj}吗？` };
  }
  if (r < 0.4 && choice !== 'love') {
    return { src: `${s.en} ${enDoNot(rng, s)} ${en.base} ${enObj} .`, tgt: `${s.zh}不${zhVerb}${zhObj}。` };
  }
  if (canProgress && r < 0.65) {
    const be = s.be === 'am' ? (rng.chance(0.3) ? "i'm" : 'i am') : `${s.en} ${s.be}`;
    return { src: `${be} ${en.ing} ${progObj} .`, tgt: `${s.zh}在${zhVerb}${zhObj}。` };
  }
  return { src: `${s.en} ${s.third ? en.third : en.base} ${enObj} .`, tgt: `${s.zh}${zhVerb}${zhObj}。` };
}

/** Activities with time / place adverbs, which go before the verb in Chinese. */
function sentenceActivity(rng: Rng): Pair {
  const s = sampleSubject(rng, ['person']);
  const a = rng.pick(ZH_ACTIVITIES);
  const adverbs: ZhAdverb[] = ['', '', 'every day', 'today', 'now', 'often', 'at home', ...(s.plural ? (['together'] as const) : [])];
  const adverb = rng.pick(adverbs);
  const rest = a.enRest ? ` ${a.enRest}` : '';
  const adv = adverb ? ` ${adverb}` : '';
  const zhAdv = adverb ? ZH_ADVERB[adverb] : '';
  const beForm = s.be === 'am' ? (rng.chance(0.3) ? "i'm" : 'i am') : `${s.en} ${s.be}`;
  // progressive: with "now" always, otherwise sometimes (not with every day / often / at home)
  const progressive = adverb === 'now' || ((adverb === '' || adverb === 'today' || adverb === 'together') && rng.chance(0.3));
  const negative = adverb !== 'every day' && adverb !== 'now' && !progressive && rng.chance(0.3);
  const question = !negative && !progressive && adverb !== 'often' && s.en !== 'i' && rng.chance(0.15);
  if (progressive) {
    // 我现在在工作 / 我们在一起跳舞 / 他今天在工作
    return { src: `${beForm} ${a.en.ing}${rest}${adv} .`, tgt: `${s.zh}${zhAdv}在${a.zh}。` };
  }
  if (question) {
    return { src: `${s.third ? 'does' : 'do'} ${s.en} ${a.en.base}${rest}${adv} ?`, tgt: `${s.zh}${zhAdv}${a.zh}吗？` };
  }
  if (negative) {
    // time words stay before 不 (他今天不工作); 在家 / 一起 / 经常 follow it (他不在家工作)
    const zh = adverb === 'today' ? `${zhAdv}不${a.zh}` : `不${zhAdv}${a.zh}`;
    return { src: `${s.en} ${enDoNot(rng, s)} ${a.en.base}${rest}${adv} .`, tgt: `${s.zh}${zh}。` };
  }
  if (adverb === 'often') {
    return { src: `${s.en} often ${s.third ? a.en.third : a.en.base}${rest} .`, tgt: `${s.zh}${zhAdv}${a.zh}。` };
  }
  return { src: `${s.en} ${s.third ? a.en.third : a.en.base}${rest}${adv} .`, tgt: `${s.zh}${zhAdv}${a.zh}。` };
}

export function sampleEngZhPair(rng: Rng): Pair {
  const template = rng.weighted<(r: Rng) => Pair>([
    [sentenceBe, 35],
    [sentenceHave, 15],
    [sentenceWant, 8],
    [sentenceSee, 4],
    [sentenceVerb, 20],
    [sentenceActivity, 18],
  ]);
  return template(rng);
}

export const ENG_ZH_DEFAULT_SIZES: SplitSizes = { train: 8000, valid: 500, test: 500 };

export function generateEngZh(seed: number, sizes?: Partial<SplitSizes>): Splits {
  return generateSplits('eng-zh', seed, resolveSizes('eng-zh', ENG_ZH_DEFAULT_SIZES, sizes), sampleEngZhPair);
}
