import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ErrorCodes, StrataError, createClient } from './index.js';
import type { StrataClient } from './index.js';
import { startFaultProxy } from './fault-proxy.test-util.js';
import type { FaultProxy } from './fault-proxy.test-util.js';
import { APP_ID, CLIENT_KEY, MASTER_KEY, backends, startServer } from './test-server.test-util.js';
import type { SdkTestServer } from './test-server.test-util.js';

// Retries, idempotency keys, timeouts and aborts: the SDK talks to a real server through a real proxy
// that drops connections, loses responses or stalls on request. No test asserts on elapsed time.

interface Item {
  label: string;
}

for (const { backend, skip } of backends()) {
  if (skip !== false) console.log(`# skipping SDK transport tests on ${backend}: ${skip}`);
  describe(`@strata/sdk transport: retries, request ids, timeouts, abort [${backend}]`, { skip }, () => {
    let server: SdkTestServer;
    let proxy: FaultProxy;
    let client: StrataClient;

    before(async () => {
      server = await startServer({ backend });
      proxy = await startFaultProxy(server.serverURL);
      client = createClient({
        serverURL: proxy.serverURL,
        appId: APP_ID,
        clientKey: CLIENT_KEY,
        retry: { retries: 3, minDelayMs: 5, maxDelayMs: 50 },
      });
    });
    after(async () => {
      await proxy?.close();
      await server?.close();
    });
    beforeEach(() => proxy.reset());

    const items = () => client.collection<Item>('Item');

    it('retries a read after a dropped connection, a 503 and a body cut short', async () => {
      const created = await items().create({ label: 'read-me' });
      proxy.seen.length = 0;
      proxy.plan('reset', { status: 503, body: { code: 1, error: 'busy' } }, 'truncate');
      const got = await items().get(created.objectId);
      assert.equal(got.label, 'read-me');
      assert.equal(proxy.seen.length, 4);
      assert.ok(proxy.seen.every((r) => r.method === 'GET' && r.requestId === undefined));
    });

    it('retries a write whose response was lost with the same request id, and the server runs it once', async () => {
      proxy.plan('lose-response');
      const created = await items().create({ label: 'exactly-once' });
      assert.equal(proxy.seen.length, 2);
      const [first, second] = proxy.seen;
      assert.match(first?.requestId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(second?.requestId, first?.requestId);
      // The replayed answer is the original one, and only one object exists.
      const all = await items().query().equalTo('label', 'exactly-once').find();
      assert.deepEqual(
        all.map((i) => i.objectId),
        [created.objectId],
      );

      proxy.plan('lose-response', 'reset');
      await items().update(created.objectId, { label: 'updated-once' });
      proxy.plan('lose-response');
      await items().delete(created.objectId);
      const writes = proxy.seen.filter((r) => r.method !== 'GET');
      assert.equal(writes.length, 7);
      const ids = new Set(writes.map((r) => r.requestId));
      // One id per logical call (create, update, delete), each shared by its retries.
      assert.equal(ids.size, 3);
    });

    it('gives each logical write a fresh request id', async () => {
      await items().create({ label: 'a' });
      await items().create({ label: 'b' });
      const ids = proxy.seen.map((r) => r.requestId);
      assert.equal(ids.length, 2);
      assert.notEqual(ids[0], ids[1]);
    });

    it('asks again when a retried write is still running (159), then gets the result', async () => {
      proxy.plan('reset', { status: 400, body: { code: ErrorCodes.DUPLICATE_REQUEST, error: 'Duplicate request' } });
      const created = await items().create({ label: 'in-flight' });
      assert.equal((await items().get(created.objectId)).label, 'in-flight');
      assert.equal(proxy.seen.filter((r) => r.method === 'POST').length, 3);
      // A 159 on a first attempt is a real duplicate (another call reused the id): not retried.
      proxy.plan({ status: 400, body: { code: ErrorCodes.DUPLICATE_REQUEST, error: 'Duplicate request' } });
      await assert.rejects(
        items().create({ label: 'dup' }),
        (err: unknown) => err instanceof StrataError && err.code === 159,
      );
    });

    it('never retries a Parse error (4xx)', async () => {
      await assert.rejects(
        items().get('missing0001'),
        (err: unknown) => err instanceof StrataError && err.code === 101,
      );
      assert.equal(proxy.seen.length, 1);
    });

    it('retries 429 and honours a Retry-After bounded by maxDelayMs', async () => {
      proxy.plan({ status: 429, body: { code: 100, error: 'Too many requests.' }, headers: { 'Retry-After': '3600' } });
      assert.equal((await items().query().limit(1).find()).length, 1);
      assert.equal(proxy.seen.length, 2);
    });

    it('gives up after the configured retries with the last error', async () => {
      const busy = { status: 503, body: { code: 1, error: 'still busy' } };
      proxy.plan(busy, busy, busy, busy);
      await assert.rejects(items().query().find(), (err: unknown) => {
        assert.ok(err instanceof StrataError);
        assert.equal(err.status, 503);
        assert.equal(err.message, 'still busy');
        return true;
      });
      assert.equal(proxy.seen.length, 4);
      proxy.plan('reset');
      const noRetry = createClient({
        serverURL: proxy.serverURL,
        appId: APP_ID,
        clientKey: CLIENT_KEY,
        retry: { retries: 0 },
      });
      await assert.rejects(
        noRetry.collection('Item').query().find(),
        (err: unknown) => err instanceof StrataError && err.code === 100 && err.status === 0,
      );
    });

    it('times out a call that gets no answer (client default and per call)', async () => {
      proxy.plan('hang');
      await assert.rejects(items().query().find({ timeoutMs: 100 }), (err: unknown) => {
        assert.ok(err instanceof StrataError);
        assert.equal(err.code, ErrorCodes.TIMEOUT);
        assert.equal(err.status, 0);
        return true;
      });
      proxy.plan('hang');
      const impatient = createClient({
        serverURL: proxy.serverURL,
        appId: APP_ID,
        clientKey: CLIENT_KEY,
        timeoutMs: 100,
      });
      await assert.rejects(
        impatient.collection('Item').create({ label: 'late' }),
        (err: unknown) => err instanceof StrataError && err.code === ErrorCodes.TIMEOUT,
      );
      // The deadline also bounds the waits between retries.
      proxy.plan('reset', 'reset', 'reset');
      const slowRetries = createClient({
        serverURL: proxy.serverURL,
        appId: APP_ID,
        clientKey: CLIENT_KEY,
        timeoutMs: 100,
        retry: { retries: 3, minDelayMs: 60_000, maxDelayMs: 60_000 },
      });
      await assert.rejects(
        slowRetries.collection('Item').query().find(),
        (err: unknown) => err instanceof StrataError && err.code === ErrorCodes.TIMEOUT,
      );
    });

    it('retries an upload from bytes, never one from a stream (it can be read once)', async () => {
      const uploader = createClient({
        serverURL: proxy.serverURL,
        appId: APP_ID,
        masterKey: MASTER_KEY,
        retry: { retries: 3, minDelayMs: 5, maxDelayMs: 50 },
      });
      proxy.plan('reset');
      const file = await uploader.files.upload('again.txt', new TextEncoder().encode('sent twice'));
      assert.equal(proxy.seen.length, 2);
      assert.equal(proxy.seen[1]?.requestId, proxy.seen[0]?.requestId);
      assert.equal(await (await fetch(file.url)).text(), 'sent twice');

      proxy.seen.length = 0;
      proxy.plan('reset');
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('once'));
          controller.close();
        },
      });
      await assert.rejects(uploader.files.upload('once.txt', stream), (err: unknown) => {
        assert.ok(err instanceof StrataError);
        assert.equal(err.code, ErrorCodes.CONNECTION_FAILED);
        return true;
      });
      assert.equal(proxy.seen.length, 1);
    });

    it('aborts a call with its AbortSignal', async () => {
      proxy.plan('hang');
      const controller = new AbortController();
      const pending = items().query().find({ signal: controller.signal, timeoutMs: 0 });
      // Abort once the request has reached the proxy.
      for (let i = 0; i < 2000 && proxy.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(proxy.seen.length, 1, 'the request never reached the proxy');
      controller.abort();
      await assert.rejects(pending, (err: unknown) => err instanceof Error && err.name === 'AbortError');

      const already = AbortSignal.abort(new Error('not now'));
      await assert.rejects(items().create({ label: 'never' }, { signal: already }), /not now/);
      assert.equal(proxy.seen.length, 1);
    });
  });
}
