import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressEvent, progressLevel, progressText } from '../../../src/core/progress.js';
import { RecordingReporter } from '../../../src/core/reporter.js';

/** Progress events: data with a stable code; the words derived from them in one place. */

test('RecordingReporter records events as data, and their text on demand', async () => {
  const r = new RecordingReporter();
  r.emit('role.created', { roleName: 'demo-ns-x', arn: 'arn:aws:iam::123456789012:role/demo-ns-x' });
  const out = await r.task('distribution.deploying', { id: 'E1' }, () => Promise.resolve('done'));
  assert.equal(out, 'done');
  assert.deepEqual(r.events, [
    {
      code: 'role.created',
      data: { roleName: 'demo-ns-x', arn: 'arn:aws:iam::123456789012:role/demo-ns-x' },
    },
    { code: 'distribution.deploying', data: { id: 'E1' } },
  ]);
  assert.deepEqual(r.dataOf('role.created'), [
    { roleName: 'demo-ns-x', arn: 'arn:aws:iam::123456789012:role/demo-ns-x' },
  ]);
  assert.deepEqual(r.messages, [
    { level: 'info', message: 'Role demo-ns-x created' },
    { level: 'debug', message: 'Waiting for CloudFront distribution E1 to deploy' },
  ]);
});

test("progressText keeps ccoctl's wording where ccoctl has one", () => {
  assert.equal(
    progressText(progressEvent('oidc-provider.created', { arn: 'arn:aws:iam::1:oidc-provider/x' })),
    'Identity Provider created with ARN: arn:aws:iam::1:oidc-provider/x',
  );
  assert.equal(
    progressText(progressEvent('issuer.url', { issuer: 'https://x-oidc.s3.us-east-1.amazonaws.com' })),
    'Issuer URL (serviceAccountIssuer) is https://x-oidc.s3.us-east-1.amazonaws.com',
  );
  assert.equal(
    progressText(
      progressEvent('jwks.uploaded', { bucket: 'x-oidc', key: 'keys.json', notes: ['adds kid k2'] }),
    ),
    'JSON web key set (JWKS) in the S3 bucket x-oidc at keys.json updated (adds kid k2)',
  );
});

test('progressLevel: warnings and debug details by event, skipped documents by their own level', () => {
  assert.equal(
    progressLevel(progressEvent('thumbprint.unavailable', { issuer: 'https://x', problem: 'timeout' })),
    'warn',
  );
  assert.equal(
    progressLevel(progressEvent('file.written', { action: 'created', path: '/o/a.yaml', mode: 0o600 })),
    'debug',
  );
  const skipped = (level: 'warning' | 'info' | 'debug') =>
    progressEvent('credentials-request.skipped', {
      file: 'cr.yaml',
      document: 2,
      item: undefined,
      level,
      message: 'm',
    });
  assert.equal(progressLevel(skipped('warning')), 'warn');
  assert.equal(progressText(skipped('warning')), 'm (cr.yaml document 2)');
  assert.equal(progressLevel(skipped('debug')), 'debug');
  assert.equal(progressText(skipped('debug')), 'cr.yaml document 2: m');
});
