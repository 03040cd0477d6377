import { RE2JS } from 're2js';
import { ErrorCode, ParseError } from '../errors/index.js';

/**
 * Parse's `$regex` / `$options` (PCRE flavoured, as MongoDB runs it) on one linear-time engine: RE2, through
 * `re2js` (a pure-JavaScript port of RE2). A backtracking engine on the event loop let one `(a+)+$` freeze
 * every request for seconds; RE2 matches in time proportional to pattern size × text length, whatever the
 * pattern. Everything that runs a regex in-process (SQLite's `regexp` function, the in-memory matcher,
 * LiveQuery through it) compiles it with `compileRegex`.
 *
 * `translateRegex` rewrites what RE2 lacks but Parse clients send, then compiles the result once so a pattern
 * RE2 cannot run is refused with 102 when the query is parsed, on every backend:
 * - `\Q…\E` quoting (every SDK's `startsWith` / `endsWith` / `contains`), also unterminated; a stray `\E`
 *   is ignored, as PCRE does;
 * - the `x` (extended) option: unescaped whitespace and `#` comments outside character classes are
 *   stripped, as MongoDB does, since RE2 has no such option;
 * - a `]` right after `[` or `[^` is a literal in PCRE and is escaped;
 * - `i`, `m`, `s` map to RE2's own flags; `u` is accepted and changes nothing (RE2 is always Unicode-aware).
 * Backreferences, lookaround, atomic groups, possessive quantifiers, recursion and conditionals have no
 * linear-time implementation: such a pattern answers 102 with a message naming the construct.
 */

export interface TranslatedRegex {
  /** RE2 syntax, which MongoDB's PCRE reads the same way. */
  readonly pattern: string;
  /** A subset of `imsu`, in that order. */
  readonly flags: string;
}

export interface CompiledRegex {
  test(text: string): boolean;
  /**
   * Instructions in the compiled program. Matching costs at most this much work per character of text, so
   * it is what a regex adds to a query's cost (limits.ts).
   */
  readonly size: number;
}

const ALLOWED_OPTIONS = /^[imxsu]*$/;
const SYNTAX_CHARACTERS = /[\\^$.*+?()[\]{}|]/g;
/** Inside a character class `-` is special too. */
const CLASS_SYNTAX_CHARACTERS = /[\\^$.*+?()[\]{}|-]/g;

export function translateRegex(source: unknown, options: unknown): TranslatedRegex & { readonly size: number } {
  if (typeof source !== 'string') {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: '$regex value must be a string' });
  }
  if (options !== undefined && (typeof options !== 'string' || !ALLOWED_OPTIONS.test(options))) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Bad $options value for query: ${String(options)}` });
  }
  const optionString = options ?? '';
  const flags =
    (optionString.includes('i') ? 'i' : '') +
    (optionString.includes('m') ? 'm' : '') +
    (optionString.includes('s') ? 's' : '') +
    (optionString.includes('u') ? 'u' : '');
  const pattern = translatePattern(source, optionString.includes('x'));
  const unsupported = unsupportedConstruct(pattern);
  if (unsupported !== undefined) {
    throw new ParseError(ErrorCode.INVALID_QUERY, {
      message: `$regex uses ${unsupported}, which the linear-time regex engine (RE2) cannot run: ${source}`,
    });
  }
  const { size } = compileRegex({ pattern, flags });
  return { pattern, flags, size };
}

/**
 * Compiles a translated pattern for RE2. A pattern RE2 refuses (bad syntax, a repeat count over 1000, a
 * program too large) answers 102 with RE2's reason.
 */
export function compileRegex(regex: TranslatedRegex): CompiledRegex {
  const { pattern, flags } = regex;
  // What the SDKs' startsWith / endsWith / contains send is a literal, maybe anchored: plain string tests give
  // RE2's answer without running an engine per row. (Not with `i`: RE2 folds more than ASCII case, e.g. K/K.)
  const literal = flags.includes('i') || flags.includes('m') ? undefined : literalOf(pattern);
  if (literal !== undefined) return literalTest(literal);
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(
      pattern,
      (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) |
        (flags.includes('m') ? RE2JS.MULTILINE : 0) |
        (flags.includes('s') ? RE2JS.DOTALL : 0),
    );
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Invalid $regex (${reason}): ${pattern}`, cause: err });
  }
  const size = Number(compiled.re2().numberOfInstructions());
  return { test: (text) => compiled.test(text), size };
}

interface Literal {
  readonly text: string;
  /** Anchored by `^` / `$` (without `m`: the start / end of the text). */
  readonly start: boolean;
  readonly end: boolean;
}

