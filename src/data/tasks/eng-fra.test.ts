import { describe, it, expect } from 'vitest';
import {
  ADJECTIVES,
  ANIMALS,
  AVOIR_EXPRESSIONS,
  CONJUGATIONS,
  DRINKS,
  FOODS,
  GAMES,
  INTRANSITIVE_VERBS,
  MASS_FOODS,
  PEOPLE,
  PLACES,
  THINGS,
  TRANSITIVE_VERBS,
  frenchJoin,
  generateEngFra,
  renderEnglish,
  renderFrench,
  type Clause,
  type NounPhrase,
  type Subject,
} from './eng-fra';

const noun = (en: string) => [...PEOPLE, ...ANIMALS, ...THINGS, ...FOODS, ...MASS_FOODS, ...DRINKS].find((x) => x.en === en)!;
const adj = (en: string) => ADJECTIVES.find((a) => a.en === en)!;
const tverb = (fr: string, pattern?: string) => TRANSITIVE_VERBS.find((v) => v.fr === fr && (pattern === undefined || v.pattern === pattern))!;
const iverb = (fr: string) => INTRANSITIVE_VERBS.find((v) => v.fr === fr)!;
const pron = (key: 'i' | 'you' | 'he' | 'she' | 'we' | 'they', gender: 'm' | 'f' = 'm', plural = false): Subject => ({ type: 'pronoun', key, gender, plural });
const the = (en: string, plural = false): Subject => ({ type: 'noun', noun: noun(en), plural, det: 'the' });
const base = { negative: false, question: false, contraction: 'none' as const };
const neg = { ...base, negative: true };
const both = (c: Clause) => [renderEnglish(c), renderFrench(c)];

describe('eng-fra: être + adjective, agreement', () => {
  it('she is not very happy', () => {
    expect(both({ ...neg, kind: 'be', subject: pron('she'), intensifier: 'very', adjective: adj('happy') })).toEqual([
      'she is not very happy .',
      "elle n'est pas très heureuse .",
    ]);
  });

  it('agrees with the gender and number of the subject', () => {
    const happy = (subject: Subject) => renderFrench({ ...base, kind: 'be', subject, intensifier: '', adjective: adj('happy') });
    expect(happy(pron('i'))).toBe('je suis heureux .');
    expect(happy(pron('you'))).toBe('tu es heureux .');
    expect(happy(pron('we'))).toBe('nous sommes heureux .');
    expect(happy(pron('they'))).toBe('ils sont heureux .');
    // plural "you": "you all" for a group (masculine, as French has it), "you girls" says feminine
    const bothHappy = (subject: Subject) => both({ ...base, kind: 'be', subject, intensifier: '', adjective: adj('happy') });
    expect(bothHappy(pron('you', 'm', true))).toEqual(['you all are happy .', 'vous êtes heureux .']);
    expect(bothHappy(pron('you', 'f', true))).toEqual(['you girls are happy .', 'vous êtes heureuses .']);
    const beautiful = (subject: Subject) => renderFrench({ ...base, kind: 'be', subject, intensifier: '', adjective: adj('beautiful') });
    expect(beautiful(pron('he'))).toBe('il est beau .');
    expect(beautiful(pron('she', 'f'))).toBe('elle est belle .');
    expect(beautiful(pron('they'))).toBe('ils sont beaux .');
    expect(beautiful(the('girl', true))).toBe('les filles sont belles .');
    expect(renderFrench({ ...base, kind: 'be', subject: the('woman', true), intensifier: 'too', adjective: adj('proud') })).toBe('les femmes sont trop fières .');
    expect(renderFrench({ ...base, kind: 'be', subject: the('man'), intensifier: '', adjective: adj('old') })).toBe("l'homme est vieux .");
  });

  it('contractions in English, elision in French', () => {
    expect(both({ ...neg, contraction: 'not', kind: 'be', subject: pron('he'), intensifier: '', adjective: adj('ready') })).toEqual(["he isn't ready .", "il n'est pas prêt ."]);
    expect(both({ ...neg, contraction: 'pronoun', kind: 'be', subject: pron('they'), intensifier: '', adjective: adj('tired') })).toEqual([
      "they're not tired .",
      'ils ne sont pas fatigués .',
    ]);
    expect(both({ ...neg, contraction: 'not', kind: 'be', subject: pron('i'), intensifier: '', adjective: adj('late') })).toEqual(["i'm not late .", 'je ne suis pas en retard .']);
    // only a one-word pronoun contracts with be
    expect(both({ ...neg, contraction: 'pronoun', kind: 'be', subject: pron('you', 'f', true), intensifier: '', adjective: adj('tired') })).toEqual([
      "you girls aren't tired .",
      "vous n'êtes pas fatiguées .",
    ]);
    expect(both({ ...base, contraction: 'pronoun', kind: 'be', subject: pron('you', 'm', true), intensifier: '', adjective: adj('tired') })).toEqual([
      'you all are tired .',
      'vous êtes fatigués .',
    ]);
  });

  it('questions with est-ce que', () => {
    expect(both({ ...base, question: true, kind: 'be', subject: pron('she'), intensifier: '', adjective: adj('tired') })).toEqual([
      'is she tired ?',
      "est-ce qu'elle est fatiguée ?",
    ]);
    expect(both({ ...base, question: true, kind: 'be', subject: pron('i', 'f'), intensifier: 'too', adjective: adj('serious') })).toEqual([
      'am i too serious ?',
      'est-ce que je suis trop sérieuse ?',
    ]);
  });
});

