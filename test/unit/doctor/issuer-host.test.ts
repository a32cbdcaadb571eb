import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyIssuerHost, sameS3Bucket } from '../../../src/doctor/issuer-host.js';

// Host forms from aws-sts-oidc.md §7 and docs/sandbox.md "Host forms the edge serves".
test('S3 issuer host forms, including GovCloud, China, FIPS, dash and path style', () => {
  const cases: [string, unknown][] = [
    [
      'https://x-oidc.s3.us-east-1.amazonaws.com',
      { kind: 's3', style: 'virtual', bucket: 'x-oidc', region: 'us-east-1', dnsSuffix: 'amazonaws.com' },
    ],
    [
      'https://x-oidc.s3.cn-north-1.amazonaws.com.cn',
      { kind: 's3', style: 'virtual', bucket: 'x-oidc', region: 'cn-north-1', dnsSuffix: 'amazonaws.com.cn' },
    ],
    [
      'https://x-oidc.s3.us-gov-west-1.amazonaws.com',
      { kind: 's3', style: 'virtual', bucket: 'x-oidc', region: 'us-gov-west-1', dnsSuffix: 'amazonaws.com' },
    ],
    [
      'https://x-oidc.s3-fips.us-gov-west-1.amazonaws.com',
      {
        kind: 's3',
        style: 'virtual-fips',
        bucket: 'x-oidc',
        region: 'us-gov-west-1',
        dnsSuffix: 'amazonaws.com',
      },
    ],
    [
      'https://x-oidc.s3-us-west-2.amazonaws.com',
      { kind: 's3', style: 'dash', bucket: 'x-oidc', region: 'us-west-2', dnsSuffix: 'amazonaws.com' },
    ],
    [
      'https://x-oidc.s3.amazonaws.com',
      { kind: 's3', style: 'global', bucket: 'x-oidc', region: 'us-east-1', dnsSuffix: 'amazonaws.com' },
    ],
    [
      'https://s3.us-west-2.amazonaws.com/x-oidc',
      { kind: 's3', style: 'path', bucket: 'x-oidc', region: 'us-west-2', dnsSuffix: 'amazonaws.com' },
    ],
    [
      'https://s3-us-gov-west-1.amazonaws.com/x-oidc',
      { kind: 's3', style: 'path', bucket: 'x-oidc', region: 'us-gov-west-1', dnsSuffix: 'amazonaws.com' },
    ],
    [
      'https://s3.amazonaws.com/x-oidc',
      { kind: 's3', style: 'path', bucket: 'x-oidc', region: 'us-east-1', dnsSuffix: 'amazonaws.com' },
    ],
    ['https://d111111abcdef8.cloudfront.net', { kind: 'cloudfront', host: 'd111111abcdef8.cloudfront.net' }],
    ['https://oidc.example.com/cluster', { kind: 'other', host: 'oidc.example.com' }],
  ];
  for (const [url, expected] of cases) assert.deepEqual(classifyIssuerHost(url), expected, url);
  assert.equal(classifyIssuerHost('not a url'), undefined);
});

test('the same bucket in two forms is recognised', () => {
  assert.ok(
    sameS3Bucket('https://s3.us-east-1.amazonaws.com/x-oidc', 'https://x-oidc.s3.us-east-1.amazonaws.com'),
  );
  assert.ok(
    !sameS3Bucket('https://y-oidc.s3.us-east-1.amazonaws.com', 'https://x-oidc.s3.us-east-1.amazonaws.com'),
  );
});
