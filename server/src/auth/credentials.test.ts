import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { Auth } from './auth.js';
import { parseContext, readWireCredentials } from './credential-wire.js';
import { CredentialResolver } from './credentials.js';
import type { PresentedCredentials } from './credentials.js';
import { requireMaster } from './master-key.js';
import type { MasterRequirement } from './master-key.js';

const KEYS = {
  appId: 'app',
  masterKey: 'master',
  readOnlyMasterKey: 'read-only',
  maintenanceKey: 'maintenance',
  clientKey: 'client',
  javascriptKey: 'js',
  masterKeyIps: ['10.0.0.0/8'],
  maintenanceKeyIps: ['192.168.1.1'],
};
const resolver = new CredentialResolver(KEYS);

function unauthorizedError(err: unknown): boolean {
  return err instanceof ParseError && err.bare && err.httpStatus === 403 && err.message === 'unauthorized';
}

describe('CredentialResolver: presented keys → Auth', () => {
  const cases: Array<{ name: string; presented: PresentedCredentials; ip?: string; kind?: Auth['kind'] }> = [
    {
      name: 'master key from an allowed range',
      presented: { appId: 'app', masterKey: 'master' },
      ip: '10.1.2.3',
      kind: 'master',
    },
    {
      name: 'master key from an IPv4-mapped IPv6 address in range',
      presented: { appId: 'app', masterKey: 'master' },
      ip: '::ffff:10.9.9.9',
      kind: 'master',
    },
    { name: 'master key from elsewhere', presented: { appId: 'app', masterKey: 'master' }, ip: '8.8.8.8' },
    { name: 'master key without a known address', presented: { appId: 'app', masterKey: 'master' } },
    {
      name: 'read-only master key from anywhere',
      presented: { appId: 'app', masterKey: 'read-only' },
      ip: '8.8.8.8',
      kind: 'readOnlyMaster',
    },
    {
      name: 'maintenance key from its address',
      presented: { appId: 'app', maintenanceKey: 'maintenance' },
      ip: '192.168.1.1',
      kind: 'maintenance',
    },
    {
      name: 'maintenance key from elsewhere',
      presented: { appId: 'app', maintenanceKey: 'maintenance' },
      ip: '10.0.0.1',
    },
    { name: 'a client key', presented: { appId: 'app', clientKeys: [undefined, 'js'] }, ip: '8.8.8.8', kind: 'public' },
    { name: 'no client key', presented: { appId: 'app' }, ip: '8.8.8.8' },
    { name: 'a wrong client key', presented: { appId: 'app', clientKeys: ['nope'] }, ip: '8.8.8.8' },
    { name: 'a wrong master key is no client key', presented: { appId: 'app', masterKey: 'nope' }, ip: '10.0.0.1' },
    { name: 'a wrong app id', presented: { appId: 'other', masterKey: 'master' }, ip: '10.0.0.1' },
    { name: 'no app id', presented: { masterKey: 'master' }, ip: '10.0.0.1' },
  ];
  for (const c of cases) {
    it(c.kind === undefined ? `refuses ${c.name} (403 unauthorized)` : `${c.name} → ${c.kind}`, () => {
      if (c.kind === undefined) {
        assert.throws(() => resolver.resolve(c.presented, { ip: c.ip }), unauthorizedError);
        return;
      }
      assert.equal(resolver.resolve(c.presented, { ip: c.ip }).auth.kind, c.kind);
    });
  }

  it('keeps the installation id and the presented session token (resolved later, by core)', () => {
    const resolved = resolver.resolve(
      { appId: 'app', clientKeys: ['client'], sessionToken: 'r:abc', installationId: 'inst' },
      { ip: undefined },
    );
    assert.deepEqual(resolved, { auth: { kind: 'public', installationId: 'inst' }, sessionToken: 'r:abc' });
  });

  it('needs no client key when none is configured', () => {
    const open = new CredentialResolver({ appId: 'app', masterKey: 'm', masterKeyIps: [], maintenanceKeyIps: [] });
    assert.equal(open.resolve({ appId: 'app' }, { ip: undefined }).auth.kind, 'public');
    assert.throws(() => open.resolve({ appId: 'app', masterKey: 'm' }, { ip: '127.0.0.1' }), unauthorizedError);
  });
});

