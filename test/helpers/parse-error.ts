/**
 * Asserts that an SDK call fails with a given Parse error code, and returns the error so the caller can
 * check its message too.
 */
import assert from 'node:assert/strict';

export interface ParseErrorLike {
  code: number;
  message: string;
}

function isParseErrorLike(value: unknown): value is ParseErrorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    'code' in value &&
    typeof value.code === 'number' &&
    'message' in value &&
    typeof value.message === 'string'
  );
}

export async function expectParseError(promise: Promise<unknown>, code: number): Promise<ParseErrorLike> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (err) {
    assert.ok(isParseErrorLike(err), `expected a Parse.Error, got ${String(err)}`);
    assert.equal(err.code, code, `expected code ${code}, got ${err.code} (${err.message})`);
    return err;
  }
  assert.fail(`expected Parse error ${code}, but the call succeeded with ${JSON.stringify(outcome)}`);
}
