import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import { translateRegex } from './regex.js';

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

function test(source: string, options: string | undefined, subject: string): boolean {
  const { pattern, flags } = translateRegex(source, options);
  return new RegExp(pattern, flags).test(subject);
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

  it('refuses bad $regex, $options and patterns JavaScript cannot compile with 102', () => {
    expectError(() => translateRegex(5, undefined), 102, '$regex value must be a string');
    expectError(() => translateRegex({}, undefined), 102, '$regex value must be a string');
    expectError(() => translateRegex('a', 'g'), 102, 'Bad $options value for query: g');
    expectError(() => translateRegex('a', 'ix y'), 102, 'Bad $options value for query: ix y');
    expectError(() => translateRegex('a', 1), 102, 'Bad $options value for query: 1');
    expectError(() => translateRegex('(a', undefined), 102, 'Invalid regular expression: (a');
    expectError(() => translateRegex('(?i)a', undefined), 102, 'Invalid regular expression: (?i)a');
    expectError(() => translateRegex('a\\', undefined), 102, 'Invalid regular expression: a\\');
  });
});
