// Options of the files API over real HTTP (--file-extensions and the others), on SQLite and a local directory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APP_ID } from '../testing/test-server.test-util.js';
import { expectError, startFilesServer } from './files-server.test-util.js';
import { download, uploadRaw } from './files.test-util.js';
import type { RawResult } from './files.test-util.js';

type Json = Record<string, unknown>;

describe('files API options [sqlite]', () => {
  it('--file-extensions allows listed extensions only; allowed active content is served as an attachment', async () => {
    const { server, probe } = await startFilesServer('sqlite', {
      fileExtensions: ['png', 'svg'],
      fileUploadPublic: true,
    });
    try {
      const up = (name: string, contentType: string): Promise<RawResult> =>
        uploadRaw({ mountURL: server.mountURL, name, body: Buffer.from('<svg/>'), contentType });
      assert.equal((await up('a.png', 'image/png')).status, 201);
      expectError(await up('a.pdf', 'application/pdf'), 400, 130);
      expectError(await up('a.html', 'text/html'), 400, 130);
      const svg = await up('a.svg', 'image/svg+xml');
      assert.equal(svg.status, 201);
      const got = await download(String(svg.json['url']));
      assert.match(String(got.headers['content-disposition']), /^attachment;/);
      assert.equal(got.headers['content-security-policy'], "default-src 'none'; sandbox");
    } finally {
      await server.close();
      await probe.close();
    }
  });

  it('builds file URLs from --public-server-url', async () => {
    const { server, probe } = await startFilesServer('sqlite', { publicServerURL: 'https://files.example.com/api' });
    try {
      const res = await uploadRaw({ mountURL: server.mountURL, name: 'u.txt', body: Buffer.from('u'), master: true });
      assert.equal(res.json['url'], `https://files.example.com/api/files/${APP_ID}/${String(res.json['name'])}`);
    } finally {
      await server.close();
      await probe.close();
    }
  });

  it('signed file URLs: a token in every URL, 403 (119) without a valid unexpired one', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const { server, probe } = await startFilesServer('sqlite', { fileUrlSigningTtl: 600, now: () => now });
    try {
      const res = await uploadRaw({
        mountURL: server.mountURL,
        name: 's.txt',
        body: Buffer.from('secret'),
        master: true,
      });
      const url = String(res.json['url']);
      const name = String(res.json['name']);
      assert.match(url, /\?token=[\w.-]+$/);
      assert.equal(res.headers['location'], url);
      assert.equal((await download(url)).status, 200);
      const bare = await download(`${server.mountURL}/files/${APP_ID}/${name}`);
      assert.equal(bare.status, 403);
      assert.equal(JSON.parse(bare.head.toString())['code'], 119);
      const other = await uploadRaw({ mountURL: server.mountURL, name: 'o.txt', body: Buffer.from('o'), master: true });
      const token = url.slice(url.indexOf('?token='));
      assert.equal(
        (await download(`${server.mountURL}/files/${APP_ID}/${String(other.json['name'])}${token}`)).status,
        403,
      );
      const created = await server.call({
        method: 'POST',
        path: '/classes/Doc',
        body: { f: { __type: 'File', name } },
      });
      const got = await server.call({ path: `/classes/Doc/${String((created.body as Json)['objectId'])}` });
      const fieldURL = String(((got.body as Json)['f'] as Json)['url']);
      assert.match(fieldURL, /\?token=/);
      assert.equal((await download(fieldURL)).status, 200);
      const metadataURL = `${server.mountURL}/files/${APP_ID}/metadata/${name}`;
      assert.equal((await download(metadataURL)).status, 403);
      assert.equal((await download(`${metadataURL}${token}`)).status, 200);
      now = new Date(now.getTime() + 601_000);
      assert.equal((await download(url)).status, 403);
    } finally {
      await server.close();
      await probe.close();
    }
  });

  it('the read-only master key may not upload or delete (403)', async () => {
    const { server, probe } = await startFilesServer('sqlite', { readOnlyMasterKey: 'ro-key', fileUploadPublic: true });
    try {
      const res = await uploadRaw({
        mountURL: server.mountURL,
        name: 'r.txt',
        body: Buffer.from('r'),
        headers: { 'X-Parse-Master-Key': 'ro-key' },
      });
      expectError(res, 403, 119);
      const del = await server.call({
        method: 'DELETE',
        path: '/files/x.txt',
        headers: { 'X-Parse-Master-Key': 'ro-key' },
      });
      assert.equal(del.status, 403);
    } finally {
      await server.close();
      await probe.close();
    }
  });
});
