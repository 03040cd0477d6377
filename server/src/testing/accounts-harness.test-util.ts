/**
 * A real Strata app on SQLite for the user-account tests (email flows, lockout, policy, authData): mail
 * goes to an in-memory EmailAdapter whose messages the test reads, and time is an injected clock.
 * Not part of the build.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../app.js';
import type { AuthProvider } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { EmailAdapter, EmailMessage } from '../email/index.js';
import { createLogger } from '../infra/index.js';
import { testConfig } from './test-config.test-util.js';

export const APP_ID = 'mail-app';
const MASTER = 'mail-master';

export interface Harness {
  mountURL: string;
  mails: EmailMessage[];
  clock: { now: Date };
  call(options: { method?: string; path: string; body?: unknown; token?: string; master?: boolean }): Promise<{
    status: number;
    body: Record<string, unknown>;
  }>;
  page(options: { method?: string; path: string; form?: Record<string, string> }): Promise<{
    status: number;
    html: string;
    headers: Headers;
  }>;
  close(): Promise<void>;
}

export async function startAccountsApp(
  overrides: Partial<Config> = {},
  extra: { authProviders?: Readonly<Record<string, AuthProvider>> } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-mail-'));
  const mails: EmailMessage[] = [];
  const email: EmailAdapter = {
    kind: 'memory',
    send: (message) => {
      mails.push(message);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  const clock = { now: new Date('2025-06-01T12:00:00.000Z') };
  const config: Config = {
    ...testConfig({ dir, databaseURI: `sqlite:${join(dir, 'strata.db')}`, appId: APP_ID, masterKey: MASTER }),
    allowClientClassCreation: false,
    allowOrigin: [],
    ...overrides,
  };
  const app = await createApp({
    config,
    logger: createLogger({ level: 'silent' }),
    email,
    now: () => clock.now,
    ...(extra.authProviders === undefined ? {} : { authProviders: extra.authProviders }),
  });
  const { port } = await app.listen();
  const mountURL = `http://127.0.0.1:${port}/parse`;
  return {
    mountURL,
    mails,
    clock,
    async call({ method = 'POST', path, body, token, master }) {
      const headers: Record<string, string> = { 'X-Parse-Application-Id': APP_ID, 'Content-Type': 'application/json' };
      if (token !== undefined) headers['X-Parse-Session-Token'] = token;
      if (master === true) headers['X-Parse-Master-Key'] = MASTER;
      const response = await fetch(`${mountURL}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async page({ method = 'GET', path, form }) {
      const response = await fetch(`${mountURL}${path}`, {
        method,
        ...(form === undefined
          ? {}
          : {
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams(form).toString(),
            }),
      });
      return { status: response.status, html: await response.text(), headers: response.headers };
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The token in the last mail's link, and the link's path below the mount. */
export function lastLink(h: Harness): { token: string; path: string } {
  const text = h.mails.at(-1)?.text ?? '';
  const match = /http:\/\/placeholder\.invalid\/parse(\/apps\/[^\s?]+)\?token=([A-Za-z0-9]+)/.exec(text);
  assert.ok(match, `no link in ${text}`);
  return { path: `${match[1] as string}?token=${match[2] as string}`, token: match[2] as string };
}
