// The demo checkpoints shipped in public/pretrained (trained by the CLI; see README), so the
// translate box works the moment the page opens. Paths are relative to the page, so the built
// site works from any static host.

export const PRETRAINED: Readonly<Partial<Record<string, string>>> = {
  'eng-fra': 'pretrained/eng-fra.safetensors',
  'eng-zh': 'pretrained/eng-zh.safetensors',
  dates: 'pretrained/dates.safetensors',
};
