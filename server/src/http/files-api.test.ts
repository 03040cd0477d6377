// The files API over real HTTP (rest.md §10): uploads in every encoding, downloads with ranges and
// conditional requests, limits, permissions and hostile names and types; on SQLite + a local directory and
// on MongoDB + GridFS (when STRATA_TEST_MONGODB_URI is set).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GridFSBucket, MongoClient } from 'mongodb';
import { APP_ID, CLIENT_KEY, MASTER_KEY } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { download, generated, sha256, uploadRaw } from './files.test-util.js';
import type { RawResult } from './files.test-util.js';

type Json = Record<string, unknown>;

const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];
const mongoSkip =
  mongoURI === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1'
    ? 'STRATA_TEST_MONGODB_URI is not set'
    : false;
if (mongoSkip !== false) console.log(`# files API on MongoDB + GridFS skipped: ${mongoSkip}`);

import { expectError, signUp, startFilesServer } from './files-server.test-util.js';
import type { Backend, StoreProbe } from './files-server.test-util.js';

const backends: Backend[] = [
  { name: 'sqlite', skip: false },
  { name: 'mongodb', skip: mongoSkip },
];

for (const backend of backends) {
  describe(`files API [${backend.name}]`, { skip: backend.skip }, () => {
    let server: TestServer;
    let probe: StoreProbe;
    let databaseURI: string | undefined;
    let userToken: string;
    let anonymousToken: string;
    const up = (options: Omit<Parameters<typeof uploadRaw>[0], 'mountURL'>): Promise<RawResult> =>
      uploadRaw({ mountURL: server.mountURL, ...options });
    const asUser = {
      get sessionToken() {
        return userToken;
      },
    };

    before(async () => {
      ({ server, probe, databaseURI } = await startFilesServer(backend.name));
      userToken = await signUp(server, { username: `u${randomUUID()}`, password: 'pw-files-1' });
      anonymousToken = await signUp(server, { authData: { anonymous: { id: randomUUID() } } });
    });
    after(async () => {
      await server?.close();
      await probe?.close();
    });

    it('uploads a raw body: 201, {url, name} with a unique prefixed name, Location = url', async () => {
      const res = await up({ name: 'hello.txt', body: Buffer.from('hello'), contentType: 'text/plain', ...asUser });
      assert.equal(res.status, 201, res.body.toString());
      const name = String(res.json['name']);
      assert.match(name, /^[0-9a-f]{32}_hello\.txt$/);
      assert.equal(res.json['url'], `${server.mountURL}/files/${APP_ID}/${name}`);
      assert.equal(res.headers['location'], res.json['url']);
      const again = await up({ name: 'hello.txt', body: Buffer.from('hello'), contentType: 'text/plain', ...asUser });
      assert.notEqual(again.json['name'], name);
    });

    for (const [label, bytes] of [
      ['empty', Buffer.alloc(0)],
      ['small', Buffer.from('Strata ✓ files\n')],
      ['binary (every byte value)', Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256))],
    ] as const) {
      it(`round-trips a ${label} file byte for byte`, async () => {
        const res = await up({ name: 'data.bin', body: bytes, contentType: 'application/octet-stream', ...asUser });
        assert.equal(res.status, 201, res.body.toString());
        const got = await download(String(res.json['url']));
        assert.equal(got.status, 200);
        assert.equal(got.size, bytes.length);
        assert.equal(got.sha256, sha256(bytes));
        assert.equal(got.headers['content-length'], String(bytes.length));
        assert.equal(got.headers['content-type'], 'application/octet-stream');
      });
    }

    it('round-trips a 100 MB file streamed in chunks (no Content-Length)', async () => {
      // On its own server and database: FerretDB slows every later GridFS read while 100 MB of chunks sit
      // in the same collection.
      const big = await startFilesServer(backend.name, { maxUploadSize: 150 * 1024 * 1024 });
      try {
        const source = generated(100 * 1024 * 1024);
        const res = await uploadRaw({
          mountURL: big.server.mountURL,
          name: 'big.bin',
          body: source.chunks,
          master: true,
        });
        assert.equal(res.status, 201, res.body.toString());
        const got = await download(String(res.json['url']));
        assert.equal(got.status, 200);
        assert.equal(got.size, 100 * 1024 * 1024);
        assert.equal(got.sha256, source.digest());
      } finally {
        await big.server.close();
        await big.probe.close();
      }
    });

    it('serves validators and safety headers; HEAD has the headers and no body', async () => {
      const res = await up({
        name: 'photo.png',
        body: Buffer.from('not really a png'),
        contentType: 'image/png',
        ...asUser,
      });
      const url = String(res.json['url']);
      const got = await download(url);
      assert.equal(got.headers['content-type'], 'image/png');
      assert.equal(got.headers['content-length'], '16');
      assert.equal(got.headers['accept-ranges'], 'bytes');
      assert.equal(got.headers['x-content-type-options'], 'nosniff');
      assert.match(String(got.headers['etag']), /^"[^"]+"$/);
      assert.ok(!Number.isNaN(Date.parse(String(got.headers['last-modified']))));
      assert.equal(got.headers['content-disposition'], undefined);
      const head = await download(url, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.size, 0);
      assert.equal(head.headers['content-length'], '16');
      assert.equal(head.headers['etag'], got.headers['etag']);
    });

    it('honours single byte ranges (206), answers 416 past the end, and several ranges with the whole file', async () => {
      const bytes = Buffer.from('0123456789abcdefghij');
      const res = await up({ name: 'range.txt', body: bytes, contentType: 'text/plain', ...asUser });
      const url = String(res.json['url']);
      const cases: Array<[string, number, string | undefined, string]> = [
        ['bytes=0-9', 206, 'bytes 0-9/20', '0123456789'],
        ['bytes=15-', 206, 'bytes 15-19/20', 'fghij'],
        ['bytes=-3', 206, 'bytes 17-19/20', 'hij'],
        ['bytes=18-100', 206, 'bytes 18-19/20', 'ij'],
        ['bytes=0-1,5-6', 200, undefined, bytes.toString()],
        ['bytes=x-y', 200, undefined, bytes.toString()],
      ];
      for (const [range, status, contentRange, body] of cases) {
        const got = await download(url, { headers: { Range: range } });
        assert.equal(got.status, status, range);
        assert.equal(got.headers['content-range'], contentRange, range);
        assert.equal(got.head.toString(), body, range);
        assert.equal(got.headers['content-length'], String(body.length), range);
      }
      const past = await download(url, { headers: { Range: 'bytes=20-' } });
      assert.equal(past.status, 416);
      assert.equal(past.headers['content-range'], 'bytes */20');
      const etag = String((await download(url)).headers['etag']);
      const stillSame = await download(url, { headers: { Range: 'bytes=0-1', 'If-Range': etag } });
      assert.equal(stillSame.status, 206);
      const changed = await download(url, { headers: { Range: 'bytes=0-1', 'If-Range': '"other"' } });
      assert.equal(changed.status, 200);
      assert.equal(changed.size, 20);
    });

    it('answers conditional requests with 304', async () => {
      const res = await up({
        name: 'cond.txt',
        body: Buffer.from('conditional'),
        contentType: 'text/plain',
        ...asUser,
      });
      const url = String(res.json['url']);
      const first = await download(url);
      const etag = String(first.headers['etag']);
      const lastModified = String(first.headers['last-modified']);
      const hit = await download(url, { headers: { 'If-None-Match': etag } });
      assert.equal(hit.status, 304);
      assert.equal(hit.size, 0);
      assert.equal((await download(url, { headers: { 'If-None-Match': `"x", ${etag}` } })).status, 304);
      assert.equal((await download(url, { headers: { 'If-None-Match': '"x"' } })).status, 200);
      assert.equal((await download(url, { headers: { 'If-Modified-Since': lastModified } })).status, 304);
      const earlier = new Date(Date.parse(lastModified) - 3600_000).toUTCString();
      assert.equal((await download(url, { headers: { 'If-Modified-Since': earlier } })).status, 200);
    });

    it('404 for a missing file (Parse error body), 403 for another app id', async () => {
      const missing = await download(`${server.mountURL}/files/${APP_ID}/${'0'.repeat(32)}_nope.txt`);
      assert.equal(missing.status, 404);
      assert.equal(JSON.parse(missing.head.toString())['code'], 101);
      const res = await up({ name: 'mine.txt', body: Buffer.from('x'), contentType: 'text/plain', ...asUser });
      const other = await download(`${server.mountURL}/files/other-app/${String(res.json['name'])}`);
      assert.equal(other.status, 403);
      assert.deepEqual(JSON.parse(other.head.toString()), { error: 'unauthorized' });
    });

    it('keeps metadata and tags from headers and serves them on /files/:appId/metadata/:name', async () => {
      const res = await up({
        name: 'meta.txt',
        body: Buffer.from('m'),
        contentType: 'text/plain',
        ...asUser,
        headers: {
          'X-Parse-Upload-Mode': 'stream',
          'X-Parse-File-Metadata': JSON.stringify({ owner: 'ann', n: 3 }),
          'X-Parse-File-Tags': JSON.stringify({ kind: 'doc' }),
        },
      });
      assert.equal(res.status, 201, res.body.toString());
      const meta = await server.call({ path: `/files/${APP_ID}/metadata/${String(res.json['name'])}`, headers: {} });
      assert.deepEqual(meta.body, { metadata: { owner: 'ann', n: '3' } });
      const plain = await up({ name: 'plain.txt', body: Buffer.from('p'), contentType: 'text/plain', ...asUser });
      // A stored file without metadata answers an empty object, as parse-server's GridFS adapter; a missing file {}.
      const none = await server.call({ path: `/files/${APP_ID}/metadata/${String(plain.json['name'])}` });
      assert.deepEqual(none.body, { metadata: {} });
      const missing = await server.call({ path: `/files/${APP_ID}/metadata/nope_missing.txt` });
      assert.deepEqual(missing.body, {});
      const bad = await up({
        name: 'bad.txt',
        body: Buffer.from('b'),
        ...asUser,
        headers: { 'X-Parse-File-Metadata': '{"__proto__":{"polluted":"yes"}}' },
      });
      expectError(bad, 400, 105);
      assert.equal(({} as Json)['polluted'], undefined);
    });

    it("accepts the JS SDK's JSON form (base64, _ContentType, fileData, body credentials)", async () => {
      const bytes = randomBytes(3000);
      const res = await server.call({
        method: 'POST',
        path: '/files/sdk.bin',
        headers: { 'X-Parse-Application-Id': '', 'X-Parse-REST-API-Key': '', 'Content-Type': 'text/plain' },
        raw: JSON.stringify({
          base64: bytes.toString('base64'),
          _ContentType: 'application/octet-stream',
          fileData: { metadata: { from: 'sdk' }, tags: { t: '1' } },
          _ApplicationId: APP_ID,
          _JavaScriptKey: CLIENT_KEY,
          _SessionToken: userToken,
        }),
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const body = res.body as Json;
      assert.match(String(body['name']), /^[0-9a-f]{32}_sdk\.bin$/);
      const got = await download(String(body['url']));
      assert.equal(got.sha256, sha256(bytes));
      const meta = await server.call({ path: `/files/${APP_ID}/metadata/${String(body['name'])}` });
      assert.deepEqual(meta.body, { metadata: { from: 'sdk' } });
    });

    it('takes 20 concurrent uploads, each stored intact under its own name', async () => {
      const payloads = Array.from({ length: 20 }, () => randomBytes(64 * 1024 + Math.floor(Math.random() * 4096)));
      const results = await Promise.all(
        payloads.map((body, i) => up({ name: `c${i}.bin`, body, contentType: 'application/octet-stream', ...asUser })),
      );
      assert.equal(new Set(results.map((r) => r.json['name'])).size, 20);
      for (const [i, res] of results.entries()) {
        assert.equal(res.status, 201);
        const got = await download(String(res.json['url']));
        assert.equal(got.sha256, sha256(payloads[i] as Buffer));
      }
    });

    it('an upload aborted midway leaves nothing behind', async () => {
      const before = await probe.entries();
      const source = generated(8 * 1024 * 1024);
      const res = await up({ name: 'aborted.bin', body: source.chunks, abortAfter: 3 * 1024 * 1024, ...asUser });
      assert.equal(res.status, 0);
      // The server notices the abort asynchronously: poll (generous deadline) until the store is as before.
      const deadline = Date.now() + 20_000;
      let now = await probe.entries();
      while (JSON.stringify(now) !== JSON.stringify(before) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        now = await probe.entries();
      }
      assert.deepEqual(now, before);
    });

    it('refuses uploads over the size limit with 413, declared or streamed, storing nothing', async () => {
      const small = await startFilesServer(backend.name, { maxUploadSize: 1024 * 1024 });
      try {
        const before = await small.probe.entries();
        const upSmall = (options: Omit<Parameters<typeof uploadRaw>[0], 'mountURL'>): Promise<RawResult> =>
          uploadRaw({ mountURL: small.server.mountURL, master: true, ...options });
        expectError(await upSmall({ name: 'declared.bin', body: randomBytes(1024 * 1024 + 1) }), 413, 116);
        expectError(await upSmall({ name: 'streamed.bin', body: generated(3 * 1024 * 1024).chunks }), 413, 116);
        const stream = await upSmall({
          name: 'sdk-stream.bin',
          body: generated(2 * 1024 * 1024).chunks,
          headers: { 'X-Parse-Upload-Mode': 'stream' },
        });
        expectError(stream, 413, 130);
        const json = await small.server.call({
          method: 'POST',
          path: '/files/json.bin',
          headers: { 'X-Parse-Application-Id': '', 'X-Parse-REST-API-Key': '', 'Content-Type': 'text/plain' },
          raw: JSON.stringify({
            base64: randomBytes(1024 * 1024 + 1).toString('base64'),
            _ApplicationId: APP_ID,
            _MasterKey: MASTER_KEY,
          }),
        });
        assert.equal(json.status, 413);
        assert.equal((json.body as Json)['code'], 116);
        const exact = await upSmall({ name: 'exact.bin', body: randomBytes(1024 * 1024) });
        assert.equal(exact.status, 201);
        const after = await small.probe.entries();
        assert.equal(after.length - before.length, backend.name === 'sqlite' ? 2 : 1, JSON.stringify(after));
        assert.ok(after.some((entry) => entry.endsWith('_exact.bin')));
        assert.ok(!after.some((entry) => /declared|streamed|sdk-stream|json/.test(entry)));
      } finally {
        await small.server.close();
        await small.probe.close();
      }
    });

    it('applies the upload policy: public and anonymous refused (130) by default, users and master allowed', async () => {
      const body = Buffer.from('policy');
      expectError(await up({ name: 'p.txt', body }), 400, 130);
      const anon = await up({ name: 'p.txt', body, sessionToken: anonymousToken });
      expectError(anon, 400, 130);
      assert.equal(anon.json['error'], 'File upload by anonymous user is disabled.');
      assert.equal((await up({ name: 'p.txt', body, ...asUser })).status, 201);
      assert.equal((await up({ name: 'p.txt', body, master: true })).status, 201);
      const publicRes = await up({ name: 'p.txt', body });
      assert.equal(publicRes.json['error'], 'File upload by public is disabled.');
    });

    it('refuses hostile names with 122', async () => {
      const body = Buffer.from('x');
      for (const name of [
        '..%2Fx',
        '%2e%2e%2fetc%2fpasswd',
        'a%00b.txt',
        '..%5Cx',
        'a%5Cb.txt',
        '.hidden',
        'a%0Ab',
        `${'a'.repeat(129)}`,
      ]) {
        const res = await up({ name, body, master: true });
        expectError(res, 400, 122);
      }
      const missing = await server.call({
        method: 'POST',
        path: '/files',
        raw: 'x',
        headers: { 'Content-Type': 'text/plain' },
      });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body, { code: 122, error: 'Filename not provided.' });
    });

    it('refuses active content (HTML, SVG, XML, scripts) by extension or type, and types files by extension', async () => {
      const body = Buffer.from('<script>alert(1)</script>');
      for (const [name, type] of [
        ['x.html', 'text/html'],
        ['x.HTM', 'application/octet-stream'],
        ['x.svg', 'image/svg+xml'],
        ['x.xhtml', 'text/plain'],
        ['x.js', 'text/plain'],
        ['noext', 'text/html'],
        ['x.unknownext', 'image/svg+xml'],
      ]) {
        const res = await up({ name: name as string, body, contentType: type as string, ...asUser });
        expectError(res, 400, 130);
      }
      // An HTML body under a .png name is stored and served as image/png, never as HTML.
      const disguised = await up({ name: 'x.png', body, contentType: 'text/html', ...asUser });
      assert.equal(disguised.status, 201);
      const got = await download(String(disguised.json['url']));
      assert.equal(got.headers['content-type'], 'image/png');
      assert.equal(got.headers['x-content-type-options'], 'nosniff');
      // A name without an extension gets one from a known type, as Parse does.
      const noExt = await up({ name: 'picture', body: Buffer.from('jpg'), contentType: 'image/jpeg', ...asUser });
      assert.match(String(noExt.json['name']), /_picture\.jpg$/);
    });

    it('serves active content stored anyway as a sandboxed attachment', async () => {
      // The master key skips the extension policy, as in Parse.
      const res = await up({
        name: 'page.html',
        body: Buffer.from('<h1>hi</h1>'),
        contentType: 'text/html',
        master: true,
      });
      assert.equal(res.status, 201, res.body.toString());
      const got = await download(String(res.json['url']));
      assert.equal(got.headers['content-type'], 'text/html');
      assert.match(String(got.headers['content-disposition']), /^attachment; filename="[0-9a-f]{32}_page\.html"$/);
      assert.equal(got.headers['content-security-policy'], "default-src 'none'; sandbox");
      assert.equal(got.headers['x-content-type-options'], 'nosniff');
    });

    it('deletes with the master key only (403 119 otherwise); a missing file → 153', async () => {
      const res = await up({ name: 'gone.txt', body: Buffer.from('bye'), contentType: 'text/plain', ...asUser });
      const name = String(res.json['name']);
      const denied = await server.call({ method: 'DELETE', path: `/files/${name}` });
      assert.equal(denied.status, 403);
      assert.equal((denied.body as Json)['code'], 119);
      const asOwner = await server.call({
        method: 'DELETE',
        path: `/files/${name}`,
        headers: { 'X-Parse-Session-Token': userToken },
      });
      assert.equal(asOwner.status, 403);
      assert.equal((await download(String(res.json['url']))).status, 200);
      const deleted = await server.call({ method: 'DELETE', path: `/files/${name}`, master: true });
      assert.equal(deleted.status, 200);
      assert.equal(deleted.body, '');
      assert.equal((await download(String(res.json['url']))).status, 404);
      const again = await server.call({ method: 'DELETE', path: `/files/${name}`, master: true });
      assert.equal(again.status, 400);
      assert.equal((again.body as Json)['code'], 153);
    });

    it('File fields on objects come back with the file URL', async () => {
      const res = await up({ name: 'avatar.png', body: Buffer.from('png'), contentType: 'image/png', ...asUser });
      const name = String(res.json['name']);
      const created = await server.call({
        method: 'POST',
        path: '/classes/Profile',
        body: { avatar: { __type: 'File', name, url: 'http://elsewhere.example/x' } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const got = await server.call({ path: `/classes/Profile/${String((created.body as Json)['objectId'])}` });
      assert.deepEqual((got.body as Json)['avatar'], { __type: 'File', name, url: res.json['url'] });
    });

    if (backend.name === 'mongodb') {
      it('serves a file parse-server wrote to GridFS (its bucket and naming, no content type stored)', async () => {
        const client = new MongoClient(databaseURI ?? '');
        try {
          const bucket = new GridFSBucket(client.db());
          const name = `${randomBytes(16).toString('hex')}_legacy.txt`;
          const bytes = Buffer.from('written by parse-server\n');
          await new Promise<void>((resolve, reject) => {
            const stream = bucket.openUploadStream(name, { metadata: { owner: 'legacy' } });
            stream.once('finish', () => resolve());
            stream.once('error', reject);
            stream.end(bytes);
          });
          const got = await download(`${server.mountURL}/files/${APP_ID}/${name}`);
          assert.equal(got.status, 200);
          assert.equal(got.sha256, sha256(bytes));
          assert.equal(got.headers['content-type'], 'text/plain');
          const ranged = await download(`${server.mountURL}/files/${APP_ID}/${name}`, {
            headers: { Range: 'bytes=0-6' },
          });
          assert.equal(ranged.head.toString(), 'written');
        } finally {
          await client.close();
        }
      });
    }
  });
}
