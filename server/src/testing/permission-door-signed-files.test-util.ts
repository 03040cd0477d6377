/**
 * The permission matrix's door for signed file URLs (`--file-url-signing-ttl`), an adapter of
 * `permission-matrix-runner.test-util.ts` over a world of its own (the same classes, callers and objects, on a
 * server that signs file URLs, with a clock the door moves). With signing on, the URL is no longer the whole
 * capability: a file opens only with the token its URL carries, so the file is exactly as readable as the field
 * that holds it. The cells: the URL learned through get, find and include carries a token and downloads the
 * bytes, where the caller may read the field (`attachment` is protected in SecretField); the bare URL (the name
 * alone, any caller's headers) opens nothing. The own cases: a token opens its own file only (not another file,
 * not a name spelled otherwise, also for metadata, HEAD and Range requests; of two tokens the last counts); it
 * expires; a token not made with the app's signing secret (other keys, `alg: none`, a changed payload, another
 * file's token, junk) opens nothing, and is no session token either.
 */
import jwt from 'jsonwebtoken';
import { buildWorld } from './permission-world.test-util.js';
import type { Body, World } from './permission-world.test-util.js';
import type { Answer, CaseLine, Cell, Door } from './permission-matrix-runner.test-util.js';
import { failure, filesDoor } from './permission-doors.test-util.js';
import { APP_ID, CLIENT_KEY, MASTER_KEY } from './test-server.test-util.js';

const TTL_SECONDS = 600;

/** A download's outcome in the matrix's words: `downloaded` (200 with the expected bytes) or the refusal. */
async function open(url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<string> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (response.status === 200 || response.status === 206) return `${response.status} ${text}`;
  let code: unknown;
  try {
    code = (JSON.parse(text) as Body)['code'];
  } catch {
    code = undefined;
  }
  return typeof code === 'number' ? String(code) : `http ${response.status}`;
}

class SignedFilesDoor implements Door {
  readonly name = 'files, signed URLs';
  #world: World | undefined;
  #now = new Date('2026-06-01T00:00:00Z');

  constructor(readonly backend: 'sqlite' | 'mongodb') {}

  get #own(): World {
    if (this.#world === undefined) throw new Error('setup did not run');
    return this.#world;
  }

  async setup(): Promise<void> {
    this.#world = await buildWorld(this.backend, { fileUrlSigningTtl: TTL_SECONDS, now: () => this.#now });
  }

  async teardown(): Promise<void> {
    await this.#world?.server.close();
  }

  notApplicable(operation: string, caller: string): string | undefined {
    return filesDoor.notApplicable?.(operation, caller);
  }

  expectation(cell: Cell): Answer {
    return filesDoor.expectation?.(cell) ?? cell.rest;
  }

  async runCell(_shared: World, cell: Cell): Promise<Answer> {
    const world = this.#own;
    // The name alone opens nothing, whoever asks.
    const bare = await open(`${world.server.mountURL}/files/${APP_ID}/${world.file.name}`, {
      headers: { 'X-Parse-Application-Id': APP_ID, ...(world.headers[cell.caller] as Record<string, string>) },
    });
    if (bare !== '119') return `downloaded without a token (${bare.slice(0, 40)})`;
    const answer = await filesDoor.runCell?.(world, cell);
    if (answer !== 'downloaded') return answer ?? 'no answer';
    return 'downloaded';
  }

