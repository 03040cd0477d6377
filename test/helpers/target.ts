/**
 * Which servers a compat suite runs against. By default: Strata in-process on SQLite, plus Strata on
 * MongoDB when `STRATA_TEST_MONGODB_URI` is set (skipped with a printed reason otherwise, a failure under
 * `STRATA_REQUIRE_SERVICES=1`). With `STRATA_COMPAT_SERVER_URL` set, only that external server is used
 * (e.g. a real parse-server, to validate the suite's expectations).
 */
import { startInProcess } from './in-process.js';
import type { StartOptions } from './in-process.js';

/** A running server the SDK can talk to. */
export interface CompatTarget {
  label: string;
  /** Full URL including the mount path, e.g. `http://127.0.0.1:1337/parse`. */
  serverURL: string;
  appId: string;
  masterKey: string;
  javascriptKey: string;
  /**
   * Set (to the reason) when the database behind the target cannot store arrays nested in arrays, which
   * Polygons need too: FerretDB 1.x rejects them. Tests of such values skip with this reason there.
   */
  nestedArraysUnsupported?: string;
  close(): Promise<void>;
}

export interface TargetSpec {
  name: string;
  /** Set when this target cannot run here; the reason is printed and passed to `describe`'s `skip`. */
  skip?: string;
  start(): Promise<CompatTarget>;
}

function externalTarget(serverURL: string): TargetSpec {
  const env = process.env;
  return {
    name: 'external',
    start: () =>
      Promise.resolve({
        label: `external ${serverURL}`,
        serverURL: serverURL.replace(/\/+$/, ''),
        appId: env['STRATA_COMPAT_APP_ID'] ?? 'strata-compat-app',
        masterKey: env['STRATA_COMPAT_MASTER_KEY'] ?? 'strata-compat-master',
        javascriptKey: env['STRATA_COMPAT_JS_KEY'] ?? 'strata-compat-js',
        close: () => Promise.resolve(),
      }),
  };
}

function mongoTarget(options: StartOptions): TargetSpec {
  const uri = process.env['STRATA_TEST_MONGODB_URI'];
  const start = (): Promise<CompatTarget> => {
    if (!uri) return Promise.reject(new Error('STRATA_REQUIRE_SERVICES=1 but STRATA_TEST_MONGODB_URI is not set'));
    return startInProcess({ kind: 'mongodb', uri }, options);
  };
  if (uri || process.env['STRATA_REQUIRE_SERVICES'] === '1') return { name: 'mongodb', start };
  const skip = 'STRATA_TEST_MONGODB_URI is not set';
  process.stdout.write(`# compat suite on MongoDB skipped: ${skip}\n`);
  return { name: 'mongodb', skip, start };
}

/**
 * `options.cloud`: the in-process servers load that cloud code module (an external server must be started
 * with it by whoever runs it).
 */
export function compatTargets(options: StartOptions = {}): TargetSpec[] {
  const external = process.env['STRATA_COMPAT_SERVER_URL'];
  if (external) return [externalTarget(external)];
  return [{ name: 'sqlite', start: () => startInProcess({ kind: 'sqlite' }, options) }, mongoTarget(options)];
}
