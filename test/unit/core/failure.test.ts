import { describe, expect, it } from 'vitest';
import { AnimateError, ChatError } from '../../../src/core/errors.js';
import { describeError, describeOxenFailure } from '../../../src/core/failure.js';

class CodedError extends AnimateError {
  public readonly retryable = false;
  public constructor(
    public readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

describe('describeOxenFailure', () => {
  it("GIVEN Oxen's error_message THEN it is shown and 🔁 is offered", () => {
    const f = describeOxenFailure('Image too small: 200x200');
    expect(f.reason).toContain('Image too small: 200x200');
    expect(f.retryable).toBe(true);
  });

  it('GIVEN insufficient credits THEN it tells the operator to add credits', () => {
    expect(describeOxenFailure('Insufficient credits').hint).toContain('operator');
  });

  it('GIVEN a content-policy refusal THEN it says the provider declined the request, not to retry as is', () => {
    const f = describeOxenFailure('Your request was flagged by our safety system');
    expect(f.reason).toContain('The provider declined this request');
    expect(f.retryable).toBe(false);
    expect(describeOxenFailure('Image too small: 200x200').reason).not.toContain('declined');
  });

  it('GIVEN an unreachable image THEN it says Oxen could not download it', () => {
    expect(describeOxenFailure('403 Client Error: Forbidden for url: x').reason).toContain('could not download');
  });
});

describe('describeError', () => {
  it('GIVEN a refused key THEN the operator is told to check OXEN_API_KEY', () => {
    expect(describeError(new CodedError('oxen_auth', 'unauthenticated')).hint).toContain('OXEN_API_KEY');
  });

  it('GIVEN credits refused at enqueue THEN it says the account is out of credits', () => {
    expect(describeError(new CodedError('oxen_insufficient_credits', 'x')).reason).toContain('out of credits');
  });

  it('GIVEN a missing chat permission THEN it names the permissions', () => {
    expect(describeError(new ChatError('forbidden', 'Missing Access')).hint).toContain('attach files');
  });

  it('GIVEN an unknown error THEN it gives no internals away', () => {
    const f = describeError(new Error('ECONNRESET at 10.0.0.1'));
    expect(f.reason).not.toContain('10.0.0.1');
  });
});
