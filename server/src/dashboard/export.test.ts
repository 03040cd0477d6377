// The dashboard's streamed export against a real Strata server over HTTP: every object once, in objectId
// pages (small pages here, so several are crossed), as CSV and as a JSON array, with a `where`; bad input is
// refused with a Parse error before anything is streamed.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { APP_ID, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { exportClass } from './export.js';

describe('dashboard streamed export', () => {
  let server: TestServer;
  let front: Server;
  let frontURL = '';
  const pages: string[] = [];

  before(async () => {
    server = await startTestServer();
    const requests = Array.from({ length: 23 }, (_, i) => ({
      method: 'POST',
      path: '/parse/classes/Row',
      body: { n: i, label: i === 3 ? 'has "quotes", commas\nand a newline' : `row ${i}` },
    }));
    const made = await server.call({ method: 'POST', path: '/batch', master: true, body: { requests } });
    assert.equal(made.status, 200);
    front = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      pages.push(url.pathname);
      void exportClass(
        {
          app: { appId: APP_ID, appName: APP_ID, serverURL: server.mountURL, masterKey: MASTER_KEY },
          key: MASTER_KEY,
          className: url.pathname.slice(1),
          query: url.searchParams,
          pageSize: 5,
        },
        { req, res },
      );
    });
    await new Promise<void>((done) => front.listen(0, '127.0.0.1', done));
    const address = front.address();
    frontURL = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  after(async () => {
    await new Promise((done) => front.close(done));
    await server.close();
  });

  it('streams every object once as a JSON array, across pages', async () => {
    const answer = await fetch(`${frontURL}/Row?format=json`);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-disposition') ?? '', /attachment; filename="Row.json"/);
    const rows = (await answer.json()) as Array<{ n: number; objectId: string }>;
    assert.equal(rows.length, 23);
    assert.deepEqual(
      rows.map((r) => r.n).sort((a, b) => a - b),
      Array.from({ length: 23 }, (_, i) => i),
    );
    assert.equal(new Set(rows.map((r) => r.objectId)).size, 23);
  });

  it('streams CSV with a header of the fields and quoted cells, and applies where', async () => {
    const where = encodeURIComponent(JSON.stringify({ n: { $lt: 12 } }));
    const text = await (await fetch(`${frontURL}/Row?format=csv&where=${where}`)).text();
    const [header] = text.split('\r\n');
    assert.ok(header?.split(',').includes('label'));
    assert.ok(text.includes('"has ""quotes"", commas\nand a newline"'));
    // 12 rows, one of them spread over two lines by its newline, plus the header and the final line break.
    assert.equal(text.split('\r\n').length, 12 + 2);
  });

  it('refuses bad input with Parse errors before streaming', async () => {
    for (const [path, code] of [
      ['/Row?format=xml', 102],
      ['/Row?where=%7Bnope', 102],
      ['/Row?where=%5B1%5D', 102],
      ['/No$Class?format=csv', 103],
    ] as const) {
      const answer = await fetch(`${frontURL}${path}`);
      assert.equal(answer.status, 400, path);
      assert.equal(((await answer.json()) as { code: number }).code, code, path);
    }
    const missing = await fetch(`${frontURL}/Missing?format=csv`);
    assert.ok(missing.status >= 400 && missing.status < 500);
  });
});