  /** A stored file's URL (with its token) and bytes, uploaded by the master key. */
  async #upload(name: string, content: string): Promise<{ name: string; url: string; content: string }> {
    const response = await this.#own.server.call({
      method: 'POST',
      path: `/files/${name}`,
      master: true,
      headers: { 'Content-Type': 'text/plain' },
      raw: content,
    });
    const body = response.body as Body;
    return { name: String(body['name']), url: String(body['url']), content };
  }

  readonly cases = [
    {
      name: 'signed URL: a token opens its own file only',
      run: async (): Promise<CaseLine[]> => {
        const a = await this.#upload('a.txt', 'file a');
        const b = await this.#upload('b.txt', 'file b');
        const base = `${this.#own.server.mountURL}/files/${APP_ID}`;
        const token = a.url.slice(a.url.indexOf('?token='));
        const tokenOfB = b.url.slice(b.url.indexOf('?token='));
        const asked: [string, string, Promise<string>][] = [
          ['its URL', '200 file a', open(a.url)],
          ['its URL, a range', '206 le a', open(a.url, { headers: { Range: 'bytes=2-5' } })],
          ['its URL, HEAD', '200 ', open(a.url, { method: 'HEAD' })],
          ['its metadata', '200', open(`${base}/metadata/${a.name}${token}`).then((r) => r.slice(0, 3))],
          ['another file with its token', '119', open(`${base}/${b.name}${token}`)],
          [
            'another file with its token, a range',
            '119',
            open(`${base}/${b.name}${token}`, { headers: { Range: 'bytes=0-1' } }),
          ],
          ['another file with its token, HEAD', 'http 403', open(`${base}/${b.name}${token}`, { method: 'HEAD' })],
          ['another file’s metadata with its token', '119', open(`${base}/metadata/${b.name}${token}`)],
          ['its name with a suffix', '119', open(`${base}/${a.name}x${token}`)],
          ['its name upper-cased', '119', open(`${base}/${a.name.toUpperCase()}${token}`)],
          // Of two `token` parameters the last counts: only its own token, last, opens it.
          ['two tokens, its own last', '200 file a', open(`${base}/${a.name}${tokenOfB}&${token.slice(1)}`)],
          ['two tokens, its own first', '119', open(`${a.url}&${tokenOfB.slice(1)}`)],
          ['another file, two tokens, its own last', '119', open(`${base}/${b.name}${tokenOfB}&${token.slice(1)}`)],
        ];
        const answers = await Promise.all(asked.map(([, , answer]) => answer));
        return asked.map(([label, expected], i) => ({ label, expected, actual: answers[i] as string }));
      },
    },
    {
      name: 'signed URL: expires, and a fresh read gives a new one',
      run: async (): Promise<CaseLine[]> => {
        const world = this.#own;
        const read = async (): Promise<string> => {
          const object = await world.server.call({
            path: `/classes/PublicNote/${world.objects['PublicNote'] as string}`,
            headers: world.headers['alice'] as Record<string, string>,
          });
          return String(((object.body as Body)['attachment'] as Body)['url']);
        };
        const url = await read();
        const lines: CaseLine[] = [
          { label: 'learned now', expected: `200 ${world.file.content}`, actual: await open(url) },
        ];
        this.#now = new Date(this.#now.getTime() + (TTL_SECONDS - 5) * 1000);
        lines.push({ label: 'just before it expires', expected: `200 ${world.file.content}`, actual: await open(url) });
        this.#now = new Date(this.#now.getTime() + 10_000);
        lines.push({ label: 'just after it expired', expected: '119', actual: await open(url) });
        lines.push({
          label: 'its range after it expired',
          expected: '119',
          actual: await open(url, { headers: { Range: 'bytes=0-1' } }),
        });
        const fresh = await read();
        lines.push({ label: 'read again', expected: `200 ${world.file.content}`, actual: await open(fresh) });
        return lines;
      },
    },
    {
      name: 'signed URL: a token not made with the app’s signing secret opens nothing',
      run: async (): Promise<CaseLine[]> => {
        const world = this.#own;
        const a = await this.#upload('forged.txt', 'file forged');
        const b = await this.#upload('other.txt', 'file other');
        const base = `${world.server.mountURL}/files/${APP_ID}/${a.name}?token=`;
        const iat = Math.floor(this.#now.getTime() / 1000);
        const claims = { f: a.name, iat, exp: iat + 3600 };
        const sign = (secret: string): string => jwt.sign(claims, secret, { algorithm: 'HS256', noTimestamp: true });
        const real = a.url.slice(a.url.indexOf('?token=') + '?token='.length);
        const [header, , signature] = real.split('.');
        const otherReal = b.url.slice(b.url.indexOf('?token=') + '?token='.length);
        const [, otherPayload] = otherReal.split('.');
        const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
        const forged: Record<string, string> = {
          'signed with the master key itself': sign(MASTER_KEY),
          'signed with the client key': sign(CLIENT_KEY),
          'signed with the app id': sign(APP_ID),
          'alg none, no signature': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
          'its signature on another payload (a later exp)': `${header}.${b64({ ...claims, exp: iat + 10 ** 9 })}.${signature}`,
          'another file’s payload with its signature': `${header}.${otherPayload}.${signature}`,
          'another file’s token': otherReal,
          empty: '',
          junk: 'not.a.token',
          'a huge token': 'a'.repeat(5000),
        };
        const lines: CaseLine[] = [
          { label: 'its real token', expected: '200 file forged', actual: await open(`${base}${real}`) },
        ];
        for (const [label, token] of Object.entries(forged))
          lines.push({ label, expected: '119', actual: await open(`${base}${encodeURIComponent(token)}`) });
        // The token is no credential elsewhere: as a session token it is refused like any unknown one.
        const asSession = await world.server.call({ path: '/users/me', headers: { 'X-Parse-Session-Token': real } });
        lines.push({ label: 'used as a session token', expected: 209, actual: failure(asSession) ?? 'ok' });
        return lines;
      },
    },
  ];
}

export function signedFilesDoor(backend: 'sqlite' | 'mongodb'): Door {
  return new SignedFilesDoor(backend);
}
