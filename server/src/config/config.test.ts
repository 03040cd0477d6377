import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config, LogLevel, ServerRole } from './config.js';
import { OPTIONS } from './options.js';
import { resolveOptions } from './resolve.js';

/** Compile-time equality: `Expect<Equal<A, B>>` fails `npm run typecheck` unless A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// The Config type is derived from the declarations: a defaulted option is always set, with its kind's type.
export type DerivedTypes = [
  Expect<Equal<Config['port'], number>>,
  Expect<Equal<Config['role'], ServerRole>>,
  Expect<Equal<Config['logLevel'], LogLevel>>,
  Expect<Equal<Config['emailAdapter'], 'log' | 'smtp'>>,
  Expect<Equal<Config['masterKeyIps'], readonly string[]>>,
  Expect<Equal<Config['cloudTimeout'], number>>,
  // Generated on first start: always set, though without a default.
  Expect<Equal<Config['appId'], string>>,
  Expect<Equal<Config['masterKey'], string>>,
  // No default: may be unset.
  Expect<Equal<Config['redisURL'], string | undefined>>,
  Expect<Equal<Config['maxLimit'], number | undefined>>,
  Expect<Equal<Partial<Config> extends Pick<Config, 'redisURL'> ? true : false, true>>,
  Expect<Equal<Partial<Config> extends Pick<Config, 'cloudTimeout'> ? true : false, false>>,
];

describe('Config, derived from the option declarations', () => {
  it('holds every option that has a default once resolved, and only declared options', () => {
    const resolved = resolveOptions({ cwd: '/srv', env: {} });
    const keys = new Set(OPTIONS.map((option) => option.key));
    for (const option of OPTIONS) {
      if ('default' in option) assert.notEqual(resolved[option.key], undefined, option.key);
    }
    for (const key of Object.keys(resolved)) assert.ok(keys.has(key as (typeof OPTIONS)[number]['key']), key);
  });
});
