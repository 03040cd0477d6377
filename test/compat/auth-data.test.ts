// Third-party log-in and the email flows through the official Parse JS SDK: anonymous log-in, a custom
// auth provider registered with the SDK (logInWith / _linkWith / _unlinkFrom), requestPasswordReset and
// requestEmailVerification, with the mails received by a real SMTP server the test starts. Runs on SQLite,
// and on MongoDB when STRATA_TEST_MONGODB_URI is set.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import type { AuthProvider } from '../../server/src/auth/index.js';
import { ErrorCode, ParseError } from '../../server/src/errors/index.js';
import { buildTestConfig, expectParseError, TEST_KEYS, useParse } from '../helpers/index.js';
import { startSmtp } from '../helpers/smtp.js';
import type { ParseSDK } from '../helpers/index.js';

/** Accepts `{id, token}` when token is "ok-" + id; the SDK side below produces exactly that. */
const codeProvider: AuthProvider = {
  validateAuthData({ authData }) {
    if (authData['token'] === `ok-${String(authData['id'])}`) return Promise.resolve();
    return Promise.reject(new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message: 'Bad token.' }));
  },
};

const sdkProvider = (id: string) => ({
  getAuthType: () => 'code',
  restoreAuthentication: () => true,
  authenticate(options: { success?: (provider: unknown, data: unknown) => void }) {
    options.success?.(this, { id, token: `ok-${id}` });
  },
  deauthenticate: () => undefined,
});

const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];
const backends: Array<{ name: string; skip?: string }> = [{ name: 'sqlite' }];
if (mongoURI !== undefined || process.env['STRATA_REQUIRE_SERVICES'] === '1') backends.push({ name: 'mongodb' });
else {
  process.stdout.write('# auth-data compat suite on MongoDB skipped: STRATA_TEST_MONGODB_URI is not set\n');
  backends.push({ name: 'mongodb', skip: 'STRATA_TEST_MONGODB_URI is not set' });
}

