/**
 * Debian's nginx for the deploy and topology tests: `deploy/nginx.conf` turned into a loopback config (its
 * upstream servers, listen port and file paths replaced, everything else verbatim), checked with `nginx -t`
 * and run in the foreground from its own prefix (pid, temp dirs, logs), never as a system service.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NGINX_CONF = fileURLToPath(new URL('../../deploy/nginx.conf', import.meta.url));

/** Debian installs nginx in /usr/sbin, which is not on every user's PATH. */
export function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(candidate)) return candidate;
  const which = spawnSync('which', ['nginx'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

export interface LoopbackNginxOptions {
  /** The gateway's directory: config, pid, temp dirs and logs go under it. */
  readonly prefix: string;
  readonly port: number;
  /** `host:port` of each api server. */
  readonly api: readonly string[];
  /** `host:port` of each live server. */
  readonly live: readonly string[];
  /** Replaces the per-IP request rate (`100r/s`), e.g. to provoke 429s. */
  readonly rate?: string;
  /** Turns the commented TLS lines on, with this certificate and key, listening on `port`. */
  readonly tls?: {
    readonly certificate: string;
    readonly key: string;
    readonly port: number;
    /** nginx before 1.25.1 (Debian 12 has 1.22) spells `http2 on;` as a `listen` parameter. */
    readonly legacyHttp2?: boolean;
  };
}

/**
 * The production config with only its environment swapped: each substitution must match exactly as often as
 * expected, so a change to deploy/nginx.conf that the derivation would silently miss fails the test instead.
 */
export function deriveLoopbackConfig(options: LoopbackNginxOptions): string {
  let text = readFileSync(NGINX_CONF, 'utf8');
  const replace = (pattern: RegExp, replacement: string, expected = 1): void => {
    const found = text.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))?.length ?? 0;
    if (found !== expected) {
      throw new Error(`deploy/nginx.conf: expected ${expected} match(es) of ${pattern}, found ${found}`);
    }
    text = text.replace(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`), replacement);
  };
  const servers = (addresses: readonly string[], params: string): string =>
    addresses.map((address) => `server ${address} ${params};`).join('\n    ');
  // Docker's DNS is not here: fixed loopback addresses instead of `resolve`d service names.
  replace(/^\s*resolver 127\.0\.0\.11[^;]*;$/m, '');
  replace(/server api:1337 resolve ([^;]*);/, servers(options.api, '$1'));
  replace(/server live:1337 resolve ([^;]*);/, servers(options.live, '$1'));
  replace(/^pid [^;]+;$/m, `pid ${join(options.prefix, 'nginx.pid')};`);
  replace(/listen 80 default_server;/, `listen 127.0.0.1:${options.port} default_server;`);
  replace(/access_log \/dev\/stdout strata;/, `access_log ${join(options.prefix, 'access.log')} strata;`);
  replace(/^error_log stderr warn;$/m, `error_log ${join(options.prefix, 'error.log')} warn;`);
  // Temp files under the prefix: the compiled-in /var/lib/nginx is root's.
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${join(options.prefix, `${kind}_temp`)};`)
    .join('\n');
  replace(/^http \{$/m, `http {\n${temps}`);
  // Started by root, nginx's workers would run as `nobody`, who cannot enter a test's private (0700) temp
  // directory to write a request body over client_body_buffer_size: keep them as root there.
  if (process.getuid?.() === 0) replace(/^worker_processes auto;$/m, 'user root;\nworker_processes auto;');
  if (options.rate !== undefined) replace(/rate=100r\/s/, `rate=${options.rate}`);
  if (options.tls !== undefined) {
    const legacy = options.tls.legacyHttp2 === true;
    replace(
      /# listen 443 ssl default_server;/,
      `listen 127.0.0.1:${options.tls.port} ssl${legacy ? ' http2' : ''} default_server;`,
    );
    replace(/# http2 on;/, legacy ? '' : 'http2 on;');
    replace(/# ssl_certificate \/etc\/nginx\/tls\/fullchain\.pem;/, `ssl_certificate ${options.tls.certificate};`);
    replace(/# ssl_certificate_key \/etc\/nginx\/tls\/privkey\.pem;/, `ssl_certificate_key ${options.tls.key};`);
    for (const line of ['ssl_protocols', 'ssl_prefer_server_ciphers', 'ssl_session_cache', 'ssl_session_timeout']) {
      replace(new RegExp(`# (${line} [^\\n]*)`), '$1');
    }
    replace(/# add_header Strict-Transport-Security/, 'add_header Strict-Transport-Security');
  }
  return text;
}

/** Writes the derived config into its prefix and returns its path. */
export function writeLoopbackConfig(options: LoopbackNginxOptions): string {
  mkdirSync(options.prefix, { recursive: true });
  const path = join(options.prefix, 'nginx.conf');
  writeFileSync(path, deriveLoopbackConfig(options));
  return path;
}

/** The installed nginx's version, e.g. `[1, 22, 1]`. */
export function nginxVersion(nginx: string): [number, number, number] {
  const result = spawnSync(nginx, ['-v'], { encoding: 'utf8' });
  const match = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(`${result.stdout}${result.stderr}`);
  if (match === null) throw new Error(`cannot read the version of ${nginx}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** `nginx -t` on a config: its exit status and what it printed. */
export function testNginxConfig(options: { nginx: string; prefix: string; config: string }): {
  status: number | null;
  output: string;
} {
  const result = spawnSync(options.nginx, ['-t', '-p', options.prefix, '-c', options.config], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Runs nginx in the foreground (`daemon off`), so the test owns the process and stops it by pid. */
export function startNginx(options: { nginx: string; prefix: string; config: string }): ChildProcess {
  return spawn(options.nginx, ['-p', options.prefix, '-c', options.config, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
