/**
 * The `strata` command: the only code that reads argv, the environment and files for configuration. It builds
 * one frozen `Config`, loads or generates the first-start keys, starts the app and turns SIGTERM/SIGINT into a
 * graceful shutdown. The app itself is imported lazily, after the configuration is known to be valid, so
 * `--help`, `--version` and configuration errors answer fast and cold start stays short.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { CommandLine, Config, GeneratedKeys, ResolvedOptions } from './config/index.js';
import {
  KEYS_FILE_NAME,
  applyGeneratedKeys,
  createGeneratedKeys,
  needsGeneratedKeys,
  parseCommandLine,
  parseKeysFile,
  renderHelp,
  requireConfiguredKeys,
  resolveOptions,
} from './config/index.js';
import { ErrorCode, ParseError } from './errors/index.js';
import type { Logger } from './infra/index.js';
import { createLogger } from './infra/index.js';

interface KeysOutcome {
  readonly keys: GeneratedKeys;
  readonly path: string;
  readonly created: boolean;
}

function readVersion(): string {
  // src/main.ts and dist/main.js both sit one level below the package root.
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>)['version'] : undefined;
  return typeof version === 'string' ? version : '0.0.0';
}

function readJsonFile(path: string, what: string): unknown {
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

function loadConfigOptions(cli: CommandLine, env: NodeJS.ProcessEnv): ResolvedOptions {
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

function buildConfig(options: ResolvedOptions): { config: Config; keys?: KeysOutcome } {
  if (!needsGeneratedKeys(options)) return { config: requireConfiguredKeys(options) };
  const keys = loadOrCreateKeys(options.dataDir);
  return { config: applyGeneratedKeys(options, keys.keys), keys };
}

function keysBanner(config: Config, keys: KeysOutcome, address: { port: number; host: string }): string {
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

function handleSignals(app: { close(): Promise<void> }, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting for in-flight requests');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests (send the signal again to force)');
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function start(config: Config, keys: KeysOutcome | undefined): Promise<void> {
  const terminal = process.stdout.isTTY;
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat ?? (terminal ? 'pretty' : 'json'),
    color: terminal && !process.env['NO_COLOR'],
  });
  // Before cloud code loads: a rejection it leaks is logged instead of ending the process.
  const { installUnhandledRejectionGuard } = await import('./cloud/index.js');
  installUnhandledRejectionGuard(logger);
  const { createApp } = await import('./app.js');
  let address: { port: number; host: string };
  try {
    const app = await createApp({ config, logger });
    handleSignals(app, logger);
    address = await app.listen();
  } catch (err) {
    // The banner needs the address; without this line a failed first start would never say where the keys are.
    if (keys?.created)
      process.stderr.write(`strata: the generated keys are in ${keys.path} (not shown: the start failed)\n`);
    throw err;
  }
  if (keys?.created) process.stderr.write(keysBanner(config, keys, address));
  else if (keys) logger.info({ appId: config.appId, keysFile: keys.path }, 'using the keys generated on first start');
  logger.info(
    { ...address, mountPath: config.mountPath, role: config.role, database: config.databaseURI.split(':')[0] },
    'strata is listening',
  );
}

/** `strata types`' own flags, taken out of argv; the rest are server options (keys, port, mount path). */
function splitTypesArguments(argv: readonly string[]): { out: string; serverURL?: string; rest: string[] } {
  const rest: string[] = [];
  const own = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (name !== '--out' && name !== '--server-url') {
      rest.push(arg);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
      throw new ParseError(ErrorCode.INVALID_VALUE, { message: `${name}: expected a value` });
    }
    own.set(name, value);
  }
  const out = own.get('--out');
  if (out === undefined) throw new ParseError(ErrorCode.INVALID_VALUE, { message: '--out <file> is required' });
  const serverURL = own.get('--server-url');
  return serverURL === undefined ? { out, rest } : { out, serverURL, rest };
}

/**
 * `strata types --out strata-types.ts`: reads the schema of a running server (`GET /schemas` with the master
 * key) and writes TypeScript types for `@strata/sdk`. Keys and the URL default like `start`'s: flags, env,
 * config file, then the data dir's keys.json (never created here).
 */
