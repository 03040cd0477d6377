/**
 * A local stand-in for APNs' HTTP/2 API (`node:http2` over TLS with a self-signed certificate made by
 * openssl), speaking its wire format: `POST /3/device/<token>`, token auth checked (ES256 provider token
 * signed by the test's key: kid, iss; missing or bad → 403 InvalidProviderToken / MissingProviderToken) or,
 * in certificate mode, a TLS client certificate required. Answers by the device token's prefix like APNs:
 * `dead` → 410 Unregistered, `bad` → 400 BadDeviceToken, `busy` → 429 TooManyRequests the first time,
 * `down` → 503 ServiceUnavailable the first time; else 200 with an `apns-id`. Records every accepted
 * request's headers and JSON body. Not part of the build.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer, IncomingHttpHeaders } from 'node:http2';
import { join } from 'node:path';
import { writeLocalhostCertificate } from './tls.test-util.js';

export interface ApnsRequest {
  readonly token: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

export interface ApnsFake {
  readonly url: string;
  /** The fake's self-signed certificate (PEM): `--push-ca`. */
  readonly caFile: string;
  /** Token mode: the `.p8`-style signing key file, its key id and team id. */
  readonly keyFile: string;
  readonly keyId: string;
  readonly teamId: string;
  /** Certificate mode: a PEM with a client certificate and its key. */
  readonly clientPemFile: string;
  readonly accepted: ApnsRequest[];
  readonly attempts: string[];
  close(): Promise<void>;
}

export async function startApnsFake(options: { dir: string; mode: 'token' | 'certificate' }): Promise<ApnsFake> {
  const { dir } = options;
  const keyPem = join(dir, 'apns-tls-key.pem');
  const certPem = join(dir, 'apns-tls-cert.pem');
  writeLocalhostCertificate({ keyFile: keyPem, certFile: certPem });
  // The client certificate (certificate mode) is signed by the same self-signed CA for simplicity.
  const clientKey = join(dir, 'apns-client-key.pem');
  const clientCsr = join(dir, 'apns-client.csr');
  const clientCert = join(dir, 'apns-client-cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      clientKey,
      '-out',
      clientCsr,
      '-subj',
      '/CN=Apple Push Services: org.strata.test',
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      clientCsr,
      '-CA',
      certPem,
      '-CAkey',
      keyPem,
      '-CAcreateserial',
      '-out',
      clientCert,
      '-days',
      '1',
    ],
    { stdio: 'ignore' },
  );
  const clientPemFile = join(dir, 'apns-client.pem');
  execFileSync('sh', ['-c', `cat '${clientCert}' '${clientKey}' > '${clientPemFile}'`]);

  const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyFile = join(dir, 'AuthKey_FAKEKEY123.p8');
  execFileSync('sh', ['-c', `cat > '${keyFile}'`], {
    input: signing.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  });
  const keyId = 'FAKEKEY123';
  const teamId = 'TEAM123456';
  const accepted: ApnsRequest[] = [];
  const attempts: string[] = [];
  const seen = new Set<string>();

  const server: Http2SecureServer = createSecureServer({
    key: readFileSync(keyPem),
    cert: readFileSync(certPem),
    ...(options.mode === 'certificate'
      ? { ca: readFileSync(certPem), requestCert: true, rejectUnauthorized: true }
      : {}),
  });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const answer = (status: number, reason?: string, extra: Record<string, string> = {}): void => {
        stream.respond({
          ':status': status,
          'apns-id': randomUUID(),
          ...(reason === undefined ? {} : { 'content-type': 'application/json' }),
          ...extra,
        });
        stream.end(
          reason === undefined
            ? undefined
            : JSON.stringify({ reason, ...(status === 410 ? { timestamp: Date.now() } : {}) }),
        );
      };
      const path = String(headers[':path']);
      const match = /^\/3\/device\/([^/?]+)$/.exec(path);
      if (headers[':method'] !== 'POST' || match === null) return answer(405, 'MethodNotAllowed');
      if (options.mode === 'token') {
        const auth = headers['authorization'];
        if (typeof auth !== 'string') return answer(403, 'MissingProviderToken');
        if (!validProviderToken({ jwt: auth.replace(/^bearer /, ''), key: signing.publicKey, keyId, teamId })) {
          return answer(403, 'InvalidProviderToken');
        }
      }
      if (typeof headers['apns-topic'] !== 'string') return answer(400, 'MissingTopic');
      const token = decodeURIComponent(match[1] as string);
      attempts.push(token);
      const first = !seen.has(token);
      seen.add(token);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return answer(400, 'PayloadEmpty');
      }
      if (token.startsWith('dead')) return answer(410, 'Unregistered');
      if (token.startsWith('bad')) return answer(400, 'BadDeviceToken');
      if (token.startsWith('busy') && first) return answer(429, 'TooManyRequests');
      if (token.startsWith('down') && first) return answer(503, 'ServiceUnavailable');
      accepted.push({ token, headers, body });
      return answer(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    caFile: certPem,
    keyFile,
    keyId,
    teamId,
    clientPemFile,
    accepted,
    attempts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function validProviderToken(options: { jwt: string; key: KeyObject; keyId: string; teamId: string }): boolean {
  const [header, claims, signature] = options.jwt.split('.');
  if (header === undefined || claims === undefined || signature === undefined) return false;
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key: options.key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) return false;
  const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
  const c = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
  return (
    h['alg'] === 'ES256' && h['kid'] === options.keyId && c['iss'] === options.teamId && typeof c['iat'] === 'number'
  );
}
