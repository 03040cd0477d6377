import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import { createLogger, createMemoryRateLimiter } from '../infra/index.js';
import { CloudRegistry } from './registry.js';
import { CloudRunner } from './runner.js';
import type { HookCaller } from './runner.js';
import type { CallerInfo } from './types.js';

/** A logger whose lines the test reads back. */
function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function caller(info: Partial<CallerInfo> = {}, roles: readonly string[] = []): HookCaller {
  return {
    info: { master: false, isReadOnly: false, headers: {}, ...info },
    context: {},
    log: createLogger({ level: 'silent' }),
    roleNames: () => Promise.resolve(roles),
  };
}

function runnerWith(setup: (registry: CloudRegistry) => void, timeoutMs = 1000): CloudRunner {
  const registry = new CloudRegistry();
  setup(registry);
  let clock = 0;
  return new CloudRunner({
    registry,
    timeoutMs,
    logger: createLogger({ level: 'silent' }),
    rateLimiter: ({ rule }) =>
      Promise.resolve(
        createMemoryRateLimiter({ max: rule.requestCount, windowMs: rule.requestTimeWindow, now: () => clock++ }),
      ),
  });
}

describe('CloudRunner', () => {
  it('beforeSave validator fields: defaults fill missing values on create, constants keep the stored value on update', async () => {
    const runner = runnerWith((registry) =>
      registry.defineTrigger({
        triggerName: 'beforeSave',
        className: 'Doc',
        source: 'strata',
        validator: { fields: { status: { default: 'new', constant: true }, size: { type: 'Number', default: 1 } } },
        handler: async () => ({ changes: { touched: true } }),
      }),
    );
    const created = await runner.beforeSave({
      className: 'Doc',
      caller: caller(),
      object: { className: 'Doc', status: 'hacked' },
      dirtyKeys: ['status'],
    });
    assert.deepEqual(created, { changes: { status: 'new', size: 1, touched: true } });
    const updated = await runner.beforeSave({
      className: 'Doc',
      caller: caller(),
      object: { className: 'Doc', objectId: 'a', status: 'hacked', size: 5 },
      original: { className: 'Doc', objectId: 'a', status: 'approved', size: 5 },
      dirtyKeys: ['status'],
    });
    assert.deepEqual(updated, { changes: { status: 'approved', touched: true } });
  });

  it('a hook that answers after the timeout is ignored: the caller already got 141', async () => {
    let release: (() => void) | undefined;
    const { logger, lines } = capturingLogger();
    const registry = new CloudRegistry();
    registry.defineFunction({
      name: 'slow',
      source: 'strata',
      handler: () =>
        new Promise((_resolve, reject) => {
          release = () => reject(new Error('too late'));
        }),
    });
    const runner = new CloudRunner({ registry, timeoutMs: 20, logger });
    await assert.rejects(
      runner.runFunction({ name: 'slow', params: {}, caller: caller() }),
      (err: unknown) => err instanceof ParseError && err.code === 141 && /timed out after 20 ms/.test(err.message),
    );
    release?.();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(lines().some((line) => String(line['msg']).includes('after it had timed out')));
  });

  it('afterSave failures are logged on the request logger and answer nothing', async () => {
    const { logger, lines } = capturingLogger();
    const runner = runnerWith((registry) =>
      registry.defineTrigger({
        triggerName: 'afterSave',
        className: 'Doc',
        source: 'strata',
        handler: () => Promise.reject(new Error('after broke')),
      }),
    );
    const result = await runner.afterSave({
      className: 'Doc',
      caller: { ...caller(), log: logger },
      object: { className: 'Doc', objectId: 'x' },
      dirtyKeys: [],
    });
    assert.equal(result, undefined);
    assert.ok(lines().some((line) => line['msg'] === 'afterSave trigger failed'));
  });

  it('synchronous throws, custom codes and junk results stay contained', async () => {
    const runner = runnerWith((registry) => {
      registry.defineFunction({
        name: 'sync',
        source: 'strata',
        handler: (() => {
          throw new Error('sync throw');
        }) as never,
      });
      registry.defineFunction({
        name: 'custom',
        source: 'strata',
        handler: () => Promise.reject({ code: 4242, message: 'my own code' }),
      });
      registry.defineFunction({ name: 'junk', source: 'strata', handler: () => Promise.resolve(42 as never) });
    });
    await assert.rejects(runner.runFunction({ name: 'sync', params: {}, caller: caller() }), {
      code: 141,
      message: 'sync throw',
    });
    const custom = await runner.runFunction({ name: 'custom', params: {}, caller: caller() }).catch((e: unknown) => e);
    assert.ok(custom instanceof ParseError);
    assert.deepEqual([custom.code, custom.message, custom.httpStatus], [4242, 'my own code', 400]);
    assert.deepEqual(await runner.runFunction({ name: 'junk', params: {}, caller: caller() }), { result: undefined });
  });

  it('rateLimit zones: per user, and the master key only with includeMasterKey', async () => {
    const runner = runnerWith((registry) =>
      registry.defineFunction({
        name: 'limited',
        source: 'strata',
        validator: {
          rateLimit: { requestCount: 1, requestTimeWindow: 1_000_000, zone: 'user', includeMasterKey: true },
        },
        handler: () => Promise.resolve({ result: 'ok' }),
      }),
    );
    const alice = caller({ user: { className: '_User', objectId: 'alice' }, ip: '1.1.1.1' });
    const bob = caller({ user: { className: '_User', objectId: 'bob' }, ip: '1.1.1.1' });
    await runner.runFunction({ name: 'limited', params: {}, caller: alice });
    await runner.runFunction({ name: 'limited', params: {}, caller: bob });
    await assert.rejects(runner.runFunction({ name: 'limited', params: {}, caller: alice }), { code: 100 });
    const master = caller({ master: true, ip: '2.2.2.2' });
    await runner.runFunction({ name: 'limited', params: {}, caller: master });
    await assert.rejects(runner.runFunction({ name: 'limited', params: {}, caller: master }), { code: 100 });
    await runner.close();
  });

  it('has() and hasTriggers() are false for classes without hooks (the fast path)', () => {
    const runner = runnerWith((registry) =>
      registry.defineTrigger({
        triggerName: 'afterDelete',
        className: 'Doc',
        source: 'strata',
        handler: () => Promise.resolve(undefined),
      }),
    );
    assert.equal(runner.hasTriggers('Other'), false);
    assert.equal(runner.has('beforeSave', 'Doc'), false);
    assert.equal(runner.has('afterDelete', 'Doc'), true);
  });
});
