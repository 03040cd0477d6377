/**
 * The deployment files, checked without a Docker engine: `docker-compose.yml` with Debian's
 * `docker-compose config` against the `.env` that the real `strata init-env` writes, and `deploy/nginx.conf`
 * with Debian's `nginx -t` (plain and with its TLS lines turned on, on a throw-away self-signed certificate).
 * `.ci/run` installs both tools; without them these tests print why they skip (and fail under
 * STRATA_REQUIRE_SERVICES=1).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { OPTIONS } from '../../server/src/config/index.js';
import { findNginx, nginxVersion, testNginxConfig, writeLoopbackConfig } from '../helpers/nginx.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'server/src/main.ts');
const REQUIRE = process.env['STRATA_REQUIRE_SERVICES'] === '1';

function which(command: string): string | undefined {
  const result = spawnSync('which', [command], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function skipReason(tool: string | undefined, name: string, install: string): string | false {
  if (tool !== undefined) return false;
  return REQUIRE ? false : `${name} is not installed (apt-get install ${install})`;
}

const compose = which('docker-compose');
const nginx = findNginx();
const scratch = mkdtempSync(join(tmpdir(), 'strata-deploy-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A compose project directory: the repository's compose file and deploy/ folder, and a `.env` of our choice. */
function project(name: string): string {
  const dir = join(scratch, name);
  spawnSync('mkdir', ['-p', dir]);
  copyFileSync(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
  symlinkSync(join(ROOT, 'deploy'), join(dir, 'deploy'));
  return dir;
}

function runCompose(dir: string, args: readonly string[]): { status: number | null; output: string } {
  assert.ok(compose !== undefined, 'docker-compose is required (STRATA_REQUIRE_SERVICES=1)');
  const result = spawnSync(compose, ['--project-directory', dir, '-f', join(dir, 'docker-compose.yml'), ...args], {
    encoding: 'utf8',
    cwd: dir,
    // Nothing from the caller's environment may stand in for a value missing from .env.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: scratch },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function initEnv(out: string, extra: readonly string[] = []): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'init-env', '--out', out, ...extra], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  assert.equal(result.status, 0, result.stderr);
  return readFileSync(out, 'utf8');
}

function compareVersion(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function envKeys(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.slice(0, line.indexOf('=')))
    .sort();
}

describe('docker-compose.yml', { skip: skipReason(compose, 'docker-compose', 'docker-compose') }, () => {
  it('is valid with the .env that `strata init-env` writes (docker-compose config -q)', () => {
    const dir = project('generated');
    initEnv(join(dir, '.env'));
    const check = runCompose(dir, ['config', '-q']);
    assert.equal(check.status, 0, check.output);
  });

  it('composes the three tiers: gateway, two api, live, worker, MongoDB, Redis, on named volumes', () => {
    const dir = project('shape');
    const env = initEnv(join(dir, '.env'));
    const services = runCompose(dir, ['config', '--services']);
    assert.equal(services.status, 0, services.output);
    assert.deepEqual(services.output.trim().split('\n').sort(), ['api', 'gateway', 'live', 'mongo', 'redis', 'worker']);
    const volumes = runCompose(dir, ['config', '--volumes']);
    assert.deepEqual(volumes.output.trim().split('\n').sort(), [
      'mongo-config',
      'mongo-data',
      'redis-data',
      'strata-data',
    ]);
    const resolved = runCompose(dir, ['config']).output;
    const value = (key: string): string => new RegExp(`^${key}=(.*)$`, 'm').exec(env)?.[1] ?? '';
    // Secrets reach the servers from .env; nothing is left uninterpolated.
    assert.ok(resolved.includes(`STRATA_MASTER_KEY: ${value('STRATA_MASTER_KEY')}`));
    assert.ok(
      resolved.includes(
        `mongodb://strata:${value('MONGO_APP_PASSWORD')}@mongo:27017/strata?replicaSet=rs0&authSource=strata`,
      ),
    );
    assert.ok(resolved.includes(`redis://:${value('REDIS_PASSWORD')}@redis:6379`));
    assert.equal(resolved.includes('${'), false);
    // Each role by flag, from one image.
    for (const role of ['api', 'live', 'worker'])
      assert.match(resolved, new RegExp(`- start\\n\\s+- --role\\n\\s+- ${role}\\n`));
    assert.match(resolved, /replicas: 2/);
    assert.match(resolved, /--replSet|strata-mongo-entrypoint/);
    // Only the gateway publishes a port.
    assert.equal(resolved.match(/published:/g)?.length, 1);
    // X-Forwarded-For is believed from the gateway's fixed address only, one Docker never hands out to another
    // container (outside ip_range), so neither a container nor the Docker host can pick its client address.
    assert.equal(/ipv4_address: (\S+)/.exec(resolved)?.[1], '172.29.57.10');
    assert.match(resolved, /ip_range: 172\.29\.57\.128\/25/);
    assert.deepEqual(resolved.match(/STRATA_TRUST_PROXY: \S+/g), Array(3).fill('STRATA_TRUST_PROXY: 172.29.57.10'));
    // One process per container (the image's NODE_ENV=production alone would start one per host core).
    assert.deepEqual(resolved.match(/STRATA_WORKERS: \S+/g), Array(3).fill("STRATA_WORKERS: '1'"));
  });

  it('mounts only files of the repository (every bind-mount source exists)', () => {
    const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    const sources = [...text.matchAll(/^\s+- (\.\/[^:\s]+):/gm)].map((match) => match[1] ?? '');
    assert.ok(sources.length >= 4, sources.join(', '));
    for (const source of sources) assert.ok(existsSync(join(ROOT, source)), `${source} is mounted but missing`);
  });

  it('is valid with the .env that `init-env --out -` prints (a host without Node runs it in the image)', () => {
    const dir = project('printed');
    const printed = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'init-env', '--out', '-'], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stdout, /^STRATA_MASTER_KEY=[0-9a-f]{64}$/m);
    assert.match(printed.stderr, /standard output/);
    assert.equal(existsSync(join(ROOT, '-')), false, 'nothing written but the output');
    writeFileSync(join(dir, '.env'), printed.stdout);
    const check = runCompose(dir, ['config', '-q']);
    assert.equal(check.status, 0, check.output);
  });

  it('refuses to start without secrets, naming the command that writes them', () => {
    const dir = project('missing');
    const check = runCompose(dir, ['config', '-q']);
    assert.notEqual(check.status, 0);
    assert.match(check.output, /init-env|\.env/);
  });

  it('refuses .env.example as it stands (its secrets are blank), and it lists what init-env writes', () => {
    const dir = project('example');
    copyFileSync(join(ROOT, '.env.example'), join(dir, '.env'));
    const check = runCompose(dir, ['config', '-q']);
    assert.notEqual(check.status, 0);
    assert.match(check.output, /strata\.js init-env/);
    const generated = initEnv(join(scratch, 'compare.env'));
    assert.deepEqual(envKeys(readFileSync(join(ROOT, '.env.example'), 'utf8')), envKeys(generated));
  });
});

describe('deploy/mongo (the replica set compose initialises)', () => {
  it('its scripts parse, and the entrypoint, the initiating healthcheck and the URI name the same set', () => {
    const entrypoint = join(ROOT, 'deploy/mongo/entrypoint.sh');
    const bash = spawnSync('bash', ['-n', entrypoint], { encoding: 'utf8' });
    assert.equal(bash.status, 0, bash.stderr);
    // Bind-mounted as the container's entrypoint: the file's own mode must let it run.
    assert.notEqual(statSync(entrypoint).mode & 0o111, 0, 'deploy/mongo/entrypoint.sh is executable');
    for (const script of ['replica-set.js', 'create-app-user.js']) {
      const check = spawnSync(process.execPath, ['--check', join(ROOT, 'deploy/mongo', script)], { encoding: 'utf8' });
      assert.equal(check.status, 0, `${script}: ${check.stderr}`);
    }
    const set = /--replSet (\w+)/.exec(readFileSync(entrypoint, 'utf8'))?.[1];
    assert.ok(set !== undefined, 'mongod runs as a replica set member');
    assert.match(readFileSync(join(ROOT, 'deploy/mongo/replica-set.js'), 'utf8'), new RegExp(`_id: '${set}'`));
    assert.match(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), new RegExp(`replicaSet=${set}&`));
  });
});

