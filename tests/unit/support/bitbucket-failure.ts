import { expect } from 'vitest';
import { BitbucketError } from '../../../lib/bitbucket/errors';

/**
 * The BitbucketError `promise` fails with. Also checks that `token` is in none of what the error
 * carries: its sentence, the server's messages, its serialised form, its cause.
 */
export async function expectFailure(promise: Promise<unknown>, token: string): Promise<BitbucketError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BitbucketError);
    const e = error as BitbucketError;
    expect(e.message).not.toContain(token);
    expect(e.serverMessages.join(' ')).not.toContain(token);
    expect(JSON.stringify(e.toJSON())).not.toContain(token);
    expect(String(e.cause ?? '')).not.toContain(token);
    return e;
  }
  throw new Error('expected a BitbucketError, but the promise resolved');
}
