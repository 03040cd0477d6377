/**
 * A local stand-in for a browser push service (RFC 8030) over HTTPS with a self-signed certificate, and the
 * browser's side of a subscription: it makes the P-256 key pair and auth secret a browser would, so it can
 * check the VAPID `Authorization` (RFC 8292: ES256 JWT for the endpoint's origin, `k=` the public key) and
 * decrypt the aes128gcm body (RFC 8291) to the exact payload sent. Answers by the endpoint's last path
 * segment: `gone-*` → 410, `busy-*` → 429 the first time, else 201. Not part of the build.
 */
import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { writeLocalhostCertificate } from './tls.test-util.js';

export interface WebPushDelivery {
  readonly id: string;
  readonly headers: IncomingHttpHeaders;
  /** The decrypted payload, parsed. */
  readonly payload: unknown;
}

export interface WebPushFake {
  readonly origin: string;
  readonly caFile: string;
  /** A browser subscription (as `PushSubscription.toJSON()`) whose endpoint is `<origin>/push/<id>`. */
  subscription(id: string): { endpoint: string; keys: { p256dh: string; auth: string } };
  readonly delivered: WebPushDelivery[];
  readonly attempts: string[];
  close(): Promise<void>;
}

export async function startWebPushFake(options: { dir: string; vapidPublicKey: string }): Promise<WebPushFake> {
  const keyPem = join(options.dir, 'webpush-tls-key.pem');
  const certPem = join(options.dir, 'webpush-tls-cert.pem');
  writeLocalhostCertificate({ keyFile: keyPem, certFile: certPem });
  const browsers = new Map<string, { ecdh: ReturnType<typeof createECDH>; auth: Buffer }>();
  const delivered: WebPushDelivery[] = [];
  const attempts: string[] = [];
  const seen = new Set<string>();
  let origin = '';
  const server: Server = createServer({ key: readFileSync(keyPem), cert: readFileSync(certPem) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = /^\/push\/([^/]+)$/.exec(req.url ?? '')?.[1] ?? '';
      const browser = browsers.get(id);
      attempts.push(id);
      const first = !seen.has(id);
      seen.add(id);
      if (req.method !== 'POST' || browser === undefined) return end(404);
      if (!validVapid({ header: req.headers.authorization ?? '', audience: origin, publicKey: options.vapidPublicKey }))
        return end(403);
      if (req.headers['content-encoding'] !== 'aes128gcm' || req.headers['ttl'] === undefined) return end(400);
      if (id.startsWith('gone-')) return end(410);
      if (id.startsWith('busy-') && first) return end(429);
      const plain = decrypt({ body: Buffer.concat(chunks), ecdh: browser.ecdh, auth: browser.auth });
      delivered.push({ id, headers: req.headers, payload: JSON.parse(plain) as unknown });
      return end(201);
    });
    function end(status: number): void {
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status === 201 ? '' : `status ${status}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  return {
    origin,
    caFile: certPem,
    delivered,
    attempts,
    subscription(id) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      browsers.set(id, { ecdh, auth });
      return {
        endpoint: `${origin}/push/${id}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function validVapid(options: { header: string; audience: string; publicKey: string }): boolean {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(options.header);
  if (match === null || match[2] !== options.publicKey) return false;
  const [header, claims, signature] = (match[1] as string).split('.');
  if (header === undefined || claims === undefined || signature === undefined) return false;
  const raw = Buffer.from(options.publicKey, 'base64url');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: raw.subarray(1, 33).toString('base64url'),
    y: raw.subarray(33, 65).toString('base64url'),
  };
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  const c = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
  return ok && c['aud'] === options.audience && typeof c['exp'] === 'number' && typeof c['sub'] === 'string';
}

/** RFC 8291 decryption of one aes128gcm record, as the browser does it. */
function decrypt(options: { body: Buffer; ecdh: ReturnType<typeof createECDH>; auth: Buffer }): string {
  const { body, ecdh, auth } = options;
  const salt = body.subarray(0, 16);
  const idLength = body.readUInt8(20);
  const serverKey = body.subarray(21, 21 + idLength);
  const cipher = body.subarray(21 + idLength);
  const hmac = (key: Buffer, data: Buffer): Buffer => createHmac('sha256', key).update(data).digest();
  const shared = ecdh.computeSecret(serverKey);
  const prkKey = hmac(auth, shared);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), serverKey, Buffer.from([1])]);
  const ikm = hmac(prkKey, keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'binary')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'binary')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(cipher.subarray(cipher.length - 16));
  const plain = Buffer.concat([decipher.update(cipher.subarray(0, cipher.length - 16)), decipher.final()]);
  let end = plain.length - 1;
  while (end > 0 && plain[end] === 0) end--;
  return plain.subarray(0, end).toString('utf8');
}
