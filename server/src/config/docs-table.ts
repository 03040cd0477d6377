import { ErrorCode, ParseError } from '../errors/index.js';
import type { AnyOptionDeclaration } from './options.js';
import { CONFIG_FILE_OPTION, OPTIONS } from './options.js';

/**
 * The README's configuration table, generated from the option declarations, and the helper that splices it
 * between the marker comments. `scripts/gen-readme-config.js` writes it; a test fails when it is stale.
 */
export const README_TABLE_START =
  '<!-- config-table:start (generated from server/src/config/options.ts by scripts/gen-readme-config.js) -->';
export const README_TABLE_END = '<!-- config-table:end -->';

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function code(text: string): string {
  return `\`${text}\``;
}

function row(option: AnyOptionDeclaration): string {
  const flag = option.kind.placeholder ? `${option.flag} ${option.kind.placeholder}` : option.flag;
  const envs = [option.env, ...(option.envFallbacks ?? [])].map(code).join(', ');
  return `| ${cell(code(flag))} | ${envs} | ${code(option.key)} | ${cell(option.defaultText)} | ${cell(option.description)} |`;
}

/** The markdown table (no markers). */
export function renderOptionsTable(): string {
  const config = `| ${code(`${CONFIG_FILE_OPTION.flag} ${CONFIG_FILE_OPTION.placeholder}`)} | ${code(CONFIG_FILE_OPTION.env)} | | none | ${cell(CONFIG_FILE_OPTION.description)} |`;
  return [
    '| flag | env | config file key | default | description |',
    '|---|---|---|---|---|',
    config,
    ...OPTIONS.map(row),
  ].join('\n');
}

/**
 * Returns `readme` with the text between the markers replaced by the current table. Throws when the markers
 * are missing, so a README without them is noticed rather than silently left alone.
 */
export function spliceOptionsTable(readme: string): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new ParseError(ErrorCode.INVALID_VALUE, {
      message: `README is missing the markers ${README_TABLE_START} ... ${README_TABLE_END}`,
    });
  }
  return `${readme.slice(0, start + README_TABLE_START.length)}\n\n${renderOptionsTable()}\n\n${readme.slice(end)}`;
}
