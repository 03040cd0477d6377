/**
 * The `strata` command: the only code that reads argv, the environment and files for configuration. It builds
 * one frozen `Config`, loads or generates the first-start keys, starts the app and turns SIGTERM/SIGINT into a
 * graceful shutdown. The app itself is imported lazily, after the configuration is known to be valid, so
 * `--help`, `--version` and configuration errors answer fast and cold start stays short.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { CommandLine, Config, GeneratedKeys, ResolvedOptions } from './config/index.js';
import {
  KEYS_FILE_NAME,
  applyGeneratedKeys,
  createGeneratedKeys,
  needsGeneratedKeys,
  parseCommandLine,
  parseKeysFile,
  renderEnvFile,
  renderHelp,
  requireConfiguredKeys,
  resolveOptions,
} from './config/index.js';
import { ErrorCode, ParseError } from './errors/index.js';
import type { Logger, PubSub } from './infra/index.js';
import { LogBuffer, createLogger } from './infra/index.js';
import type { DashboardUser } from './dashboard/index.js';
import { EXIT_CODES, describeStartupFailure } from './main-failure.js';
import type { FailedStep } from './main-failure.js';

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

function handleSignals(app: { close(): Promise<void> }, logger: Logger, options: { clusterWorker: boolean }): void {
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
  // A worker of `--workers N` is stopped by its primary (SIGTERM); Ctrl-C in a terminal reaches the whole
  // process group, and the worker would take the primary's SIGTERM that follows as a second, forcing signal.
  if (options.clusterWorker) process.on('SIGINT', () => undefined);
  else process.on('SIGINT', stop);
}

/** In a `--dev` child: waits, once the cloud code has loaded, until the supervisor has freed the port. */
interface DevHandoff {
  loaded(): Promise<void>;
}

/**
 * The child side of `--dev`'s handover (see cloud/load-dev.ts): undefined outside a supervised child. A child
 * whose supervisor is gone (killed without a chance to stop it) stops too, instead of holding the port.
 */
async function devHandoff(env: NodeJS.ProcessEnv): Promise<DevHandoff | undefined> {
  const send = process.send?.bind(process);
  if (env[DEV_CHILD_ENV] !== '1' || send === undefined) return undefined;
  const { DEV_GO, DEV_LOADED } = await import('./cloud/index.js');
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  return {
    loaded: () =>
      new Promise<void>((resolveGo) => {
        const onMessage = (message: unknown): void => {
          if (message !== DEV_GO) return;
          process.off('message', onMessage);
          resolveGo();
        };
        process.on('message', onMessage);
        send(DEV_LOADED);
      }),
  };
}

/** This process as one of `--workers N`: its slot (1..N) and the pub/sub the primary relays. */
interface ClusterWorker {
  readonly slot: number;
  readonly pubsub: PubSub;
  /** Tells the primary the port is open. */
  listening(address: { port: number; host: string }): void;
}

