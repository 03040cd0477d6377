import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCloudForTest } from './cloud-testing.js';
import type { CloudTestHarness } from './cloud-testing.js';
import { ParseError } from './errors/index.js';

// Parse cloud code as developers write it: a TypeScript entry importing a helper, global `Parse`.
const MAIN_TS = `
import { normalizeTitle } from './helpers.js';

// Types only (erased at run time): Parse itself is the global the server provides.
import type ParseSDK from 'parse/node';
declare const Parse: typeof ParseSDK;

Parse.Cloud.define('hello', (request) => 'Hello ' + (request.params.name ?? 'world'));

Parse.Cloud.define('whoami', (request) => request.user ? request.user.get('username') : null, { requireUser: true });

Parse.Cloud.define('countTodos', async (request) => {
  const query = new Parse.Query('Todo');
  return query.count({ useMasterKey: true });
});

Parse.Cloud.define('makeTodo', async (request) => {
  const todo = new Parse.Object('Todo');
  todo.set('title', request.params.title);
  await todo.save(null, { useMasterKey: true });
  return todo;
});

Parse.Cloud.define('old', (request, response) => {
  response.success({ n: request.params.n + 1 });
});

// Written for parse-server 3+ but keeping an unused second parameter: the returned promise answers.
Parse.Cloud.define('asyncTwoArgs', async (request, _response) => 'done ' + request.params.x);

Parse.Cloud.beforeSave('Todo', (request) => {
  const title = request.object.get('title');
  if (typeof title !== 'string' || title.trim() === '') throw new Parse.Error(142, 'A todo needs a title.');
  if (title === 'forbidden') throw 'no forbidden todos';
  request.object.set('title', normalizeTitle(title));
  if (!request.original) request.object.set('done', false);
});

Parse.Cloud.job('tidy', async (request) => {
  await request.message('tidying ' + request.params.what);
  return 'tidied';
});

Parse.Cloud.beforeDelete('Todo', (request) => {
  if (request.object.get('locked') === true) throw new Parse.Error(119, 'Locked.');
});
`;

const HELPERS_TS = `export function normalizeTitle(title: string): string { return title.trim().replace(/\\s+/g, ' '); }\n`;

describe('loadCloudForTest: the developer harness', () => {
  let dir: string;
  let cloud: CloudTestHarness;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-harness-'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
    writeFileSync(join(dir, 'main.ts'), MAIN_TS);
    writeFileSync(join(dir, 'helpers.ts'), HELPERS_TS);
    cloud = await loadCloudForTest(join(dir, 'main.ts'));
  });

  after(async () => {
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a function with params', async () => {
    assert.equal(await cloud.run('hello', { params: { name: 'Ada' } }), 'Hello Ada');
    assert.equal(await cloud.run('hello'), 'Hello world');
  });

  it('runs the (request, response) style', async () => {
    assert.deepEqual(await cloud.run('old', { params: { n: 1 } }), { n: 2 });
    assert.equal(await cloud.run('asyncTwoArgs', { params: { x: 1 } }), 'done 1');
  });

  it('applies the validator: requireUser refuses without a user (142) and passes with one', async () => {
    await assert.rejects(
      () => cloud.run('whoami'),
      (err: unknown) => err instanceof ParseError && err.code === 142 && /Please login/.test(err.message),
    );
    const user = await cloud.signUp('ada', 'secret-pass');
    assert.equal(await cloud.run('whoami', { user }), 'ada');
  });

  it('reports an unknown function as 141', async () => {
    await assert.rejects(
      () => cloud.run('nope'),
      (err: unknown) => err instanceof ParseError && err.code === 141 && err.message === 'Invalid function: "nope"',
    );
  });

  it('lets Parse.Query and saves inside a function reach the embedded database', async () => {
    const before = await cloud.run('countTodos');
    const todo = (await cloud.run('makeTodo', { params: { title: '  buy   milk ' } })) as {
      id: string;
      get(key: string): unknown;
    };
    assert.equal(typeof todo.id, 'string');
    // The save went through the beforeSave trigger: normalized title, done set.
    assert.equal(todo.get('title'), 'buy milk');
    assert.equal(todo.get('done'), false);
    assert.equal(await cloud.run('countTodos'), (before as number) + 1);
  });

  it('runs beforeSave: returns the changed object, or rejects with the code the client would get', async () => {
    const created = await cloud.beforeSave('Todo', { object: { title: '  a   b ' } });
    assert.equal(created.object['title'], 'a b');
    assert.deepEqual(created.changes, { title: 'a b', done: false });

    const updated = await cloud.beforeSave('Todo', {
      object: { title: 'new  title' },
      original: { objectId: 'x1', title: 'old', done: true },
    });
    assert.equal(updated.object['title'], 'new title');
    assert.equal(updated.object['done'], true);

    await assert.rejects(
      () => cloud.beforeSave('Todo', { object: { title: ' ' } }),
      (err: unknown) => err instanceof ParseError && err.code === 142 && err.message === 'A todo needs a title.',
    );
    await assert.rejects(
      () => cloud.beforeSave('Todo', { object: { title: 'forbidden' } }),
      (err: unknown) => err instanceof ParseError && err.code === 141 && err.message === 'no forbidden todos',
    );
  });

  it('runs a job directly, collecting its messages', async () => {
    assert.deepEqual(await cloud.job('tidy', { params: { what: 'desk' } }), {
      result: 'tidied',
      messages: ['tidying desk'],
      progress: [],
    });
    await assert.rejects(
      () => cloud.job('nope'),
      (err: unknown) => err instanceof ParseError && err.code === 141,
    );
  });

  it('runs beforeDelete', async () => {
    await cloud.beforeDelete('Todo', { object: { objectId: 'a', locked: false } });
    await assert.rejects(
      () => cloud.beforeDelete('Todo', { object: { objectId: 'b', locked: true } }),
      (err: unknown) => err instanceof ParseError && err.code === 119,
    );
  });
});

