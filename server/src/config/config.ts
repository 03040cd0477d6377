/**
 * The validated, frozen configuration `main.ts` builds and `createApp` consumes, derived from the option
 * declarations (`options.ts`) rather than restated: each option is a field of its declared kind's type,
 * always present when it has a default (or is a generated key), optional otherwise. The field's meaning,
 * default and env var are its declaration's (`strata --help` prints them).
 */
import type { DeclaredOption, OPTIONS } from './options.js';

export type { LogFormat, LogLevel, ServerRole } from './options.js';

type Declared = (typeof OPTIONS)[number];
type ValueOf<D> = D extends DeclaredOption<string, infer T, 'always' | 'maybe'> ? T : never;
type AlwaysSet<D> = D extends DeclaredOption<string, unknown, 'always'> ? true : false;

type AlwaysSetFields = { readonly [D in Declared as AlwaysSet<D> extends true ? D['key'] : never]: ValueOf<D> };
type OptionalFields = { readonly [D in Declared as AlwaysSet<D> extends true ? never : D['key']]?: ValueOf<D> };

/** Every option by its camelCase name (see `OPTIONS` for each one's description and default). */
export type Config = {
  readonly [K in keyof (AlwaysSetFields & OptionalFields)]: (AlwaysSetFields & OptionalFields)[K];
};
