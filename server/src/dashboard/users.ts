/**
 * Dashboard users: who may sign in to `/dashboard`, kept apart from the apps' `_User` class (an admin is
 * not an app user). Each has a bcrypt password hash, may be read-only, may require a TOTP code, and may be
 * limited to some apps. They are written by `strata dashboard-user add` into the users file and read by
 * `main.ts`; this file only validates and edits the records, it never touches the file system.
 */
export interface DashboardUser {
  readonly username: string;
  /** bcrypt (`$2a$`/`$2b$`/`$2y$`). */
  readonly passwordHash: string;
  /** Acts with the read-only master key: sees everything, changes nothing. */
  readonly readOnly?: boolean;
  /** Base32 TOTP secret: sign-in then also asks for a current code. */
  readonly totpSecret?: string;
  /** App ids this user may open; absent: every app. */
  readonly apps?: readonly string[];
}

const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** Why a username is unusable, or undefined. */
export function checkDashboardUsername(username: string): string | undefined {
  return USERNAME.test(username) ? undefined : 'a username is 1-64 letters, digits or . _ @ -';
}

/**
 * Validates the users file's content: `{ "users": [ ... ] }` (or a bare array). Throws a TypeError naming
 * the first problem, so a hand-edited file fails the start with one clear line.
 */
export function parseDashboardUsers(value: unknown): DashboardUser[] {
  const list = Array.isArray(value) ? value : isRecord(value) ? value['users'] : undefined;
  if (!Array.isArray(list)) throw new TypeError('expected {"users": [...]}');
  const seen = new Set<string>();
  return list.map((entry, i) => {
    if (!isRecord(entry)) throw new TypeError(`users[${i}]: expected an object`);
    const { username, passwordHash, readOnly, totpSecret, apps } = entry;
    if (typeof username !== 'string' || checkDashboardUsername(username) !== undefined) {
      throw new TypeError(`users[${i}].username: ${checkDashboardUsername(String(username)) ?? 'expected a string'}`);
    }
    if (seen.has(username)) throw new TypeError(`users[${i}]: ${username} is listed twice`);
    seen.add(username);
    if (typeof passwordHash !== 'string' || !BCRYPT.test(passwordHash)) {
      throw new TypeError(`users[${i}].passwordHash: expected a bcrypt hash (strata dashboard-user add writes one)`);
    }
    if (readOnly !== undefined && typeof readOnly !== 'boolean')
      throw new TypeError(`users[${i}].readOnly: expected true or false`);
    if (totpSecret !== undefined && (typeof totpSecret !== 'string' || !/^[A-Z2-7]{16,}$/i.test(totpSecret))) {
      throw new TypeError(`users[${i}].totpSecret: expected a base32 secret`);
    }
    if (apps !== undefined && (!Array.isArray(apps) || !apps.every((a) => typeof a === 'string'))) {
      throw new TypeError(`users[${i}].apps: expected a list of app ids`);
    }
    return {
      username,
      passwordHash,
      ...(readOnly === true ? { readOnly } : {}),
      ...(typeof totpSecret === 'string' ? { totpSecret } : {}),
      ...(Array.isArray(apps) ? { apps: apps as string[] } : {}),
    };
  });
}

/** The users with `user` added, or replacing the one of the same name. */
export function upsertDashboardUser(users: readonly DashboardUser[], user: DashboardUser): DashboardUser[] {
  return [...users.filter((u) => u.username !== user.username), user].sort((a, b) =>
    a.username.localeCompare(b.username),
  );
}

/** The file content for these users (pretty JSON, stable order). */
export function serializeDashboardUsers(users: readonly DashboardUser[]): string {
  return `${JSON.stringify({ users }, null, 2)}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
