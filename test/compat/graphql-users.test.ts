// Parse's user mutations beyond sign-up / log-in through graphql-request (issue 15): `logInWith` (third-party
// authData: sign-up, then log-in, forged data refused), `resetPassword` + `confirmResetPassword` (the token
// read from the mail a real SMTP server received; single use; the old password and sessions are gone) and
// `sendVerificationEmail`. Runs on SQLite, and on MongoDB (FerretDB) when STRATA_TEST_MONGODB_URI is set.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ClientError } from 'graphql-request';
import type { AuthProvider } from '../../server/src/auth/index.js';
import { ErrorCode, ParseError } from '../../server/src/errors/index.js';
import { compatTargets, graphqlClient, rawGraphQL } from '../helpers/index.js';
import type { CompatTarget } from '../helpers/index.js';
import { startSmtp } from '../helpers/smtp.js';

/** Accepts `{id, token}` when token is "ok-" + id. */
const codeProvider: AuthProvider = {
  validateAuthData({ authData }) {
    if (authData['token'] === `ok-${String(authData['id'])}`) return Promise.resolve();
    return Promise.reject(new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message: 'Bad token.' }));
  },
};

const smtp = await startSmtp();
after(() => smtp.close());
const suffix = (): string => randomBytes(4).toString('hex');

interface Viewer {
  sessionToken: string;
  user: { objectId: string; username: string; email?: string | null };
}

/** The Parse error code of a failed graphql-request call. */
async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ClientError) return err.response.errors?.[0]?.extensions?.['code'];
    throw err;
  }
  assert.fail('the request succeeded');
}

/** The token of the last mail to `to` that carries a link to `page`. */
function tokenFrom(to: string, page: string): string {
  const mail = smtp.mails.filter((m) => m.to.includes(to)).at(-1);
  assert.ok(mail, `a mail reached ${to}`);
  const match = new RegExp(`/${page}\\?token=([A-Za-z0-9]+)`).exec(mail.data);
  assert.ok(match?.[1], `the mail links to ${page}`);
  return match[1];
}

const targets = compatTargets({
  config: {
    appName: 'GqlUsers',
    publicServerURL: 'http://compat.invalid/parse',
    emailAdapter: 'smtp',
    emailHost: '127.0.0.1',
    emailPort: smtp.port,
    emailFrom: 'noreply@strata.test',
  },
  authProviders: { code: codeProvider },
});

