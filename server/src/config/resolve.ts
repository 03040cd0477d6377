import { isAbsolute, resolve as resolvePath } from 'node:path';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { Config } from './config.js';
import type { RawValue } from './option-types.js';
import type { AnyOptionDeclaration, OptionKey } from './options.js';
import { OPTIONS } from './options.js';

/**
 * Merges option values from every source, in increasing precedence: defaults < config file < env < flags,
 * validates each one, and names the offending option and source in the error. Pure: the caller (main.ts)
 * reads argv, the environment and the file and passes them in.
 */
export interface ConfigSources {
  /** Raw flag values by option key (from `parseCommandLine`). */
  readonly flags?: ReadonlyMap<OptionKey, string>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON of the config file and its path (for messages). */
  readonly file?: { readonly path: string; readonly values: unknown };
  /** Relative `dataDir` and `sqlite:` paths are resolved against it. */
  readonly cwd: string;
}

/** Everything in `Config`, except that the keys may still be missing (they can be generated on first start). */
export type ResolvedOptions = Omit<Config, 'appId' | 'masterKey'> & {
  readonly appId?: string;
  readonly masterKey?: string;
};

interface RawSetting {
  readonly raw: RawValue;
  /** e.g. `--port`, `STRATA_PORT`, `config.json: port`. */
  readonly origin: string;
}

function configError(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_VALUE, { message });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fileSettings(file: ConfigSources['file']): Map<OptionKey, RawSetting> {
  const settings = new Map<OptionKey, RawSetting>();
  if (!file) return settings;
  if (!isPlainObject(file.values)) throw configError(`${file.path}: expected a JSON object of options`);
  for (const [name, raw] of Object.entries(file.values)) {
    const option = OPTIONS.find((o) => o.key === name);
    if (!option) throw configError(`${file.path}: unknown option "${name}"`);
    // null means "not set", so a file can explicitly leave an option to its default.
    if (raw !== null && raw !== undefined)
      settings.set(option.key, { raw: raw as RawValue, origin: `${file.path}: ${name}` });
  }
  return settings;
}

function pickSetting(
  option: AnyOptionDeclaration,
  sources: ConfigSources,
  file: Map<OptionKey, RawSetting>,
): RawSetting | undefined {
  const flag = sources.flags?.get(option.key);
  if (flag !== undefined) return { raw: flag, origin: option.flag };
  for (const name of [option.env, ...(option.envFallbacks ?? [])]) {
    const value = sources.env?.[name];
    // An empty env var counts as unset: `STRATA_REDIS_URL= strata start` is a common way to turn one off.
    if (value !== undefined && value !== '') return { raw: value, origin: name };
  }
  return file.get(option.key);
}

function describeBadValue(option: AnyOptionDeclaration, setting: RawSetting, problem: string): string {
  // Never echo a secret back, even a malformed one: error messages end up in logs.
  const shown = option.secret ? problem.replace(/, got .*$/, '') : problem;
  return `${setting.origin}: ${shown}`;
}

function absolutePath(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolvePath(cwd, path);
}

/**
 * Builds the resolved options. Throws `ParseError(INVALID_VALUE)` with a message such as
 * `--port: expected an integer between 0 and 65535, got "abc"`.
 *
 * @example
 * resolveOptions({ flags: new Map([['port', '8080']]), env: {}, cwd: '/srv' }).port // 8080
 */
export function resolveOptions(sources: ConfigSources): ResolvedOptions {
  const file = fileSettings(sources.file);
  const values = new Map<OptionKey, unknown>();
  const deferred: AnyOptionDeclaration[] = [];
  const fromFile = new Set<OptionKey>();

  for (const option of OPTIONS) {
    const setting = pickSetting(option, sources, file);
    if (setting === undefined) {
      deferred.push(option);
      continue;
    }
    const parsed = option.kind.parse(setting.raw);
    if (!parsed.ok) throw configError(describeBadValue(option, setting, parsed.problem));
    values.set(option.key, parsed.value);
    if (setting.origin.startsWith(`${sources.file?.path}: `)) fromFile.add(option.key);
  }

  const dataDir = absolutePath(sources.cwd, String(values.get('dataDir') ?? './.strata'));
  values.set('dataDir', dataDir);
  for (const option of deferred) {
    if (option.default && !values.has(option.key)) values.set(option.key, option.default({ dataDir }));
  }

  const databaseURI = String(values.get('databaseURI'));
  if (databaseURI.startsWith('sqlite:') && databaseURI !== 'sqlite::memory:') {
    values.set('databaseURI', `sqlite:${absolutePath(sources.cwd, databaseURI.slice('sqlite:'.length))}`);
  }
  const cloud = values.get('cloud');
  if (typeof cloud === 'string') {
    // A cloud path written in the config file is relative to that file; one from a flag or env var, to cwd.
    const base =
      fromFile.has('cloud') && sources.file ? resolvePath(sources.cwd, sources.file.path, '..') : sources.cwd;
    values.set('cloud', absolutePath(base, cloud));
  }

  return Object.freeze(Object.fromEntries(values)) as ResolvedOptions;
}