describe('strata init-env', () => {
  it('writes fresh secrets readable only by the caller, and never replaces a file without --force', () => {
    const out = join(scratch, 'init.env');
    const first = initEnv(out);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const again = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'init-env', '--out', out], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    assert.equal(again.status, 2);
    assert.match(again.stderr, /exists; .*--force/);
    assert.equal(readFileSync(out, 'utf8'), first, 'the existing file is untouched');
    const forced = initEnv(out, ['--force', '--http-port', '8080']);
    assert.notEqual(forced, first);
    assert.match(forced, /^HTTP_PORT=8080$/m);
    assert.match(forced, /^STRATA_PUBLIC_SERVER_URL=http:\/\/localhost:8080\/parse$/m);
    const secret = /^STRATA_MASTER_KEY=([0-9a-f]{64})$/m.exec(forced);
    assert.ok(secret !== null, 'a 256-bit master key');
    assert.notEqual(secret[1], /^STRATA_MASTER_KEY=(.*)$/m.exec(first)?.[1]);
  });
});

describe("deploy/nginx.conf's limits and Strata's defaults", () => {
  const conf = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
  const defaultOf = (key: string): unknown =>
    OPTIONS.find((option) => option.key === key && 'default' in option)?.default?.({ dataDir: '/data' });
  const directive = (name: string): string => new RegExp(`^  ${name} ([^;]+);$`, 'm').exec(conf)?.[1] ?? '';
  const seconds = (value: string): number => Number(/^(\d+)s$/.exec(value)?.[1] ?? NaN);

  it('accepts the bodies Strata accepts, and no larger', () => {
    const megabytes = Number(/^(\d+)m$/.exec(directive('client_max_body_size'))?.[1] ?? NaN) * 1024 * 1024;
    assert.equal(megabytes, defaultOf('maxBodySize'));
    assert.equal(megabytes, defaultOf('maxUploadSize'));
  });

  it('waits longer than Strata lets a cloud function or a master-key query run, so Strata answers first', () => {
    const read = seconds(directive('  proxy_read_timeout'));
    assert.ok(read * 1000 > Number(defaultOf('cloudTimeout')), `proxy_read_timeout ${read}s`);
    assert.ok(read * 1000 > Number(defaultOf('masterQueryTimeLimit')), `proxy_read_timeout ${read}s`);
  });
});

