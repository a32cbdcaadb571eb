import assert from 'node:assert/strict';
import { test } from 'node:test';
import { awsCall, awsFailure } from '../../../src/aws/errors.js';
import { StsctlError } from '../../../src/core/errors.js';

/** The one AWS error wrapper: by name, with request id and cause, usage vs failure. */

function sdkError(name: string, message: string, requestId?: string): Error {
  const e = new Error(message) as Error & { $metadata: { requestId?: string; httpStatusCode: number } };
  e.name = name;
  e.$metadata = { httpStatusCode: 400, ...(requestId === undefined ? {} : { requestId }) };
  return e;
}

test('awsFailure: code from the error name, what stsctl was doing, the request id and the cause kept', () => {
  const cause = sdkError('Throttling', 'Rate exceeded', 'req-1');
  const e = awsFailure('creating role demo-x', cause);
  assert.equal(e.code, 'AWS_FAILURE');
  assert.equal(e.awsErrorCode, 'Throttling');
  assert.equal(e.message, 'creating role demo-x: Throttling: Rate exceeded');
  assert.equal(e.requestId, 'req-1');
  assert.equal(e.cause, cause);
  assert.equal(e.kind, 'failure');
});

test('awsFailure: errors the user fixes (credentials, input, a taken name) are usage errors with a hint', () => {
  for (const name of [
    'InvalidClientTokenId',
    'ExpiredToken',
    'BucketAlreadyExists',
    'CredentialsProviderError',
  ]) {
    const e = awsFailure('x', sdkError(name, 'm'));
    assert.equal(e.kind, 'usage', name);
    assert.equal(e.code, name === 'BucketAlreadyExists' ? 'AWS_REJECTED' : 'AWS_CREDENTIALS', name);
    assert.equal(e.awsErrorCode, name);
    assert.ok(e.hint !== undefined && e.hint.length > 0, name);
  }
  assert.equal(awsFailure('x', sdkError('InternalFailure', 'm')).kind, 'failure');
  assert.equal(awsFailure('x', sdkError('AccessDenied', 'm')).kind, 'failure');
});

test('awsFailure: a StsctlError passes through; anything else is AWS_FAILURE', () => {
  const own = new StsctlError('DISTRIBUTION_DEPLOY_TIMEOUT', 'slow', { kind: 'failure' });
  assert.equal(awsFailure('waiting', own), own);
  const other = awsFailure('uploading keys.json', 'socket hang up');
  assert.equal(other.code, 'AWS_FAILURE');
  assert.equal(other.message, 'uploading keys.json: socket hang up');
});

test('awsCall: a listed "not found" name is data (undefined); other errors are wrapped', async () => {
  assert.equal(
    await awsCall('reading role r', () => Promise.reject(sdkError('NoSuchEntity', 'gone')), ['NoSuchEntity']),
    undefined,
  );
  await assert.rejects(
    awsCall('reading role r', () => Promise.reject(sdkError('ServiceFailure', 'boom')), ['NoSuchEntity']),
    (e: unknown) =>
      e instanceof StsctlError &&
      e.code === 'AWS_FAILURE' &&
      e.awsErrorCode === 'ServiceFailure' &&
      e.message.startsWith('reading role r:'),
  );
  assert.equal(await awsCall('x', () => Promise.resolve(42)), 42);
});
