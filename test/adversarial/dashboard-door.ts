/**
 * Draws for the dashboard's door (issue 19 item 1): its session and CSRF checks and the app API it proxies, as a
 * signed-in admin, a read-only user, nobody, a forged cookie and a wrong CSRF token; a pure function of a seed
 * (graphql-ops.ts's Rng), so a failing one is replayed from the printed seed.
 */
import { Rng } from './graphql-ops.js';
import type { RawRequest } from './http-client.js';
import type { Json } from './payloads.js';

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
