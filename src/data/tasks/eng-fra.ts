// English → French from a small grammar with real agreement, in the spirit of the classic
// "i am / he is / she is / we are / they are ..." sentence pairs of the PyTorch seq2seq tutorial.
// Both sides are lower-case with the final punctuation written as a separate token
// ("she is not very happy ." → "elle n'est pas très heureuse .").
//
// A sentence is first drawn as a structure (a `Clause`: subject, negation, predicate, ...) and
// then rendered in each language, so both sides always say the same thing. What the French side
// gets right:
//   - subject pronouns je/tu/il/elle/nous/vous/ils/elles; être, avoir and the other verbs
//     conjugated in the present (regular -er verbs with the -ger/-cer spellings "nous mangeons",
//     "nous commençons"; acheter's "achète"; irregular boire, voir, vouloir, lire, écrire,
//     courir, dormir, rire, attendre, ouvrir);
//   - adjectives agreeing in gender and number (petit/petite/petits/petites, beau/belle/beaux/
//     belles with "bel" before a vowel, heureux/heureuse, fier/fière, ...), placed before the noun
//     (beauty, age, goodness, size: "une petite voiture") or after it (colours and the rest:
//     "une voiture rouge");
//   - articles agreeing with the noun (le/la/l'/les, un/une/des, du/de la/de l'), "des" → "de"
//     before a plural adjective, and à/de contracted with le/les (au, aux, du, des);
//   - negation ne ... pas (n' before a vowel), with un/une/des/du/de la → de (d') after it
//     ("je n'ai pas de chat", "il ne boit pas d'eau");
//   - elision of je, le, la, ne, de, que before a vowel or mute h (j'ai, l'homme, n'est,
//     d'oranges, qu'elle) and ma/ta/sa → mon/ton/son before a vowel (mon idée);
//   - questions with "est-ce que" ("is she tired ?" → "est-ce qu'elle est fatiguée ?").
// English must decide the French, or no model could learn the task (and exact match would
// measure luck): every choice French makes that English leaves unsaid is fixed by a rule, and a
// test checks that no English sentence has two translations. Where English does not say the
// gender (i, you, we, they), French grammar's default, the masculine, is used ("i am happy" →
// "je suis heureux", "they are tired" → "ils sont fatigués"); the feminine comes from she, from
// feminine nouns ("the girls are tired" → "les filles sont fatiguées") and from "you girls".
// "you" is tu, "you all" and "you girls" are vous; "your" is ton / ta / tes, and votre / vos in a
// sentence whose subject is "you all" or "you girls" ("you all love your mother" → "vous aimez
// votre mère").

import type { Pair, SplitSizes, Splits } from '../pair';
import type { Rng } from '../rng';
import { generateSplits, resolveSizes } from './generate';

type Gender = 'm' | 'f';
/** 0 je, 1 tu, 2 il/elle, 3 nous, 4 vous, 5 ils/elles. */
type Person = 0 | 1 | 2 | 3 | 4 | 5;
type NounKind = 'person' | 'animal' | 'thing' | 'food' | 'drink';
/**
 * What an adjective can describe: a noun's kind, or for things a finer class: 'object' (a
 * physical object: colours, size, price), 'vehicle' (fast, slow), 'container' (empty),
 * 'abstract' (ideas, songs, films: new, good, funny), 'place' (gardens).
 */
type NounTag = NounKind | 'object' | 'vehicle' | 'container' | 'abstract' | 'place';

interface Noun {
  en: string;
  enPl: string;
  fr: string;
  frPl: string;
  g: Gender;
  kind: NounKind;
  tags: readonly NounTag[];
  /** Mass noun: "bread" → "du pain", never counted. */
  mass?: boolean;
  /** False where "my man", "our king" would read oddly: only "the" is used with it. */
  possessable?: false;
  /** False where the plural reads oddly ("her fathers"). */
  pluralizable?: false;
}

const n = (en: string, fr: string, g: Gender, kind: NounKind, enPl = `${en}s`, frPl = `${fr}s`): Noun => ({ en, enPl, fr, frPl, g, kind, tags: [kind] });
const mass = (en: string, fr: string, g: Gender, kind: NounKind): Noun => ({ en, enPl: en, fr, frPl: fr, g, kind, tags: [kind], mass: true });
/** A thing with its finer tags (a physical object unless tagged abstract or place). */
const thing = (en: string, fr: string, g: Gender, extra: readonly NounTag[] = [], enPl = `${en}s`, frPl = `${fr}s`): Noun => ({
  en,
  enPl,
  fr,
  frPl,
  g,
  kind: 'thing',
  tags: ['thing', ...(extra.includes('abstract') || (extra.includes('place') && !extra.includes('object')) ? [] : ['object' as const]), ...extra],
});

export const PEOPLE: readonly Noun[] = [
  n('boy', 'garçon', 'm', 'person'),
  n('girl', 'fille', 'f', 'person'),
  { ...n('man', 'homme', 'm', 'person', 'men'), possessable: false },
  { ...n('woman', 'femme', 'f', 'person', 'women'), possessable: false },
  { ...n('father', 'père', 'm', 'person'), pluralizable: false },
  { ...n('mother', 'mère', 'f', 'person'), pluralizable: false },
  n('brother', 'frère', 'm', 'person'),
  n('sister', 'sœur', 'f', 'person'),
  n('son', 'fils', 'm', 'person', 'sons', 'fils'),
  n('daughter', 'fille', 'f', 'person'),
  n('uncle', 'oncle', 'm', 'person'),
  n('aunt', 'tante', 'f', 'person'),
  n('grandfather', 'grand-père', 'm', 'person', 'grandfathers', 'grands-pères'),
  n('grandmother', 'grand-mère', 'f', 'person', 'grandmothers', 'grands-mères'),
  n('child', 'enfant', 'm', 'person', 'children'),
  n('baby', 'bébé', 'm', 'person', 'babies'),
  { ...n('king', 'roi', 'm', 'person'), possessable: false },
  { ...n('queen', 'reine', 'f', 'person'), possessable: false },
  n('doctor', 'médecin', 'm', 'person'),
];

export const ANIMALS: readonly Noun[] = [
  n('cat', 'chat', 'm', 'animal'),
  n('dog', 'chien', 'm', 'animal'),
  n('horse', 'cheval', 'm', 'animal', 'horses', 'chevaux'),
  n('bird', 'oiseau', 'm', 'animal', 'birds', 'oiseaux'),
  n('mouse', 'souris', 'f', 'animal', 'mice', 'souris'),
  n('cow', 'vache', 'f', 'animal'),
  n('rabbit', 'lapin', 'm', 'animal'),
  n('duck', 'canard', 'm', 'animal'),
  n('sheep', 'mouton', 'm', 'animal', 'sheep'),
  n('pig', 'cochon', 'm', 'animal'),
  n('wolf', 'loup', 'm', 'animal', 'wolves'),
  n('bear', 'ours', 'm', 'animal', 'bears', 'ours'),
  n('frog', 'grenouille', 'f', 'animal'),
  n('turtle', 'tortue', 'f', 'animal'),
  n('snake', 'serpent', 'm', 'animal'),
  n('lion', 'lion', 'm', 'animal'),
  n('elephant', 'éléphant', 'm', 'animal'),
];