describe('eng-fra: avoir', () => {
  it('avoir expressions: i am hungry → j\'ai faim', () => {
    const hungry = AVOIR_EXPRESSIONS.find((e) => e.en === 'hungry')!;
    expect(both({ ...base, kind: 'avoir-expression', subject: pron('i'), intensifier: '', expression: hungry })).toEqual(['i am hungry .', "j'ai faim ."]);
    expect(both({ ...neg, kind: 'avoir-expression', subject: the('dog', true), intensifier: 'very', expression: hungry })).toEqual([
      'the dogs are not very hungry .',
      "les chiens n'ont pas très faim .",
    ]);
  });

  it('have: un/une, de after a negation, numbers, possessions with adjectives', () => {
    const have = tverb('avoir', 'indefinite');
    const obj = (np: NounPhrase): Clause => ({ ...base, kind: 'transitive', subject: pron('i'), verb: have, object: np, progressive: false });
    expect(both(obj({ noun: noun('cat'), plural: false, det: 'a' }))).toEqual(['i have a cat .', "j'ai un chat ."]);
    expect(both({ ...obj({ noun: noun('cat'), plural: false, det: 'a' }), negative: true, contraction: 'not' })).toEqual(["i don't have a cat .", "je n'ai pas de chat ."]);
    expect(both({ ...obj({ noun: noun('computer'), plural: true, det: 'some' }), negative: true })).toEqual([
      'i do not have any computers .',
      "je n'ai pas d'ordinateurs .",
    ]);
    expect(renderFrench(obj({ noun: noun('computer'), plural: false, det: 'a', adjective: adj('old') }))).toBe("j'ai un vieil ordinateur .");
    expect(renderFrench(obj({ noun: noun('computer'), plural: false, det: 'a', adjective: adj('new') }))).toBe("j'ai un nouvel ordinateur .");
    expect(renderFrench(obj({ noun: noun('bird'), plural: false, det: 'a', adjective: adj('beautiful') }))).toBe("j'ai un bel oiseau .");
    expect(renderFrench(obj({ noun: noun('car'), plural: false, det: 'a', adjective: adj('small') }))).toBe("j'ai une petite voiture .");
    expect(renderFrench(obj({ noun: noun('car'), plural: false, det: 'a', adjective: adj('red') }))).toBe("j'ai une voiture rouge .");
    expect(both(obj({ noun: noun('house'), plural: true, det: 'some', adjective: adj('beautiful') }))).toEqual([
      'i have some beautiful houses .',
      "j'ai de belles maisons .",
    ]);
    expect(both(obj({ noun: noun('horse'), plural: true, det: 'number', number: ['two', 'deux'], adjective: adj('white') }))).toEqual([
      'i have two white horses .',
      "j'ai deux chevaux blancs .",
    ]);
    expect(both({ ...obj({ noun: noun('umbrella'), plural: false, det: 'a' }), question: true, subject: pron('you', 'm', true) })).toEqual([
      'do you all have an umbrella ?',
      'est-ce que vous avez un parapluie ?',
    ]);
  });

  it('need: avoir besoin de, with elision', () => {
    const need = tverb('avoir', 'indefinite-singular');
    expect(both({ ...neg, contraction: 'not', kind: 'transitive', subject: pron('she'), verb: need, object: { noun: noun('apartment'), plural: false, det: 'a' }, progressive: false })).toEqual([
      "she doesn't need an apartment .",
      "elle n'a pas besoin d'un appartement .",
    ]);
  });
});

