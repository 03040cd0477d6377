/**
 * The dashboard's streamed import through real HTTP, signed in with the dashboard's cookie and CSRF token:
 * CSV and JSON rows written through the app's REST API (schema types, a beforeSave trigger), per-row errors
 * that do not stop the import, malformed files answered with clear Parse errors (never a 500), the size
 * limit, and the attacks: no cookie, no CSRF token, a read-only user, a file that sets `_rperm` or a bad ACL,
 * an import into a class the server owns. A 5,000-row file checks the memory the import holds (printed).
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcrypt';
import { ErrorCode, ParseError } from '../errors/index.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import type { DashboardUser } from './users.js';

const LIMIT = 4 * 1024 * 1024;

interface ReportLine {
  type: string;
  row?: number;
  code?: number;
  error?: string;
  rows?: number;
  created?: number;
  updated?: number;
  failed?: number;
  complete?: boolean;
}

describe('dashboard streamed import', () => {
  let server: TestServer;
  let admin = { cookie: '', csrf: '' };
  let viewer = { cookie: '', csrf: '' };
  const users: DashboardUser[] = [
    { username: 'admin', passwordHash: bcrypt.hashSync('admin-password', 4) },
    { username: 'viewer', passwordHash: bcrypt.hashSync('viewer-password', 4), readOnly: true },
  ];

  before(async () => {
    server = await startTestServer({
      readOnlyMasterKey: 'import-ro-key',
      passwordHashCost: 4,
      dashboardUsers: () => users,
      dashboardImportMaxSize: LIMIT,
      cloudSetup: (registry) => {
        registry.defineTrigger({
          triggerName: 'beforeSave',
          className: 'Game',
          source: 'strata',
          handler: (request) => {
            if ((request.object as Record<string, unknown>)['title'] === 'forbidden') {
              throw new ParseError(ErrorCode.VALIDATION_ERROR, { message: 'No forbidden games.' });
            }
            return Promise.resolve(undefined);
          },
        });
      },
    });
    const fields = {
      title: { type: 'String' },
      score: { type: 'Number' },
      done: { type: 'Boolean' },
      due: { type: 'Date' },
      meta: { type: 'Object' },
      owner: { type: 'Pointer', targetClass: '_User' },
    };
    const made = await server.call({
      method: 'POST',
      path: '/schemas/Game',
      master: true,
      body: { className: 'Game', fields },
    });
    assert.equal(made.status, 200);
    admin = await signIn('admin', 'admin-password');
    viewer = await signIn('viewer', 'viewer-password');
  });
  after(() => server.close());

  const signIn = async (username: string, password: string): Promise<{ cookie: string; csrf: string }> => {
    const answer = await fetch(`${server.url}/dashboard/api/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as { csrfToken: string };
    return { cookie: (answer.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: body.csrfToken };
  };

  const upload = async (
    className: string,
    format: string,
    file: { body: string | Readable; as?: { cookie?: string; csrf?: string } },
  ): Promise<{ status: number; lines: ReportLine[]; json: Record<string, unknown> }> => {
    const { body, as = admin } = file;
    const answer = await fetch(
      `${server.url}/dashboard/api/apps/test-app/import/${encodeURIComponent(className)}?format=${format}`,
      {
        method: 'POST',
        headers: {
          ...(as.cookie === undefined ? {} : { Cookie: as.cookie }),
          ...(as.csrf === undefined ? {} : { 'X-CSRF-Token': as.csrf }),
          'Content-Type': 'application/octet-stream',
        },
        body: typeof body === 'string' ? body : (Readable.toWeb(body) as ReadableStream),
        ...(typeof body === 'string' ? {} : { duplex: 'half' }),
      } as RequestInit,
    );
    const text = await answer.text();
    const type = answer.headers.get('content-type') ?? '';
    if (type.startsWith('application/x-ndjson')) {
      return {
        status: answer.status,
        lines: text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as ReportLine),
        json: {},
      };
    }
    return { status: answer.status, lines: [], json: JSON.parse(text) as Record<string, unknown> };
  };

  const summaryOf = (lines: ReportLine[]): ReportLine => {
    const last = lines.at(-1);
    assert.equal(last?.type, 'summary', JSON.stringify(lines));
    return last as ReportLine;
  };
  const errorsOf = (lines: ReportLine[]): Array<[number | undefined, number | undefined]> =>
    lines.filter((l) => l.type === 'error').map((l) => [l.row, l.code]);

  const games = async (where: Record<string, unknown>): Promise<Array<Record<string, unknown>>> => {
    const found = await server.call({
      path: `/classes/Game?where=${encodeURIComponent(JSON.stringify(where))}&limit=1000`,
      master: true,
    });
    return (found.body as { results: Array<Record<string, unknown>> }).results;
  };

  it('imports CSV typed by the schema, reports each bad row, and goes on past them', async () => {
    const csv = [
      'title,score,done,due,meta,owner,createdAt',
      'csv-a,1,true,2026-01-02T03:04:05.000Z,"{""k"":1}",,2001-01-01T00:00:00.000Z',
      'csv-b,not-a-number,false,,,,',
      'csv-c,3,maybe,,,,',
      'forbidden,4,true,,,,',
      'csv-d,5,false,,{broken,,',
      'csv-e,6,FALSE,,"{""deep"":{""x"":[1,2]}}",someUserId1,',
      'csv-f,7',
      '"csv-g, with a comma",8,true,not a date,,,',
      'csv-h,9,true,,,,',
    ].join('\r\n');
    const { status, lines } = await upload('Game', 'csv', { body: csv });
    assert.equal(status, 200);
    assert.deepEqual(errorsOf(lines), [
      [2, ErrorCode.INCORRECT_TYPE],
      [3, ErrorCode.INCORRECT_TYPE],
      [4, ErrorCode.VALIDATION_ERROR],
      [5, ErrorCode.INCORRECT_TYPE],
      [7, ErrorCode.INVALID_JSON],
      [8, ErrorCode.INCORRECT_TYPE],
    ]);
    const byRow = new Map(lines.filter((l) => l.type === 'error').map((l) => [l.row, l.error ?? '']));
    assert.match(byRow.get(2) ?? '', /score: "not-a-number" is not a number/);
    assert.match(byRow.get(4) ?? '', /No forbidden games/);
    assert.match(byRow.get(7) ?? '', /2 cells, but the header names 7 fields/);
    assert.deepEqual(
      { ...summaryOf(lines), type: undefined },
      { type: undefined, rows: 9, created: 3, updated: 0, failed: 6, complete: true },
    );
    const stored = await games({ title: { $regex: '^csv-' } });
    assert.deepEqual(stored.map((g) => g['title']).sort(), ['csv-a', 'csv-e', 'csv-h']);
    const a = stored.find((g) => g['title'] === 'csv-a') ?? {};
    assert.equal(a['score'], 1);
    assert.equal(a['done'], true);
    assert.deepEqual(a['due'], { __type: 'Date', iso: '2026-01-02T03:04:05.000Z' });
    assert.deepEqual(a['meta'], { k: 1 });
    assert.notEqual(a['createdAt'], '2001-01-01T00:00:00.000Z', 'createdAt is the server’s');
    const e = stored.find((g) => g['title'] === 'csv-e') ?? {};
    assert.equal(e['done'], false);
    assert.deepEqual(e['owner'], { __type: 'Pointer', className: '_User', objectId: 'someUserId1' });
  });

  it('imports a JSON array and {"results": [...]}; rows with an objectId update that object', async () => {
    const [first] = await games({ title: 'csv-h' });
    const id = String(first?.['objectId']);
    const array = JSON.stringify([
      { title: 'json-a', score: 10, createdAt: '2001-01-01T00:00:00.000Z', updatedAt: 'x' },
      { objectId: id, score: 99 },
      'not an object',
      { title: 'json-b', score: 'eleven' },
      { objectId: 'missingObj01', score: 1 },
      { title: 'json-c', score: 12, members: { __type: 'Relation', className: '_User' } },
    ]);
    const { status, lines } = await upload('Game', 'json', { body: array });
    assert.equal(status, 200);
    assert.deepEqual(errorsOf(lines), [
      [3, ErrorCode.INVALID_JSON],
      [4, ErrorCode.INCORRECT_TYPE],
      [5, ErrorCode.OBJECT_NOT_FOUND],
    ]);
    assert.deepEqual(
      { ...summaryOf(lines), type: undefined },
      { type: undefined, rows: 6, created: 2, updated: 1, failed: 3, complete: true },
    );
    assert.equal((await games({ objectId: id }))[0]?.['score'], 99);
    assert.equal((await games({ title: { $in: ['json-a', 'json-c'] } })).length, 2);

    const wrapped = await upload('Game', 'json', {
      body: JSON.stringify({ results: [{ title: 'json-d' }], count: 1 }),
    });
    assert.equal(summaryOf(wrapped.lines).created, 1);
    const jsonl = await upload('Game', 'jsonl', { body: '{"title":"jsonl-a"}\n\n{nope\n{"title":"jsonl-b"}\n' });
    assert.deepEqual(errorsOf(jsonl.lines), [[2, ErrorCode.INVALID_JSON]]);
    assert.equal(summaryOf(jsonl.lines).created, 2);
  });

  it('answers malformed files with clear Parse errors, never a 500, and writes nothing', async () => {
    const before = (await games({})).length;
    for (const [format, body, code] of [
      ['json', '{"title": "one object"}', ErrorCode.INVALID_JSON],
      ['json', '42', ErrorCode.INVALID_JSON],
      ['json', '[{"title": "cut short"', ErrorCode.INVALID_JSON],
      ['json', '[{"title": "x"},, ]', ErrorCode.INVALID_JSON],
      ['json', '', ErrorCode.INVALID_JSON],
      ['csv', '', ErrorCode.INVALID_JSON],
      ['csv', 'title,title\r\na,b', ErrorCode.INVALID_KEY_NAME],
      ['csv', 'title,\r\na,b', ErrorCode.INVALID_KEY_NAME],
      ['csv', 'title\r\n"never closed', ErrorCode.INVALID_JSON],
      ['xml', '<rows/>', ErrorCode.INVALID_QUERY],
    ] as const) {
      const answer = await upload('Game', format, { body });
      assert.equal(answer.status, 400, `${format} ${body}`);
      assert.equal(answer.json['code'], code, `${format} ${body}: ${JSON.stringify(answer.json)}`);
      assert.equal(typeof answer.json['error'], 'string');
    }
    const missing = await upload('NoSuchClass', 'csv', { body: 'title\r\nx' });
    assert.ok(missing.status >= 400 && missing.status < 500, String(missing.status));
    assert.match(String(missing.json['error']), /Create the class/);
    assert.equal((await games({})).length, before);
  });

  it('stops a broken file where it breaks, keeping what was written and saying so', async () => {
    // The break comes in a later chunk than the first rows, as in a large upload.
    const good = Array.from({ length: 120 }, (_, i) => `mid-${i}\r\n`).join('');
    const chunks = [`title\r\n${good}`, 'mid-last\r\n"mid-broken\r\nmid-after'];
    const { status, lines } = await upload('Game', 'csv', { body: Readable.from(chunks) });
    assert.equal(status, 200, JSON.stringify(lines));
    const fatal = lines.find((l) => l.type === 'fatal');
    assert.equal(fatal?.code, ErrorCode.INVALID_JSON);
    assert.match(fatal?.error ?? '', /The CSV cannot be read at line \d+: Quote Not Closed/);
    const summary = summaryOf(lines);
    assert.equal(summary.complete, false);
    // Whole batches of 50 went in before the break; the summary counts exactly what is stored.
    const written = (await games({ title: { $regex: '^mid-' } })).length;
    assert.ok(written >= 50 && written % 50 === 0, String(written));
    assert.equal(summary.created, written);
  });

  it('a broken file that fails in its first chunk writes nothing: a plain 400 naming the line', async () => {
    const answer = await upload('Game', 'csv', { body: 'title\r\nearly-a\r\n"early-broken\r\nearly-b' });
    assert.equal(answer.status, 400);
    assert.equal(answer.json['code'], ErrorCode.INVALID_JSON);
    assert.match(String(answer.json['error']), /at line \d+: Quote Not Closed/);
    assert.equal((await games({ title: { $regex: '^early-' } })).length, 0);
  });

  it('refuses files over the size limit: by their length first, or as they stream', async () => {
    const big = `title\r\n${'x'.repeat(LIMIT)}\r\n`;
    const declared = await upload('Game', 'csv', { body: big });
    assert.equal(declared.status, 413);
    assert.equal(declared.json['code'], ErrorCode.OBJECT_TOO_LARGE);
    // Chunked, no length: the limit is found while reading.
    const rows = (function* () {
      yield 'title\r\n';
      for (let i = 0; i < 200; i++) yield `${'y'.repeat(30_000)}\r\n`;
    })();
    const streamed = await upload('Game', 'csv', { body: Readable.from(rows) });
    assert.ok(streamed.status === 400 || streamed.status === 200, String(streamed.status));
    const said = streamed.status === 400 ? streamed.json : (streamed.lines.find((l) => l.type === 'fatal') ?? {});
    assert.equal(said['code'], ErrorCode.OBJECT_TOO_LARGE, JSON.stringify(streamed));
    assert.match(String(said['error']), /larger than the import limit of 4 MB/);
  });

  it('attacks: no cookie, no CSRF token, a read-only user, browsing as a user: refused, nothing written', async () => {
    const before = (await games({})).length;
    const csv = 'title\r\nintruder';
    assert.equal((await upload('Game', 'csv', { body: csv, as: {} })).status, 401);
    assert.equal((await upload('Game', 'csv', { body: csv, as: { cookie: admin.cookie } })).status, 403);
    assert.equal(
      (await upload('Game', 'csv', { body: csv, as: { cookie: admin.cookie, csrf: viewer.csrf } })).status,
      403,
    );
    const readOnly = await upload('Game', 'csv', { body: csv, as: viewer });
    assert.equal(readOnly.status, 403);
    assert.match(String(readOnly.json['error']), /Read-only/);
    const asUser = await fetch(`${server.url}/dashboard/api/apps/test-app/as/abc123/import/Game?format=csv`, {
      method: 'POST',
      headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf },
      body: csv,
    });
    assert.ok(asUser.status >= 400 && asUser.status < 500);
    const get = await fetch(`${server.url}/dashboard/api/apps/test-app/import/Game?format=csv`, {
      headers: { Cookie: admin.cookie },
    });
    assert.equal(get.status, 405);
    assert.equal((await games({})).length, before);
  });

  it('attacks: a file that sets _rperm, a bad ACL or a server-owned class gets nothing through', async () => {
    const { lines } = await upload('Game', 'json', {
      body: JSON.stringify([
        { title: 'perm-a', _rperm: ['*'], _wperm: ['*'] },
        { title: 'perm-b', ACL: { '*': { read: 'yes' } } },
        { title: 'perm-c', _hashed_password: 'x' },
        { title: 'perm-d', ACL: { someUser: { read: true } } },
      ]),
    });
    assert.deepEqual(errorsOf(lines), [
      [1, ErrorCode.INVALID_KEY_NAME],
      [2, ErrorCode.INVALID_ACL],
      [3, ErrorCode.INVALID_KEY_NAME],
    ]);
    const stored = await games({ title: { $regex: '^perm-' } });
    // Only the row with a well-formed ACL, and with exactly that ACL: the admin's master key may set one.
    assert.deepEqual(
      stored.map((g) => [g['title'], g['ACL']]),
      [['perm-d', { someUser: { read: true } }]],
    );
    const csv = await upload('Game', 'csv', { body: 'title,_rperm\r\nperm-e,"[""*""]"' });
    assert.deepEqual(errorsOf(csv.lines), [[1, ErrorCode.INVALID_KEY_NAME]]);
    for (const className of ['_Session', '_PushStatus', '_JobStatus', '_Hooks', '_SCHEMA', 'Bad-Name']) {
      const answer = await upload(className, 'json', { body: '[{"status": "succeeded"}]' });
      assert.ok(answer.status === 403 || answer.status === 400, `${className}: ${answer.status}`);
      assert.ok(
        answer.json['code'] === ErrorCode.OPERATION_FORBIDDEN || answer.json['code'] === ErrorCode.INVALID_CLASS_NAME,
        `${className}: ${JSON.stringify(answer.json)}`,
      );
    }
    const pushes = await server.call({ path: '/classes/_PushStatus', master: true });
    assert.deepEqual((pushes.body as { results: unknown[] }).results, []);
  });

  it('holds one batch at a time: a 5,000-row file streams through with little memory (printed)', async () => {
    const ROWS = 5_000;
    const rows = (function* () {
      yield 'title,score,done\r\n';
      for (let i = 0; i < ROWS; i += 500) {
        let chunk = '';
        for (let j = i; j < i + 500; j++) chunk += `bulk-${j},${j},${j % 2 === 0}\r\n`;
        yield chunk;
      }
    })();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    let peakHeap = heapBefore;
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 50);
    const { status, lines } = await upload('Game', 'csv', { body: Readable.from(rows) });
    clearInterval(sampler);
    assert.equal(status, 200);
    assert.deepEqual(
      { ...summaryOf(lines), type: undefined },
      { type: undefined, rows: ROWS, created: ROWS, updated: 0, failed: 0, complete: true },
    );
    assert.ok(lines.filter((l) => l.type === 'progress').length >= ROWS / 1000 - 1);
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `import of ${ROWS.toLocaleString()} rows (~${mb(ROWS * 20)} of CSV): heap ${mb(heapBefore)} -> peak ${mb(peakHeap)}, ` +
        `rss ${mb(rssBefore)} -> ${mb(process.memoryUsage().rss)} (server, SQLite and client share this process)`,
    );
    const count = await server.call({
      path: '/classes/Game?count=1&limit=0&where={"title":{"$regex":"^bulk-"}}',
      master: true,
    });
    assert.equal((count.body as { count: number }).count, ROWS);
  });
});
