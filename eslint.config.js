// ESLint: typescript-eslint's recommended rules, React hooks rules, and the one-way dependency
// rule of the architecture: engine ← models ← train ← ui/cli (arrows point down the path
// page → worker → Trainer → model → engine → kernels; nothing imports upwards).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((group) => ({ group: [`**/${group}/**`, `**/${group}`], message })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.vitest-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  layer(['src/engine/**'], ['models', 'train', 'ui', 'cli', 'data'], 'the engine knows nothing of models, training, data or UI'),
  layer(['src/models/**'], ['train', 'ui', 'cli'], 'models do not import the trainer, UI or CLI'),
  layer(['src/train/**', 'src/data/**'], ['ui', 'cli'], 'the trainer and data do not import the UI or CLI'),
  layer(['src/ui/**'], ['engine', 'models', 'shaders', 'cli'], 'the page talks to the worker through src/train/protocol.ts only'),
);
