// Export of a BPE tokenizer as a Hugging Face `tokenizer.json` (the format of the `tokenizers`
// library, read by Python's `tokenizers`/`transformers` and by the pure-JS @huggingface/tokenizers),
// so that a model's tokenizer is usable outside the project with the same ids. The pipeline is
// the one src/data/bpe.ts implements:
//   normalizer   NFKC, every run of white space → one space, strip both ends;
//   pre-tokenizer Metaspace ("▁" for spaces and in front of the text, split before each "▁");
//   model        BPE with our merges in rank order, byte_fallback (pieces <0x00>…<0xFF>);
//   decoder      "▁" → space, byte pieces → UTF-8, fuse, strip the one leading space.
// The four special tokens are added tokens with their ids 0–3.

import { META } from './bpe';
import { SPECIAL_TOKENS, type Tokenizer } from './tokenizer';

export function toHuggingFaceTokenizerJson(tok: Tokenizer): Record<string, unknown> {
  if (!tok.bpe) throw new Error(`only a BPE tokenizer exports to tokenizer.json (this one is '${tok.level}' level)`);
  const vocab: Record<string, number> = {};
  tok.tokenList.forEach((t, i) => (vocab[t] = i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFKC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Strip', strip_left: true, strip_right: true },
      ],
    },
    pre_tokenizer: { type: 'Metaspace', replacement: META, prepend_scheme: 'always', split: true },
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: META }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: tok.bpe.json.merges.map(([l, r]) => [l, r]),
    },
  };
}
