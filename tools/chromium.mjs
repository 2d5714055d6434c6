// Where the Chromium used by the tests lives and how it must be launched on machines whose only
// WebGPU adapter is SwiftShader. Playwright's own browser download does not work on our
// machines, so the system Chromium is used; CHROMIUM_PATH overrides the search.
import { existsSync } from 'node:fs';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p));
}

export const CHROMIUM_HELP =
  'Chromium not found: install it (Debian/Ubuntu: `sudo apt-get install chromium`; elsewhere `npx playwright install chromium`) or set CHROMIUM_PATH to a Chromium/Chrome executable';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