for (const backend of backends) {
  describe(`parse SDK authData and email flows [${backend.name}]`, { skip: backend.skip }, () => {
    let Parse: ParseSDK;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let close: () => Promise<void>;
    let serverURL: string;

    before(async () => {
      if (backend.name === 'mongodb' && mongoURI === undefined) {
        throw new Error('STRATA_REQUIRE_SERVICES=1 but STRATA_TEST_MONGODB_URI is not set');
      }
      smtp = await startSmtp();
      const dataDir = await mkdtemp(join(tmpdir(), 'strata-compat-auth-'));
      const dbName = `strata_test_authdata_${randomBytes(6).toString('hex')}`;
      const databaseURI =
        backend.name === 'sqlite'
          ? `sqlite:${join(dataDir, 'strata.db')}`
          : `${(mongoURI as string).replace(/\/+$/, '')}/${dbName}`;
      const base = buildTestConfig({ dataDir, databaseURI });
      // Links in mails point at the public URL; the test only reads them, so a placeholder host will do.
      const publicServerURL = 'http://compat.invalid/parse';
      const app = await createApp({
        config: {
          ...base,
          appName: 'Compat',
          publicServerURL,
          emailAdapter: 'smtp',
          emailHost: '127.0.0.1',
          emailPort: smtp.port,
          emailFrom: 'noreply@strata.test',
        },
        logger: pino({ level: process.env['STRATA_COMPAT_LOG'] ?? 'silent' }, process.stderr),
        authProviders: { code: codeProvider },
      });
      const { port } = await app.listen();
      serverURL = `http://127.0.0.1:${port}/parse`;
      close = async () => {
        await app.close();
        if (backend.name === 'mongodb') {
          const client = new MongoClient(databaseURI);
          try {
            await client.db(dbName).dropDatabase();
          } finally {
            await client.close();
          }
        }
        await rm(dataDir, { recursive: true, force: true });
      };
      Parse = useParse({
        serverURL,
        appId: TEST_KEYS.appId,
        masterKey: TEST_KEYS.masterKey,
        javascriptKey: TEST_KEYS.javascriptKey,
      });
      Parse.User.enableUnsafeCurrentUser();
    });
    after(async () => {
      await Parse?.User.logOut().catch(() => undefined);
      await close?.();
      await smtp?.close();
    });

    it('AnonymousUtils.logIn creates an anonymous user with a session', async () => {
      const user = await Parse.AnonymousUtils.logIn();
      assert.match(user.id ?? '', /^[A-Za-z0-9]{10}$/);
      assert.match(user.getUsername() ?? '', /^[A-Za-z0-9]{25}$/);
      assert.match(user.getSessionToken() ?? '', /^r:/);
      assert.equal(Parse.AnonymousUtils.isLinked(user), true);
      const me = await Parse.User.me(user.getSessionToken() ?? '');
      assert.equal(me.id, user.id);
      await Parse.User.logOut();
    });

    it('logInWith signs up through a custom provider, then logs the same user in', async () => {
      Parse.User._registerAuthenticationProvider(sdkProvider('u-1'));
      const first = await Parse.User.logInWith('code', { authData: { id: 'u-1', token: 'ok-u-1' } });
      assert.equal(first.existed(), false);
      const again = await Parse.User.logInWith('code', { authData: { id: 'u-1', token: 'ok-u-1' } });
      assert.equal(again.id, first.id);
      assert.equal(again.existed(), true);
      assert.notEqual(again.getSessionToken(), first.getSessionToken());
      const forged = await expectParseError(
        Parse.User.logInWith('code', { authData: { id: 'u-1', token: 'forged' } }),
        Parse.Error.OBJECT_NOT_FOUND,
      );
      assert.equal(forged.message, 'Bad token.');
      await Parse.User.logOut();
    });

    it('links and unlinks a provider on a password user', async () => {
      const user = new Parse.User();
      user.set({ username: `linker-${randomBytes(3).toString('hex')}`, password: 'pw-1' });
      await user.signUp();
      await user._linkWith('code', { authData: { id: 'link-1', token: 'ok-link-1' } });
      assert.equal(user._isLinked('code'), true);
      const viaProvider = await Parse.User.logInWith('code', { authData: { id: 'link-1', token: 'ok-link-1' } });
      assert.equal(viaProvider.id, user.id);
      await viaProvider._unlinkFrom('code');
      assert.equal(viaProvider._isLinked('code'), false);
      const fetched = await Parse.User.me(viaProvider.getSessionToken() ?? '');
      assert.equal(fetched.get('authData'), undefined);
      await Parse.User.logOut();
    });

    it('requestPasswordReset and requestEmailVerification mail their links over SMTP', async () => {
      const user = new Parse.User();
      user.set({ username: 'mailer', password: 'pw-1', email: 'mailer@example.com' });
      await user.signUp();
      await Parse.User.logOut();
      const before = smtp.mails.length;
      await Parse.User.requestPasswordReset('mailer@example.com');
      await Parse.User.requestEmailVerification('mailer@example.com');
      await Parse.User.requestPasswordReset('nobody@example.com');
      const mails = smtp.mails.slice(before);
      assert.equal(mails.length, 2);
      assert.deepEqual(mails[0]?.to, ['mailer@example.com']);
      assert.match(mails[0]?.data ?? '', /^Subject: Password Reset for Compat\r$/m);
      assert.ok(
        (mails[0]?.data ?? '').includes(
          `http://compat.invalid/parse/apps/${TEST_KEYS.appId}/request_password_reset?token=`,
        ),
      );
      assert.match(mails[1]?.data ?? '', /^Subject: Please verify your e-mail for Compat\r$/m);
      assert.ok(
        (mails[1]?.data ?? '').includes(`http://compat.invalid/parse/apps/${TEST_KEYS.appId}/verify_email?token=`),
      );
    });
  });
}