export const THINGS: readonly Noun[] = [
  thing('car', 'voiture', 'f', ['vehicle']),
  thing('house', 'maison', 'f', ['place', 'object']),
  thing('book', 'livre', 'm'),
  thing('bike', 'vélo', 'm', ['vehicle']),
  thing('computer', 'ordinateur', 'm'),
  thing('key', 'clé', 'f'),
  thing('pen', 'stylo', 'm'),
  thing('table', 'table', 'f'),
  thing('chair', 'chaise', 'f'),
  thing('bed', 'lit', 'm'),
  thing('garden', 'jardin', 'm', ['place']),
  thing('dress', 'robe', 'f', [], 'dresses'),
  thing('shirt', 'chemise', 'f'),
  thing('hat', 'chapeau', 'm', [], 'hats', 'chapeaux'),
  thing('bag', 'sac', 'm', ['container']),
  thing('phone', 'téléphone', 'm'),
  thing('letter', 'lettre', 'f'),
  thing('ticket', 'billet', 'm'),
  thing('umbrella', 'parapluie', 'm'),
  thing('newspaper', 'journal', 'm', [], 'newspapers', 'journaux'),
  thing('watch', 'montre', 'f', [], 'watches'),
  thing('window', 'fenêtre', 'f'),
  thing('door', 'porte', 'f'),
  thing('picture', 'photo', 'f'),
  thing('song', 'chanson', 'f', ['abstract']),
  thing('apartment', 'appartement', 'm', ['place', 'object']),
  thing('bottle', 'bouteille', 'f', ['container']),
  thing('glass', 'verre', 'm', ['container'], 'glasses'),
  thing('box', 'boîte', 'f', ['container'], 'boxes'),
  thing('ball', 'balle', 'f'),
  thing('map', 'carte', 'f'),
  thing('lamp', 'lampe', 'f'),
  thing('clock', 'horloge', 'f'),
  thing('boat', 'bateau', 'm', ['vehicle'], 'boats', 'bateaux'),
  thing('plane', 'avion', 'm', ['vehicle']),
  thing('coat', 'manteau', 'm', [], 'coats', 'manteaux'),
  thing('shoe', 'chaussure', 'f'),
  thing('film', 'film', 'm', ['abstract']),
  thing('idea', 'idée', 'f', ['abstract']),
  thing('question', 'question', 'f', ['abstract']),
];

/** Countable food. */
export const FOODS: readonly Noun[] = [
  n('apple', 'pomme', 'f', 'food'),
  n('orange', 'orange', 'f', 'food'),
  n('cake', 'gâteau', 'm', 'food', 'cakes', 'gâteaux'),
  n('egg', 'œuf', 'm', 'food'),
  n('banana', 'banane', 'f', 'food'),
  n('sandwich', 'sandwich', 'm', 'food', 'sandwiches'),
];

export const MASS_FOODS: readonly Noun[] = [
  mass('bread', 'pain', 'm', 'food'),
  mass('cheese', 'fromage', 'm', 'food'),
  mass('meat', 'viande', 'f', 'food'),
  mass('rice', 'riz', 'm', 'food'),
  mass('soup', 'soupe', 'f', 'food'),
  mass('chocolate', 'chocolat', 'm', 'food'),
  mass('salad', 'salade', 'f', 'food'),
  mass('fish', 'poisson', 'm', 'food'),
  mass('chicken', 'poulet', 'm', 'food'),
  mass('butter', 'beurre', 'm', 'food'),
];

export const DRINKS: readonly Noun[] = [
  mass('water', 'eau', 'f', 'drink'),
  mass('milk', 'lait', 'm', 'drink'),
  mass('coffee', 'café', 'm', 'drink'),
  mass('tea', 'thé', 'm', 'drink'),
  mass('wine', 'vin', 'm', 'drink'),
  mass('juice', 'jus', 'm', 'drink'),
  mass('beer', 'bière', 'f', 'drink'),
];

interface Adjective {
  en: string;
  /** masculine singular, feminine singular, masculine plural, feminine plural */
  fr: readonly [string, string, string, string];
  /** The masculine singular before a vowel (bel, nouvel, vieil). */
  msVowel?: string;
  /** Before the noun (beauty, age, goodness, size) or after it. */
  pre: boolean;
  /** What it can describe (noun tags). */
  of: readonly NounTag[];
  /** Usable inside a noun phrase ("a red car"), not only after "to be". */
  attributive: boolean;
  /** Takes very / too / a little ...; false for "married", "alone", colours. */
  gradable?: false;
  /** Reads naturally with "a little" / "un peu" (unwelcome or mild states: tired, nervous, late). */
  aLittle?: true;
}

/** Regular forms: add e / s / es. */
const reg = (ms: string): [string, string, string, string] => [ms, `${ms}e`, `${ms}s`, `${ms}es`];
/** Adjectives ending in -e: the same in both genders. */
const inv = (s: string): [string, string, string, string] => [s, s, `${s}s`, `${s}s`];
/** -eux → -euse. */
const eux = (stem: string): [string, string, string, string] => [`${stem}eux`, `${stem}euse`, `${stem}eux`, `${stem}euses`];

const PEOPLE_ANIMALS: readonly NounTag[] = ['person', 'animal'];