describe('eng-fra: verbs', () => {
  it('regular -er verbs, with the nous spellings of -ger and -cer', () => {
    expect(CONJUGATIONS.aimer).toEqual(['aime', 'aimes', 'aime', 'aimons', 'aimez', 'aiment']);
    expect(CONJUGATIONS.manger[3]).toBe('mangeons');
    expect(CONJUGATIONS.nager[3]).toBe('nageons');
    expect(CONJUGATIONS.commencer[3]).toBe('commençons');
    expect(CONJUGATIONS.acheter[0]).toBe('achète');
    expect(CONJUGATIONS.acheter[3]).toBe('achetons');
  });

  it('generic like takes the definite article; partitives become de after a negation', () => {
    const like = tverb('aimer', 'generic');
    expect(both({ ...base, kind: 'transitive', subject: pron('i'), verb: like, object: { noun: noun('cat'), plural: true, det: 'generic' }, progressive: false })).toEqual([
      'i like cats .',
      "j'aime les chats .",
    ]);
    expect(both({ ...neg, contraction: 'not', kind: 'transitive', subject: pron('we'), verb: like, object: { noun: noun('coffee'), plural: false, det: 'generic' }, progressive: false })).toEqual([
      "we don't like coffee .",
      "nous n'aimons pas le café .",
    ]);
    const drink = tverb('boire');
    const d = (what: string, negative: boolean): Clause => ({ ...base, negative, kind: 'transitive', subject: pron('he'), verb: drink, object: { noun: noun(what), plural: false, det: 'partitive' }, progressive: false });
    expect(both(d('milk', false))).toEqual(['he drinks milk .', 'il boit du lait .']);
    expect(both(d('water', false))).toEqual(['he drinks water .', "il boit de l'eau ."]);
    expect(both(d('beer', false))).toEqual(['he drinks beer .', 'il boit de la bière .']);
    expect(both(d('water', true))).toEqual(['he does not drink water .', "il ne boit pas d'eau ."]);
    expect(renderFrench({ ...d('milk', false), question: true, subject: pron('you') })).toBe('est-ce que tu bois du lait ?');
  });

  it('progressive English, present French; definite objects keep their article after a negation', () => {
    const look = tverb('chercher');
    expect(both({ ...base, question: true, kind: 'transitive', subject: pron('he'), verb: look, object: { noun: noun('key'), plural: true, det: 'possessive', possessive: 'his' }, progressive: true })).toEqual([
      'is he looking for his keys ?',
      "est-ce qu'il cherche ses clés ?",
    ]);
    expect(both({ ...neg, kind: 'transitive', subject: pron('we'), verb: tverb('manger', 'indefinite'), object: { noun: noun('egg'), plural: false, det: 'a' }, progressive: true })).toEqual([
      'we are not eating an egg .',
      "nous ne mangeons pas d'œuf .",
    ]);
    expect(renderFrench({ ...neg, kind: 'transitive', subject: pron('i'), verb: tverb('ouvrir'), object: { noun: noun('window'), plural: false, det: 'the' }, progressive: false })).toBe(
      "je n'ouvre pas la fenêtre .",
    );
  });

  it('possessives agree with the possessed noun (son / sa / ses; ma → mon before a vowel)', () => {
    const love = tverb('aimer', 'possessive-person');
    const p = (en: string, possessive: 'his' | 'her', plural = false) =>
      renderFrench({ ...base, kind: 'transitive', subject: pron('she'), verb: love, object: { noun: noun(en), plural, det: 'possessive', possessive }, progressive: false });
    expect(p('father', 'her')).toBe('elle aime son père .');
    expect(p('mother', 'his')).toBe('elle aime sa mère .');
    expect(p('sister', 'her', true)).toBe('elle aime ses sœurs .');
    // "your" is votre / vos only when the subject is plural "you"
    const yours = (subject: Subject, formalYour: boolean) =>
      both({ ...base, kind: 'transitive', subject, verb: love, object: { noun: noun('mother'), plural: false, det: 'possessive', possessive: 'your', formalYour }, progressive: false });
    expect(yours(pron('you'), false)).toEqual(['you love your mother .', 'tu aimes ta mère .']);
    expect(yours(pron('you', 'm', true), true)).toEqual(['you all love your mother .', 'vous aimez votre mère .']);
    expect(frenchJoin(['sa', 'idée'])).toBe('son idée');
    expect(frenchJoin(['ma', 'vieille', 'idée'])).toBe('ma vieille idée');
  });

  it('jouer à / de with contractions, habiter with à / en / au / aux', () => {
    const play = tverb('jouer');
    const game = (en: string) => GAMES.find((g) => g[0] === en)!;
    expect(both({ ...base, kind: 'transitive', subject: pron('he'), verb: play, object: { fixed: game('football') }, progressive: false })).toEqual(['he plays football .', 'il joue au football .']);
    expect(renderFrench({ ...base, kind: 'transitive', subject: pron('we'), verb: play, object: { fixed: game('chess') }, progressive: false })).toBe('nous jouons aux échecs .');
    expect(renderFrench({ ...base, kind: 'transitive', subject: pron('she'), verb: play, object: { fixed: game('the piano') }, progressive: false })).toBe('elle joue du piano .');
    expect(renderFrench({ ...neg, kind: 'transitive', subject: pron('she'), verb: play, object: { fixed: game('the guitar') }, progressive: false })).toBe('elle ne joue pas de la guitare .');
    const live = tverb('habiter');
    const place = (en: string) => PLACES.find((p) => p[0] === en)!;
    expect(both({ ...base, kind: 'transitive', subject: pron('i'), verb: live, object: { fixed: place('the united states') }, progressive: false })).toEqual([
      'i live in the united states .',
      "j'habite aux états-unis .",
    ]);
    expect(renderFrench({ ...neg, kind: 'transitive', subject: pron('i'), verb: live, object: { fixed: place('canada') }, progressive: false })).toBe("je n'habite pas au canada .");
    expect(renderFrench({ ...base, kind: 'transitive', subject: pron('they'), verb: live, object: { fixed: place('france') }, progressive: false })).toBe('ils habitent en france .');
  });

  it('intransitive verbs with adverbs ("often" before the English verb)', () => {
    expect(both({ ...base, kind: 'intransitive', subject: pron('he'), verb: iverb('chanter'), adverb: 'often', progressive: false })).toEqual(['he often sings .', 'il chante souvent .']);
    expect(both({ ...neg, contraction: 'not', kind: 'intransitive', subject: pron('she'), verb: iverb('chanter'), adverb: 'often', progressive: false })).toEqual([
      "she doesn't sing often .",
      'elle ne chante pas souvent .',
    ]);
    expect(both({ ...base, kind: 'intransitive', subject: pron('we'), verb: iverb('nager'), adverb: 'every day', progressive: false })).toEqual([
      'we swim every day .',
      'nous nageons tous les jours .',
    ]);
    expect(both({ ...base, kind: 'intransitive', subject: pron('i'), verb: iverb('étudier'), adverb: 'now', progressive: true, contraction: 'pronoun' })).toEqual([
      "i'm studying now .",
      "j'étudie maintenant .",
    ]);
  });
});

