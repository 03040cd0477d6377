/**
 * A Dockerfile read as data, for checking `deploy/Dockerfile` without a Docker engine: its stages and their
 * instructions (continuation lines joined, comments dropped), the arguments of COPY, and `.dockerignore`'s
 * patterns as Docker applies them (last match wins, `!` re-includes, `**` spans directories).
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ENV, ... */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  readonly args: string;
}

export interface Stage {
  /** The `AS` name, or the stage's index when it has none. */
  readonly name: string;
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // Comments (and parser directives) end nothing: a comment inside a continued instruction is skipped.
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const whole = `${pending}${line}`.trim();
    pending = '';
    if (whole !== '') logical.push(whole);
  }
  const stages: { name: string; base: string; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const space = line.search(/\s/);
    const keyword = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const args = space === -1 ? '' : line.slice(space + 1).trim();
    if (keyword === 'ARG' && stages.length === 0) continue;
    if (keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (match === null) throw new Error(`cannot read FROM ${args}`);
      stages.push({ name: match[2] ?? String(stages.length), base: match[1] ?? '', instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) throw new Error(`${keyword} before the first FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

export interface Copy {
  /** The stage it copies from, or undefined for the build context. */
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly destination: string;
}

export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY')
    .map((instruction) => {
      const words = instruction.args.split(/\s+/);
      let from: string | undefined;
      const paths: string[] = [];
      for (const word of words) {
        if (word.startsWith('--from=')) from = word.slice('--from='.length);
        else if (!word.startsWith('--')) paths.push(word);
      }
      const destination = paths.pop();
      if (destination === undefined || paths.length === 0) throw new Error(`cannot read COPY ${instruction.args}`);
      return { from, sources: paths, destination };
    });
}

/** The JSON-array form of CMD, ENTRYPOINT or `HEALTHCHECK ... CMD [...]`. */
export function execForm(args: string): string[] {
  const start = args.indexOf('[');
  if (start === -1) throw new Error(`not in exec form: ${args}`);
  return JSON.parse(args.slice(start)) as string[];
}

/** `ENV A=1 B=2` instructions of a stage, merged in order. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions) {
    if (instruction.keyword !== 'ENV') continue;
    for (const pair of instruction.args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*' && pattern[i + 1] === '*' && pattern[i + 2] === '/') {
      source += '(?:.*/)?';
      i += 2;
    } else if (char === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern that names a directory excludes everything under it.
  return new RegExp(`^${source}(?:/.*)?$`);
}

/** Whether `.dockerignore` keeps `path` (relative to the context, no leading `./`) out of the context. */
export function dockerIgnores(dockerignore: string, path: string): boolean {
  let ignored = false;
  for (const raw of dockerignore.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/^\.?\//, '');
    if (globToRegExp(pattern).test(path)) ignored = !negated;
  }
  return ignored;
}