export const ADJECTIVES: readonly Adjective[] = [
  { en: 'happy', fr: eux('heur'), pre: false, of: PEOPLE_ANIMALS, attributive: false },
  { en: 'unhappy', fr: eux('malheur'), pre: false, of: ['person'], attributive: false, aLittle: true },
  { en: 'sad', fr: inv('triste'), pre: false, of: PEOPLE_ANIMALS, attributive: false, aLittle: true },
  { en: 'tired', fr: reg('fatigué'), pre: false, of: PEOPLE_ANIMALS, attributive: false, aLittle: true },
  { en: 'ready', fr: reg('prêt'), pre: false, of: ['person'], attributive: false },
  { en: 'busy', fr: reg('occupé'), pre: false, of: ['person'], attributive: false, aLittle: true },
  { en: 'sick', fr: inv('malade'), pre: false, of: PEOPLE_ANIMALS, attributive: false, aLittle: true },
  { en: 'rich', fr: inv('riche'), pre: false, of: ['person'], attributive: true },
  { en: 'poor', fr: inv('pauvre'), pre: false, of: ['person'], attributive: false, aLittle: true },
  { en: 'young', fr: inv('jeune'), pre: true, of: PEOPLE_ANIMALS, attributive: true },
  { en: 'old', fr: ['vieux', 'vieille', 'vieux', 'vieilles'], msVowel: 'vieil', pre: true, of: ['person', 'animal', 'object', 'abstract', 'place'], attributive: true, aLittle: true },
  { en: 'tall', fr: reg('grand'), pre: true, of: ['person'], attributive: true },
  { en: 'big', fr: reg('grand'), pre: true, of: ['animal', 'object', 'place'], attributive: true },
  { en: 'small', fr: reg('petit'), pre: true, of: ['person', 'animal', 'object', 'place'], attributive: true, aLittle: true },
  { en: 'beautiful', fr: ['beau', 'belle', 'beaux', 'belles'], msVowel: 'bel', pre: true, of: ['person', 'animal', 'object', 'abstract', 'place'], attributive: true },
  { en: 'new', fr: ['nouveau', 'nouvelle', 'nouveaux', 'nouvelles'], msVowel: 'nouvel', pre: true, of: ['object', 'abstract', 'place'], attributive: true },
  { en: 'good', fr: ['bon', 'bonne', 'bons', 'bonnes'], pre: true, of: ['object', 'abstract'], attributive: true },
  { en: 'kind', fr: ['gentil', 'gentille', 'gentils', 'gentilles'], pre: false, of: PEOPLE_ANIMALS, attributive: true },
  { en: 'smart', fr: reg('intelligent'), pre: false, of: PEOPLE_ANIMALS, attributive: true },
  { en: 'strong', fr: reg('fort'), pre: false, of: PEOPLE_ANIMALS, attributive: true },
  { en: 'lazy', fr: eux('paress'), pre: false, of: PEOPLE_ANIMALS, attributive: true, aLittle: true },
  { en: 'curious', fr: eux('curi'), pre: false, of: PEOPLE_ANIMALS, attributive: true, aLittle: true },
  { en: 'serious', fr: eux('séri'), pre: false, of: ['person'], attributive: false, aLittle: true },
  { en: 'nervous', fr: eux('nerv'), pre: false, of: PEOPLE_ANIMALS, attributive: false, aLittle: true },
  { en: 'jealous', fr: ['jaloux', 'jalouse', 'jaloux', 'jalouses'], pre: false, of: ['person'], attributive: false, aLittle: true },
  { en: 'proud', fr: ['fier', 'fière', 'fiers', 'fières'], pre: false, of: ['person'], attributive: false, aLittle: true },
  { en: 'alone', fr: reg('seul'), pre: false, of: PEOPLE_ANIMALS, attributive: false, gradable: false },
  { en: 'lost', fr: reg('perdu'), pre: false, of: PEOPLE_ANIMALS, attributive: false, gradable: false },
  { en: 'married', fr: reg('marié'), pre: false, of: ['person'], attributive: false, gradable: false },
  { en: 'sure', fr: reg('sûr'), pre: false, of: ['person'], attributive: false },
  { en: 'careful', fr: reg('prudent'), pre: false, of: ['person'], attributive: false },
  { en: 'crazy', fr: ['fou', 'folle', 'fous', 'folles'], pre: false, of: ['person'], attributive: false, aLittle: true },
  { en: 'angry', fr: reg('fâché'), pre: false, of: ['person'], attributive: false, aLittle: true },
  { en: 'late', fr: ['en retard', 'en retard', 'en retard', 'en retard'], pre: false, of: ['person'], attributive: false, aLittle: true },
  { en: 'athletic', fr: ['sportif', 'sportive', 'sportifs', 'sportives'], pre: false, of: ['person'], attributive: true },
  { en: 'shy', fr: inv('timide'), pre: false, of: PEOPLE_ANIMALS, attributive: true, aLittle: true },
  { en: 'funny', fr: inv('drôle'), pre: false, of: ['person', 'animal', 'abstract'], attributive: true },
  { en: 'red', fr: inv('rouge'), pre: false, of: ['object'], attributive: true, gradable: false },
  { en: 'black', fr: reg('noir'), pre: false, of: ['animal', 'object'], attributive: true, gradable: false },
  { en: 'white', fr: ['blanc', 'blanche', 'blancs', 'blanches'], pre: false, of: ['animal', 'object'], attributive: true, gradable: false },
  { en: 'green', fr: reg('vert'), pre: false, of: ['object'], attributive: true, gradable: false },
  { en: 'blue', fr: reg('bleu'), pre: false, of: ['object'], attributive: true, gradable: false },
  { en: 'expensive', fr: ['cher', 'chère', 'chers', 'chères'], pre: false, of: ['object'], attributive: true, aLittle: true },
  { en: 'clean', fr: inv('propre'), pre: false, of: ['object', 'place'], attributive: true },
  { en: 'dirty', fr: inv('sale'), pre: false, of: ['animal', 'object', 'place'], attributive: true, aLittle: true },
  { en: 'heavy', fr: reg('lourd'), pre: false, of: ['object'], attributive: true, aLittle: true },
  { en: 'empty', fr: inv('vide'), pre: false, of: ['container'], attributive: true },
  { en: 'fast', fr: inv('rapide'), pre: false, of: ['animal', 'vehicle'], attributive: true },
  { en: 'slow', fr: reg('lent'), pre: false, of: ['animal', 'vehicle'], attributive: true, aLittle: true },
];

/** "to be" + adjective in English, avoir + noun in French. */
interface AvoirExpression {
  en: string;
  fr: string;
  /** Intensifiers that read naturally with it. */
  intensifiers: readonly IntensifierKey[];
  /** Said of people only (an animal is not "right"). */
  peopleOnly?: true;
}

export const AVOIR_EXPRESSIONS: readonly AvoirExpression[] = [
  { en: 'hungry', fr: 'faim', intensifiers: ['', 'very', 'so', 'really', 'a little'] },
  { en: 'thirsty', fr: 'soif', intensifiers: ['', 'very', 'so', 'really', 'a little'] },
  { en: 'cold', fr: 'froid', intensifiers: ['', 'very', 'so', 'too', 'really', 'a little'] },
  { en: 'hot', fr: 'chaud', intensifiers: ['', 'very', 'so', 'too', 'really', 'a little'] },
  { en: 'afraid', fr: 'peur', intensifiers: ['', 'very', 'so', 'really', 'a little'] },
  { en: 'sleepy', fr: 'sommeil', intensifiers: ['', 'very', 'so', 'really', 'a little'] },
  { en: 'right', fr: 'raison', intensifiers: [''], peopleOnly: true },
  { en: 'wrong', fr: 'tort', intensifiers: [''], peopleOnly: true },
];

type IntensifierKey = '' | 'very' | 'so' | 'too' | 'really' | 'quite' | 'a little';
const INTENSIFIER_FR: Record<IntensifierKey, string> = {
  '': '',
  very: 'très',
  so: 'si',
  too: 'trop',
  really: 'vraiment',
  quite: 'assez',
  'a little': 'un peu',
};
/** Intensifiers that stay correct after a negation ("not quite" is not "pas assez"). */
const NEGATABLE: ReadonlySet<IntensifierKey> = new Set(['', 'very', 'so', 'too', 'really']);

// ---------------------------------------------------------------------------------------------
// Verbs

/** Present-tense forms for je, tu, il, nous, vous, ils. */
type Conjugation = readonly [string, string, string, string, string, string];

/** A regular -er verb from its stem, with the -ger / -cer spellings of "nous". */
function er(stem: string): Conjugation {
  const nous = stem.endsWith('g') ? `${stem}eons` : stem.endsWith('c') ? `${stem.slice(0, -1)}çons` : `${stem}ons`;
  return [`${stem}e`, `${stem}es`, `${stem}e`, nous, `${stem}ez`, `${stem}ent`];
}

export const ETRE: Conjugation = ['suis', 'es', 'est', 'sommes', 'êtes', 'sont'];
export const AVOIR: Conjugation = ['ai', 'as', 'a', 'avons', 'avez', 'ont'];

