/** Assertions on the typed AWS errors engines and parsers throw (unit tests, no server). */
import assert from 'node:assert/strict';

/** fn throws an AwsError with this code and exactly this message (or one matching the pattern). */
export function throwsAws(fn: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    const err = e as Error;
    assert.equal(err.name, code, `error name (message: ${err.message})`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

/** fn throws a ValidationException with this message. */
export const throwsValidation = (fn: () => unknown, message: string | RegExp): void => throwsAws(fn, 'ValidationException', message);