async function writeTypes(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { out, serverURL, rest } = splitTypesArguments(argv);
  const options = loadConfigOptions(parseCommandLine(rest), env);
  let config: Config;
  if (!needsGeneratedKeys(options)) config = requireConfiguredKeys(options);
  else {
    const path = join(options.dataDir, KEYS_FILE_NAME);
    if (!existsSync(path)) {
      throw new ParseError(ErrorCode.INVALID_VALUE, {
        message: `no keys: pass --app-id and --master-key (or STRATA_APP_ID / STRATA_MASTER_KEY), or run where ${path} exists`,
      });
    }
    config = applyGeneratedKeys(options, parseKeysFile(readJsonFile(path, 'keys file'), path));
  }
  const base = (
    serverURL ??
    (env['STRATA_SERVER_URL'] || undefined) ??
    config.publicServerURL ??
    `http://127.0.0.1:${config.port}${config.mountPath}`
  ).replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/schemas`, {
      headers: { 'X-Parse-Application-Id': config.appId, 'X-Parse-Master-Key': config.masterKey },
    });
  } catch (err) {
    throw new ParseError(ErrorCode.CONNECTION_FAILED, {
      message: `cannot reach ${base}/schemas (${(err as Error).message}); is the server running? (--server-url)`,
      cause: err,
    });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ParseError(ErrorCode.INVALID_VALUE, {
      message: `GET ${base}/schemas answered ${response.status}: ${text.slice(0, 300)}`,
    });
  }
  const { renderSchemaTypes, schemasFromRestJson } = await import('./schema/index.js');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: `GET ${base}/schemas: not JSON`, cause: err });
  }
  const schemas = schemasFromRestJson(body);
  mkdirSync(dirname(resolvePath(out)), { recursive: true });
  writeFileSync(out, renderSchemaTypes(schemas));
  process.stdout.write(`strata types: wrote ${schemas.length} classes to ${out}\n`);
}

/** Set in the environment of the server a `--dev` supervisor starts. */
const DEV_CHILD_ENV = 'STRATA_DEV_CHILD';

/**
 * `--dev`: this process only supervises; the server runs as a child (same node flags and arguments, minus
 * `--dev`) and is restarted when the cloud code changes. The child is marked so it does not supervise too.
 */
async function superviseDevServer(options: {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cloud?: string;
}): Promise<void> {
  const { superviseDev } = await import('./cloud/index.js');
  const args = options.argv.filter((arg) => arg !== '--dev' && !arg.startsWith('--dev='));
  const supervisor = superviseDev({
    command: process.execPath,
    args: [...process.execArgv, process.argv[1] ?? '', ...args],
    env: { ...options.env, [DEV_CHILD_ENV]: '1' },
    ...(options.cloud === undefined ? {} : { cloudFile: options.cloud }),
    report: (line) => process.stderr.write(`${line}\n`),
  });
  const stop = (): void => {
    void supervisor.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  let built: { config: Config; keys?: KeysOutcome };
  if (argv[0] === 'types') {
    if (argv.includes('--help') || argv.includes('-h'))
      return void process.stdout.write(renderHelp({ version: readVersion() }));
    try {
      await writeTypes(argv.slice(1), env);
    } catch (err) {
      process.stderr.write(`strata types: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof ParseError && err.code === ErrorCode.CONNECTION_FAILED ? 1 : 2);
    }
    return;
  }
  try {
    const cli = parseCommandLine(argv);
    if (cli.command === 'help') return void process.stdout.write(renderHelp({ version: readVersion() }));
    if (cli.command === 'version') return void process.stdout.write(`${readVersion()}\n`);
    const options = loadConfigOptions(cli, env);
    if (options.dev === true && env[DEV_CHILD_ENV] !== '1') {
      return await superviseDevServer({ argv, env, ...(options.cloud === undefined ? {} : { cloud: options.cloud }) });
    }
    built = buildConfig(options);
  } catch (err) {
    // Configuration mistakes get one clear line and exit code 2, not a stack trace.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`strata: ${message}\n`);
    process.exit(2);
  }
  try {
    await start(built.config, built.keys);
  } catch (err) {
    console.error('strata: failed to start:', err);
    process.exit(1);
  }
}

await run(process.argv.slice(2), process.env);
