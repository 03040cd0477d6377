/**
 * `_Installation` through REST (rest.md §9): a client registers and updates its own installation (upsert by
 * installationId or deviceToken, token de-duplication, immutable fields) and cannot read, query, rewrite,
 * delete or take over another device's. On SQLite, and on MongoDB (FerretDB) when configured.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../../testing/test-server.test-util.js';
import type { TestServer } from '../../testing/test-server.test-util.js';
import { describeWithMongo } from '../../testing/mongo.test-util.js';

type Json = Record<string, unknown>;
const TOKEN = 'A'.repeat(32) + 'b'.repeat(32);

function installationTests(backend: 'sqlite' | 'mongodb'): void {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ backend });
  });
  after(() => server.close());

  const call = async (options: {
    method?: string;
    path: string;
    body?: unknown;
    master?: boolean;
    iid?: string;
  }): Promise<{ status: number; body: Json }> => {
    const response = await server.call({
      method: options.method ?? 'GET',
      path: options.path,
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.master === true ? { master: true } : {}),
      ...(options.iid === undefined ? {} : { headers: { 'X-Parse-Installation-Id': options.iid } }),
    });
    return { status: response.status, body: response.body as Json };
  };
  const rowsWhere = async (where: Json): Promise<Json[]> => {
    const { status, body } = await call({
      path: `/installations?where=${encodeURIComponent(JSON.stringify(where))}`,
      master: true,
    });
    assert.equal(status, 200, JSON.stringify(body));
    return body['results'] as Json[];
  };

  it('registers with the client key, lower-cases ids and APNs tokens, and upserts by installationId', async () => {
    const created = await call({
      method: 'POST',
      path: '/installations',
      body: { installationId: 'AAAA-1111', deviceType: 'ios', deviceToken: TOKEN, channels: ['news'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body['objectId']);
    const [row] = await rowsWhere({ objectId: id });
    assert.equal(row?.['installationId'], 'aaaa-1111');
    assert.equal(row?.['deviceToken'], TOKEN.toLowerCase());
    // The same device registering again updates its row: 200 {updatedAt}, no second row.
    const again = await call({
      method: 'POST',
      path: '/classes/_Installation',
      body: { installationId: 'aaaa-1111', deviceType: 'ios', channels: ['news', 'sport'] },
    });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.deepEqual(Object.keys(again.body), ['updatedAt']);
    const rows = await rowsWhere({ installationId: 'aaaa-1111' });
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]?.['channels'], ['news', 'sport']);
  });

  it('takes the installation id from X-Parse-Installation-Id, and reads its own installation only', async () => {
    const created = await call({
      method: 'POST',
      path: '/installations',
      body: { deviceType: 'android' },
      iid: 'hdr-1',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const path = `/installations/${String(created.body['objectId'])}`;
    const own = await call({ path, iid: 'HDR-1' });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body['installationId'], 'hdr-1');
    for (const iid of [undefined, 'someone-else']) {
      const other = await call({ path, ...(iid === undefined ? {} : { iid }) });
      assert.equal(other.status, 404, JSON.stringify(other.body));
      assert.equal(other.body['code'], 101);
    }
  });

  it('answers 135 without an id or a deviceType, 136 when either changes', async () => {
    const noId = await call({ method: 'POST', path: '/installations', body: { deviceType: 'ios' } });
    assert.equal(noId.body['code'], 135, JSON.stringify(noId.body));
    assert.match(String(noId.body['error']), /at least one ID field/);
    const noType = await call({ method: 'POST', path: '/installations', body: { installationId: 'no-type' } });
    assert.equal(noType.body['code'], 135);
    assert.equal(noType.body['error'], 'deviceType must be specified in this operation');
    const created = await call({
      method: 'POST',
      path: '/installations',
      body: { installationId: 'imm-1', deviceType: 'ios' },
    });
    const path = `/installations/${String(created.body['objectId'])}`;
    const type = await call({ method: 'PUT', path, body: { deviceType: 'android' }, iid: 'imm-1' });
    assert.equal(type.body['code'], 136);
    assert.equal(type.body['error'], 'deviceType may not be changed in this operation');
    const iid = await call({ method: 'PUT', path, body: { installationId: 'imm-2' }, iid: 'imm-1' });
    assert.equal(iid.body['code'], 136);
    const upsert = await call({
      method: 'POST',
      path: '/installations',
      body: { installationId: 'imm-1', deviceType: 'web' },
    });
    assert.equal(upsert.body['code'], 136);
    const ok = await call({ method: 'PUT', path, body: { badge: 3, timeZone: 'Europe/Paris' }, iid: 'imm-1' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('moves a device token to the new installation of a re-installed app, deleting the stale row', async () => {
    const token = 'fcm-token-reinstall';
    const old = await call({
      method: 'POST',
      path: '/installations',
      body: { installationId: 'old-1', deviceType: 'android', deviceToken: token },
    });
    assert.equal(old.status, 201);
    const fresh = await call({
      method: 'POST',
      path: '/installations',
      body: { installationId: 'new-1', deviceType: 'android', deviceToken: token },
    });
    assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
    const rows = await rowsWhere({ deviceToken: token });
    assert.deepEqual(
      rows.map((r) => r['installationId']),
      ['new-1'],
    );
  });

  it('adopts a token-only row, and answers 132 when a bare token matches several rows', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await call({
        method: 'POST',
        path: '/installations',
        master: true,
        body: { deviceType: 'ios', deviceToken: 'shared-token' },
      });
      assert.equal(r.status, i === 0 ? 201 : 200, JSON.stringify(r.body));
    }
    // The second master POST updated the first row (one token, one row): make a real duplicate with PUT.
    const extra = await call({
      method: 'POST',
      path: '/installations',
      master: true,
      body: { deviceType: 'ios', deviceToken: 'other' },
    });
    await call({
      method: 'PUT',
      path: `/installations/${String(extra.body['objectId'])}`,
      master: true,
      body: { deviceToken: 'shared-token' },
    });
    const ambiguous = await call({
      method: 'POST',
      path: '/installations',
      body: { deviceType: 'ios', deviceToken: 'shared-token' },
    });
    assert.equal(ambiguous.body['code'], 132, JSON.stringify(ambiguous.body));
    const lone = await call({
      method: 'POST',
      path: '/installations',
      master: true,
      body: { deviceType: 'ios', deviceToken: 'lone-token' },
    });
    const adopted = await call({
      method: 'POST',
      path: '/installations',
      body: { installationId: 'adopter', deviceType: 'ios', deviceToken: 'lone-token' },
    });
    assert.equal(adopted.status, 200, JSON.stringify(adopted.body));
    const rows = await rowsWhere({ deviceToken: 'lone-token' });
    assert.deepEqual(
      rows.map((r) => [r['objectId'], r['installationId']]),
      [[lone.body['objectId'], 'adopter']],
    );
  });

  it('attacks: a client cannot query, delete, rewrite or take over another device', async () => {
    const victim = await call({
      method: 'POST',
      path: '/installations',
      body: { installationId: 'victim', deviceType: 'ios', deviceToken: 'victim-token', channels: ['vip'] },
    });
    const path = `/installations/${String(victim.body['objectId'])}`;
    for (const query of [
      '/installations',
      '/classes/_Installation?where=%7B%22deviceType%22%3A%22ios%22%7D',
      '/installations?count=1&limit=0',
    ]) {
      const r = await call({ path: query, iid: 'attacker' });
      assert.equal(r.body['code'], 119, `${query}: ${JSON.stringify(r.body)}`);
    }
    const del = await call({ method: 'DELETE', path, iid: 'victim' });
    assert.equal(del.body['code'], 119);
    // The objectId alone (with the attacker's own installation id, or none) does not open the row.
    for (const iid of ['attacker', undefined]) {
      const put = await call({
        method: 'PUT',
        path,
        body: { channels: ['spam'] },
        ...(iid === undefined ? {} : { iid }),
      });
      assert.equal(put.status, 404, JSON.stringify(put.body));
    }
    // Claiming the victim's token under its own id: the attacker gets a row of its own, never the victim's
    // channels or objectId (Parse's token de-duplication then drops the victim's stale row).
    const claim = await call({
      method: 'POST',
      path: '/installations',
      body: { installationId: 'attacker', deviceType: 'ios', deviceToken: 'victim-token' },
    });
    assert.equal(claim.status, 201, JSON.stringify(claim.body));
    assert.notEqual(claim.body['objectId'], victim.body['objectId']);
    const [row] = await rowsWhere({ installationId: 'attacker' });
    assert.equal(row?.['channels'], undefined);
    // Bad values are refused with a Parse error, nothing stored.
    const bad = await call({ method: 'POST', path: '/installations', body: { installationId: 7, deviceType: 'ios' } });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
  });

  it('a PUT on a deleted installation answers 101 (the SDKs then register again)', async () => {
    const created = await call({
      method: 'POST',
      path: '/installations',
      body: { installationId: 'gone', deviceType: 'web' },
    });
    const path = `/installations/${String(created.body['objectId'])}`;
    assert.equal((await call({ method: 'DELETE', path, master: true })).status, 200);
    const put = await call({ method: 'PUT', path, body: { channels: ['a'] }, iid: 'gone' });
    assert.equal(put.body['code'], 101);
  });
}

describe('_Installation rules [sqlite]', () => installationTests('sqlite'));
describeWithMongo('_Installation rules [mongodb]', () => installationTests('mongodb'));
