// Node loader: lets `import src from '../shaders/x.wgsl?raw'` work under Node the way it works
// in Vite, so each kernel has one source of truth (the .wgsl file) in the browser, Vitest and the CLI.
import { register } from 'node:module';

register('./wgsl-hooks.mjs', import.meta.url);
