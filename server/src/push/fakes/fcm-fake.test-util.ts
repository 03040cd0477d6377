/**
 * A local stand-in for FCM HTTP v1 and Google's OAuth token endpoint, speaking their real wire format: the
 * token endpoint checks the service account's RS256 assertion (signature, iss, aud, scope) and issues an
 * access token; `messages:send` requires it and answers like FCM, by the device token's prefix:
 * `dead-` → 404 UNREGISTERED, `bad-` → 400 INVALID_ARGUMENT (not a valid registration token), `busy-` →
 * 429 QUOTA_EXCEEDED with `Retry-After: 0` the first time then 200, `down-` → 503 UNAVAILABLE the first
 * time then 200; anything else 200 `{"name":...}`. Every accepted message is recorded. Not part of the build.
 */
import { generateKeyPairSync, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FcmFake {
  readonly url: string;
  /** Path of a service-account JSON file whose token_uri points at this fake. */
  readonly serviceAccountFile: string;
  /** Accepted `message`s, in arrival order. */
  readonly messages: Record<string, unknown>[];
  /** Every send attempt (accepted or not): the device token. */
  readonly attempts: string[];
  tokenRequests: number;
  close(): Promise<void>;
}

const PROJECT = 'strata-fake-project';
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

export async function startFcmFake(options: { dir: string }): Promise<FcmFake> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const accessTokens = new Set<string>();
  const seen = new Set<string>();
  const state = { tokenRequests: 0 };
  const messages: Record<string, unknown>[] = [];
  const attempts: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const send = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', ...headers });
        res.end(JSON.stringify(json));
      };
      if (req.method === 'POST' && req.url === '/token') {
        state.tokenRequests++;
        const form = new URLSearchParams(body);
        const claims = checkAssertion({ assertion: form.get('assertion') ?? '', key: publicKey, aud: `${base}/token` });
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || claims === undefined) {
          send(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
          return;
        }
        const token = `ya29.fake-${accessTokens.size + 1}`;
        accessTokens.add(token);
        send(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
        return;
      }
      if (req.method === 'POST' && req.url === `/v1/projects/${PROJECT}/messages:send`) {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (bearer === undefined || !accessTokens.has(bearer)) {
          send(401, {
            error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' },
          });
          return;
        }
        let message: Record<string, unknown>;
        try {
          message = (JSON.parse(body) as { message: Record<string, unknown> }).message;
        } catch {
          send(400, { error: { code: 400, message: 'Invalid JSON payload received.', status: 'INVALID_ARGUMENT' } });
          return;
        }
        const token = String(message['token']);
        attempts.push(token);
        const first = !seen.has(token);
        seen.add(token);
        if (token.startsWith('dead-')) {
          send(404, fcmError([404, 'Requested entity was not found.', 'NOT_FOUND', 'UNREGISTERED']));
        } else if (token.startsWith('bad-')) {
          send(
            400,
            fcmError([
              400,
              'The registration token is not a valid FCM registration token',
              'INVALID_ARGUMENT',
              'INVALID_ARGUMENT',
            ]),
          );
        } else if (token.startsWith('busy-') && first) {
          send(429, fcmError([429, 'Quota exceeded for quota metric', 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED']), {
            'Retry-After': '0',
          });
        } else if (token.startsWith('down-') && first) {
          send(503, fcmError([503, 'The service is currently unavailable.', 'UNAVAILABLE', 'UNAVAILABLE']));
        } else {
          messages.push(message);
          send(200, { name: `projects/${PROJECT}/messages/0:${messages.length}` });
        }
        return;
      }
      send(404, { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const serviceAccountFile = join(options.dir, `fcm-service-account-${Date.now()}.json`);
  writeFileSync(
    serviceAccountFile,
    JSON.stringify({
      type: 'service_account',
      project_id: PROJECT,
      private_key_id: 'fake-key-id',
      private_key: pem,
      client_email: `strata@${PROJECT}.iam.gserviceaccount.com`,
      token_uri: `${base}/token`,
    }),
  );
  return {
    url: base,
    serviceAccountFile,
    messages,
    attempts,
    get tokenRequests() {
      return state.tokenRequests;
    },
    set tokenRequests(n: number) {
      state.tokenRequests = n;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function fcmError([code, message, status, errorCode]: [number, string, string, string]): unknown {
  return {
    error: {
      code,
      message,
      status,
      details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }],
    },
  };
}

function checkAssertion(options: {
  assertion: string;
  key: KeyObject;
  aud: string;
}): Record<string, unknown> | undefined {
  const [header, claims, signature] = options.assertion.split('.');
  if (header === undefined || claims === undefined || signature === undefined) return undefined;
  const valid = verify('sha256', Buffer.from(`${header}.${claims}`), options.key, Buffer.from(signature, 'base64url'));
  if (!valid) return undefined;
  const parsedHeader = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
  const parsed = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  if (parsedHeader['alg'] !== 'RS256' || parsed['aud'] !== options.aud || parsed['scope'] !== SCOPE) return undefined;
  if (typeof parsed['exp'] !== 'number' || parsed['exp'] < now || typeof parsed['iss'] !== 'string') return undefined;
  return parsed;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