export const CONJUGATIONS: Record<string, Conjugation> = {
  aimer: er('aim'),
  manger: er('mang'),
  commencer: er('commenc'),
  nager: er('nag'),
  voyager: er('voyag'),
  chanter: er('chant'),
  danser: er('dans'),
  marcher: er('march'),
  travailler: er('travaill'),
  étudier: er('étudi'),
  cuisiner: er('cuisin'),
  jouer: er('jou'),
  pleurer: er('pleur'),
  chercher: er('cherch'),
  regarder: er('regard'),
  écouter: er('écout'),
  laver: er('lav'),
  fermer: er('ferm'),
  porter: er('port'),
  parler: er('parl'),
  habiter: er('habit'),
  préparer: er('prépar'),
  // ouvrir is an -ir verb conjugated like -er in the present
  ouvrir: er('ouvr'),
  acheter: ['achète', 'achètes', 'achète', 'achetons', 'achetez', 'achètent'],
  boire: ['bois', 'bois', 'boit', 'buvons', 'buvez', 'boivent'],
  voir: ['vois', 'vois', 'voit', 'voyons', 'voyez', 'voient'],
  vouloir: ['veux', 'veux', 'veut', 'voulons', 'voulez', 'veulent'],
  lire: ['lis', 'lis', 'lit', 'lisons', 'lisez', 'lisent'],
  écrire: ['écris', 'écris', 'écrit', 'écrivons', 'écrivez', 'écrivent'],
  courir: ['cours', 'cours', 'court', 'courons', 'courez', 'courent'],
  dormir: ['dors', 'dors', 'dort', 'dormons', 'dormez', 'dorment'],
  rire: ['ris', 'ris', 'rit', 'rions', 'riez', 'rient'],
  attendre: ['attends', 'attends', 'attend', 'attendons', 'attendez', 'attendent'],
  avoir: AVOIR,
  être: ETRE,
};

interface EnglishVerb {
  base: string;
  third: string;
  ing: string;
  /** Words after the verb before the object ("look for", "listen to", "live in"). */
  particle?: string;
}

const ev = (base: string, third = `${base}s`, ing = `${base}ing`, particle?: string): EnglishVerb => ({ base, third, ing, particle });

type AdverbKey = 'well' | 'a lot' | 'today' | 'every day' | 'often' | 'at home' | 'together' | 'now';
const ADVERB_FR: Record<AdverbKey, string> = {
  well: 'bien',
  'a lot': 'beaucoup',
  today: "aujourd'hui",
  'every day': 'tous les jours',
  often: 'souvent',
  'at home': 'à la maison',
  together: 'ensemble',
  now: 'maintenant',
};

interface IntransitiveVerb {
  en: EnglishVerb;
  fr: string;
  adverbs: readonly AdverbKey[];
}

const ALWAYS: readonly AdverbKey[] = ['today', 'together', 'now'];
export const INTRANSITIVE_VERBS: readonly IntransitiveVerb[] = [
  { en: ev('sing', 'sings', 'singing'), fr: 'chanter', adverbs: ['well', 'a lot', 'every day', 'often', ...ALWAYS] },
  { en: ev('dance', 'dances', 'dancing'), fr: 'danser', adverbs: ['well', 'a lot', 'often', ...ALWAYS] },
  { en: ev('swim', 'swims', 'swimming'), fr: 'nager', adverbs: ['well', 'a lot', 'every day', 'often', ...ALWAYS] },
  { en: ev('walk', 'walks', 'walking'), fr: 'marcher', adverbs: ['a lot', 'every day', 'often', ...ALWAYS] },
  { en: ev('work', 'works', 'working'), fr: 'travailler', adverbs: ['well', 'a lot', 'every day', 'at home', ...ALWAYS] },
  { en: ev('study', 'studies', 'studying'), fr: 'étudier', adverbs: ['well', 'a lot', 'every day', 'at home', ...ALWAYS] },
  { en: ev('cook', 'cooks', 'cooking'), fr: 'cuisiner', adverbs: ['well', 'a lot', 'every day', 'often', 'at home', ...ALWAYS] },
  { en: ev('play', 'plays', 'playing'), fr: 'jouer', adverbs: ['well', 'a lot', 'every day', 'often', 'at home', ...ALWAYS] },
  { en: ev('run', 'runs', 'running'), fr: 'courir', adverbs: ['well', 'a lot', 'every day', 'often', ...ALWAYS] },
  { en: ev('sleep', 'sleeps', 'sleeping'), fr: 'dormir', adverbs: ['well', 'a lot', 'at home', 'today', 'now'] },
  { en: ev('read', 'reads', 'reading'), fr: 'lire', adverbs: ['well', 'a lot', 'every day', 'often', 'at home', ...ALWAYS] },
  { en: ev('write', 'writes', 'writing'), fr: 'écrire', adverbs: ['well', 'a lot', 'every day', 'often', ...ALWAYS] },
  { en: ev('travel', 'travels', 'traveling'), fr: 'voyager', adverbs: ['a lot', 'often', ...ALWAYS] },
  { en: ev('laugh', 'laughs', 'laughing'), fr: 'rire', adverbs: ['a lot', 'often', ...ALWAYS] },
  { en: ev('cry', 'cries', 'crying'), fr: 'pleurer', adverbs: ['a lot', 'often', 'today', 'now'] },
  { en: ev('wait', 'waits', 'waiting'), fr: 'attendre', adverbs: ['today', 'now'] },
];

/** How the object of a transitive verb is chosen and written. */
type ObjectPattern =
  /** "i like cats / coffee" → "j'aime les chats / le café" (definite article for a general statement). */
  | 'generic'
  /** a/an, some, or a number; plural with some/number. */
  | 'indefinite'
  /** only a/an (for "need": avoir besoin d'un / d'une). */
  | 'indefinite-singular'
  /** "the" or a possessive. */
  | 'definite'
  /** A possessive with a person ("i love my mother"). */
  | 'possessive-person'
  /** Mass noun, no article in English: "i drink water" → "je bois de l'eau". */
  | 'partitive'
  | 'language'
  | 'place'
  | 'game';

interface TransitiveVerb {
  en: EnglishVerb;
  fr: string;
  /** Words after the conjugated verb before the object ("besoin de"). */
  frAfter?: string;
  pattern: ObjectPattern;
  objects: readonly Noun[];
  /** "am eating" reads naturally (not for stative verbs like "like", "have"). */
  progressive: boolean;
  /** Negation turns un/une/des/du/de la into de (direct objects of most verbs). */
  negationDe: boolean;
}

