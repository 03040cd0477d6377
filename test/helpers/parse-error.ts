/**
 * Asserts that an SDK call fails with a given Parse error code, and returns the error so the caller can
 * check its message too.
 */
import assert from 'node:assert/strict';

export interface ParseErrorLike {
  code: number;
  /** '' when the error has none (aggregate errors). */
  message: string;
  /** The error object itself, for extra properties such as an aggregate error's `errors`. */
  raw: object;
}

function isParseErrorLike(value: unknown): value is { code: number } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'number';
}

export async function expectParseError(promise: Promise<unknown>, code: number): Promise<ParseErrorLike> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (err) {
    assert.ok(isParseErrorLike(err), `expected a Parse.Error, got ${String(err)}`);
    // Aggregate errors (600) carry no message.
    const message = 'message' in err && typeof err.message === 'string' ? err.message : '';
    assert.equal(err.code, code, `expected code ${code}, got ${err.code} (${message})`);
    return { code: err.code, message, raw: err };
  }
  assert.fail(`expected Parse error ${code}, but the call succeeded with ${JSON.stringify(outcome)}`);
}
