/**
 * Draws for the doors beside REST (issue 19 item 1): LiveQuery frames, file uploads and downloads (names, types,
 * sizes, Range headers) and the dashboard's API (its session and CSRF checks, and the app API it proxies). Each
 * draw is a pure function of a seed (graphql-ops.ts's Rng), so a failing one is replayed from the printed seed.
 */
import { WebSocket } from 'ws';
import type { RawRequest } from './http-client.js';
import type { Json } from './payloads.js';
import { Rng } from './graphql-ops.js';

export { Rng };

// ---- LiveQuery ------------------------------------------------------------------------------------------------

export type LiveCaller = 'client' | 'session' | 'master';

export interface LiveWorld {
  readonly appId: string;
  readonly clientKey: string;
  readonly masterKey: string;
  sessionToken: string;
  readonly classes: readonly string[];
  /** `where` clauses sampled from payloads.ts (operator injection, hostile regexes, pollution shapes). */
  readonly wheres: readonly Json[];
  readonly fields: readonly string[];
  /** Largest frame the server accepts. */
  readonly maxFrame: number;
}

export interface LiveDraw {
  readonly kind: string;
  readonly frame: string | Buffer;
}

export function liveFrame(seed: number, caller: LiveCaller, world: LiveWorld): LiveDraw {
  const rng = new Rng(seed);
  const requestId = (): Json =>
    rng.chance(0.9) ? 1 + rng.int(6) : rng.pick<Json>([0, -1, 1.5, 2 ** 53, '1', null, [], 1e308]);
  const keys = (): Record<string, Json> => {
    const out: Record<string, Json> = {};
    if (caller === 'master') out['masterKey'] = world.masterKey;
    else out[rng.pick(['clientKey', 'javascriptKey', 'restAPIKey'])] = world.clientKey;
    if (caller === 'session') out['sessionToken'] = world.sessionToken;
    if (rng.chance(0.1)) out['sessionToken'] = rng.pick(['r:dead', '', 'x'.repeat(500)]);
    if (rng.chance(0.1)) out['installationId'] = rng.pick(['inst-1', '', '../x']);
    return out;
  };
  const query = (): Json => {
    const q: Record<string, Json> = {
      className: rng.chance(0.9) ? rng.pick(world.classes) : rng.pick<Json>(['', '_Hooks', 'a/b', 42, null]),
      where: rng.chance(0.95) ? rng.pick(world.wheres) : rng.pick<Json>([[], 'x', null, 1]),
    };
    if (rng.chance(0.3)) q['keys'] = Array.from({ length: rng.int(4) }, () => rng.pick(world.fields));
    if (rng.chance(0.2)) q['watch'] = Array.from({ length: rng.int(3) }, () => rng.pick(world.fields));
    if (rng.chance(0.05)) q[rng.pick(['fields', 'junk', '__proto__'])] = ['str'];
    return q;
  };
  const roll = rng.next();
  if (roll < 0.15) {
    const frame: Record<string, Json> = {
      op: 'connect',
      applicationId: rng.chance(0.9) ? world.appId : rng.pick<Json>(['wrong', '', 42, null]),
      ...keys(),
    };
    if (rng.chance(0.05)) frame['extra'] = 1;
    return { kind: 'connect', frame: JSON.stringify(frame) };
  }
  if (roll < 0.6) {
    const frame: Record<string, Json> = {
      op: rng.chance(0.8) ? 'subscribe' : 'update',
      requestId: requestId(),
      query: query(),
    };
    if (rng.chance(0.1)) frame['sessionToken'] = rng.pick([world.sessionToken, 'r:dead', '']);
    if (rng.chance(0.05)) frame['resume'] = rng.pick<Json>([{ subscriptionId: 'nope', seq: 1 }, { seq: -1 }, 'x']);
    return { kind: String(frame['op']), frame: JSON.stringify(frame) };
  }
  if (roll < 0.75) return { kind: 'unsubscribe', frame: JSON.stringify({ op: 'unsubscribe', requestId: requestId() }) };
  if (roll < 0.97) {
    const junk: Array<string | Buffer> = [
      '{"op":',
      'null',
      '[]',
      '42',
      '"connect"',
      '{}',
      '{"op":"nope"}',
      '{"op":{"$ne":1}}',
      '{"op":"subscribe"}',
      '{"op":"subscribe","requestId":1,"query":{"className":"FzA"}}',
      '{"op":"connect","__proto__":{"polluted":1},"applicationId":"x"}',
      '{"op":"subscribe","requestId":1,"query":{"className":"FzA","where":{"__proto__":{"polluted":1}}}}',
      Buffer.from([0, 1, 2, 255]),
      '\u0000',
      '\ud800',
    ];
    return { kind: 'malformed', frame: rng.pick(junk) };
  }
  // Deep or huge: nested $or near and past the frame limit, a long string past it.
  if (rng.chance(0.5)) {
    let where: Json = { str: 'x' };
    const depth = rng.pick([50, 200, 1000]);
    for (let i = 0; i < depth; i++) where = { $or: [where] };
    return {
      kind: 'deep',
      frame: JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'FzA', where } }),
    };
  }
  const size = rng.pick([world.maxFrame - 200, world.maxFrame + 1, world.maxFrame * 4]);
  return {
    kind: 'huge',
    frame: JSON.stringify({
      op: 'subscribe',
      requestId: 1,
      query: { className: 'FzA', where: { str: 'y'.repeat(size) } },
    }),
  };
}