for (const spec of targets) {
  describe(`GraphQL user mutations [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    const client = (sessionToken?: string) => graphqlClient(target, sessionToken === undefined ? {} : { sessionToken });

    before(async () => {
      target = await spec.start();
    });
    after(async () => {
      await target?.close();
    });

    it('logInWith signs a user up with new authData, logs the same user in after, refuses forged data', async () => {
      const id = `p-${suffix()}`;
      const username = `with-${suffix()}`;
      const query = `mutation ($authData: Object!, $fields: UserLoginWithInput) {
        logInWith(input: { authData: $authData, fields: $fields, clientMutationId: "w1" }) {
          clientMutationId viewer { sessionToken user { objectId username } } } }`;
      const first = await client().request<{ logInWith: { clientMutationId: string; viewer: Viewer } }>(query, {
        authData: { code: { id, token: `ok-${id}` } },
        fields: { username },
      });
      assert.equal(first.logInWith.clientMutationId, 'w1');
      assert.equal(first.logInWith.viewer.user.username, username);
      assert.match(first.logInWith.viewer.sessionToken, /^r:/);
      const again = await client().request<{ logInWith: { viewer: Viewer } }>(query, {
        authData: { code: { id, token: `ok-${id}` } },
      });
      assert.equal(again.logInWith.viewer.user.objectId, first.logInWith.viewer.user.objectId);
      assert.notEqual(again.logInWith.viewer.sessionToken, first.logInWith.viewer.sessionToken);
      // The session works as the viewer, and authData is never shown.
      const me = await client(again.logInWith.viewer.sessionToken).request<{ viewer: Viewer }>(
        '{ viewer { user { objectId username } } }',
      );
      assert.equal(me.viewer.user.username, username);

      assert.equal(
        await codeOf(client().request(query, { authData: { code: { id, token: 'forged' } } })),
        ErrorCode.OBJECT_NOT_FOUND,
      );
      assert.equal(
        await codeOf(client().request(query, { authData: { nobody: { id: 'x' } } })),
        ErrorCode.UNSUPPORTED_SERVICE,
      );
      // A password is not among the fields: the provider vouches for the user (a validation error, HTTP 400).
      const withPassword = await rawGraphQL(target, {
        query: `mutation { logInWith(input: { authData: { code: { id: "${id}", token: "ok-${id}" } }, fields: { password: "x" } }) { viewer { sessionToken } } }`,
      });
      assert.equal(withPassword.status, 400);
      assert.ok(withPassword.body.errors?.[0]?.message.includes('password'));
      const notObject = await rawGraphQL(target, {
        query: 'mutation ($a: Object!) { logInWith(input: { authData: $a }) { viewer { sessionToken } } }',
        variables: { a: 'text' },
      });
      assert.equal(notObject.status, 400);
    });

    it('resetPassword mails a token that confirmResetPassword uses once; old password and sessions end', async () => {
      const username = `reset-${suffix()}`;
      const email = `${username}@example.com`;
      const signed = await client().request<{ signUp: { viewer: Viewer } }>(
        `mutation ($f: CreateUserFieldsInput) { signUp(input: { fields: $f }) { viewer { sessionToken } } }`,
        { f: { username, password: 'old-pass', email } },
      );
      const oldSession = signed.signUp.viewer.sessionToken;
      const sent = await client().request<{ resetPassword: { ok: boolean; clientMutationId: string } }>(
        `mutation ($email: String!) { resetPassword(input: { email: $email, clientMutationId: "r1" }) { ok clientMutationId } }`,
        { email },
      );
      assert.deepEqual(sent.resetPassword, { ok: true, clientMutationId: 'r1' });
      const token = tokenFrom(email, 'request_password_reset');

      const confirm = `mutation ($u: String!, $p: String!, $t: String!) {
        confirmResetPassword(input: { username: $u, password: $p, token: $t }) { ok } }`;
      // The token is bound to its user: another username is refused like a bad token.
      assert.equal(
        await codeOf(client().request(confirm, { u: `other-${suffix()}`, p: 'new-pass', t: token })),
        ErrorCode.OTHER_CAUSE,
      );
      assert.equal(
        await codeOf(client().request(confirm, { u: '', p: 'new-pass', t: token })),
        ErrorCode.USERNAME_MISSING,
      );
      assert.equal(
        await codeOf(client().request(confirm, { u: username, p: '', t: token })),
        ErrorCode.PASSWORD_MISSING,
      );
      assert.deepEqual(await client().request(confirm, { u: username, p: 'new-pass', t: token }), {
        confirmResetPassword: { ok: true },
      });
      assert.equal(
        await codeOf(client().request(confirm, { u: username, p: 'third-pass', t: token })),
        ErrorCode.OTHER_CAUSE,
        'the token is single use',
      );

      const stale = await rawGraphQL(target, { query: '{ viewer { sessionToken } }' }, { sessionToken: oldSession });
      assert.equal(stale.status, 400);
      assert.equal(stale.body.code, ErrorCode.INVALID_SESSION_TOKEN);
      const logIn = `mutation ($u: String!, $p: String!) { logIn(input: { username: $u, password: $p }) { viewer { sessionToken } } }`;
      assert.equal(await codeOf(client().request(logIn, { u: username, p: 'old-pass' })), ErrorCode.OBJECT_NOT_FOUND);
      const fresh = await client().request<{ logIn: { viewer: { sessionToken: string } } }>(logIn, {
        u: username,
        p: 'new-pass',
      });
      assert.match(fresh.logIn.viewer.sessionToken, /^r:/);
    });

    it('resetPassword does not tell unknown emails apart and checks the email', async () => {
      const before = smtp.mails.length;
      const unknown = await client().request<{ resetPassword: { ok: boolean } }>(
        `mutation { resetPassword(input: { email: "nobody-${suffix()}@example.com" }) { ok } }`,
      );
      assert.equal(unknown.resetPassword.ok, true);
      assert.equal(smtp.mails.length, before, 'no mail for an unknown address');
      assert.equal(
        await codeOf(client().request('mutation { resetPassword(input: { email: "" }) { ok } }')),
        ErrorCode.EMAIL_MISSING,
      );
    });

    it('sendVerificationEmail mails a verification link to an unverified user', async () => {
      const username = `verify-${suffix()}`;
      const email = `${username}@example.com`;
      await client().request(
        `mutation ($f: CreateUserFieldsInput) { signUp(input: { fields: $f }) { viewer { sessionToken } } }`,
        { f: { username, password: 'pw', email } },
      );
      const sent = await client().request<{ sendVerificationEmail: { ok: boolean } }>(
        `mutation ($email: String!) { sendVerificationEmail(input: { email: $email }) { ok } }`,
        { email },
      );
      assert.equal(sent.sendVerificationEmail.ok, true);
      assert.ok(tokenFrom(email, 'verify_email').length > 0);
    });
  });
}