describe('eng-fra corpus', () => {
  const splits = generateEngFra(7, { train: 4000, valid: 300, test: 300 });
  const all = [...splits.train, ...splits.valid, ...splits.test];

  it('is deterministic, sized as asked, with disjoint sources', () => {
    expect(generateEngFra(7, { train: 4000, valid: 300, test: 300 })).toEqual(splits);
    expect(generateEngFra(8, { train: 100, valid: 0, test: 0 }).train).not.toEqual(generateEngFra(7, { train: 100, valid: 0, test: 0 }).train);
    expect([splits.train.length, splits.valid.length, splits.test.length]).toEqual([4000, 300, 300]);
    const train = new Set(splits.train.map((p) => p.src));
    for (const p of [...splits.valid, ...splits.test]) expect(train.has(p.src)).toBe(false);
    expect(new Set(splits.test.map((p) => p.src)).size).toBe(300);
  });

  it('never leaves an elision or contraction undone', () => {
    for (const { tgt } of all) {
      // je/le/la/ne/de/que/me/te/se before a vowel or mute h (huit has an aspirated h)
      expect(tgt).not.toMatch(/(^| )(je|me|te|se|le|la|ne|de|que) (?!huit)[aeiouyàâéèêëîïôœh]/);
      expect(tgt).not.toMatch(/(^| )(à|de) (le|les) /);
      expect(tgt).not.toMatch(/(^| )(ma|ta|sa) [aeiouéèêh]/);
      expect(tgt).not.toMatch(/(^| )des (petit|grand|beau|belle|bel|vieu|vieil|nouv|bon|jeune)/);
      expect(tgt).toMatch(/ [.?]$/);
    }
  });

  it('has a vocabulary of a few hundred words on each side, lower-case', () => {
    const words = (side: 'src' | 'tgt') => new Set(all.flatMap((p) => p[side].split(' ')));
    const en = words('src');
    const fr = words('tgt');
    expect(en.size).toBeGreaterThan(250);
    expect(en.size).toBeLessThan(1000);
    expect(fr.size).toBeGreaterThan(250);
    expect(fr.size).toBeLessThan(1500);
    for (const p of all) {
      expect(p.src).toBe(p.src.toLowerCase());
      expect(p.tgt).toBe(p.tgt.toLowerCase());
    }
    // the classic pronoun-copula openings are all there
    for (const start of ['i am ', 'you are ', 'he is ', 'she is ', 'we are ', 'they are ']) expect(all.some((p) => p.src.startsWith(start))).toBe(true);
    for (const start of ['je suis ', 'tu es ', 'il est ', 'elle est ', 'nous sommes ', 'vous êtes ', 'ils sont ', "j'ai ", "n'est pas "]) {
      expect(all.some((p) => p.tgt.startsWith(start) || p.tgt.includes(` ${start}`)), start).toBe(true);
    }
    // feminine plural agreement, from feminine nouns and "you girls"
    expect(all.some((p) => /^les \S+ sont (\S+ )?\S+(ées|euses|elles) \.$/.test(p.tgt))).toBe(true);
    expect(all.some((p) => p.src.startsWith('you girls are ') && /^vous êtes (\S+ )?\S+es \.$/.test(p.tgt))).toBe(true);
  });
});
