// The bound on a sentence given to translate (the page's Translate box, the CLI's --text),
// checked before it is tokenized or sent to the worker: a pasted megabyte would be normalised,
// split and encoded in full only to be refused for its token count (at most maxLen ≤ 200 tokens)
// afterwards. 5,000 characters is 25 characters a token at the longest model input.

export const MAX_TRANSLATE_CHARS = 5000;

/** The one-line refusal of a sentence too long to translate, else null. */
export function translateInputError(text: string): string | null {
  return text.length > MAX_TRANSLATE_CHARS
    ? `the sentence has ${text.length.toLocaleString('en')} characters; at most ${MAX_TRANSLATE_CHARS.toLocaleString('en')} can be translated`
    : null;
}
