import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { ParseError } from '../errors/index.js';
import { createEmailAdapter, createLogEmailAdapter, passwordResetEmail, verificationEmail } from './index.js';

interface Received {
  from: string;
  to: string[];
  data: string;
  user?: string;
}

/** A real SMTP server on a free loopback port that keeps what it receives. */
async function startSmtp(options: {
  auth: boolean;
}): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 's3cret') callback(null, { user: auth.username });
      else callback(new Error('bad credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        received.push({
          from: from === false ? '' : from.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('log email adapter', () => {
  it('writes the mail to the logger and sends nothing', async () => {
    const records: Array<{ record: Record<string, unknown>; message: string }> = [];
    const adapter = createLogEmailAdapter({
      logger: { info: (record, message) => records.push({ record, message }) },
      from: 'noreply@example.com',
    });
    await adapter.send({ to: 'a@example.com', subject: 'Hello', text: 'Body' });
    assert.deepEqual(records, [
      {
        record: { email: { from: 'noreply@example.com', to: 'a@example.com', subject: 'Hello', text: 'Body' } },
        message: 'email (log adapter, not sent)',
      },
    ]);
    assert.equal(adapter.kind, 'log');
  });
});

describe('SMTP email adapter (real SMTP server)', () => {
  let plain: Awaited<ReturnType<typeof startSmtp>>;
  let authed: Awaited<ReturnType<typeof startSmtp>>;
  before(async () => {
    plain = await startSmtp({ auth: false });
    authed = await startSmtp({ auth: true });
  });
  after(async () => {
    await plain.close();
    await authed.close();
  });

  it('delivers the envelope, headers and text', async () => {
    const adapter = createEmailAdapter({
      settings: {
        emailAdapter: 'smtp',
        emailHost: '127.0.0.1',
        emailPort: plain.port,
        emailSecure: false,
        emailFrom: 'noreply@strata.test',
      },
      logger: { info: () => undefined },
    });
    try {
      await adapter.send({ to: 'user@example.com', subject: 'Reset', text: 'Follow https://x.test/?token=abc' });
    } finally {
      await adapter.close();
    }
    assert.equal(plain.received.length, 1);
    const mail = plain.received[0] as Received;
    assert.equal(mail.from, 'noreply@strata.test');
    assert.deepEqual(mail.to, ['user@example.com']);
    assert.match(mail.data, /^Subject: Reset\r$/m);
    assert.match(mail.data, /^To: user@example\.com\r$/m);
    assert.match(mail.data, /Follow https:\/\/x\.test\/\?token=abc/);
  });

  it('authenticates with the configured user and password', async () => {
    const adapter = createEmailAdapter({
      settings: {
        emailAdapter: 'smtp',
        emailHost: '127.0.0.1',
        emailPort: authed.port,
        emailSecure: false,
        emailFrom: 'noreply@strata.test',
        emailUser: 'mailer',
        emailPass: 's3cret',
      },
      logger: { info: () => undefined },
    });
    try {
      await adapter.send({ to: 'b@example.com', subject: 'Hi', text: 'x' });
    } finally {
      await adapter.close();
    }
    assert.equal(authed.received.length, 1);
    assert.equal(authed.received[0]?.user, 'mailer');
  });

  it('turns a refused delivery into ParseError 1', async () => {
    const adapter = createEmailAdapter({
      settings: {
        emailAdapter: 'smtp',
        emailHost: '127.0.0.1',
        emailPort: authed.port,
        emailSecure: false,
        emailFrom: 'noreply@strata.test',
        emailUser: 'mailer',
        emailPass: 'wrong',
      },
      logger: { info: () => undefined },
    });
    try {
      await assert.rejects(adapter.send({ to: 'c@example.com', subject: 'Hi', text: 'x' }), (err: unknown) => {
        assert.ok(err instanceof ParseError);
        assert.equal(err.code, 1);
        return true;
      });
    } finally {
      await adapter.close();
    }
  });

  it('refuses an SMTP configuration without host or From', () => {
    assert.throws(
      () =>
        createEmailAdapter({
          settings: { emailAdapter: 'smtp', emailPort: 25, emailSecure: false },
          logger: { info: () => undefined },
        }),
      /STRATA_EMAIL_HOST/,
    );
  });
});

describe('email texts', () => {
  it('carry the app name and the link', () => {
    const verify = verificationEmail({ appName: 'Demo', to: 'a@b.c', username: 'ann', link: 'https://h/v?token=t' });
    assert.equal(verify.subject, 'Please verify your e-mail for Demo');
    assert.ok(verify.text.includes('https://h/v?token=t'));
    const reset = passwordResetEmail({ appName: 'Demo', to: 'a@b.c', username: 'ann', link: 'https://h/r?token=t' });
    assert.equal(reset.subject, 'Password Reset for Demo');
    assert.ok(reset.text.includes("your username is 'ann'"));
    assert.ok(reset.text.includes('https://h/r?token=t'));
  });
});