const CLOTHES = THINGS.filter((t) => ['dress', 'shirt', 'hat', 'coat', 'watch'].includes(t.en));
const WRITABLE = THINGS.filter((t) => ['letter', 'song', 'book'].includes(t.en));
const READABLE = THINGS.filter((t) => ['book', 'newspaper', 'letter'].includes(t.en));
const OPENABLE = THINGS.filter((t) => ['door', 'window', 'box', 'bottle', 'book', 'letter', 'bag'].includes(t.en));
const CLOSABLE = THINGS.filter((t) => ['door', 'window', 'box', 'book', 'bag'].includes(t.en));
const WASHABLE = [...THINGS.filter((t) => ['car', 'shirt', 'dress', 'glass', 'window', 'table', 'bike'].includes(t.en)), ...ANIMALS.filter((a) => ['dog', 'cat', 'horse'].includes(a.en))];
const BUYABLE = THINGS.filter((t) => !['idea', 'question', 'song', 'letter', 'garden', 'door', 'window', 'film'].includes(t.en));
const LIKEABLE = [...ANIMALS, ...THINGS.filter((t) => ['book', 'film', 'song', 'car', 'bike', 'hat', 'boat', 'plane'].includes(t.en)), ...FOODS];
const SEEABLE = [...ANIMALS, ...THINGS.filter((t) => ['car', 'house', 'boat', 'plane', 'bike', 'ball', 'lamp', 'clock', 'garden'].includes(t.en))];
const LOSABLE = THINGS.filter((t) => ['key', 'pen', 'phone', 'bag', 'watch', 'ticket', 'umbrella', 'map', 'book', 'ball'].includes(t.en));
const HAVE_OBJECTS = [...ANIMALS, ...THINGS.filter((t) => !['film', 'song'].includes(t.en)), ...PEOPLE.filter((p) => ['brother', 'sister', 'son', 'daughter', 'uncle', 'aunt', 'child', 'baby'].includes(p.en))];

export const TRANSITIVE_VERBS: readonly TransitiveVerb[] = [
  { en: ev('like'), fr: 'aimer', pattern: 'generic', objects: [...LIKEABLE, ...MASS_FOODS, ...DRINKS], progressive: false, negationDe: false },
  { en: ev('love'), fr: 'aimer', pattern: 'possessive-person', objects: PEOPLE.filter((p) => !['boy', 'girl', 'man', 'woman', 'king', 'queen', 'doctor'].includes(p.en)), progressive: false, negationDe: false },
  { en: ev('have', 'has'), fr: 'avoir', pattern: 'indefinite', objects: HAVE_OBJECTS, progressive: false, negationDe: true },
  { en: ev('want'), fr: 'vouloir', pattern: 'indefinite', objects: [...BUYABLE, ...ANIMALS, ...FOODS], progressive: false, negationDe: true },
  { en: ev('need'), fr: 'avoir', frAfter: 'besoin de', pattern: 'indefinite-singular', objects: BUYABLE, progressive: false, negationDe: false },
  { en: ev('see'), fr: 'voir', pattern: 'indefinite', objects: SEEABLE, progressive: false, negationDe: true },
  { en: ev('eat', 'eats', 'eating'), fr: 'manger', pattern: 'indefinite', objects: FOODS, progressive: true, negationDe: true },
  { en: ev('eat', 'eats', 'eating'), fr: 'manger', pattern: 'partitive', objects: MASS_FOODS, progressive: true, negationDe: true },
  { en: ev('drink'), fr: 'boire', pattern: 'partitive', objects: DRINKS, progressive: true, negationDe: true },
  { en: ev('buy', 'buys', 'buying'), fr: 'acheter', pattern: 'indefinite', objects: [...BUYABLE, ...FOODS], progressive: true, negationDe: true },
  { en: ev('look', 'looks', 'looking', 'for'), fr: 'chercher', pattern: 'definite', objects: [...LOSABLE, ...ANIMALS.filter((a) => ['cat', 'dog', 'rabbit'].includes(a.en))], progressive: true, negationDe: false },
  { en: ev('watch', 'watches', 'watching'), fr: 'regarder', pattern: 'definite', objects: [...ANIMALS, ...THINGS.filter((t) => ['film', 'boat', 'plane', 'clock'].includes(t.en))], progressive: true, negationDe: false },
  { en: ev('listen', 'listens', 'listening', 'to'), fr: 'écouter', pattern: 'definite', objects: [...THINGS.filter((t) => t.en === 'song'), ...ANIMALS.filter((a) => ['bird', 'dog'].includes(a.en))], progressive: true, negationDe: false },
  { en: ev('wash', 'washes', 'washing'), fr: 'laver', pattern: 'definite', objects: WASHABLE, progressive: true, negationDe: false },
  { en: ev('close', 'closes', 'closing'), fr: 'fermer', pattern: 'definite', objects: CLOSABLE, progressive: true, negationDe: false },
  { en: ev('open', 'opens', 'opening'), fr: 'ouvrir', pattern: 'definite', objects: OPENABLE, progressive: true, negationDe: false },
  { en: ev('wear', 'wears', 'wearing'), fr: 'porter', pattern: 'indefinite-singular', objects: CLOTHES, progressive: true, negationDe: true },
  { en: ev('read', 'reads', 'reading'), fr: 'lire', pattern: 'definite', objects: READABLE, progressive: true, negationDe: false },
  { en: ev('write', 'writes', 'writing'), fr: 'écrire', pattern: 'indefinite-singular', objects: WRITABLE, progressive: true, negationDe: true },
  { en: ev('speak', 'speaks', 'speaking'), fr: 'parler', pattern: 'language', objects: [], progressive: false, negationDe: false },
  { en: ev('live', 'lives', 'living', 'in'), fr: 'habiter', pattern: 'place', objects: [], progressive: false, negationDe: false },
  { en: ev('play', 'plays', 'playing'), fr: 'jouer', pattern: 'game', objects: [], progressive: true, negationDe: false },
];

export const LANGUAGES: readonly (readonly [string, string])[] = [
  ['french', 'français'],
  ['english', 'anglais'],
  ['spanish', 'espagnol'],
  ['german', 'allemand'],
  ['chinese', 'chinois'],
  ['italian', 'italien'],
  ['japanese', 'japonais'],
  ['russian', 'russe'],
  ['arabic', 'arabe'],
  ['portuguese', 'portugais'],
];

/** English place, French preposition + place (à for cities; en / au / aux for countries by gender and number). */
export const PLACES: readonly (readonly [string, string])[] = [
  ['paris', 'à paris'],
  ['london', 'à londres'],
  ['rome', 'à rome'],
  ['berlin', 'à berlin'],
  ['tokyo', 'à tokyo'],
  ['madrid', 'à madrid'],
  ['montreal', 'à montréal'],
  ['lyon', 'à lyon'],
  ['brussels', 'à bruxelles'],
  ['geneva', 'à genève'],
  ['lisbon', 'à lisbonne'],
  ['new york', 'à new york'],
  ['france', 'en france'],
  ['italy', 'en italie'],
  ['spain', 'en espagne'],
  ['germany', 'en allemagne'],
  ['china', 'en chine'],
  ['belgium', 'en belgique'],
  ['switzerland', 'en suisse'],
  ['canada', 'au canada'],
  ['japan', 'au japon'],
  ['portugal', 'au portugal'],
  ['brazil', 'au brésil'],
  ['mexico', 'au mexique'],
  ['the united states', 'aux états-unis'],
];

/** English game, French: jouer à (sports, games) or jouer de (instruments), before contraction. */
export const GAMES: readonly (readonly [string, string])[] = [
  ['football', 'à le football'],
  ['tennis', 'à le tennis'],
  ['basketball', 'à le basket'],
  ['chess', 'à les échecs'],
  ['cards', 'à les cartes'],
  ['the piano', 'de le piano'],
  ['the guitar', 'de la guitare'],
  ['the violin', 'de le violon'],
  ['the drums', 'de la batterie'],
];

