import type { AnyOptionDeclaration, OptionGroup } from './options.js';
import { CONFIG_FILE_OPTION, OPTIONS } from './options.js';

/**
 * Renders `strata --help` from the option declarations, grouped, with env var and default for each option.
 */
const GROUP_ORDER: readonly OptionGroup[] = [
  'Server',
  'Storage',
  'Keys',
  'Security',
  'Email',
  'Push',
  'Limits',
  'Logging',
  'Dashboard',
];
const INDENT = '  ';
const COLUMN = 34;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

function entry(left: string, description: string, details: string): string[] {
  const plain = description.replaceAll('`', '');
  const body = [...wrap(plain, 66), details];
  const head = `${INDENT}${left}`;
  const first =
    head.length < COLUMN ? `${head.padEnd(COLUMN)}${body[0] ?? ''}` : `${head}\n${' '.repeat(COLUMN)}${body[0] ?? ''}`;
  return [first, ...body.slice(1).map((line) => `${' '.repeat(COLUMN)}${line}`)];
}

function optionEntry(option: AnyOptionDeclaration): string[] {
  const left = option.kind.placeholder ? `${option.flag} ${option.kind.placeholder}` : option.flag;
  const envs = [option.env, ...(option.envFallbacks ?? [])].join(', ');
  return entry(left, option.description, `[env ${envs}; default: ${option.defaultText}]`);
}

/**
 * The full help text.
 *
 * @example
 * process.stdout.write(renderHelp({ version: '0.1.0' }));
 */
export function renderHelp(options: { version: string }): string {
  const lines = [
    `strata ${options.version}: a self-hostable, Parse-compatible Backend-as-a-Service`,
    '',
    'Usage:',
    `${INDENT}strata [start] [options]   start the server (the default command)`,
    `${INDENT}strata types --out <file>  write TypeScript types for @strata/sdk from a running server's schema (a .graphql file: the GraphQL SDL)`,
    `${INDENT}  [--server-url <url>]      default: --public-server-url, else http://127.0.0.1:<port><mount-path>;`,
    `${INDENT}                            keys: --app-id/--master-key, else <data-dir>/keys.json`,
    `${INDENT}strata dashboard-user add <name> [--read-only] [--totp] [--apps id,...] [--password-stdin]`,
    `${INDENT}                            create or replace a dashboard user (asks for the password)`,
    `${INDENT}strata dashboard-user remove <name> | list`,
    `${INDENT}strata init-env [--out .env] write the .env of docker-compose.yml with fresh secrets (mode 0600)`,
    `${INDENT}  [--public-server-url <url>] [--http-port <port>] [--force]   --force overwrites an existing file;`,
    `${INDENT}                            --out - prints it (no Node on the host: docker run --rm <image> init-env --out -)`,
    `${INDENT}strata --help              show this help`,
    `${INDENT}strata --version           print the version`,
    '',
    'Precedence: defaults < config file < environment variables < flags.',
    'Booleans: --flag, --flag=false or --no-flag. Lists: comma-separated.',
    'Without --app-id/--master-key, keys are generated on first start and kept in <data-dir>/keys.json.',
    '',
    'Config file:',
    ...entry(
      `${CONFIG_FILE_OPTION.flag} ${CONFIG_FILE_OPTION.placeholder}`,
      CONFIG_FILE_OPTION.description,
      `[env ${CONFIG_FILE_OPTION.env}]`,
    ),
  ];
  for (const group of GROUP_ORDER) {
    lines.push('', `${group}:`);
    for (const option of OPTIONS.filter((o) => o.group === group)) lines.push(...optionEntry(option));
  }
  return `${lines.join('\n')}\n`;
}
