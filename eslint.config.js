// ESLint 9 flat config for every package in the workspace (server, sdk, dashboard, test, scripts, bench).
// The server's import-direction rule is generated from LAYERS below: a module may import its own folder and
// the layers to its left, and another module only through its index.ts. Import cycles are checked by
// scripts/check-import-cycles.js (run by `npm run lint`): the import plugins' resolvers pull in native
// platform packages that npm 11 leaves out of package-lock.json (npm/cli#4828), which breaks `npm ci`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * server/src layers, left to right. Folders in one inner array are peers and may not import each other (the
 * front ends http, graphql, live and dashboard import core and what is left of it, never one another).
 * Top-level files (`*.ts` entries) are layers too: the package entry (`index.ts`), the cloud code API
 * (`cloud-api.ts`) and the cloud test harness (`cloud-testing.ts`) import only what is left of them.
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
  ['cloud-api.ts'],
  ['core'],
  ['push'],
  ['http', 'graphql', 'live', 'dashboard'],
  ['app.ts'],
  ['main.ts', 'index.ts', 'cloud-testing.ts'],
];

const folders = LAYERS.flat().filter((name) => !name.endsWith('.ts'));
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Deepest folder nesting under server/src the layer rule is generated for (server/src/core/classes/x.ts is 2). */
const MAX_DEPTH = 6;

/** The relative-import prefix that reaches server/src from a file `depth` folders below it. */
function rootPrefix(depth) {
  return depth === 0 ? '^\\./' : `^(?:\\.\\./){${depth}}`;
}

/**
 * Import-path regexes a file in server/src/<self>/ at `depth` (or, for a top-level file, in server/src/) may
 * not use. Applied to static imports (`no-restricted-imports`) and to dynamic `import()` alike.
 */
function forbiddenImports(self, { isTest, depth }) {
  const root = rootPrefix(depth);
  const rank = LAYERS.findIndex((layer) => layer.includes(self));
  const forbidden = LAYERS.flatMap((layer, i) => (i >= rank ? layer : [])).filter((name) => name !== self);
  const forbiddenFolders = forbidden.filter((name) => !name.endsWith('.ts'));
  // Tests may drive the app through any top-level entry except the CLI.
  const forbiddenFiles = isTest
    ? ['main.ts'].filter((name) => name !== self)
    : forbidden.filter((name) => name.endsWith('.ts'));
  const others = folders.filter((name) => name !== self);
  const patterns = [
    {
      regex: `${root}(?:${others.map(escape).join('|')})/(?!index\\.js$).+`,
      message: 'Import another module only through its index.ts (e.g. ../storage/index.js), never a deep path.',
    },
  ];
  if (!isTest && forbiddenFolders.length > 0) {
    patterns.push({
      regex: `${root}(?:${forbiddenFolders.map(escape).join('|')})(?:/|$)`,
      message: `Layer order: ${self} may only import modules to its left (${LAYERS.map((l) => l.join(', ')).join(' → ')}).`,
    });
  }
  if (forbiddenFiles.length > 0) {
    patterns.push({
      regex: `${root}(?:${forbiddenFiles.map((f) => escape(f.replace(/\.ts$/, ''))).join('|')})(?:\\.js)?$`,
      message: `Layer order: ${self} may not import ${forbiddenFiles.join(' or ')}.`,
    });
  }
  return patterns;
}

/** Syntax every file avoids; layer configs add their dynamic-import rules to it (a rule's options replace). */
const BASE_SYNTAX = [
  { selector: 'ExportDefaultDeclaration', message: 'Use named exports only.' },
  { selector: 'ExportSpecifier[exported.name="default"]', message: 'Use named exports only.' },
];

function importRules(self, options) {
  const patterns = forbiddenImports(self, options);
  // esquery regex literals cannot hold `/`: spell it \x2F there (the same character to the regex).
  const dynamic = patterns.map(({ regex, message }) => ({
    selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`,
    message: `${message} (dynamic import)`,
  }));
  return {
    'no-restricted-imports': ['error', { patterns }],
    'no-restricted-syntax': ['error', ...BASE_SYNTAX, ...dynamic],
  };
}

const TEST_FILES = ['**/*.test.ts', '**/*.test-util.ts', 'server/src/testing/**'];
/** Shared test support that is not named *.test.ts: storage conformance suites and test-database helpers. */
const TEST_SUPPORT = ['server/src/**/conformance/**', 'server/src/**/test-*.ts'];

/** `server/src/<folder>/` then `depth - 1` more folders, then the file glob. */
const atDepth = (folder, depth, glob) => `server/src/${folder}/${'*/'.repeat(depth - 1)}${glob}`;
const depths = Array.from({ length: MAX_DEPTH }, (_, i) => i + 1);
const topFiles = LAYERS.flat().filter((name) => name.endsWith('.ts'));

const layerConfigs = [
  ...folders.flatMap((folder) =>
    depths.flatMap((depth) => [
      {
        name: `strata/layers/${folder}/${depth}`,
        files: [atDepth(folder, depth, '*.ts')],
        ignores: TEST_FILES,
        rules: importRules(folder, { isTest: false, depth }),
      },
      {
        name: `strata/layers/${folder}/${depth}/tests`,
        files: [atDepth(folder, depth, '*.test.ts'), atDepth(folder, depth, '*.test-util.ts')],
        rules: importRules(folder, { isTest: true, depth }),
      },
    ]),
  ),
  ...topFiles.map((file) => ({
    name: `strata/layers/${file}`,
    // app-*.ts and main-*.ts are parts of the composition root (app-caches.ts) and of the CLI.
    files: ['app.ts', 'main.ts'].includes(file)
      ? [`server/src/${file}`, `server/src/${file.replace(/\.ts$/, '')}-*.ts`]
      : [`server/src/${file}`],
    ignores: TEST_FILES,
    rules: importRules(file, { isTest: false, depth: 0 }),
  })),
  {
    // A new top-level file must take its place in LAYERS, or nothing would check its imports.
    name: 'strata/layers/undeclared',
    files: ['server/src/*.ts'],
    ignores: [
      ...TEST_FILES,
      'server/src/app-*.ts',
      'server/src/main-*.ts',
      ...topFiles.map((file) => `server/src/${file}`),
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...BASE_SYNTAX,
        { selector: 'Program', message: 'Declare this top-level file in the LAYERS of eslint.config.js.' },
      ],
    },
  },
  {
    name: 'strata/layers/tests',
    files: ['server/src/*.test.ts'],
    rules: importRules('main.ts', { isTest: true, depth: 0 }),
  },
  ...depths.map((depth) => ({
    name: `strata/layers/testing/${depth}`,
    files: [atDepth('testing', depth, '*.ts')],
    rules: importRules('main.ts', { isTest: true, depth }),
  })),
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
      'no-restricted-syntax': ['error', ...BASE_SYNTAX],
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
    // Run by mongosh inside the mongo container (docker-compose.yml): its shell globals, no modules.
    name: 'strata/mongosh-scripts',
    files: ['deploy/mongo/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { db: 'readonly', rs: 'readonly', quit: 'readonly', process: 'readonly' },
    },
  },
  {
    name: 'strata/config-files',
    files: ['*.config.js', '*.config.mjs', '**/*.config.js', '**/*.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
