/**
 * How the `strata` command finds its configuration: the version, the JSON files it reads (config file, keys
 * file), the options from flags, environment and config file, and the keys generated on the first start
 * (`<dataDir>/keys.json`) with the banner that shows them once. Part of the CLI (only `main*.ts` import it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandLine, Config, GeneratedKeys, ResolvedOptions } from './config/index.js';
import {
  KEYS_FILE_NAME,
  applyGeneratedKeys,
  createGeneratedKeys,
  needsGeneratedKeys,
  parseKeysFile,
  requireConfiguredKeys,
  resolveOptions,
} from './config/index.js';
import { ErrorCode, ParseError } from './errors/index.js';

export interface KeysOutcome {
  readonly keys: GeneratedKeys;
  readonly path: string;
  readonly created: boolean;
}

export function readVersion(): string {
  // src/main.ts and dist/main.js both sit one level below the package root.
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>)['version'] : undefined;
  return typeof version === 'string' ? version : '0.0.0';
}

export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ParseError(ErrorCode.INVALID_VALUE, {
      message: `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      cause: err,
    });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ParseError(ErrorCode.INVALID_JSON, {
      message: `${path}: not valid JSON (${(err as Error).message})`,
      cause: err,
    });
  }
}

export function loadConfigOptions(cli: CommandLine, env: NodeJS.ProcessEnv): ResolvedOptions {
  const path = cli.configPath ?? (env['STRATA_CONFIG'] || undefined);
  const file = path === undefined ? undefined : { path, values: readJsonFile(path, 'config file') };
  return resolveOptions({ flags: cli.flags, env, cwd: process.cwd(), ...(file ? { file } : {}) });
}

/** Loads `<dataDir>/keys.json`, or creates it (dir 0700, file 0600) on the first start. */
function loadOrCreateKeys(dataDir: string): KeysOutcome {
  const path = join(dataDir, KEYS_FILE_NAME);
  if (existsSync(path)) return { keys: parseKeysFile(readJsonFile(path, 'keys file'), path), path, created: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keys = createGeneratedKeys(new Date());
  // 'wx' refuses to overwrite: two processes starting at once must not end up with different keys.
  writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { keys, path, created: true };
}

export function buildConfig(options: ResolvedOptions): { config: Config; keys?: KeysOutcome } {
  if (!needsGeneratedKeys(options)) return { config: requireConfiguredKeys(options) };
  const keys = loadOrCreateKeys(options.dataDir);
  return { config: applyGeneratedKeys(options, keys.keys), keys };
}

export function keysBanner(config: Config, keys: KeysOutcome, address: { port: number; host: string }): string {
  const host = address.host === '0.0.0.0' || address.host === '::' ? 'localhost' : address.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}${config.mountPath}`;
  const clientKey = config.restAPIKey ?? keys.keys.clientKey;
  const rule = '='.repeat(78);
  return [
    rule,
    'Strata generated keys for this data directory (shown once; they are kept in',
    `${keys.path}, readable only by you):`,
    '',
    `  Application ID : ${config.appId}`,
    `  Master key     : ${config.masterKey}   (server-side only; allowed from ${config.masterKeyIps.join(', ')})`,
    `  Client key     : ${clientKey}   (accepted as REST API, JavaScript, client and .NET key)`,
    `  Server URL     : ${url}`,
    '',
    "For the README's curl round trip:",
    `  export APP_ID=${config.appId} MASTER_KEY=${config.masterKey} CLIENT_KEY=${clientKey} URL=${url}`,
    '',
    // Clients may not create classes by default (allowClientClassCreation is false, as in Parse), so the
    // example creates the class once with the master key, then writes with the client key.
    'Try it: create a class once with the master key, then write to it with the client key:',
    `  curl -X POST ${url}/schemas/GameScore \\`,
    `    -H "X-Parse-Application-Id: ${config.appId}" \\`,
    `    -H "X-Parse-Master-Key: ${config.masterKey}" \\`,
    `    -H "Content-Type: application/json" -d '{"className":"GameScore"}'`,
    `  curl -X POST ${url}/classes/GameScore \\`,
    `    -H "X-Parse-Application-Id: ${config.appId}" \\`,
    `    -H "X-Parse-REST-API-Key: ${clientKey}" \\`,
    `    -H "Content-Type: application/json" -d '{"score":1337,"playerName":"Sean"}'`,
    rule,
    '',
  ].join('\n');
}
