/**
 * `strata types` end to end: a real server with real classes, the real CLI (`server/src/main.ts types`, run
 * as a child process from source), and the TypeScript compiler over the generated file plus a usage file that
 * calls `@strata/sdk` (resolved to the workspace's `sdk/src`). The usage file compiles; without its
 * `@ts-expect-error` lines the misspelled field name and the misspelled class name are compile errors.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { APP_ID, MASTER_KEY, startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const MAIN = join(ROOT, 'server/src/main.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs node asynchronously (the server answering the CLI lives in this process). */
function runNode(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: 120_000, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** `strata types <args>` from the repository root, without the caller's STRATA_* settings. */
function runTypes(args: readonly string[]): Promise<Run> {
  return runNode(['--import', 'tsx', MAIN, 'types', ...args], { cwd: ROOT, env: cleanEnv() });
}

/** The environment without STRATA_* variables, so only the flags under test configure the CLI. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('STRATA_')));
}

const USAGE = `import { createClient } from '@strata/sdk';
import type { Schema, Todo } from './strata-types.js';

const client = createClient<Schema>({ serverURL: 'http://127.0.0.1:1/parse', appId: 'app' });

export const draft: Todo = { title: 'buy milk', done: false, tags: ['shop'], meta: { aisle: 3 }, due: new Date() };

export async function use(): Promise<void> {
  await client.collection('Todo').create({ title: 'x', done: true });
  // @ts-expect-error: \`titel\` is not a field of Todo
  await client.collection('Todo').create({ titel: 'x' });
  // @ts-expect-error: \`Tood\` is not a class of the schema
  client.collection('Tood');
}
`;

describe('strata types', () => {
  let server: TestServer;
  let dir: string;

  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'strata-types-'));
    const fields = {
      title: { type: 'String', required: true },
      done: { type: 'Boolean' },
      owner: { type: 'Pointer', targetClass: '_User' },
      photo: { type: 'File' },
      tags: { type: 'Array' },
      location: { type: 'GeoPoint' },
      members: { type: 'Relation', targetClass: '_User' },
      meta: { type: 'Object' },
      due: { type: 'Date' },
    };
    for (const body of [
      { className: 'Todo', fields },
      // A class named like a global type: its interface must not shadow `Date` in the generated file.
      { className: 'Date', fields: { at: { type: 'Date' }, todo: { type: 'Pointer', targetClass: 'Todo' } } },
    ]) {
      const response = await server.call({ method: 'POST', path: `/schemas/${body.className}`, body, master: true });
      assert.equal(response.status, 200, JSON.stringify(response.body));
    }
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the schema as TypeScript, with keys from flags or from the data dir', async () => {
    const out = join(dir, 'strata-types.ts');
    const withFlags = await runTypes([
      '--out',
      out,
      `--server-url=${server.mountURL}`,
      '--app-id',
      APP_ID,
      '--master-key',
      MASTER_KEY,
    ]);
    assert.equal(withFlags.code, 0, withFlags.stderr);
    assert.match(withFlags.stdout, /strata types: wrote \d+ classes to /);
    const source = readFileSync(out, 'utf8');
    assert.match(source, /^export interface Todo \{$/m);
    assert.match(source, /^ {2}title: string;$/m);
    assert.match(source, /^ {2}owner\?: Pointer<User>;$/m);
    assert.match(source, /^ {2}members\?: Relation<User>;$/m);
    assert.match(source, /^ {2}Date: DateClass;$/m);
    assert.match(source, /^ {2}_User: User;$/m);

    // The data dir's keys.json, as `start` writes it, stands in for --app-id / --master-key.
    const dataDir = join(dir, 'data');
    const keys = { appId: APP_ID, masterKey: MASTER_KEY, clientKey: 'k', createdAt: new Date().toISOString() };
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'keys.json'), JSON.stringify(keys), { mode: 0o600 });
    const fromKeysFile = join(dir, 'from-keys.ts');
    const withKeysFile = await runTypes([
      '--out',
      fromKeysFile,
      '--server-url',
      server.mountURL,
      '--data-dir',
      dataDir,
    ]);
    assert.equal(withKeysFile.code, 0, withKeysFile.stderr);
    assert.equal(readFileSync(fromKeysFile, 'utf8'), source);
  });

  it('fails clearly on a wrong master key or a missing --out, writing nothing', async () => {
    const out = join(dir, 'never.ts');
    const wrongKey = await runTypes([
      '--out',
      out,
      '--server-url',
      server.mountURL,
      '--app-id',
      APP_ID,
      '--master-key',
      'nope',
    ]);
    assert.equal(wrongKey.code, 2);
    assert.match(wrongKey.stderr, /strata types: GET .*\/schemas answered 4\d\d/);
    const noOut = await runTypes(['--server-url', server.mountURL]);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /--out <file> is required/);
    assert.throws(() => readFileSync(out), /ENOENT/);
  });

  it('the output compiles against @strata/sdk and catches a misspelled field and class name', async () => {
    const out = join(dir, 'strata-types.ts');
    readFileSync(out, 'utf8'); // written by the first test
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023', 'DOM'],
          types: [],
          skipLibCheck: true,
          noUncheckedIndexedAccess: true,
          noUnusedLocals: true,
          verbatimModuleSyntax: true,
          paths: { '@strata/sdk': [join(ROOT, 'sdk/src/index.ts')] },
        },
        files: ['strata-types.ts', 'usage.ts'],
      }),
    );
    writeFileSync(join(dir, 'usage.ts'), USAGE);
    const clean = await runNode([TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir });
    assert.equal(clean.code, 0, `expected a clean compile:\n${clean.stdout}${clean.stderr}`);

    writeFileSync(
      join(dir, 'usage.ts'),
      USAGE.split('\n')
        .filter((line) => !line.includes('@ts-expect-error'))
        .join('\n'),
    );
    const broken = await runNode([TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir });
    assert.notEqual(broken.code, 0, 'the misspelled names must not compile');
    const errors = broken.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    assert.equal(errors.length, 2, broken.stdout);
    assert.match(errors[0] ?? '', /^usage\.ts\(\d+,\d+\): error TS\d+: .*'titel'/);
    // On the line calling collection('Tood'): no overload takes a name the schema does not list.
    assert.match(errors[1] ?? '', /^usage\.ts\(11,\d+\): error TS2769: No overload matches this call/);
  });
});