const NUMBERS: readonly (readonly [string, string])[] = [
  ['two', 'deux'],
  ['three', 'trois'],
  ['four', 'quatre'],
  ['five', 'cinq'],
  ['six', 'six'],
  ['seven', 'sept'],
  ['eight', 'huit'],
  ['ten', 'dix'],
];

type PossessiveKey = 'my' | 'your' | 'his' | 'her' | 'our' | 'their';
const POSSESSIVES: readonly PossessiveKey[] = ['my', 'your', 'his', 'her', 'our', 'their'];

/** French possessive determiner: [masculine singular, feminine singular, plural]. */
function frPossessive(key: PossessiveKey, formalYour: boolean): readonly [string, string, string] {
  switch (key) {
    case 'my':
      return ['mon', 'ma', 'mes'];
    case 'your':
      return formalYour ? ['votre', 'votre', 'vos'] : ['ton', 'ta', 'tes'];
    case 'his':
    case 'her':
      return ['son', 'sa', 'ses'];
    case 'our':
      return ['notre', 'notre', 'nos'];
    case 'their':
      return ['leur', 'leur', 'leurs'];
  }
}

// ---------------------------------------------------------------------------------------------
// Sentence structures

type PronounKey = 'i' | 'you' | 'he' | 'she' | 'we' | 'they';

export type Subject =
  | {
      type: 'pronoun';
      key: PronounKey;
      /** The sampler draws 'f' only where English says it: she, and plural "you" as "you girls". */
      gender: Gender;
      /** "you" as vous: "you all" (or "you girls"). */
      plural: boolean;
    }
  | { type: 'noun'; noun: Noun; plural: boolean; det: 'the' | PossessiveKey };

export interface NounPhrase {
  noun: Noun;
  plural: boolean;
  /**
   * a/an; some (plural); a number (plural); the; a possessive; 'generic' (English bare plural or
   * mass noun in a general statement, French definite: "cats" → "les chats"); 'partitive'
   * (English bare mass noun, French du / de la / de l').
   */
  det: 'a' | 'some' | 'number' | 'the' | 'possessive' | 'generic' | 'partitive';
  number?: readonly [string, string];
  possessive?: PossessiveKey;
  /** "your" as votre / vos: the clause's subject is plural "you" (else ton / ta / tes). */
  formalYour?: boolean;
  adjective?: Adjective;
}

interface ClauseBase {
  subject: Subject;
  negative: boolean;
  question: boolean;
  /**
   * English contractions: 'none'; 'pronoun' contracts the pronoun and be ("she's not", "i'm");
   * 'not' contracts the negation ("she isn't", "don't"; "i'm not" for "i").
   */
  contraction: 'none' | 'pronoun' | 'not';
}

export type Clause =
  | (ClauseBase & { kind: 'be'; intensifier: IntensifierKey; adjective: Adjective })
  | (ClauseBase & { kind: 'avoir-expression'; intensifier: IntensifierKey; expression: AvoirExpression })
  | (ClauseBase & { kind: 'intransitive'; verb: IntransitiveVerb; adverb?: AdverbKey; progressive: boolean })
  | (ClauseBase & { kind: 'transitive'; verb: TransitiveVerb; object: NounPhrase | { fixed: readonly [string, string] }; progressive: boolean });

function personOf(s: Subject): Person {
  if (s.type === 'noun') return s.plural ? 5 : 2;
  switch (s.key) {
    case 'i':
      return 0;
    case 'you':
      return s.plural ? 4 : 1;
    case 'he':
    case 'she':
      return 2;
    case 'we':
      return 3;
    case 'they':
      return 5;
  }
}

function genderOf(s: Subject): Gender {
  if (s.type === 'noun') return s.noun.g;
  if (s.key === 'he') return 'm';
  if (s.key === 'she') return 'f';
  return s.gender;
}

function isPlural(s: Subject): boolean {
  const p = personOf(s);
  return p >= 3;
}

// ---------------------------------------------------------------------------------------------
// French rendering

/** Words of the vocabulary that begin with a mute h (elision: l'homme); aspirated h (huit) is not elided. */
const MUTE_H = /^(homme|hôtel|heure|histoire|hiver|horloge|habit|heureu|herbe|hôpital|huile)/;

/** Begins with a vowel sound for elision: a vowel letter, or a mute h. */
export function frVowelStart(word: string): boolean {
  return /^[aeiouyàâäéèêëîïôöùûüœæ]/.test(word) || MUTE_H.test(word);
}

/**
 * Applies the contractions (à le → au, à les → aux, de le → du, de les → des) and the elisions
 * (je, me, te, se, le, la, ne, de, que + vowel → j', ..., qu'; ma/ta/sa + vowel → mon/ton/son)
 * to a list of words and joins them with spaces.
 */
export function frenchJoin(words: readonly string[]): string {
  // Multi-word entries ("à la maison") are split so the rules see every word.
  const w = words.flatMap((x) => x.split(' ')).filter((x) => x !== '');
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) {
    const word = w[i];
    const next = w[i + 1];
    const after = w[i + 2];
    if ((word === 'à' || word === 'de') && next === 'le' && after !== undefined && !frVowelStart(after)) {
      out.push(word === 'à' ? 'au' : 'du');
      i++;
      continue;
    }
    if ((word === 'à' || word === 'de') && next === 'les') {
      out.push(word === 'à' ? 'aux' : 'des');
      i++;
      continue;
    }
    out.push(word);
  }
  const elided: string[] = [];
  for (let i = 0; i < out.length; i++) {
    const word = out[i];
    const next = out[i + 1];
    if (next !== undefined && frVowelStart(next)) {
      if (['je', 'me', 'te', 'se', 'le', 'la', 'ne', 'de', 'que'].includes(word)) {
        elided.push(`${word.slice(0, -1)}'${next}`);
        i++;
        continue;
      }
      if (word === 'ma' || word === 'ta' || word === 'sa') {
        elided.push(`${word[0]}on`);
        continue;
      }
    }
    elided.push(word);
  }
  return elided.join(' ');
}

function frAdjective(a: Adjective, g: Gender, plural: boolean, nextWord?: string): string {
  if (!plural && g === 'm' && a.msVowel && nextWord !== undefined && frVowelStart(nextWord)) return a.msVowel;
  return a.fr[(g === 'f' ? 1 : 0) + (plural ? 2 : 0)];
}

const FR_PRONOUNS: Record<PronounKey, (s: Extract<Subject, { type: 'pronoun' }>) => string> = {
  i: () => 'je',
  you: (s) => (s.plural ? 'vous' : 'tu'),
  he: () => 'il',
  she: () => 'elle',
  we: () => 'nous',
  they: (s) => (s.gender === 'f' ? 'elles' : 'ils'),
};

