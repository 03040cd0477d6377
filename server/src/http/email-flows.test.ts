import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_ID, lastLink, startAccountsApp as start } from '../testing/accounts-harness.test-util.js';
import type { Harness } from '../testing/accounts-harness.test-util.js';

/**
 * The email flows, lockout and password policy through real HTTP on a real SQLite app. Mail goes to an
 * in-memory EmailAdapter (the SMTP adapter has its own test against a real SMTP server); time is an
 * injected clock, never slept.
 */

const MAIL_CONFIG = { appName: 'Mail <Test>', publicServerURL: 'http://placeholder.invalid/parse' };

describe('password reset (rest.md §6.6)', () => {
  let h: Harness;
  before(async () => {
    h = await start({ ...MAIL_CONFIG, passwordPolicy: { resetTokenValidityDuration: 3600 } });
  });
  after(() => h.close());

  it('needs an app name and public URL', async () => {
    const bare = await start();
    try {
      const res = await bare.call({ path: '/requestPasswordReset', body: { email: 'x@example.com' } });
      // Parse's code 1 and message (rest.md §6.6), but as a 400: the server does not offer the flow, it is not failing.
      assert.equal(res.status, 400);
      assert.equal((res.body as { code: number }).code, 1);
      assert.match((res.body as { error: string }).error, /app ?name|publicServerURL|public server URL/i);
    } finally {
      await bare.close();
    }
  });

  it('validates the email and does not tell unknown addresses apart', async () => {
    assert.deepEqual(await h.call({ path: '/requestPasswordReset', body: {} }), {
      status: 400,
      body: { code: 204, error: 'you must provide an email' },
    });
    assert.deepEqual(await h.call({ path: '/requestPasswordReset', body: { email: 5 } }), {
      status: 400,
      body: { code: 125, error: 'you must provide a valid email string' },
    });
    assert.deepEqual(await h.call({ path: '/requestPasswordReset', body: { email: 'nobody@example.com' } }), {
      status: 200,
      body: {},
    });
    assert.equal(h.mails.length, 0);
  });

  it('mails a single-use link whose form sets the password and revokes every session', async () => {
    const signUp = await h.call({
      path: '/users',
      body: { username: 'ann', password: 'old-pass', email: 'ann@example.com' },
    });
    assert.equal(signUp.status, 201);
    const oldToken = signUp.body['sessionToken'] as string;
    assert.deepEqual(await h.call({ path: '/requestPasswordReset', body: { email: 'ann@example.com' } }), {
      status: 200,
      body: {},
    });
    assert.equal(h.mails.length, 1);
    assert.equal(h.mails[0]?.to, 'ann@example.com');
    assert.equal(h.mails[0]?.subject, 'Password Reset for Mail <Test>');
    const link = lastLink(h);
    assert.equal(link.token.length, 25);
    assert.ok(link.path.startsWith(`/apps/${APP_ID}/request_password_reset?token=`));

    const form = await h.page({ path: link.path });
    assert.equal(form.status, 200);
    assert.equal(form.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(form.headers.get('content-security-policy') ?? '', /^default-src 'none'/);
    assert.ok(form.html.includes('<html lang="en">'));
    assert.ok(form.html.includes('Mail &lt;Test&gt;'), 'app name is escaped');
    assert.ok(form.html.includes(`<input type="hidden" name="token" value="${link.token}">`));
    assert.ok(form.html.includes('<label for="new_password">'));
    assert.ok(!form.html.includes('<script'));

    const action = `/apps/${APP_ID}/request_password_reset`;
    const done = await h.page({ method: 'POST', path: action, form: { token: link.token, new_password: 'new-pass' } });
    assert.equal(done.status, 200);
    assert.ok(done.html.includes('Password changed'));

    const stale = await h.call({ method: 'GET', path: '/users/me', token: oldToken });
    assert.equal(stale.status, 400);
    assert.equal(stale.body['code'], 209);
    assert.equal((await h.call({ path: '/login', body: { username: 'ann', password: 'old-pass' } })).status, 404);
    const login = await h.call({ path: '/login', body: { username: 'ann', password: 'new-pass' } });
    assert.equal(login.status, 200);

    const again = await h.page({ method: 'POST', path: action, form: { token: link.token, new_password: 'third' } });
    assert.equal(again.status, 400);
    assert.ok(again.html.includes('invalid or has expired'));
  });

  it('expires the link after resetTokenValidityDuration (injected clock)', async () => {
    await h.call({ path: '/users', body: { username: 'bob', password: 'pw-1', email: 'bob@example.com' } });
    await h.call({ path: '/requestPasswordReset', body: { email: 'bob@example.com' } });
    const link = lastLink(h);
    assert.equal((await h.page({ path: link.path })).status, 200);
    h.clock.now = new Date(h.clock.now.getTime() + 3600 * 1000);
    assert.equal((await h.page({ path: link.path })).status, 400);
  });

  it('answers unknown app ids and garbage tokens with error pages', async () => {
    assert.equal((await h.page({ path: '/apps/other/request_password_reset?token=x' })).status, 404);
    const bad = await h.page({ path: `/apps/${APP_ID}/request_password_reset?token=%3Cscript%3E` });
    assert.equal(bad.status, 400);
    assert.ok(!bad.html.includes('<script>'));
  });
});

describe('email verification (security.md §9)', () => {
  let h: Harness;
  before(async () => {
    h = await start({
      ...MAIL_CONFIG,
      verifyUserEmails: true,
      preventLoginWithUnverifiedEmail: true,
      emailVerifyTokenValidityDuration: 600,
    });
  });
  after(() => h.close());

  it('gates log-in until the mailed link is followed', async () => {
    const signUp = await h.call({ path: '/users', body: { username: 'cy', password: 'pw', email: 'cy@example.com' } });
    assert.equal(signUp.status, 201);
    assert.equal(signUp.body['sessionToken'], undefined, 'no session while unverified');
    assert.equal(h.mails.length, 1);
    assert.equal(h.mails[0]?.subject, 'Please verify your e-mail for Mail <Test>');
    assert.deepEqual(await h.call({ path: '/login', body: { username: 'cy', password: 'pw' } }), {
      status: 400,
      body: { code: 205, error: 'User email is not verified.' },
    });
    const me = await h.call({ method: 'GET', path: `/users/${signUp.body['objectId'] as string}`, master: true });
    assert.equal(me.body['emailVerified'], false);

    // a new link may be requested; the old one is then void
    assert.deepEqual(await h.call({ path: '/verificationEmailRequest', body: { email: 'cy@example.com' } }), {
      status: 200,
      body: {},
    });
    assert.equal(h.mails.length, 2);
    const link = lastLink(h);
    assert.ok(link.path.startsWith(`/apps/${APP_ID}/verify_email?token=`));
    const verified = await h.page({ path: link.path });
    assert.equal(verified.status, 200);
    assert.ok(verified.html.includes('Email verified'));
    assert.equal((await h.page({ path: link.path })).status, 400, 'single use');

    const login = await h.call({ path: '/login', body: { username: 'cy', password: 'pw' } });
    assert.equal(login.status, 200);
    assert.equal(login.body['emailVerified'], true);
    assert.deepEqual(await h.call({ path: '/verificationEmailRequest', body: { email: 'cy@example.com' } }), {
      status: 200,
      body: {},
    });
    assert.equal(h.mails.length, 2, 'no mail for a verified address');
  });

  it('expires verification links', async () => {
    await h.call({ path: '/users', body: { username: 'dee', password: 'pw', email: 'dee@example.com' } });
    const link = lastLink(h);
    h.clock.now = new Date(h.clock.now.getTime() + 601 * 1000);
    assert.equal((await h.page({ path: link.path })).status, 400);
  });

  it('lets the master key skip the gate with ignoreEmailVerification', async () => {
    await h.call({ path: '/users', body: { username: 'eve', password: 'pw', email: 'eve@example.com' } });
    const res = await h.call({
      path: '/login',
      body: { username: 'eve', password: 'pw', ignoreEmailVerification: true },
      master: true,
    });
    assert.equal(res.status, 200);
  });

  it('clients cannot set emailVerified', async () => {
    const res = await h.call({
      path: '/users',
      body: { username: 'fay', password: 'pw', email: 'fay@example.com', emailVerified: true },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body['code'], 119);
  });
});

describe('preventSignupWithUnverifiedEmail', () => {
  it('answers 205 and still creates the user', async () => {
    const h = await start({
      ...MAIL_CONFIG,
      verifyUserEmails: true,
      preventLoginWithUnverifiedEmail: true,
      preventSignupWithUnverifiedEmail: true,
    });
    try {
      assert.deepEqual(
        await h.call({ path: '/users', body: { username: 'gil', password: 'pw', email: 'gil@example.com' } }),
        {
          status: 400,
          body: { code: 205, error: 'User email is not verified.' },
        },
      );
      const found = await h.call({
        method: 'GET',
        path: '/users?where=%7B%22username%22%3A%22gil%22%7D',
        master: true,
      });
      assert.equal((found.body['results'] as unknown[]).length, 1);
      assert.equal(h.mails.length, 1);
    } finally {
      await h.close();
    }
  });
});

describe('account lockout (security.md §7)', () => {
  it('locks after the threshold, refuses even the right password, and unlocks after the duration', async () => {
    const h = await start({ accountLockout: { duration: 2, threshold: 2, unlockOnPasswordReset: false } });
    try {
      await h.call({ path: '/users', body: { username: 'hal', password: 'right' } });
      const wrong = { path: '/login', body: { username: 'hal', password: 'wrong' } };
      const right = { path: '/login', body: { username: 'hal', password: 'right' } };
      const invalid = { status: 404, body: { code: 101, error: 'Invalid username/password.' } };
      const locked = {
        status: 404,
        body: {
          code: 101,
          error: 'Your account is locked due to multiple failed login attempts. Please try again after 2 minute(s)',
        },
      };
      assert.deepEqual(await h.call(wrong), invalid);
      assert.deepEqual(await h.call(wrong), invalid);
      assert.deepEqual(await h.call(right), locked);
      assert.deepEqual(await h.call(wrong), locked);
      h.clock.now = new Date(h.clock.now.getTime() + 2 * 60_000 + 1);
      assert.equal((await h.call(right)).status, 200);
      // the success reset the counter: one failure does not lock again
      assert.deepEqual(await h.call(wrong), invalid);
      assert.equal((await h.call(right)).status, 200);
    } finally {
      await h.close();
    }
  });
});

describe('password policy (security.md §8)', () => {
  it('checks sign-up and changes against the pattern, the username and the history', async () => {
    const h = await start({
      passwordPolicy: {
        validatorPattern: '^(?=.*[0-9]).{6,}$',
        validationError: 'Six characters with a digit.',
        doNotAllowUsername: true,
        maxPasswordHistory: 2,
        maxPasswordAge: 30,
      },
    });
    try {
      assert.deepEqual(await h.call({ path: '/users', body: { username: 'ivy', password: 'short' } }), {
        status: 400,
        body: { code: 142, error: 'Six characters with a digit.' },
      });
      assert.deepEqual(await h.call({ path: '/users', body: { username: 'ivy', password: 'xivy123' } }), {
        status: 400,
        body: { code: 142, error: 'Password cannot contain your username.' },
      });
      const signUp = await h.call({ path: '/users', body: { username: 'ivy', password: 'first1' } });
      assert.equal(signUp.status, 201);
      const id = signUp.body['objectId'] as string;
      let token = signUp.body['sessionToken'] as string;
      const change = async (password: string): Promise<{ status: number; body: Record<string, unknown> }> =>
        h.call({ method: 'PUT', path: `/users/${id}`, body: { password }, token });
      const second = await change('second2');
      assert.equal(second.status, 200);
      token = second.body['sessionToken'] as string;
      for (const reused of ['first1', 'second2']) {
        assert.deepEqual(await change(reused), {
          status: 400,
          body: { code: 142, error: 'New password should not be the same as last 2 passwords.' },
        });
      }
      const third = await change('third3');
      assert.equal(third.status, 200);
      h.clock.now = new Date(h.clock.now.getTime() + 31 * 86_400_000);
      assert.deepEqual(await h.call({ path: '/login', body: { username: 'ivy', password: 'third3' } }), {
        status: 404,
        body: { code: 101, error: 'Your password has expired. Please reset your password.' },
      });
    } finally {
      await h.close();
    }
  });
});