describe('deploy/nginx.conf', { skip: skipReason(nginx, 'nginx', 'nginx') }, () => {
  it('passes nginx -t with its upstreams pointed at loopback', () => {
    assert.ok(nginx !== undefined, 'nginx is required (STRATA_REQUIRE_SERVICES=1)');
    const prefix = join(scratch, 'nginx-plain');
    const config = writeLoopbackConfig({
      prefix,
      port: 18080,
      api: ['127.0.0.1:11001', '127.0.0.1:11002'],
      live: ['127.0.0.1:11003'],
    });
    const check = testNginxConfig({ nginx, prefix, config });
    assert.equal(check.status, 0, check.output);
    assert.match(check.output, /test is successful/);
  });

  it('passes nginx -t with TLS turned on (HTTP/2, the commented lines uncommented)', (t) => {
    assert.ok(nginx !== undefined, 'nginx is required (STRATA_REQUIRE_SERVICES=1)');
    const openssl = which('openssl');
    if (openssl === undefined) {
      if (REQUIRE) assert.fail('openssl is required to make a test certificate');
      t.skip('openssl is not installed: no certificate to test the TLS lines with');
      return;
    }
    const prefix = join(scratch, 'nginx-tls');
    spawnSync('mkdir', ['-p', prefix]);
    const certificate = join(prefix, 'cert.pem');
    const key = join(prefix, 'key.pem');
    const made = spawnSync(
      openssl,
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        key,
        '-out',
        certificate,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    const config = writeLoopbackConfig({
      prefix,
      port: 18090,
      api: ['127.0.0.1:11001'],
      live: ['127.0.0.1:11003'],
      tls: { certificate, key, port: 18443, legacyHttp2: compareVersion(nginxVersion(nginx), [1, 25, 1]) < 0 },
    });
    const check = testNginxConfig({ nginx, prefix, config });
    assert.equal(check.status, 0, check.output);
  });
});
