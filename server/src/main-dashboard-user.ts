/**
 * The dashboard users file: `strata dashboard-user add|remove|list` edits it, and a running server re-reads it
 * when it changes. Part of the CLI (only `main*.ts` import it).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { Config } from './config/index.js';
import { parseCommandLine } from './config/index.js';
import type { DashboardUser } from './dashboard/index.js';
import { ErrorCode, ParseError } from './errors/index.js';
import type { Logger } from './infra/index.js';
import { loadConfigOptions, readJsonFile } from './main-config.js';

/**
 * The dashboard users, from `--dashboard-users-file`: re-read when the file changes, so `strata dashboard-user
 * add` works without a restart. A file that fails to parse logs one error and lets nobody in (fail closed).
 */
export async function dashboardUsersReader(config: Config, logger: Logger): Promise<() => readonly DashboardUser[]> {
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
export async function dashboardUserCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
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
