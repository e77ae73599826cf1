// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Folders that are features: they may import telecmi/, store/store.ts, config.ts, errors.ts and shared helpers, never each other. */
const FEATURES = [
  'receiver',
  'calls',
  'api',
  'live',
  'dashboard',
  'delivery',
  'scenarios',
  'backfill',
  'fake-telecmi',
  'recordings',
  'people',
  'alerts',
  'retention',
  'followups',
];

/** The architecture, as import rules (design.md, style.md §4.2): a wrong import fails `npm test`. */
const zones = [
  // telecmi/ is a standalone library: it imports nothing else from src/.
  {
    target: './src/telecmi',
    from: './src',
    except: ['./telecmi'],
    message: 'src/telecmi is standalone: it imports nothing else from src/.',
  },
  // Only the composition root (app.ts, open-app.ts) and cli/ choose a store adapter.
  ...[
    './src/receiver',
    './src/calls',
    './src/api',
    './src/live',
    './src/dashboard',
    './src/delivery',
    './src/scenarios',
    './src/backfill',
    './src/fake-telecmi',
    './src/recordings',
    './src/people',
    './src/alerts',
    './src/retention',
    './src/followups',
    './src/http',
  ].map((target) => ({
    target,
    from: ['./src/store/sqlite', './src/store/postgres'],
    message: 'Only open-app.ts and cli/ may import a store adapter; use the Store interface.',
  })),
  // Feature folders never import each other: app.ts wires them.
  ...FEATURES.map((feature) => ({
    target: `./src/${feature}`,
    from: FEATURES.filter((other) => other !== feature).map((other) => `./src/${other}`),
    message: 'Feature folders do not import each other; app.ts wires them.',
  })),
  // The queries written once (src/store/sql) know no adapter; the adapters know each other not at all.
  {
    target: './src/store/sql',
    from: ['./src/store/sqlite', './src/store/postgres', './src/cli', './src/app.ts', './src/open-app.ts'],
    message:
      'src/store/sql is the queries written once: it imports no adapter; each adapter gives it a dialect.',
  },
  // The store's contract (store/*.ts) stands below every feature: it imports none of them.
  {
    target: './src/store/*.ts',
    from: FEATURES.map((feature) => `./src/${feature}`),
    message: 'The Store contract imports no feature folder.',
  },
  // An adapter (its fold thread included) runs the fold of calls/ and nothing else of the features, never the
  // HTTP layer, the composition root or the CLI.
  {
    target: ['./src/store/sqlite', './src/store/postgres'],
    from: [
      ...FEATURES.filter((feature) => feature !== 'calls').map((feature) => `./src/${feature}`),
      './src/http',
      './src/app.ts',
      './src/open-app.ts',
    ],
    message: 'A store adapter imports only calls/ among the features (the fold it runs), never the app.',
  },
  {
    target: './src/store/sqlite',
    from: './src/store/postgres',
    message: 'Store adapters do not import each other.',
  },
  {
    target: './src/store/postgres',
    from: './src/store/sqlite',
    message: 'Store adapters do not import each other.',
  },
  // backup/ is an operation on a stopped or running SQLite store's files, run by the CLI: it uses the adapter's
  // snapshot and nothing of the app; nothing but the CLI runs it.
  {
    target: './src/backup',
    from: [
      ...FEATURES.map((feature) => `./src/${feature}`),
      './src/http',
      './src/app.ts',
      './src/open-app.ts',
    ],
    message: 'backup/ uses the SQLite adapter and nothing of the app.',
  },
  {
    target: [...FEATURES.map((feature) => `./src/${feature}`), './src/http', './src/store'],
    from: './src/backup',
    message: 'Only the CLI runs backup/.',
  },
  // Nothing in src/ imports the CLI or the composition root.
  { target: ['./src/*.ts', './src/!(cli)/**'], from: './src/cli', message: 'Only the CLI imports the CLI.' },
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'data/',
      'coverage/',
      'test-results/',
      'src/dashboard/static/vendor/',
      'bench/build/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX, 'simple-import-sort': simpleImportSort },
    settings: { 'import-x/resolver': { typescript: true, node: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-default-export': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through loadConfig() in src/config.ts.',
        },
      ],
    },
  },
  // config.ts is the only reader of process.env in src/; tests, benchmarks and scripts read their own switches.
  {
    files: ['src/config.ts', 'test/**', 'bench/**', 'scripts/**', '*.config.*'],
    rules: { 'no-restricted-properties': 'off' },
  },
  // Matchers such as expect.any() are typed any by design.
  { files: ['**/*.test.ts', 'test/**'], rules: { '@typescript-eslint/no-unsafe-assignment': 'off' } },
  {
    files: ['*.config.*', 'bench/*.config.*', 'eslint.config.js'],
    rules: { 'import-x/no-default-export': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // The wallboard's scripts run in the browser, as classic scripts (no bundler).
  {
    files: ['src/dashboard/static/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, uPlot: 'readonly' } },
    rules: { 'no-restricted-properties': 'off' },
  },
  { files: ['scripts/**/*.mjs', 'bin/**/*.js'], languageOptions: { globals: globals.node } },
  prettier,
);
