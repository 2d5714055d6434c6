// Module hooks for tools/wgsl-loader.mjs: a `?raw` import becomes a module whose default export is
// the file's text (Vite's semantics).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function load(url, context, nextLoad) {
  const q = url.indexOf('?raw');
  if (url.startsWith('file:') && q !== -1) {
    const text = await readFile(fileURLToPath(url.slice(0, q)), 'utf8');
    return { format: 'module', shortCircuit: true, source: `export default ${JSON.stringify(text)};` };
  }
  return nextLoad(url, context);
}