describe('loadCloudForTest: load errors', () => {
  it('names the file and the error when the module throws while loading', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-harness-bad-'));
    try {
      writeFileSync(join(dir, 'main.js'), "throw new Error('boom at load');\n");
      await assert.rejects(
        () => loadCloudForTest(join(dir, 'main.js')),
        (err: unknown) => err instanceof ParseError && /main\.js/.test(err.message) && /boom at load/.test(err.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadCloudForTest: CommonJS cloud code', () => {
  it('loads classic Parse cloud code (require of a sibling file), again in a second app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-harness-cjs-'));
    try {
      writeFileSync(join(dir, 'main.js'), "require('./functions.js');\n");
      writeFileSync(join(dir, 'functions.js'), "Parse.Cloud.define('classic', () => 'classic ' + typeof module);\n");
      // Each load runs the files again: the second app gets its own registrations.
      for (const round of [1, 2]) {
        const cloud = await loadCloudForTest(join(dir, 'main.js'));
        try {
          assert.equal(await cloud.run('classic'), 'classic object', `round ${round}`);
        } finally {
          await cloud.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadCloudForTest: the typed API and Parse API in one module', () => {
  it('registers both into the same app; typed hooks can use the global Parse SDK too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-harness-mixed-'));
    // The typed API as cloud code imports it (`@strata/server/cloud`), here straight from the source tree.
    const api = new URL('./cloud-api.ts', import.meta.url).href;
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
    writeFileSync(
      join(dir, 'main.ts'),
      [
        `import { defineFunction, beforeSave } from ${JSON.stringify(api)};`,
        "import type ParseSDK from 'parse/node';",
        'declare const Parse: typeof ParseSDK;',
        "defineFunction<{ a: number; b: number }, number>('add', ({ params }) => params.a + params.b);",
        "beforeSave<{ title?: string }>('Note', ({ object }) => { object.title = (object.title ?? '').toUpperCase(); });",
        "defineFunction('countNotes', async () => new Parse.Query('Note').count({ useMasterKey: true }));",
        "Parse.Cloud.define('addNote', async (request) => {",
        "  const note = new Parse.Object('Note');",
        '  await note.save({ title: request.params.title }, { useMasterKey: true });',
        "  return note.get('title');",
        '});',
      ].join('\n'),
    );
    const cloud = await loadCloudForTest(join(dir, 'main.ts'));
    try {
      assert.equal(await cloud.run('add', { params: { a: 2, b: 3 } }), 5);
      // A Parse-API function saving through the SDK runs the typed beforeSave.
      assert.equal(await cloud.run('addNote', { params: { title: 'hi' } }), 'HI');
      assert.equal(await cloud.run('countNotes'), 1);
      const saved = await cloud.beforeSave('Note', { object: { title: 'x' } });
      assert.equal(saved.object['title'], 'X');
    } finally {
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