/** The French words of a noun phrase; `negated` turns indefinite and partitive articles into "de". */
function frNounPhrase(np: NounPhrase, negated: boolean): string[] {
  const { noun, plural, adjective } = np;
  const nounWord = plural ? noun.frPl : noun.fr;
  const adjBefore = adjective?.pre === true;
  const adjWord = adjective ? frAdjective(adjective, noun.g, plural, nounWord) : undefined;
  const core = adjective === undefined ? [nounWord] : adjBefore ? [adjWord!, nounWord] : [nounWord, adjWord!];
  let det: string[];
  switch (np.det) {
    case 'a':
      det = negated ? ['de'] : [noun.g === 'f' ? 'une' : 'un'];
      break;
    case 'some':
      // "des" becomes "de" before an adjective that precedes a plural noun.
      det = negated || adjBefore ? ['de'] : ['des'];
      break;
    case 'number':
      det = [np.number![1]];
      break;
    case 'the':
    case 'generic':
      det = [plural ? 'les' : noun.g === 'f' ? 'la' : 'le'];
      break;
    case 'possessive': {
      const [m, f, pl] = frPossessive(np.possessive!, np.formalYour ?? false);
      det = [plural ? pl : noun.g === 'f' ? f : m];
      break;
    }
    case 'partitive':
      // du / de la / de l' (contracted and elided in frenchJoin)
      det = negated ? ['de'] : ['de', noun.g === 'f' ? 'la' : 'le'];
      break;
  }
  return [...det, ...core];
}

function frSubject(s: Subject): string[] {
  if (s.type === 'pronoun') return [FR_PRONOUNS[s.key](s)];
  return frNounPhrase({ noun: s.noun, plural: s.plural, det: s.det === 'the' ? 'the' : 'possessive', possessive: s.det === 'the' ? undefined : s.det }, false);
}

export function renderFrench(c: Clause): string {
  const person = personOf(c.subject);
  const subject = frSubject(c.subject);
  const conj = (verb: string) => {
    const table = CONJUGATIONS[verb];
    if (!table) throw new Error(`eng-fra: no conjugation for ${verb}`);
    return table[person];
  };
  const negate = (verb: string, rest: string[]) => (c.negative ? ['ne', verb, 'pas', ...rest] : [verb, ...rest]);
  let predicate: string[];
  switch (c.kind) {
    case 'be': {
      const intens = INTENSIFIER_FR[c.intensifier];
      const adj = frAdjective(c.adjective, genderOf(c.subject), isPlural(c.subject));
      predicate = negate(conj('être'), [intens, adj]);
      break;
    }
    case 'avoir-expression':
      predicate = negate(conj('avoir'), [INTENSIFIER_FR[c.intensifier], c.expression.fr]);
      break;
    case 'intransitive':
      predicate = negate(conj(c.verb.fr), c.adverb ? [ADVERB_FR[c.adverb]] : []);
      break;
    case 'transitive': {
      const v = c.verb;
      const object = 'fixed' in c.object ? [c.object.fixed[1]] : frNounPhrase(c.object, c.negative && v.negationDe);
      predicate = negate(conj(v.fr), [...(v.frAfter ? [v.frAfter] : []), ...object]);
      break;
    }
  }
  const words = c.question ? ['est-ce', 'que', ...subject, ...predicate, '?'] : [...subject, ...predicate, '.'];
  return frenchJoin(words);
}

// ---------------------------------------------------------------------------------------------
// English rendering

/** "a" or "an" before a word (by its first letter; the vocabulary has no "hour"/"unit" cases). */
export function enIndefinite(nextWord: string): string {
  return /^[aeiou]/.test(nextWord) ? 'an' : 'a';
}

/** `anyForSome`: "some" reads "any" in negative sentences and questions ("i don't have any cats"). */
function enNounPhrase(np: NounPhrase, anyForSome: boolean): string[] {
  const nounWord = np.plural ? np.noun.enPl : np.noun.en;
  const core = np.adjective ? [np.adjective.en, nounWord] : [nounWord];
  switch (np.det) {
    case 'a':
      return [enIndefinite(core[0]), ...core];
    case 'some':
      return [anyForSome ? 'any' : 'some', ...core];
    case 'number':
      return [np.number![0], ...core];
    case 'the':
      return ['the', ...core];
    case 'possessive':
      return [np.possessive!, ...core];
    case 'generic':
    case 'partitive':
      return core;
  }
}

function enSubject(s: Subject): string {
  if (s.type === 'pronoun') return s.plural ? (s.gender === 'f' ? 'you girls' : 'you all') : s.key;
  return [s.det, ...(s.plural ? [s.noun.enPl] : [s.noun.en])].join(' ');
}

/** am / is / are for the subject. */
function enBe(s: Subject): string {
  if (s.type === 'pronoun' && s.key === 'i') return 'am';
  return personOf(s) === 2 ? 'is' : 'are';
}

const CONTRACTED_BE: Record<string, string> = { i: "i'm", you: "you're", he: "he's", she: "she's", we: "we're", they: "they're" };

/** Subject + be (+ not), with contractions when asked: "she isn't" / "she's not" / "she is not". */
function enSubjectBe(c: ClauseBase): string[] {
  const subj = enSubject(c.subject);
  const be = enBe(c.subject);
  // Only a one-word pronoun contracts with be ("you're", but "you all are").
  const contracted = CONTRACTED_BE[subj] as string | undefined;
  if (c.contraction === 'none') return c.negative ? [subj, be, 'not'] : [subj, be];
  if (!c.negative) return contracted !== undefined ? [contracted] : [subj, be];
  // "i'm not" is the only contracted form for "i" ("amn't" is not standard English).
  if (contracted !== undefined && (subj === 'i' || c.contraction === 'pronoun')) return [contracted, 'not'];
  return [subj, be === 'is' ? "isn't" : "aren't"];
}

function enDo(c: ClauseBase): string {
  const third = personOf(c.subject) === 2;
  if (!c.negative) return third ? 'does' : 'do';
  if (c.contraction !== 'none') return third ? "doesn't" : "don't";
  return third ? 'does not' : 'do not';
}

export function renderEnglish(c: Clause): string {
  const subj = enSubject(c.subject);
  const be = enBe(c.subject);
  const third = personOf(c.subject) === 2;
  let words: string[];
  switch (c.kind) {
    case 'be':
    case 'avoir-expression': {
      const intens = c.intensifier ? [c.intensifier] : [];
      const word = c.kind === 'be' ? c.adjective.en : c.expression.en;
      words = c.question ? [be, subj, ...intens, word] : [...enSubjectBe(c), ...intens, word];
      break;
    }
    case 'intransitive': {
      const v = c.verb.en;
      // "often" goes before the verb in English statements ("he often sings"), after it otherwise.
      const adv = c.adverb ? [c.adverb] : [];
      if (c.progressive) {
        words = c.question ? [be, subj, v.ing, ...adv] : [...enSubjectBe(c), v.ing, ...adv];
      } else if (c.question) {
        words = [third ? 'does' : 'do', subj, v.base, ...adv];
      } else if (c.negative) {
        words = [subj, enDo(c), v.base, ...adv];
      } else if (c.adverb === 'often') {
        words = [subj, 'often', third ? v.third : v.base];
      } else {
        words = [subj, third ? v.third : v.base, ...adv];
      }
      break;
    }
    case 'transitive': {
      const v = c.verb.en;
      const object = 'fixed' in c.object ? [c.object.fixed[0]] : enNounPhrase(c.object, c.negative || c.question);
      const tail = [...(v.particle ? [v.particle] : []), ...object];
      if (c.progressive) {
        words = c.question ? [be, subj, v.ing, ...tail] : [...enSubjectBe(c), v.ing, ...tail];
      } else if (c.question) {
        words = [third ? 'does' : 'do', subj, v.base, ...tail];
      } else if (c.negative) {
        words = [subj, enDo(c), v.base, ...tail];
      } else {
        words = [subj, third ? v.third : v.base, ...tail];
      }
      break;
    }
  }
  return [...words, c.question ? '?' : '.'].join(' ');
}