const PUNCTUATION = /^[!-/:-@[-`{-~]$/;
const META = '^$.|?*+()[]{}';

/** The literal a pattern matches when it is one (`^a\.b`, `x$`, `abc`), else `undefined`. */
function literalOf(pattern: string): Literal | undefined {
  const start = pattern.startsWith('^');
  let end = false;
  let text = '';
  for (let i = start ? 1 : 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '$' && i === pattern.length - 1) {
      end = true;
    } else if (ch === '\\') {
      // Only an escaped punctuation character is itself; `\d`, `\n`, `\x41`... are left to RE2.
      const next = pattern.charAt(i + 1);
      if (!PUNCTUATION.test(next)) return undefined;
      text += next;
      i += 1;
    } else if (META.includes(ch)) {
      return undefined;
    } else {
      text += ch;
    }
  }
  return { text, start, end };
}

function literalTest(literal: Literal): CompiledRegex {
  const { text, start, end } = literal;
  // About what RE2 compiles a literal to: one instruction per character, plus the anchors and the match.
  const size = text.length + 3;
  if (start && end) return { test: (value) => value === text, size };
  if (start) return { test: (value) => value.startsWith(text), size };
  if (end) return { test: (value) => value.endsWith(text), size };
  return { test: (value) => value.includes(text), size };
}

/**
 * A bounded cache of compiled regexes keyed by flags and pattern, for callers that see the same pattern on
 * every row (SQLite's `regexp`). A pattern that does not compile is cached as `null`. Each compiled regex
 * may keep up to a few MB of DFA states, so the cache stays small and is dropped whole when full.
 */
export class RegexCache {
  private readonly entries = new Map<string, CompiledRegex | null>();

  constructor(private readonly maxEntries: number) {}

  get(regex: TranslatedRegex): CompiledRegex | null {
    const key = `${regex.flags}/${regex.pattern}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      try {
        entry = compileRegex(regex);
      } catch {
        entry = null;
      }
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, entry);
    }
    return entry;
  }
}

/**
 * The first construct RE2 cannot run, named for the error message; `undefined` when there is none. RE2
 * would refuse these too, but with a bare syntax error; a client deserves to know why.
 */
function unsupportedConstruct(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '\\') {
      const next = pattern.charAt(i + 1);
      if (!inClass && /[1-9]/.test(next)) return 'a backreference';
      if (!inClass && (next === 'k' || next === 'g')) return 'a backreference';
      i += 1;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      // `[]…]` and `[^]…]`: the `]` is a literal (translatePattern escaped it already).
      if (pattern.charAt(i + 1) === '^') i += 1;
      continue;
    }
    if (ch === '(' && pattern.charAt(i + 1) === '?') {
      const rest = pattern.slice(i + 2, i + 5);
      if (rest.startsWith('=') || rest.startsWith('!')) return 'a lookahead';
      if (rest.startsWith('<=') || rest.startsWith('<!')) return 'a lookbehind';
      if (rest.startsWith('>')) return 'an atomic group';
      if (rest.startsWith('P=')) return 'a backreference';
      if (rest.startsWith('(')) return 'a conditional group';
      if (/^(R|[+-]?\d|&|P>)/.test(rest)) return 'a recursive pattern';
      continue;
    }
    const quantifier =
      ch === '*' || ch === '+' || ch === '?' || (ch === '}' && /\{\d+(,\d*)?$/.test(pattern.slice(0, i)));
    if (quantifier && pattern.charAt(i + 1) === '+') {
      // `a++`, `a*+`, `a?+`, `a{2}+`: possessive. (`a+?` is a lazy quantifier, which RE2 runs.)
      return 'a possessive quantifier';
    }
  }
  return undefined;
}

function escapeLiteral(text: string, inClass: boolean): string {
  return text.replace(inClass ? CLASS_SYNTAX_CHARACTERS : SYNTAX_CHARACTERS, '\\$&');
}

function isPcreWhitespace(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code === 32 || (code >= 9 && code <= 13);
}

function translatePattern(source: string, extended: boolean): string {
  // The common case (plain patterns) needs no rewriting at all.
  if (!extended && !source.includes('\\') && !source.includes('[')) return source;
  let out = '';
  let inClass = false;
  let classBodyStart = -1;
  let i = 0;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === '\\') {
      if (i + 1 >= source.length) {
        out += ch;
        i += 1;
        continue;
      }
      const next = source.charAt(i + 1);
      if (next === 'Q') {
        const end = source.indexOf('\\E', i + 2);
        const stop = end === -1 ? source.length : end;
        out += escapeLiteral(source.slice(i + 2, stop), inClass);
        i = end === -1 ? source.length : end + 2;
      } else if (next === 'E') {
        i += 2;
      } else if (extended && !inClass && (isPcreWhitespace(next) || next === '#')) {
        // An escaped space or `#` stays literal under `x`.
        out += next === '#' ? '#' : escapeWhitespace(next);
        i += 2;
      } else {
        out += ch + next;
        i += 2;
      }
      continue;
    }
    if (inClass) {
      if (ch === ']') {
        if (i === classBodyStart) out += '\\]';
        else {
          out += ch;
          inClass = false;
        }
      } else out += ch;
      i += 1;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      i += 1;
      if (source.charAt(i) === '^') {
        out += '^';
        i += 1;
      }
      classBodyStart = i;
      continue;
    }
    if (extended && isPcreWhitespace(ch)) {
      i += 1;
      continue;
    }
    if (extended && ch === '#') {
      const newline = source.indexOf('\n', i);
      i = newline === -1 ? source.length : newline + 1;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}

/** RE2 has escapes for the control whitespace characters; a plain space needs none. */
function escapeWhitespace(ch: string): string {
  switch (ch) {
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\v':
      return '\\x0B';
    case '\f':
      return '\\f';
    case '\r':
      return '\\r';
    default:
      return ch;
  }
}
