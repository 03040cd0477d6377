/**
 * `strata types`: TypeScript types for `@strata/sdk` (or the GraphQL SDL) from the schema of a running server.
 * Part of the CLI (only `main.ts` imports it).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { Config } from './config/index.js';
import {
  KEYS_FILE_NAME,
  applyGeneratedKeys,
  needsGeneratedKeys,
  parseCommandLine,
  parseKeysFile,
  requireConfiguredKeys,
} from './config/index.js';
import { ErrorCode, ParseError } from './errors/index.js';
import { loadConfigOptions, readJsonFile } from './main-config.js';

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
export async function writeTypes(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
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
