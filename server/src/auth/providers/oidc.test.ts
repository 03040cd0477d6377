import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import type { Algorithm } from 'jsonwebtoken';
import { ParseError } from '../../errors/index.js';
import { createAuthProviders } from './index.js';
import type { AuthProvider } from './index.js';

const ISSUER = 'https://id.strata.test';
const CLIENT_ID = 'strata-app';
const NOW = new Date('2025-03-01T10:00:00.000Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

const jwk = (key: KeyObject, kid: string, alg: string): Record<string, unknown> => ({
  ...key.export({ format: 'jwk' }),
  kid,
  alg,
  use: 'sig',
});

function sign(options: { key?: KeyObject; kid?: string; alg?: Algorithm; claims?: Record<string, unknown> }): string {
  const claims = { iss: ISSUER, aud: CLIENT_ID, sub: 'user-1', iat: nowSeconds - 60, exp: nowSeconds + 600 };
  return jwt.sign({ ...claims, ...options.claims }, options.key ?? rsa.privateKey, {
    algorithm: options.alg ?? 'RS256',
    keyid: options.kid ?? 'rsa-1',
  });
}

describe('OpenID Connect provider (local JWKS server)', () => {
  let server: Server;
  let jwksRequests = 0;
  let provider: AuthProvider;

  before(async () => {
    const body = JSON.stringify({ keys: [jwk(rsa.publicKey, 'rsa-1', 'RS256'), jwk(ec.publicKey, 'ec-1', 'ES256')] });
    server = createServer((req, res) => {
      jwksRequests++;
      if (req.url !== '/jwks') {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const providers = createAuthProviders({
      settings: { corp: { issuer: ISSUER, clientId: [CLIENT_ID], jwksUri: `http://127.0.0.1:${port}/jwks` } },
      enableAnonymousUsers: true,
      now: () => NOW,
    });
    provider = providers.get('corp') as AuthProvider;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const rejects101 = async (authData: Record<string, unknown>, message: RegExp): Promise<void> => {
    await assert.rejects(provider.validateAuthData({ authData }), (err: unknown) => {
      assert.ok(err instanceof ParseError, String(err));
      assert.equal(err.code, 101);
      assert.match(err.message, message);
      return true;
    });
  };

  it('accepts a valid RS256 token, and fetches the JWKS once', async () => {
    await provider.validateAuthData({ authData: { id: 'user-1', id_token: sign({}) } });
    await provider.validateAuthData({ authData: { id: 'user-1', token: sign({}) } });
    assert.equal(jwksRequests, 1);
  });

  it('accepts a valid ES256 token', async () => {
    await provider.validateAuthData({
      authData: { id: 'user-1', id_token: sign({ key: ec.privateKey, kid: 'ec-1', alg: 'ES256' }) },
    });
  });

  it('rejects a wrong signature', async () => {
    await rejects101({ id: 'user-1', id_token: sign({ key: stranger.privateKey }) }, /invalid signature/);
  });

  it('rejects a wrong issuer', async () => {
    await rejects101({ id: 'user-1', id_token: sign({ claims: { iss: 'https://evil.test' } }) }, /jwt issuer invalid/);
  });

  it('rejects a wrong audience', async () => {
    await rejects101({ id: 'user-1', id_token: sign({ claims: { aud: 'other-app' } }) }, /jwt audience invalid/);
  });

  it('rejects an expired token (by the injected clock)', async () => {
    await rejects101(
      { id: 'user-1', id_token: sign({ claims: { exp: nowSeconds - 1 } }) },
      /^The id token has expired\.$/,
    );
  });

  it('rejects an unknown key id', async () => {
    await rejects101({ id: 'user-1', id_token: sign({ kid: 'rotated-away' }) }, /^Unknown key id rotated-away/);
  });

  it('rejects a token issued for another user', async () => {
    await rejects101({ id: 'user-2', id_token: sign({}) }, /^The id token was issued for another user\.$/);
  });

  it('rejects missing fields, garbage and the none algorithm', async () => {
    await rejects101({ id: 'user-1' }, /required/);
    await rejects101({ id: 'user-1', id_token: 'not-a-jwt' }, /malformed/);
    const none = jwt.sign({ iss: ISSUER, aud: CLIENT_ID, sub: 'user-1' }, '', { algorithm: 'none', keyid: 'rsa-1' });
    await rejects101({ id: 'user-1', id_token: none }, /algorithm is not accepted/);
  });
});

describe('auth provider registry', () => {
  it('has anonymous by default, presets for google and apple, and honours enabled:false', () => {
    const providers = createAuthProviders({
      settings: { google: { clientId: 'g' }, apple: { clientId: 'a' }, facebook: { enabled: false } },
      enableAnonymousUsers: true,
      now: () => NOW,
    });
    assert.deepEqual([...providers.names].sort(), ['anonymous', 'apple', 'google']);
    assert.equal(providers.get('facebook'), undefined);
    const noAnonymous = createAuthProviders({ settings: {}, enableAnonymousUsers: false, now: () => NOW });
    assert.equal(noAnonymous.get('anonymous'), undefined);
  });

  it('refuses an OpenID provider without issuer/JWKS or client id', () => {
    assert.throws(
      () => createAuthProviders({ settings: { corp: { clientId: 'x' } }, enableAnonymousUsers: true, now: () => NOW }),
      /needs "issuer"/,
    );
    assert.throws(
      () => createAuthProviders({ settings: { google: {} }, enableAnonymousUsers: true, now: () => NOW }),
      /client id/,
    );
  });

  it('anonymous needs a string id', async () => {
    const anonymous = createAuthProviders({ settings: {}, enableAnonymousUsers: true, now: () => NOW }).get(
      'anonymous',
    ) as AuthProvider;
    await anonymous.validateAuthData({ authData: { id: 'a1b2' } });
    await assert.rejects(
      anonymous.validateAuthData({ authData: { id: 3 } }),
      (err: unknown) => err instanceof ParseError && err.code === 101,
    );
  });
});
