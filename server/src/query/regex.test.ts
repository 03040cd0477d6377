import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RE2JS } from 're2js';
import { ParseError } from '../errors/index.js';
import { RegexCache, compileRegex, translateRegex as translateWithSize } from './regex.js';

function expectError(fn: () => unknown, code: number, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ParseError, `expected ParseError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

/** What the official JS SDK sends for startsWith/endsWith/contains (its `quote` helper's output). */
function sdkQuote(text: string): string {
  return '\\Q' + text.replace('\\E', '\\E\\\\E\\Q') + '\\E';
}

/** The translation without the program size, which most cases do not care about. */
function translateRegex(source: unknown, options: unknown): { pattern: string; flags: string } {
  const { pattern, flags } = translateWithSize(source, options);
  return { pattern, flags };
}

function test(source: string, options: string | undefined, subject: string): boolean {
  return compileRegex(translateRegex(source, options)).test(subject);
}

function expectRefused(source: string, construct: string): void {
  expectError(
    () => translateRegex(source, undefined),
    102,
    `$regex uses ${construct}, which the linear-time regex engine (RE2) cannot run: ${source}`,
  );
}

describe('translateRegex', () => {
  it('leaves plain patterns alone and orders flags', () => {
    assert.deepEqual(translateRegex('^ab+c$', undefined), { pattern: '^ab+c$', flags: '' });
    assert.deepEqual(translateRegex('a', 'usmi'), { pattern: 'a', flags: 'imsu' });
    assert.deepEqual(translateRegex('a', ''), { pattern: 'a', flags: '' });
    assert.deepEqual(translateRegex('\\d+\\.\\d', 'i'), { pattern: '\\d+\\.\\d', flags: 'i' });
  });

  it('expands \\Q…\\E quoting as SDK startsWith / endsWith / contains send it', () => {
    const text = 'a.b*c(d)[e]{2}|f^$+?\\g/h';
    assert.deepEqual(translateRegex('^' + sdkQuote(text), undefined), {
      pattern: '^a\\.b\\*c\\(d\\)\\[e\\]\\{2\\}\\|f\\^\\$\\+\\?\\\\g/h',
      flags: '',
    });
    assert.equal(test('^' + sdkQuote(text), undefined, text + 'tail'), true);
    assert.equal(test('^' + sdkQuote(text), undefined, 'x' + text), false);
    assert.equal(test(sdkQuote(text) + '$', undefined, 'head' + text), true);
    assert.equal(test(sdkQuote(text) + '$', undefined, text + 'x'), false);
    assert.equal(test(sdkQuote(text), undefined, 'in' + text + 'side'), true);
    assert.equal(test(sdkQuote('abc'), undefined, 'aXc'), false);
  });

  it('handles a literal \\E inside quoted text', () => {
    const text = 'x\\Ey';
    assert.equal(sdkQuote(text), '\\Qx\\E\\\\E\\Qy\\E');
    assert.deepEqual(translateRegex(sdkQuote(text), undefined), { pattern: 'x\\\\Ey', flags: '' });
    assert.equal(test('^' + sdkQuote(text) + '$', undefined, 'x\\Ey'), true);
  });

  it('quotes to the end when \\E is missing, and ignores a stray \\E', () => {
    assert.deepEqual(translateRegex('^\\Qa.b', undefined), { pattern: '^a\\.b', flags: '' });
    assert.deepEqual(translateRegex('a\\Eb', undefined), { pattern: 'ab', flags: '' });
    assert.deepEqual(translateRegex('\\Q\\E', undefined), { pattern: '', flags: '' });
  });

  it('works with the u flag (no identity escapes JavaScript would reject)', () => {
    assert.deepEqual(translateRegex(sdkQuote('a-b/c'), 'u'), { pattern: 'a-b/c', flags: 'u' });
    assert.equal(test('^' + sdkQuote('é.ü'), 'iu', 'É.Ü!'), true);
  });

  it('expands the x flag: whitespace and comments go, except escaped, in classes or quoted', () => {
    assert.deepEqual(translateRegex('^ a b # comment\n c $', 'x'), { pattern: '^abc$', flags: '' });
    assert.deepEqual(translateRegex('a\\ b\\#c', 'x'), { pattern: 'a b#c', flags: '' });
    assert.deepEqual(translateRegex('[ #] d', 'xi'), { pattern: '[ #]d', flags: 'i' });
    assert.deepEqual(translateRegex('\\Q a # b\\E c', 'x'), { pattern: ' a # bc', flags: '' });
    assert.deepEqual(translateRegex('a # only comment', 'x'), { pattern: 'a', flags: '' });
    assert.equal(test('^ h e l l o $', 'x', 'hello'), true);
  });

  it('treats a leading ] in a character class as a literal, as PCRE does', () => {
    assert.deepEqual(translateRegex('[]a]', undefined), { pattern: '[\\]a]', flags: '' });
    assert.deepEqual(translateRegex('[^]a]', undefined), { pattern: '[^\\]a]', flags: '' });
    assert.equal(test('^[]a]+$', undefined, ']a]'), true);
    assert.deepEqual(translateRegex('[\\Q]-\\E]', undefined), { pattern: '[\\]\\-]', flags: '' });
  });

  it('refuses bad $regex, $options and patterns RE2 cannot compile with 102', () => {
    expectError(() => translateRegex(5, undefined), 102, '$regex value must be a string');
    expectError(() => translateRegex({}, undefined), 102, '$regex value must be a string');
    expectError(() => translateRegex('a', 'g'), 102, 'Bad $options value for query: g');
    expectError(() => translateRegex('a', 'ix y'), 102, 'Bad $options value for query: ix y');
    expectError(() => translateRegex('a', 1), 102, 'Bad $options value for query: 1');
    expectError(
      () => translateRegex('(a', undefined),
      102,
      'Invalid $regex (error parsing regexp: missing closing ): `(a`): (a',
    );
    expectError(
      () => translateRegex('a\\', undefined),
      102,
      'Invalid $regex (error parsing regexp: trailing backslash at end of expression): a\\',
    );
    expectError(
      () => translateRegex('a{1001}', undefined),
      102,
      'Invalid $regex (error parsing regexp: invalid repeat count: `{1001}`): a{1001}',
    );
  });

  it('refuses what has no linear-time implementation, naming the construct', () => {
    expectRefused('(a)\\1', 'a backreference');
    expectRefused('(?<n>a)\\k<n>', 'a backreference');
    expectRefused('(?P<n>a)(?P=n)', 'a backreference');
    expectRefused('a(?=b)', 'a lookahead');
    expectRefused('a(?!b)', 'a lookahead');
    expectRefused('(?<=a)b', 'a lookbehind');
    expectRefused('(?<!a)b', 'a lookbehind');
    expectRefused('(?>a+)b', 'an atomic group');
    expectRefused('a++b', 'a possessive quantifier');
    expectRefused('a*+b', 'a possessive quantifier');
    expectRefused('a{2}+b', 'a possessive quantifier');
    expectRefused('(a|b(?R))', 'a recursive pattern');
    expectRefused('(?(1)a|b)', 'a conditional group');
    // Look-alikes that RE2 runs: escaped, inside a class, lazy quantifiers, named groups, inline flags.
    for (const source of ['\\(?=a\\)', '[(?=]', 'a+?b', 'x}+', '(?P<n>a)', '(?<n>a)', '(?i)A', '\\0']) {
      assert.doesNotThrow(() => translateRegex(source, undefined), source);
    }
  });

  it('matches catastrophic-backtracking patterns in linear time', () => {
    // On a backtracking engine each of these takes longer than the universe's age on 100 characters; the
    // test runner's timeout is what would catch a regression.
    const long = 'a'.repeat(5000) + '!';
    assert.equal(test('(a+)+$', undefined, long), false);
    assert.equal(test('(a|aa)+$', undefined, long), false);
    assert.equal(test('^(([a-z])+.)+[A-Z]([a-z])+$', undefined, long), false);
    assert.equal(test('(x+x+)+y', undefined, 'x'.repeat(5000)), false);
    assert.equal(test('(a+)+!', undefined, long), true);
  });

  it('maps i, m and s to RE2 and treats u as a no-op', () => {
    assert.equal(test('^abc$', 'i', 'ABC'), true);
    assert.equal(test('^b$', undefined, 'a\nb'), false);
    assert.equal(test('^b$', 'm', 'a\nb'), true);
    assert.equal(test('a.b', undefined, 'a\nb'), false);
    assert.equal(test('a.b', 's', 'a\nb'), true);
    assert.equal(test('^.$', 'u', '😀'), true);
  });

  it('reports the compiled program size, which grows with repeat counts, not with the text', () => {
    const small = translateWithSize('abc', undefined).size;
    const repeated = translateWithSize('(\\w|\\d){500}', undefined).size;
    assert.ok(small > 0 && small < 20, String(small));
    assert.ok(repeated > 100 * small, `${repeated} vs ${small}`);
  });

  it('answers literal patterns (what startsWith / endsWith / contains send) exactly as RE2 does', () => {
    const patterns = ['', '^', '$', '^$', 'abc', '^abc', 'abc$', '^abc$', 'a\\.b', 'a\\$', '\\^x', 'é😀', '^a b$'];
    const subjects = ['', 'abc', 'xabcx', 'a.b', 'aXb', 'abc\n', '\nabc', 'a$', '^x', 'ABC', 'é😀!', 'a b'];
    for (const pattern of [...patterns, translateRegex('^' + sdkQuote('a.b*c'), undefined).pattern]) {
      for (const flags of ['', 's', 'u']) {
        const fast = compileRegex({ pattern, flags });
        const re2 = RE2JS.compile(pattern, flags === 's' ? RE2JS.DOTALL : 0);
        for (const subject of subjects) {
          assert.equal(fast.test(subject), re2.test(subject), `/${pattern}/${flags} on ${JSON.stringify(subject)}`);
        }
      }
    }
    // Case-insensitive and multi-line patterns go to RE2 (its case folding is more than ASCII's).
    assert.equal(compileRegex({ pattern: '^k$', flags: 'i' }).test('\u212a'), true);
    assert.equal(compileRegex({ pattern: '^b$', flags: 'm' }).test('a\nb'), true);
  });

  it('caches compiled patterns and a bad pattern as null', () => {
    const cache = new RegexCache(2);
    const first = cache.get({ pattern: 'a+', flags: 'i' });
    assert.ok(first !== null && first.test('AA'));
    assert.equal(cache.get({ pattern: 'a+', flags: 'i' }), first);
    assert.equal(cache.get({ pattern: '(', flags: '' }), null);
    assert.notEqual(cache.get({ pattern: 'b', flags: '' }), null);
  });
});
