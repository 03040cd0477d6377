import { ErrorCode, ParseError } from '../errors/index.js';
import { randomHex, randomString } from '../lib/index.js';
import type { Config } from './config.js';
import type { ResolvedOptions } from './resolve.js';

/**
 * First-start keys. Strata never ships default secrets: when the app id or master key is not configured,
 * `main.ts` loads `<dataDir>/keys.json` or, on the very first start, generates one with these helpers. The
 * file I/O stays in main.ts; everything here is pure apart from the random generator.
 */
export interface GeneratedKeys {
  readonly appId: string;
  readonly masterKey: string;
  readonly clientKey: string;
  readonly createdAt: string;
}

export const KEYS_FILE_NAME = 'keys.json';

/** True when the configuration lacks the app id or master key, i.e. the keys file must fill them in. */
export function needsGeneratedKeys(options: ResolvedOptions): boolean {
  return options.appId === undefined || options.masterKey === undefined;
}

/** Fresh crypto-random keys: a readable app id, 256-bit master key, 192-bit client key. */
export function createGeneratedKeys(now: Date): GeneratedKeys {
  return {
    appId: `strata-${randomString(12)}`,
    masterKey: randomHex(32),
    clientKey: randomHex(24),
    createdAt: now.toISOString(),
  };
}

/** Validates the parsed contents of a keys file; throws a message naming the file. */
export function parseKeysFile(contents: unknown, path: string): GeneratedKeys {
  const record = typeof contents === 'object' && contents !== null ? (contents as Record<string, unknown>) : {};
  const field = (name: keyof GeneratedKeys): string => {
    const value = record[name];
    if (typeof value !== 'string' || value.length === 0) {
      throw new ParseError(ErrorCode.INVALID_VALUE, {
        message: `${path}: "${name}" is missing; delete the file to generate new keys`,
      });
    }
    return value;
  };
  return {
    appId: field('appId'),
    masterKey: field('masterKey'),
    clientKey: field('clientKey'),
    createdAt: field('createdAt'),
  };
}

/**
 * Fills the missing keys from the generated ones and freezes the result. When no client key of any kind is
 * configured, the generated client key is accepted under every client-key header, so a request needs some key
 * (Parse itself would accept requests with no key at all in that case).
 */
export function applyGeneratedKeys(options: ResolvedOptions, keys: GeneratedKeys): Config {
  const noClientKey =
    options.clientKey === undefined &&
    options.javascriptKey === undefined &&
    options.restAPIKey === undefined &&
    options.dotNetKey === undefined;
  const clientKeys = noClientKey
    ? {
        clientKey: keys.clientKey,
        javascriptKey: keys.clientKey,
        restAPIKey: keys.clientKey,
        dotNetKey: keys.clientKey,
      }
    : {};
  return Object.freeze({
    ...options,
    appId: options.appId ?? keys.appId,
    masterKey: options.masterKey ?? keys.masterKey,
    ...clientKeys,
  });
}

/** The final `Config` when both keys are configured; throws if either is missing. */
export function requireConfiguredKeys(options: ResolvedOptions): Config {
  const { appId, masterKey } = options;
  if (appId === undefined || masterKey === undefined) {
    throw new ParseError(ErrorCode.INVALID_VALUE, { message: 'appId and masterKey must be configured' });
  }
  return Object.freeze({ ...options, appId, masterKey });
}