describe('readWireCredentials: Parse headers, HTTP Basic and the body form', () => {
  it('reads the X-Parse headers and leaves the body alone', () => {
    const body = { _ApplicationId: 'ignored', a: 1 };
    const wire = readWireCredentials({
      headers: {
        'x-parse-application-id': 'app',
        'x-parse-rest-api-key': 'rest',
        'x-parse-session-token': 'r:tok',
        'x-parse-installation-id': 'inst',
        'x-parse-cloud-context': '{"a":1}',
      },
      body,
    });
    assert.equal(wire.presented.appId, 'app');
    assert.ok(wire.presented.clientKeys?.includes('rest'));
    assert.equal(wire.presented.sessionToken, 'r:tok');
    assert.equal(wire.presented.installationId, 'inst');
    assert.deepEqual(parseContext(wire.rawContext), { a: 1 });
    assert.deepEqual(body, { _ApplicationId: 'ignored', a: 1 });
  });

  it('reads HTTP Basic with the master key or a JavaScript key', () => {
    const basic = (secret: string) => ({
      authorization: `Basic ${Buffer.from(`app:${secret}`).toString('base64')}`,
    });
    assert.equal(readWireCredentials({ headers: basic('master'), body: {} }).presented.masterKey, 'master');
    const js = readWireCredentials({ headers: basic('javascript-key=js'), body: {} }).presented;
    assert.equal(js.masterKey, undefined);
    assert.ok(js.clientKeys?.includes('js'));
    assert.equal(resolver.resolve(js, { ip: undefined }).auth.kind, 'public');
  });

  it('takes the JS SDK body form out of the body', () => {
    const body: Record<string, unknown> = {
      _ApplicationId: 'app',
      _JavaScriptKey: 'js',
      _SessionToken: 'r:tok',
      _ContentType: 'image/png',
      _context: { b: 2 },
      _ClientVersion: 'js1',
      where: {},
    };
    const wire = readWireCredentials({ headers: {}, body });
    assert.deepEqual(body, { where: {} });
    assert.equal(wire.contentType, 'image/png');
    assert.equal(wire.presented.sessionToken, 'r:tok');
    assert.deepEqual(parseContext(wire.rawContext), { b: 2 });
    assert.equal(resolver.resolve(wire.presented, { ip: undefined }).auth.kind, 'public');
  });

  it('refuses a non-string credential in the body (403) and a context that is no object (107)', () => {
    assert.throws(
      () => readWireCredentials({ headers: {}, body: { _ApplicationId: 'app', _SessionToken: 5 } }),
      unauthorizedError,
    );
    assert.throws(
      () => parseContext('[1]'),
      (err: unknown) => err instanceof ParseError && err.code === ErrorCode.INVALID_JSON,
    );
  });
});

describe('requireMaster: one rule for every master-only operation', () => {
  const kinds: Auth[] = [
    { kind: 'master' },
    { kind: 'readOnlyMaster' },
    { kind: 'maintenance' },
    { kind: 'user', userId: 'u', sessionToken: 'r:t' },
    { kind: 'public' },
  ];
  const outcome = (auth: Auth, requirement: MasterRequirement): string => {
    try {
      requireMaster(auth, requirement);
      return 'allowed';
    } catch (err) {
      assert.ok(err instanceof ParseError);
      return `${err.httpStatus} ${err.bare ? 'bare' : err.code} ${err.message}`;
    }
  };
  it('the master key always; the read-only master key for reads; never the maintenance key', () => {
    const table = Object.fromEntries(
      kinds.map((auth) => [
        auth.kind,
        [
          outcome(auth, { access: 'read' }),
          outcome(auth, { access: 'write', readOnlyAction: 'run a job' }),
          outcome(auth, { access: 'write', refusalStatus: 403 }),
        ],
      ]),
    );
    const denied = '403 bare Permission denied';
    const files = '403 119 Permission denied';
    assert.deepEqual(table, {
      master: ['allowed', 'allowed', 'allowed'],
      readOnlyMaster: ['allowed', "400 119 read-only masterKey isn't allowed to run a job.", files],
      maintenance: [denied, denied, files],
      user: [denied, denied, files],
      public: [denied, denied, files],
    });
  });
});