const ANSWERS = new Set(['connected', 'subscribed', 'unsubscribed', 'error']);

/** One socket of the LiveQuery fuzzer: sends a frame, waits for its answer (or the close), keeps every frame. */
export class LiveLane {
  readonly frames: string[] = [];
  closed: { code: number; reason: string } | undefined;
  #waiter: (() => void) | undefined;
  #answers = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.frames.push(text);
      try {
        if (ANSWERS.has(String((JSON.parse(text) as { op?: unknown }).op))) this.#answers += 1;
      } catch {
        this.#answers += 1; // a non-JSON frame is an answer too (and a failure the caller sees in `frames`)
      }
      this.#waiter?.();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.#waiter?.();
    });
    socket.on('error', () => this.#waiter?.());
  }

  static open(url: string): Promise<LiveLane> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'));
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LiveLane(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Sends `frame`; resolves 'answered', 'closed' or 'hung' (nothing within `ms`). */
  send(frame: string | Buffer, ms: number): Promise<'answered' | 'closed' | 'hung'> {
    const before = this.#answers;
    this.socket.send(frame);
    return new Promise((resolve) => {
      const settle = (): boolean => {
        if (this.#answers > before) return done('answered');
        if (this.closed !== undefined) return done('closed');
        return false;
      };
      const timer = setTimeout(() => done('hung'), ms);
      const done = (result: 'answered' | 'closed' | 'hung'): true => {
        clearTimeout(timer);
        this.#waiter = undefined;
        resolve(result);
        return true;
      };
      if (!settle()) this.#waiter = () => void settle();
    });
  }

  close(): void {
    this.socket.terminate();
  }
}

// ---- files ------------------------------------------------------------------------------------------------------

export interface FilesWorld {
  readonly mount: string;
  readonly appId: string;
  /** Files stored before the run, by name, with their bytes (the Range oracle compares slices). */
  readonly known: ReadonlyMap<string, Buffer>;
  readonly maxBody: number;
}

export type FileCaller = 'client' | 'session' | 'master' | 'none' | 'wrongKey';

export interface FileDraw extends RawRequest {
  readonly kind: 'upload' | 'download' | 'head' | 'metadata' | 'delete';
  readonly caller: FileCaller;
  /** For a download of a known file: its name (the oracle checks the bytes). */
  readonly knownName?: string;
  readonly range?: string;
}

const FILE_NAMES = [
  'a.txt',
  'b.png',
  'c',
  'd.html',
  'e.svg',
  '.hidden',
  'x'.repeat(300),
  '..',
  '../../etc/passwd',
  'a/b.txt',
  'a\\b.txt',
  'ünï cødé.txt',
  '\u0000.txt',
  '%2e%2e',
  'CON',
  'a.txt?x=1',
  'a#b',
  ' ',
  '\ud83d\ude00.png',
];
const CONTENT_TYPES = [
  'text/plain',
  'image/png',
  'text/html',
  'application/octet-stream',
  'image/svg+xml',
  'application/json',
  'multipart/form-data; boundary=x',
  'text/plain; charset=utf-8',
  '',
  'x/y; charset=\u0001',
  'a'.repeat(500),
  '*/*',
];

function encodePath(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function rangeHeader(rng: Rng, size: number): string {
  const n = (): number => rng.pick([0, 1, 2, size - 1, size, size + 1, Math.floor(size / 2), 2 ** 53, 99_999_999_999]);
  switch (rng.int(10)) {
    case 0:
      return `bytes=-${n()}`;
    case 1:
      return `bytes=${n()}-`;
    case 2:
      return `bytes=${n()}-${n()},${n()}-${n()}`;
    case 3:
      return rng.pick(['bytes=', 'bytes=-', 'bytes=a-b', 'items=0-1', 'bytes = 0-1', 'bytes=0-1 ', 'bytes=--1', '']);
    case 4:
      return `bytes=${-n()}-${n()}`;
    default:
      return `bytes=${n()}-${n()}`;
  }
}

export function fileRequest(seed: number, world: FilesWorld): FileDraw {
  const rng = new Rng(seed);
  const caller = rng.pick<FileCaller>(['client', 'client', 'session', 'master', 'none', 'wrongKey']);
  const known = [...world.known.keys()];
  const roll = rng.next();
  if (roll < 0.4) {
    const size = rng.pick([
      0,
      1,
      100,
      4096,
      65_536,
      world.maxBody - 1,
      world.maxBody,
      world.maxBody + 1,
      world.maxBody * 2,
    ]);
    const body = Buffer.alloc(size, rng.int(256));
    const type = rng.pick(CONTENT_TYPES);
    const name = rng.chance(0.8) ? rng.pick(FILE_NAMES) : `f${rng.int(1e6)}.${rng.pick(['txt', 'bin', 'js', ''])}`;
    return {
      kind: 'upload',
      caller,
      method: 'POST',
      path: `${world.mount}/files/${encodePath(name)}`,
      headers: { ...(type === '' ? {} : { 'Content-Type': type }) },
      body,
    };
  }
  const name = rng.chance(0.8) ? rng.pick(known) : rng.pick(FILE_NAMES);
  const stored = world.known.get(name);
  if (roll < 0.85) {
    const range = rng.chance(0.8) ? rangeHeader(rng, stored?.length ?? 100) : undefined;
    const head = rng.chance(0.1);
    return {
      kind: head ? 'head' : 'download',
      caller,
      method: head ? 'HEAD' : 'GET',
      path: `${world.mount}/files/${encodePath(world.appId)}/${encodePath(name)}`,
      headers: { ...(range === undefined ? {} : { Range: range }) },
      ...(stored === undefined ? {} : { knownName: name }),
      ...(range === undefined ? {} : { range }),
    };
  }
  if (roll < 0.93) {
    return {
      kind: 'metadata',
      caller,
      method: 'GET',
      path: `${world.mount}/files/${encodePath(world.appId)}/metadata/${encodePath(name)}`,
      headers: {},
    };
  }
  // Deleting a known file is what only the master key may do; the master caller deletes unknown names only,
  // so the download oracle keeps its files.
  const target = caller === 'master' ? `gone-${rng.int(1000)}.txt` : name;
  return {
    kind: 'delete',
    caller,
    method: 'DELETE',
    path: `${world.mount}/files/${encodePath(target)}`,
    headers: {},
    knownName: target,
  };
}

/** Checks a download's answer against the stored bytes; returns what is wrong, or undefined. */
export function checkDownload(
  draw: FileDraw,
  answer: { status: number; bytes?: Buffer; headers?: Readonly<Record<string, string | string[] | undefined>> },
  stored: Buffer,
): string | undefined {
  const bytes = answer.bytes ?? Buffer.alloc(0);
  if (answer.status === 200) {
    if (draw.method === 'GET' && !bytes.equals(stored))
      return `200 but ${bytes.length} bytes differ from the stored ${stored.length}`;
    return undefined;
  }
  if (answer.status === 206) {
    const contentRange = String(answer.headers?.['content-range'] ?? '');
    const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange);
    if (match === null) return `206 with Content-Range "${contentRange}"`;
    const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (total !== stored.length || start > end || end >= total)
      return `206 with an impossible Content-Range ${contentRange}`;
    if (draw.method === 'GET' && !bytes.equals(stored.subarray(start, end + 1)))
      return `206 ${contentRange}: the bytes are not that slice`;
    return undefined;
  }
  if (answer.status === 416 || answer.status === 304) return undefined;
  if (answer.status === 404) return `404 for a stored file`;
  return undefined;
}

// ---- dashboard ----------------------------------------------------------------------------------------------------

export type DashCaller = 'admin' | 'adminNoCsrf' | 'viewer' | 'none' | 'forged' | 'otherCsrf';

export interface DashWorld {
  readonly appId: string;
  readonly adminCookie: string;
  readonly adminCsrf: string;
  readonly viewerCookie: string;
  readonly viewerCsrf: string;
  readonly ids: readonly string[];
  readonly userIds: readonly string[];
  readonly values: readonly Json[];
}

export interface DashDraw extends RawRequest {
  readonly caller: DashCaller;
  readonly kind: 'static' | 'session' | 'api';
}

const API_PATHS = [
  '/classes/FzA',
  '/classes/Vault',
  '/classes/_User',
  '/classes/_Session',
  '/schemas',
  '/schemas/Vault',
  '/users',
  '/sessions',
  '/config',
  '/serverInfo',
  '/functions/echo',
  '/jobs',
  '/hooks/functions',
  '/slowQueries',
  '/aggregate/FzA',
  '/batch',
  '/health',
  '',
  '/',
  '/../../x',
  '/%2e%2e/%2e%2e/x',
  '//classes//FzA',
  '/classes/FzA?where=%7B%22str%22%3A%7B%22%24regex%22%3A%22a%22%7D%7D',
  '/%',
  '/classes/%E0%A4%A',
  // The streamed import and export (the body is the file: the fuzzed JSON values, broken text, 70 kB).
  '/import/FzA?format=json',
  '/import/FzA?format=csv',
  '/import/FzA?format=jsonl',
  '/import/_Session?format=json',
  '/import/%?format=json',
  '/export/FzA?format=csv',
  '/export/Vault?format=json',
];

export function dashboardRequest(seed: number, world: DashWorld): DashDraw {
  const rng = new Rng(seed);
  const caller = rng.pick<DashCaller>([
    'admin',
    'admin',
    'adminNoCsrf',
    'viewer',
    'viewer',
    'none',
    'forged',
    'otherCsrf',
  ]);
  const headers: Record<string, string> = {};
  switch (caller) {
    case 'admin':
      headers['Cookie'] = world.adminCookie;
      headers['X-CSRF-Token'] = world.adminCsrf;
      break;
    case 'adminNoCsrf':
      headers['Cookie'] = world.adminCookie;
      break;
    case 'viewer':
      headers['Cookie'] = world.viewerCookie;
      headers['X-CSRF-Token'] = world.viewerCsrf;
      break;
    case 'otherCsrf':
      headers['Cookie'] = world.adminCookie;
      headers['X-CSRF-Token'] = world.viewerCsrf;
      break;
    case 'forged': {
      const [name, value = ''] = world.adminCookie.split('=', 2);
      const tampered = rng.pick([
        `${value.slice(0, -2)}xx`,
        'garbage',
        '',
        value.split('.').reverse().join('.'),
        'a'.repeat(5000),
        `${value}.`,
        Buffer.from('{"username":"admin","expiresAt":99999999999999}').toString('base64url'),
      ]);
      headers['Cookie'] = `${name ?? 'x'}=${tampered}`;
      headers['X-CSRF-Token'] = world.adminCsrf;
      break;
    }
    case 'none':
      break;
  }
  const method = rng.pick(['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
  const body = (): string =>
    rng.chance(0.85) ? JSON.stringify(rng.pick(world.values)) : rng.pick(['{', 'null', '\u0000', 'x'.repeat(70_000)]);
  const roll = rng.next();
  if (roll < 0.1) {
    const path = rng.pick([
      '/dashboard',
      '/dashboard/',
      '/dashboard?x=1',
      '/dashboard/index.html',
      '/dashboard/../package.json',
      '/dashboard/%2e%2e/%2e%2e/package.json',
      '/dashboard/assets/missing.js',
      '/dashboard/%00',
      '/dashboard/%',
      `/dashboard/${'a/'.repeat(200)}`,
      '/dashboard/api',
      '/dashboard/api/',
      '/dashboard/api/nope',
    ]);
    return { caller, kind: 'static', method: rng.pick(['GET', 'HEAD', 'POST']), path, headers };
  }
  if (roll < 0.25) {
    // Sign-in attempts (never the signed-in users' own sign-out: that would end the run's sessions).
    if (method === 'DELETE' && (caller === 'admin' || caller === 'viewer')) {
      return { caller, kind: 'session', method: 'GET', path: '/dashboard/api/session', headers };
    }
    const signIn = JSON.stringify(
      rng.pick<Json>([
        { username: 'admin', password: rng.pick(['wrong', '', 'admin-password '.repeat(2)]) },
        { username: rng.pick(['ghost', '', 'ADMIN', 'a'.repeat(1000), '__proto__']), password: 'x' },
        { username: { $ne: null }, password: { $ne: null } },
        { username: 'admin', password: 'nope', totp: rng.pick(['000000', '', 'x'.repeat(100)]) },
        rng.pick(world.values),
      ]),
    );
    return {
      caller,
      kind: 'session',
      method,
      path: '/dashboard/api/session',
      headers: { ...headers, 'Content-Type': 'application/json' },
      ...(method === 'POST' ? { body: rng.chance(0.9) ? signIn : body() } : {}),
    };
  }
  let apiPath = rng.pick(API_PATHS);
  if (rng.chance(0.3)) apiPath = `/classes/${rng.pick(['FzA', 'Vault', '_User'])}/${rng.pick(world.ids)}`;
  if (rng.chance(0.15)) {
    const as = rng.chance(0.8) ? rng.pick(world.userIds) : rng.pick(['x', 'a'.repeat(64), 'a'.repeat(65), '..', '%2F']);
    apiPath = `/as/${as}${rng.pick(['/users/me', '/classes/Vault', '/classes/_User', '/schemas', '/functions/whoami'])}`;
  }
  const app = rng.chance(0.9) ? world.appId : rng.pick(['other', '%', '%E0%A4%A', '..', '', 'test-app%00']);
  const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  return {
    caller,
    kind: 'api',
    method,
    path: `/dashboard/api/apps/${app}${apiPath}`,
    headers: { ...headers, ...(hasBody ? { 'Content-Type': rng.pick(['application/json', 'text/plain']) } : {}) },
    ...(hasBody ? { body: body() } : {}),
  };
}