async function start(options: {
  config: Config;
  keys?: KeysOutcome;
  dev?: DevHandoff;
  worker?: ClusterWorker;
}): Promise<void> {
  const { config, keys, dev, worker } = options;
  const terminal = process.stdout.isTTY;
  // The recent lines `GET /scriptlog` answers with (the dashboards' logs pages).
  const logs = new LogBuffer();
  const logger = createLogger({
    buffer: logs,
    level: config.logLevel,
    format: config.logFormat ?? (terminal ? 'pretty' : 'json'),
    color: terminal && !process.env['NO_COLOR'],
  });
  // Before cloud code loads: a rejection it leaks is logged instead of ending the process.
  const { installUnhandledRejectionGuard } = await import('./cloud/index.js');
  installUnhandledRejectionGuard(logger);
  const { createApp } = await import('./app.js');
  let step: FailedStep | undefined;
  let address: { port: number; host: string };
  try {
    const app = await createApp({
      config,
      logger,
      logs,
      dashboardUsers: await dashboardUsersReader(config, logger),
      ...(worker === undefined ? {} : { pubsub: worker.pubsub, consumeJobs: worker.slot === 1 }),
      onStartupStep: async (next) => {
        step = next;
        // The cloud code has loaded: under --dev, the previous server stops only now (it served meanwhile).
        if (next === 'database') await dev?.loaded();
      },
    });
    handleSignals(app, logger, { clusterWorker: worker !== undefined });
    step = 'listen';
    address = await app.listen();
  } catch (err) {
    // Under --dev a cloud code error is one line: the supervisor says what happens next.
    const failure = describeStartupFailure({ err, step, config, brief: dev !== undefined && step === 'cloud' });
    const lines = [...failure.lines];
    // The banner needs the address; without this line a failed first start would never say where the keys are.
    if (keys?.created) lines.push(`strata: the generated keys are in ${keys.path} (not shown: the start failed)`);
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exit(failure.exitCode);
  }
  if (worker !== undefined) {
    // The primary prints the banner and the dashboard line once for all workers.
    worker.listening(address);
    logger.info({ ...address, slot: worker.slot }, 'strata worker is listening');
    return;
  }
  if (keys?.created) process.stderr.write(keysBanner(config, keys, address));
  else if (keys) logger.info({ appId: config.appId, keysFile: keys.path }, 'using the keys generated on first start');
  if (config.dashboard !== false && (config.role === 'api' || config.role === 'all')) {
    // Beside the keys banner on a first start; a log line on later ones (stderr stays quiet then).
    const hint = await dashboardHint(config, address);
    if (keys?.created) process.stderr.write(hint);
    else logger.info(hint.trim().replace(/\s+/g, ' '));
  }
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
  // `--out schema.graphql` (or `.gql`): the GraphQL SDL the server generates, read by introspection.
  if (/\.(graphql|gql)$/i.test(out)) return writeGraphQLSchema({ out, base, config });
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

/**
 * `strata types --out schema.graphql`: the running server's generated GraphQL schema as SDL (introspection with
 * the master key at `--graphql-path` on the server root), for codegen tools and GraphQL clients.
 */
async function writeGraphQLSchema(options: { out: string; base: string; config: Config }): Promise<void> {
  const { out, base, config } = options;
  const { buildClientSchema, getIntrospectionQuery, printSchema } = await import('graphql');
  const url = `${new URL(base).origin}${config.graphQLPath}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Parse-Application-Id': config.appId,
        'X-Parse-Master-Key': config.masterKey,
      },
      body: JSON.stringify({ query: getIntrospectionQuery() }),
    });
  } catch (err) {
    throw new ParseError(ErrorCode.CONNECTION_FAILED, {
      message: `cannot reach ${url} (${(err as Error).message}); is the server running? (--server-url)`,
      cause: err,
    });
  }
  const text = await response.text();
  let body: { data?: unknown; errors?: unknown };
  try {
    body = JSON.parse(text) as { data?: unknown; errors?: unknown };
  } catch (err) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: `POST ${url}: not JSON`, cause: err });
  }
  if (!response.ok || body.data === undefined || body.data === null) {
    throw new ParseError(ErrorCode.INVALID_VALUE, {
      message: `POST ${url} answered ${response.status}: ${text.slice(0, 300)}`,
    });
  }
  const sdl = printSchema(buildClientSchema(body.data as Parameters<typeof buildClientSchema>[0]));
  mkdirSync(dirname(resolvePath(out)), { recursive: true });
  writeFileSync(out, `# Generated by \`strata types\` from ${url}; do not edit.\n\n${sdl}\n`);
  process.stdout.write(`strata types: wrote the GraphQL schema to ${out}\n`);
}

/**
 * The dashboard users, from `--dashboard-users-file`: re-read when the file changes, so `strata dashboard-user
 * add` works without a restart. A file that fails to parse logs one error and lets nobody in (fail closed).
 */
async function dashboardUsersReader(config: Config, logger: Logger): Promise<() => readonly DashboardUser[]> {
  const { parseDashboardUsers } = await import('./dashboard/index.js');
  const path = config.dashboardUsersFile;
  let seen: number | undefined;
  let users: readonly DashboardUser[] = [];
  return () => {
    if (path === undefined) return users;
    let mtime: number;
    try {
      mtime = statSync(path).mtimeMs;
    } catch {
      seen = undefined;
      users = [];
      return users;
    }
    if (mtime === seen) return users;
    seen = mtime;
    try {
      users = parseDashboardUsers(JSON.parse(readFileSync(path, 'utf8')));
    } catch (err) {
      users = [];
      logger.error(
        { file: path, problem: err instanceof Error ? err.message : String(err) },
        'dashboard users file is invalid: nobody can sign in',
      );
    }
    return users;
  };
}

/** One line on every start of an api server: where the dashboard is, and how to create its first user. */
async function dashboardHint(config: Config, address: { port: number; host: string }): Promise<string> {
  const host = address.host === '0.0.0.0' || address.host === '::' ? 'localhost' : address.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/dashboard/`;
  const reader = await dashboardUsersReader(config, createLogger({ level: 'silent' }));
  if (reader().length > 0) return `strata: dashboard at ${url}\n`;
  return (
    `strata: dashboard at ${url} has no users yet; create the first one with\n` +
    `  npx strata dashboard-user add <name>${config.dashboardUsersFile === undefined ? '' : ` --dashboard-users-file ${config.dashboardUsersFile}`}\n`
  );
}

/** `strata dashboard-user`'s own flags, taken out of argv; the rest are server options (data dir, users file). */
function splitDashboardUserArguments(argv: readonly string[]): {
  action: string;
  username?: string;
  readOnly: boolean;
  totp: boolean;
  passwordStdin: boolean;
  apps?: string[];
  rest: string[];
} {
  const rest: string[] = [];
  const positional: string[] = [];
  let readOnly = false;
  let totp = false;
  let passwordStdin = false;
  let apps: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--read-only') readOnly = true;
    else if (arg === '--totp') totp = true;
    else if (arg === '--password-stdin') passwordStdin = true;
    else if (arg === '--apps' || arg.startsWith('--apps=')) {
      const value = arg === '--apps' ? argv[++i] : arg.slice('--apps='.length);
      if (value === undefined || value === '')
        throw new ParseError(ErrorCode.INVALID_VALUE, { message: '--apps: expected app ids' });
      apps = value
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a.length > 0);
    } else if (arg.startsWith('--')) {
      rest.push(arg);
      if (!arg.includes('=') && argv[i + 1] !== undefined && !(argv[i + 1] ?? '').startsWith('--'))
        rest.push(argv[++i] ?? '');
    } else positional.push(arg);
  }
  const [action, username] = positional;
  if (action === undefined || !['add', 'remove', 'list'].includes(action)) {
    throw new ParseError(ErrorCode.INVALID_VALUE, {
      message:
        'usage: strata dashboard-user add <name> [--read-only] [--totp] [--apps id,...] [--password-stdin] | remove <name> | list',
    });
  }
  return {
    action,
    ...(username === undefined ? {} : { username }),
    readOnly,
    totp,
    passwordStdin,
    ...(apps === undefined ? {} : { apps }),
    rest,
  };
}

/** Reads a password: all of stdin with --password-stdin, else a hidden prompt (twice) on a terminal. */
async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  if (!process.stdin.isTTY) {
    throw new ParseError(ErrorCode.INVALID_VALUE, {
      message: 'no terminal to ask for a password: pipe it in with --password-stdin',
    });
  }
  const ask = (prompt: string): Promise<string> =>
    new Promise((resolve) => {
      process.stderr.write(prompt);
      const stdin = process.stdin;
      stdin.setRawMode(true);
      stdin.resume();
      let value = '';
      const onData = (data: Buffer): void => {
        for (const ch of data.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.setRawMode(false);
            stdin.pause();
            stdin.off('data', onData);
            process.stderr.write('\n');
            resolve(value);
            return;
          }
          if (ch === '\u0003') process.exit(130);
          if (ch === '\u007f') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  const first = await ask('Password: ');
  const second = await ask('Again: ');
  if (first !== second) throw new ParseError(ErrorCode.INVALID_VALUE, { message: 'the two passwords differ' });
  return first;
}

/**
 * `strata dashboard-user add|remove|list`: edits the dashboard users file (mode 0600) that running servers
 * re-read. Passwords are stored as bcrypt hashes; `--totp` prints a new secret for an authenticator app.
 */
async function dashboardUserCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const parsed = splitDashboardUserArguments(argv);
  const options = loadConfigOptions(parseCommandLine(parsed.rest), env);
  const path = options.dashboardUsersFile ?? join(options.dataDir, 'dashboard-users.json');
  const dashboard = await import('./dashboard/index.js');
  const users = existsSync(path) ? dashboard.parseDashboardUsers(readJsonFile(path, 'dashboard users file')) : [];
  if (parsed.action === 'list') {
    for (const user of users) {
      const flags = [
        user.readOnly === true ? 'read-only' : 'read-write',
        ...(user.totpSecret === undefined ? [] : ['totp']),
      ];
      process.stdout.write(
        `${user.username}\t${flags.join(', ')}${user.apps === undefined ? '' : `\tapps: ${user.apps.join(',')}`}\n`,
      );
    }
    if (users.length === 0) process.stdout.write(`no dashboard users in ${path}\n`);
    return;
  }
  const username = parsed.username ?? '';
  const problem = dashboard.checkDashboardUsername(username);
  if (problem !== undefined) throw new ParseError(ErrorCode.INVALID_VALUE, { message: `username: ${problem}` });
  let next: DashboardUser[];
  if (parsed.action === 'remove') {
    if (!users.some((u) => u.username === username)) {
      throw new ParseError(ErrorCode.INVALID_VALUE, { message: `no dashboard user ${username} in ${path}` });
    }
    next = users.filter((u) => u.username !== username);
  } else {
    const password = await readPassword(parsed.passwordStdin);
    if (password.length < 8)
      throw new ParseError(ErrorCode.INVALID_VALUE, { message: 'the password needs at least 8 characters' });
    const { createPasswordHasher } = await import('./auth/index.js');
    const totpSecret = parsed.totp ? dashboard.newTotpSecret() : undefined;
    next = dashboard.upsertDashboardUser(users, {
      username,
      passwordHash: await createPasswordHasher({ cost: 12 }).hash(password),
      ...(parsed.readOnly ? { readOnly: true } : {}),
      ...(totpSecret === undefined ? {} : { totpSecret }),
      ...(parsed.apps === undefined ? {} : { apps: parsed.apps }),
    });
    if (totpSecret !== undefined) {
      process.stdout.write(
        `TOTP secret for ${username}: ${totpSecret}\n` +
          `  add it to an authenticator app, or open: ${dashboard.totpUri({ secret: totpSecret, account: username, issuer: 'Strata' })}\n`,
      );
    }
  }
  mkdirSync(dirname(resolvePath(path)), { recursive: true, mode: 0o700 });
  // Written beside and renamed into place: a running server never reads a half-written file.
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, dashboard.serializeDashboardUsers(next), { mode: 0o600 });
  renameSync(temp, path);
  process.stdout.write(
    `strata dashboard-user: ${parsed.action === 'add' ? 'saved' : 'removed'} ${username} in ${path}\n`,
  );
}

/**
 * `strata init-env [--out .env] [--public-server-url <url>] [--http-port <port>] [--force]`: writes the `.env`
 * that docker-compose.yml reads, with fresh secrets, readable only by the caller. An existing file is kept
 * (its secrets may already be in a database) unless `--force`.
 */
function initEnv(argv: readonly string[]): void {
  const values = new Map<string, string>();
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--force') {
      force = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (name !== '--out' && name !== '--public-server-url' && name !== '--http-port') {
      throw new ParseError(ErrorCode.INVALID_VALUE, { message: `unknown option ${arg}; see strata --help` });
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
      throw new ParseError(ErrorCode.INVALID_VALUE, { message: `${name}: expected a value` });
    }
    values.set(name, value);
  }
  const httpPort = Number(values.get('--http-port') ?? '80');
  if (!Number.isInteger(httpPort) || httpPort < 1 || httpPort > 65535) {
    throw new ParseError(ErrorCode.INVALID_VALUE, { message: '--http-port: expected an integer between 1 and 65535' });
  }
  const portSuffix = httpPort === 80 ? '' : `:${httpPort}`;
  const publicServerURL = values.get('--public-server-url') ?? `http://localhost${portSuffix}/parse`;
  if (!/^https?:\/\/[^\s]+$/.test(publicServerURL)) {
    throw new ParseError(ErrorCode.INVALID_VALUE, {
      message: '--public-server-url: expected an http:// or https:// URL',
    });
  }
  const out = resolvePath(values.get('--out') ?? '.env');
  const text = renderEnvFile({ settings: { publicServerURL, httpPort }, now: new Date() });
  try {
    // 'wx' refuses to replace a file whose secrets a database may already be initialised with.
    writeFileSync(out, text, { mode: 0o600, flag: force ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ParseError(ErrorCode.INVALID_VALUE, {
        message: `${out} exists; its secrets may already be in use (pass --force to replace it)`,
      });
    }
    throw err;
  }
  // An existing file replaced with --force keeps its old mode: tighten it.
  chmodSync(out, 0o600);
  process.stdout.write(`strata init-env: wrote ${out} (mode 0600); next: docker compose up -d --build\n`);
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
  let dev: DevHandoff | undefined;
  if (argv[0] === 'dashboard-user') {
    try {
      await dashboardUserCommand(argv.slice(1), env);
    } catch (err) {
      process.stderr.write(`strata dashboard-user: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    }
    return;
  }
  if (argv[0] === 'init-env') {
    if (argv.includes('--help') || argv.includes('-h'))
      return void process.stdout.write(renderHelp({ version: readVersion() }));
    try {
      initEnv(argv.slice(1));
    } catch (err) {
      process.stderr.write(`strata init-env: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    }
    return;
  }
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
    dev = await devHandoff(env);
    if (env[WORKER_SLOT_ENV] === undefined) {
      const workers = workerCount({ options, env });
      if (workers > 1) return await startPrimary({ ...built, workers, env });
    }
  } catch (err) {
    // Configuration mistakes get one clear line and exit code 2, not a stack trace.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`strata: ${message}\n`);
    process.exit(EXIT_CODES.configuration);
  }
  const worker = await clusterWorker(env);
  await start({ ...built, ...(dev === undefined ? {} : { dev }), ...(worker === undefined ? {} : { worker }) });
}

/** Set by the primary in each worker's environment (main-cluster.ts reads it too). */
const WORKER_SLOT_ENV = 'STRATA_WORKER_SLOT';

/**
 * `--workers`, else the number of cores with NODE_ENV=production and 1 otherwise. `--dev` and an in-memory
 * SQLite database (one per process: the workers would not share it) always run one process.
 */
function workerCount(options: { options: ResolvedOptions; env: NodeJS.ProcessEnv }): number {
  const { workers, dev, databaseURI } = options.options;
  if (dev === true || databaseURI === 'sqlite::memory:') return 1;
  return workers ?? (options.env['NODE_ENV'] === 'production' ? availableParallelism() : 1);
}

/** The primary of `--workers N`: forks the workers, prints what a single server prints once they listen. */
async function startPrimary(options: {
  config: Config;
  keys?: KeysOutcome;
  workers: number;
  env: NodeJS.ProcessEnv;
}): Promise<void> {
  const { config, keys } = options;
  const terminal = process.stdout.isTTY;
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat ?? (terminal ? 'pretty' : 'json'),
    color: terminal && !process.env['NO_COLOR'],
  });
  const { runPrimary } = await import('./main-cluster.js');
  const address = await runPrimary({ workers: options.workers, logger, env: {} });
  if (keys?.created) process.stderr.write(keysBanner(config, keys, address));
  logger.info(
    { ...address, workers: options.workers, mountPath: config.mountPath, role: config.role },
    'strata is listening',
  );
}

/** In a worker of `--workers N`: its slot and the primary's pub/sub relay; undefined in a single server. */
async function clusterWorker(env: NodeJS.ProcessEnv): Promise<ClusterWorker | undefined> {
  const send = process.send?.bind(process);
  const slot = Number(env[WORKER_SLOT_ENV]);
  if (send === undefined || !Number.isInteger(slot) || slot < 1) return undefined;
  const { createIpcPubSub } = await import('./infra/index.js');
  // A worker whose primary is gone (killed without a chance to stop it) stops too, instead of holding the port.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  return {
    slot,
    pubsub: createIpcPubSub({
      send: (message) => void send(message, undefined, undefined, () => undefined),
      listen: (listener) => {
        process.on('message', listener);
        return () => process.off('message', listener);
      },
    }),
    listening: (address) => void send({ strataWorker: 'listening', ...address }, undefined, undefined, () => undefined),
  };
}

await run(process.argv.slice(2), process.env);
