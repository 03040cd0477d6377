import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OutboundAddressPolicy, unmapIPv4 } from './outbound-address.js';
import { OutboundHttp, OutboundRefusedError } from './outbound-http.js';

describe('outbound address policy (SSRF)', () => {
  const policy = new OutboundAddressPolicy();

  it('refuses loopback, private, link-local, CGNAT, multicast and reserved addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '0.0.0.0',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      '[::1]',
      'fe80::1',
      'fe80::1%eth0',
      'fd00::1',
      'fc00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:a9fe:a9fe',
      '::ffff:10.0.0.1',
      '::127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::',
      'not-an-ip',
    ]) {
      assert.equal(policy.allows(address), false, address);
    }
  });

  it('allows public addresses, also in their IPv4-mapped form', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(policy.allows(address), true, address);
    }
  });

  it('lets --outbound-allow-ips open chosen addresses and ranges, and nothing else', () => {
    const open = new OutboundAddressPolicy(['127.0.0.1', '10.0.0.0/8', '::1/128']);
    assert.equal(open.allows('127.0.0.1'), true);
    assert.equal(open.allows('::ffff:127.0.0.1'), true);
    assert.equal(open.allows('10.200.0.1'), true);
    assert.equal(open.allows('::1'), true);
    assert.equal(open.allows('127.0.0.2'), false);
    assert.equal(open.allows('192.168.0.1'), false);
  });

  it('unmaps IPv4-mapped IPv6 addresses in both spellings', () => {
    assert.equal(unmapIPv4('::ffff:192.168.0.1'), '192.168.0.1');
    assert.equal(unmapIPv4('::FFFF:C0A8:1'), '192.168.0.1');
    assert.equal(unmapIPv4('2001:db8::1'), '2001:db8::1');
  });
});

describe('outbound HTTP calls', () => {
  let target: Server;
  let inner: Server;
  let port = 0;
  let innerPort = 0;
  const innerHits: string[] = [];

  before(async () => {
    // The private service an attacker wants to reach: on 127.0.0.2, never allowed below.
    inner = createServer((req, res) => {
      innerHits.push(req.url ?? '');
      res.end('secret');
    });
    await new Promise<void>((resolve) => inner.listen(0, '127.0.0.2', resolve));
    innerPort = (inner.address() as AddressInfo).port;
    target = createServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/to-inner') res.writeHead(302, { location: `http://127.0.0.2:${innerPort}/via-redirect` }).end();
      else if (url === '/to-mapped') {
        res.writeHead(307, { location: `http://[::ffff:127.0.0.2]:${innerPort}/via-mapped` }).end();
      } else if (url === '/to-self') res.writeHead(303, { location: '/ok' }).end();
      else res.end(JSON.stringify({ method: req.method, url }));
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    port = (target.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => target.close(resolve));
    await new Promise((resolve) => inner.close(resolve));
  });

  const call = (client: OutboundHttp, url: string, redirect: 'follow' | 'manual' | 'error' = 'follow') =>
    client.request({ url, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', redirect });

  it('refuses loopback targets by default: literal IPs, their other spellings, and names resolving to them', async () => {
    const strict = new OutboundHttp();
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f.1:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://localhost:${port}/`,
      `http://169.254.169.254/latest/meta-data/`,
      `https://127.0.0.1:${port}/`,
    ]) {
      await assert.rejects(call(strict, url), OutboundRefusedError, url);
    }
  });

  it('reaches an allowed target and follows a redirect that stays on it', async () => {
    const open = new OutboundHttp({ allow: ['127.0.0.1'] });
    const direct = await call(open, `http://127.0.0.1:${port}/ok`);
    assert.deepEqual(JSON.parse(direct.body.toString()), { method: 'POST', url: '/ok' });
    const redirected = await call(open, `http://127.0.0.1:${port}/to-self`);
    assert.deepEqual(JSON.parse(redirected.body.toString()), { method: 'GET', url: '/ok' });
  });

  it('checks every redirect hop: an allowed target cannot bounce the call to a private one', async () => {
    const open = new OutboundHttp({ allow: ['127.0.0.1'] });
    for (const path of ['/to-inner', '/to-mapped']) {
      await assert.rejects(call(open, `http://127.0.0.1:${port}${path}`), OutboundRefusedError, path);
    }
    assert.deepEqual(innerHits, []);
    // Not following: the 3xx is the answer (httpRequest without followRedirects), or an error (webhooks).
    assert.equal((await call(open, `http://127.0.0.1:${port}/to-inner`, 'manual')).status, 302);
    await assert.rejects(call(open, `http://127.0.0.1:${port}/to-inner`, 'error'), /redirect/);
    assert.deepEqual(innerHits, []);
  });

  it('refuses schemes other than http and https', async () => {
    await assert.rejects(call(new OutboundHttp(), 'file:///etc/passwd'), /Only http and https/);
  });
});
