/**
 * `strata init-env`: the `.env` docker-compose.yml reads, with fresh secrets. Part of the CLI (only `main.ts`
 * imports it).
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { renderEnvFile } from './config/index.js';
import { ErrorCode, ParseError } from './errors/index.js';

/**
 * `strata init-env [--out .env] [--public-server-url <url>] [--http-port <port>] [--force]`: writes the `.env`
 * that docker-compose.yml reads, with fresh secrets, readable only by the caller. An existing file is kept
 * (its secrets may already be in a database) unless `--force`. `--out -` prints it instead.
 */
export function initEnv(argv: readonly string[]): void {
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
  const text = renderEnvFile({ settings: { publicServerURL, httpPort }, now: new Date() });
  if (values.get('--out') === '-') {
    // To standard output: a host without Node runs the image (`docker run --rm strata:local init-env --out -`).
    process.stdout.write(text);
    process.stderr.write(
      'strata init-env: wrote the .env to standard output; keep it readable by you only (chmod 600)\n',
    );
    return;
  }
  const out = resolvePath(values.get('--out') ?? '.env');
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
