/**
 * Starts a real Strata app on a free loopback port for tests: a temp SQLite file (or the MongoDB of
 * STRATA_TEST_MONGODB_URI when asked), known keys, and a small fetch helper. Not part of the build.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../app.js';
import type { CloudRegistry } from '../cloud/index.js';
import type { Config } from '../config/index.js';
import type { ChangeFeed } from '../core/index.js';
import type { DashboardUser } from '../dashboard/index.js';
import { createLogger } from '../infra/index.js';
import type { LogBuffer, Logger, PubSub } from '../infra/index.js';
import type { PushHooks } from '../push/index.js';
import { testConfig, testDatabaseURI } from './test-config.test-util.js';

export const APP_ID = 'test-app';
export const MASTER_KEY = 'test-master-key';
export const CLIENT_KEY = 'test-client-key';

export interface TestServer {
  /** The app's change feed (`StrataApp.changes`). */
  readonly changes: ChangeFeed;
  readonly url: string;
  readonly mountURL: string;
  /** Sends a request with the app id and (unless `headers` says otherwise) the client key. */
  call(options: CallOptions): Promise<{ status: number; body: unknown; headers: Headers }>;
  close(): Promise<void>;
}

export interface CallOptions {
  method?: string;
  path: string;
  body?: unknown;
  /** Raw body string, sent as-is. */
  raw?: string;
  master?: boolean;
  headers?: Record<string, string>;
}

export async function startTestServer(
  overrides: Partial<Config> & {
    backend?: 'sqlite' | 'mongodb';
    now?: () => Date;
    /** Registers cloud code (functions, triggers, jobs) into the app's registry before it starts. */
    cloudSetup?: (registry: CloudRegistry) => void | Promise<void>;
    /** The app's logger (default: silent); a test that reads the log passes its own. */
    logger?: Logger;
    /** The dashboard's users (default: none) and its built files (default: `@strata/dashboard`'s dist). */
    dashboardUsers?: () => readonly DashboardUser[];
    dashboardAssets?: string;
    /** The `/scriptlog` buffer; pass the same one to the `logger` (`createLogger({ buffer })`). */
    logs?: LogBuffer;
    /** `createApp`'s push hooks (`beforePush` / `afterPush`). */
    pushHooks?: PushHooks;
    /** `createApp`'s shared pub/sub (else Redis with `redisURL`, or none). */
    pubsub?: PubSub;
  } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-test-'));
  const databaseURI = testDatabaseURI({ backend: overrides.backend, dir, prefix: 'strata_test_' });
  const {
    backend: _backend,
    now,
    cloudSetup,
    logger,
    dashboardUsers,
    dashboardAssets,
    logs,
    pushHooks,
    pubsub,
    ...configOverrides
  } = overrides;
  const config: Config = {
    ...testConfig({ dir, databaseURI, appId: APP_ID, masterKey: MASTER_KEY }),
    clientKey: CLIENT_KEY,
    javascriptKey: CLIENT_KEY,
    restAPIKey: CLIENT_KEY,
    allowClientClassCreation: true,
    allowOrigin: [],
    ...configOverrides,
  };
  const app = await createApp({
    config,
    logger: logger ?? createLogger({ level: 'silent' }),
    ...(now === undefined ? {} : { now }),
    ...(cloudSetup === undefined ? {} : { cloudSetup }),
    ...(dashboardUsers === undefined ? {} : { dashboardUsers }),
    ...(dashboardAssets === undefined ? {} : { dashboardAssets }),
    ...(logs === undefined ? {} : { logs }),
    ...(pushHooks === undefined ? {} : { pushHooks }),
    ...(pubsub === undefined ? {} : { pubsub }),
  });
  const { port } = await app.listen();
  const url = `http://127.0.0.1:${port}`;
  const mountURL = `${url}/parse`;
  return {
    changes: app.changes,
    url,
    mountURL,
    async call(options) {
      const headers: Record<string, string> = {
        'X-Parse-Application-Id': config.appId,
        ...(options.master === true ? { 'X-Parse-Master-Key': MASTER_KEY } : { 'X-Parse-REST-API-Key': CLIENT_KEY }),
        ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...options.headers,
      };
      for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
      const init: RequestInit = { method: options.method ?? 'GET', headers };
      if (options.raw !== undefined) init.body = options.raw;
      else if (options.body !== undefined) init.body = JSON.stringify(options.body);
      const response = await fetch(`${mountURL}${options.path}`, init);
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body, headers: response.headers };
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts a Parse error response: the status (400 unless given), the code, and the message (exact or matching). */
export function expectError(
  response: { status: number; body: unknown },
  expected: { status?: number; code: number; error: string | RegExp },
): void {
  assert.equal(response.status, expected.status ?? 400, JSON.stringify(response.body));
  const body = response.body as { code?: number; error?: string };
  assert.equal(body.code, expected.code, JSON.stringify(body));
  if (typeof expected.error === 'string') assert.equal(body.error, expected.error);
  else assert.match(String(body.error), expected.error);
}