// ---------------------------------------------------------------------------------------------
// Sampling

function sampleSubject(rng: Rng, kinds: readonly NounKind[]): Subject {
  if (rng.chance(0.6)) {
    const key = rng.weighted<PronounKey>([
      ['i', 3],
      ['you', 2],
      ['he', 2],
      ['she', 2],
      ['we', 1.5],
      ['they', 1.5],
    ]);
    const plural = key === 'you' && rng.chance(0.35);
    return { type: 'pronoun', key, gender: key === 'she' || (plural && rng.chance(0.3)) ? 'f' : 'm', plural };
  }
  const pool = [...(kinds.includes('person') ? PEOPLE : []), ...(kinds.includes('animal') ? ANIMALS : [])];
  const noun = rng.pick(pool);
  const det = noun.possessable === false || rng.chance(0.5) ? 'the' : rng.pick(POSSESSIVES);
  return { type: 'noun', noun, plural: noun.pluralizable !== false && rng.chance(0.3), det };
}

function subjectTags(s: Subject): readonly NounTag[] {
  return s.type === 'noun' ? s.noun.tags : ['person'];
}

function sampleIntensifier(rng: Rng, negative: boolean, allowed: readonly IntensifierKey[]): IntensifierKey {
  const options = allowed.filter((k) => k !== '' && (!negative || NEGATABLE.has(k)));
  return options.length === 0 || rng.chance(0.45) ? '' : rng.pick(options);
}

const ALL_INTENSIFIERS: readonly IntensifierKey[] = ['', 'very', 'so', 'too', 'really', 'quite', 'a little'];

/** `formalYour`: "your" is votre / vos (the subject is plural "you"), else ton / ta / tes. */
function sampleObject(rng: Rng, v: TransitiveVerb, negative: boolean, formalYour: boolean): NounPhrase | { fixed: readonly [string, string] } {
  switch (v.pattern) {
    case 'language':
      return { fixed: rng.pick(LANGUAGES) };
    case 'place':
      return { fixed: rng.pick(PLACES) };
    case 'game':
      return { fixed: rng.pick(GAMES) };
    default:
      break;
  }
  const noun = rng.pick(v.objects);
  const attributive = ADJECTIVES.filter((a) => a.attributive && a.of.some((tag) => noun.tags.includes(tag)));
  const adjective = !noun.mass && attributive.length > 0 && rng.chance(0.3) ? rng.pick(attributive) : undefined;
  switch (v.pattern) {
    case 'generic':
      return { noun, plural: !noun.mass, det: 'generic' };
    case 'partitive':
      return { noun, plural: false, det: 'partitive' };
    case 'possessive-person': {
      const plural = noun.pluralizable !== false && rng.chance(0.25);
      if (noun.possessable === false) return { noun, plural, det: 'the' };
      return { noun, plural, det: 'possessive', possessive: rng.pick(POSSESSIVES), formalYour };
    }
    case 'indefinite-singular':
      return { noun, plural: false, det: 'a', adjective };
    case 'definite': {
      // "the sheep" does not say its number: such nouns stay singular here.
      const plural = noun.enPl !== noun.en && rng.chance(0.3);
      return rng.chance(0.6) || noun.possessable === false
        ? { noun, plural, det: 'the', adjective }
        : { noun, plural, det: 'possessive', possessive: rng.pick(POSSESSIVES), formalYour, adjective };
    }
    case 'indefinite': {
      // Numbers are left out of negative sentences ("je n'ai pas deux chats" is odd out of
      // context), and "some" of people ("i have some brothers").
      const r = rng.next();
      if (r < 0.6) return { noun, plural: false, det: 'a', adjective };
      if (r < 0.8 && noun.kind !== 'person') return { noun, plural: true, det: 'some', adjective };
      if (negative) return { noun, plural: false, det: 'a', adjective };
      return { noun, plural: true, det: 'number', number: rng.pick(NUMBERS), adjective };
    }
  }
}

export function sampleClause(rng: Rng): Clause {
  const negative = rng.chance(0.35);
  const question = !negative && rng.chance(0.15);
  const contraction = rng.weighted<ClauseBase['contraction']>([
    ['none', 6],
    ['pronoun', 2],
    ['not', 2],
  ]);
  const kind = rng.weighted<Clause['kind']>([
    ['be', 35],
    ['avoir-expression', 8],
    ['intransitive', 17],
    ['transitive', 40],
  ]);
  switch (kind) {
    case 'be': {
      const subject = sampleSubject(rng, ['person', 'animal']);
      const tags = subjectTags(subject);
      const adjective = rng.pick(ADJECTIVES.filter((a) => a.of.some((tag) => tags.includes(tag))));
      const allowed = adjective.gradable === false ? [] : ALL_INTENSIFIERS.filter((k) => k !== 'a little' || adjective.aLittle);
      const intensifier = sampleIntensifier(rng, negative, allowed);
      return { kind, subject, negative, question, contraction, adjective, intensifier };
    }
    case 'avoir-expression': {
      const subject = sampleSubject(rng, ['person', 'animal']);
      const expression = rng.pick(AVOIR_EXPRESSIONS.filter((e) => !e.peopleOnly || subjectTags(subject).includes('person')));
      return { kind, subject, negative, question, contraction, expression, intensifier: sampleIntensifier(rng, negative, expression.intensifiers) };
    }
    case 'intransitive': {
      const subject = sampleSubject(rng, ['person']);
      // "do i sing ?" is odd; questions about oneself are kept to "am i ...?"
      if (question && subject.type === 'pronoun' && subject.key === 'i') return sampleClause(rng);
      const verb = rng.pick(INTRANSITIVE_VERBS);
      const adverbs = verb.adverbs.filter((a) => (a === 'together' ? isPlural(subject) : true) && !(a === 'often' && question));
      const adverb = rng.chance(0.6) ? rng.pick(adverbs) : undefined;
      const progressive = adverb === 'now' ? true : adverb === 'every day' || adverb === 'often' || adverb === 'well' ? false : rng.chance(0.3);
      return { kind, subject, negative, question, contraction, verb, adverb, progressive };
    }
    case 'transitive': {
      const subject = sampleSubject(rng, ['person']);
      if (question && subject.type === 'pronoun' && subject.key === 'i') return sampleClause(rng);
      const verb = rng.pick(TRANSITIVE_VERBS);
      const progressive = verb.progressive && rng.chance(0.4);
      return { kind, subject, negative, question, contraction, verb, object: sampleObject(rng, verb, negative, subject.type === 'pronoun' && subject.plural), progressive };
    }
  }
}

export function sampleEngFraPair(rng: Rng): Pair {
  const c = sampleClause(rng);
  return { src: renderEnglish(c), tgt: renderFrench(c) };
}

export const ENG_FRA_DEFAULT_SIZES: SplitSizes = { train: 8000, valid: 500, test: 500 };

export function generateEngFra(seed: number, sizes?: Partial<SplitSizes>): Splits {
  return generateSplits('eng-fra', seed, resolveSizes('eng-fra', ENG_FRA_DEFAULT_SIZES, sizes), sampleEngFraPair);
}
