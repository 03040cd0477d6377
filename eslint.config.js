// ESLint 9 flat config for every package in the workspace (server, sdk, dashboard, test, scripts, bench).
// The server's import-direction rule is generated from LAYERS below: a module may import its own folder and
// the layers to its left, and another module only through its index.ts. Import cycles are checked by
// scripts/check-import-cycles.js (run by `npm run lint`): the import plugins' resolvers pull in native
// platform packages that npm 11 leaves out of package-lock.json (npm/cli#4828), which breaks `npm ci`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * server/src layers, left to right. Folders in one inner array are peers and may not import each other.
 * STYLE.md lists `lib, errors` together; errors may still use lib's pure helpers, so lib comes first here.
 */
const LAYERS = [
  ['lib'],
  ['errors'],
  ['config'],
  ['schema'],
  ['query'],
  ['infra', 'storage', 'files', 'email'],
  ['auth'],
  ['cloud'],
  ['core'],
  ['push'],
  ['http', 'graphql', 'live', 'dashboard'],
  ['app.ts'],
  ['main.ts'],
];

const folders = LAYERS.flat().filter((name) => !name.endsWith('.ts'));
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const UP = '^(?:\\./|(?:\\.\\./)+)';

/** Relative-import regexes for a file living in server/src/<self>/ (or, for app.ts/main.ts, in server/src/). */
function importRules(self, { isTest }) {
  const rank = LAYERS.findIndex((layer) => layer.includes(self));
  const forbidden = LAYERS.flatMap((layer, i) => (i >= rank ? layer : [])).filter((name) => name !== self);
  const allowedTops = isTest ? ['app.ts'] : [];
  const forbiddenFolders = forbidden.filter((name) => !name.endsWith('.ts'));
  const forbiddenFiles = forbidden.filter((name) => name.endsWith('.ts') && !allowedTops.includes(name));
  const others = folders.filter((name) => name !== self);
  const patterns = [
    {
      regex: `${UP}(?:${others.map(escape).join('|')})/(?!index\\.js$).+`,
      message: 'Import another module only through its index.ts (e.g. ../storage/index.js), never a deep path.',
    },
  ];
  if (!isTest && forbiddenFolders.length > 0) {
    patterns.push({
      regex: `${UP}(?:${forbiddenFolders.map(escape).join('|')})(?:/|$)`,
      message: `Layer order: ${self} may only import modules to its left (${LAYERS.map((l) => l.join(', ')).join(' → ')}).`,
    });
  }
  if (forbiddenFiles.length > 0) {
    patterns.push({
      regex: `${UP}(?:${forbiddenFiles.map((f) => escape(f.replace(/\.ts$/, ''))).join('|')})(?:\\.js)?$`,
      message: `Layer order: ${self} may not import ${forbiddenFiles.join(' or ')}.`,
    });
  }
  return { 'no-restricted-imports': ['error', { patterns }] };
}

const TEST_FILES = ['**/*.test.ts', '**/*.test-util.ts', 'server/src/testing/**'];
/** Shared test support that is not named *.test.ts: storage conformance suites and test-database helpers. */
const TEST_SUPPORT = ['server/src/**/conformance/**', 'server/src/**/test-*.ts'];

const layerConfigs = [
  ...folders.flatMap((folder) => [
    {
      name: `strata/layers/${folder}`,
      files: [`server/src/${folder}/**/*.ts`],
      ignores: TEST_FILES,
      rules: importRules(folder, { isTest: false }),
    },
    {
      name: `strata/layers/${folder}/tests`,
      files: TEST_FILES.slice(0, 2).map((glob) => `server/src/${folder}/${glob}`),
      rules: importRules(folder, { isTest: true }),
    },
  ]),
  {
    name: 'strata/layers/app',
    files: ['server/src/app.ts', 'server/src/app-*.ts'],
    rules: importRules('app.ts', { isTest: false }),
  },
  {
    name: 'strata/layers/main',
    files: ['server/src/main.ts', 'server/src/main-*.ts'],
    ignores: TEST_FILES,
    rules: importRules('main.ts', { isTest: false }),
  },
  {
    name: 'strata/layers/testing',
    files: ['server/src/testing/**/*.ts', 'server/src/*.test.ts'],
    rules: importRules('main.ts', { isTest: true }),
  },
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', 'bench/results/**', '.strata/**', '**/.strata/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    name: 'strata/base',
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      'no-console': 'error',
      'max-params': 'off',
      '@typescript-eslint/max-params': ['error', { max: 3 }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports only.' },
        { selector: 'ExportSpecifier[exported.name="default"]', message: 'Use named exports only.' },
      ],
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
    },
  },
  {
    name: 'strata/browser',
    files: ['dashboard/src/**', 'sdk/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  ...layerConfigs,
  {
    // Tests print why a service suite was skipped (required by the test conventions), so they may log.
    name: 'strata/console-allowed',
    files: ['server/src/main.ts', 'server/bin/**', 'scripts/**', 'bench/**', ...TEST_FILES, ...TEST_SUPPORT, 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    name: 'strata/config-files',
    files: ['*.config.js', '*.config.mjs', '**/*.config.js', '**/*.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
