import { ErrorCode, ParseError } from '../errors/index.js';
import type { AnyOptionDeclaration, OptionKey } from './options.js';
import { CONFIG_FILE_OPTION, OPTIONS } from './options.js';

/**
 * Splits `strata` arguments into a command and raw flag values. Values are not validated here; `resolveOptions`
 * does that, so flag, env and file values share one set of checks and messages.
 */
export type Command = 'start' | 'help' | 'version';

export interface CommandLine {
  readonly command: Command;
  /** `--config <file>`, when given. */
  readonly configPath?: string;
  /** Raw flag values by option key; later occurrences win. */
  readonly flags: ReadonlyMap<OptionKey, string>;
}

const COMMANDS: readonly string[] = ['start', 'help'];

function configError(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_VALUE, { message });
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function closestFlag(flag: string): string | undefined {
  const candidates = [...OPTIONS.map((o) => o.flag), CONFIG_FILE_OPTION.flag, '--help', '--version'];
  const ranked = candidates.map((c) => ({ c, d: editDistance(flag, c) })).sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && best.d <= 2 ? best.c : undefined;
}

function unknownFlag(flag: string): ParseError {
  const suggestion = closestFlag(flag);
  const hint = suggestion ? ` (did you mean ${suggestion}?)` : '; run `strata --help` for the list';
  return configError(`unknown option ${flag}${hint}`);
}

/**
 * Parses `[command] [--flag value | --flag=value | --switch | --no-switch]...`. The command defaults to
 * `start`; `--help` and `--version` anywhere win over it.
 *
 * @example
 * parseCommandLine(['start', '--port', '8080']).flags.get('port') // '8080'
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const flags = new Map<OptionKey, string>();
  let command: Command = 'start';
  let configPath: string | undefined;
  let sawCommand = false;
  let wantsHelp = false;
  let wantsVersion = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      if (sawCommand || !COMMANDS.includes(arg)) {
        throw configError(`unexpected argument "${arg}"; usage: strata [start] [options], strata --help`);
      }
      sawCommand = true;
      if (arg === 'help') wantsHelp = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      wantsHelp = true;
      continue;
    }
    if (arg === '--version') {
      wantsVersion = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const negated = name.startsWith('--no-') ? OPTIONS.find((o) => o.flag === `--${name.slice(5)}`) : undefined;
    if (negated?.kind.isSwitch && inline === undefined) {
      flags.set(negated.key, 'false');
      continue;
    }
    const takeValue = (option: { flag: string }): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw configError(`${option.flag}: expected a value`);
      i++;
      return next;
    };
    if (name === CONFIG_FILE_OPTION.flag) {
      configPath = takeValue(CONFIG_FILE_OPTION);
      continue;
    }
    const option: AnyOptionDeclaration | undefined = OPTIONS.find((o) => o.flag === name);
    if (!option) throw unknownFlag(name);
    flags.set(option.key, option.kind.isSwitch && inline === undefined ? 'true' : takeValue(option));
  }

  if (wantsVersion) command = 'version';
  if (wantsHelp) command = 'help';
  return configPath === undefined ? { command, flags } : { command, flags, configPath };
}
