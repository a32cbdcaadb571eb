import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  allowsPublicUrlInvoke,
  functionPackage,
  functionUrlIssuer,
  invokeStatements,
  issuerFunctionPolicy,
} from '../../../src/aws/issuer-function.js';
import { findChange, plan } from '../../../src/aws/plan.js';
import { zipStored } from '../../../src/aws/zip.js';
import { lambdaDesired, lambdaObserved } from './plan-fixtures.js';
import { evaluateIdentityPolicies } from '../../../src/core/identity-policy.js';

/** The evaluator's effect for unnamed documents (the function role's view, as the sandbox reads it). */
const identityDecision = (docs: readonly string[], action: string, resource: string): string =>
  evaluateIdentityPolicies(
    docs.map((document, i) => ({ name: `p${i}`, document })),
    action,
    resource,
  ).effect;

describe('zipStored', () => {
  it('writes the same bytes for the same files, with a valid local header, CRC and end record', () => {
    const data = Buffer.from('export const handler = 1;\n');
    const a = zipStored([{ name: 'index.mjs', data }]);
    assert.deepEqual(a, zipStored([{ name: 'index.mjs', data }]));
    assert.equal(a.readUInt32LE(0), 0x04034b50);
    assert.equal(a.readUInt32LE(14), crc32(data) >>> 0);
    assert.equal(a.readUInt32LE(18), data.length);
    assert.equal(a.subarray(30, 39).toString(), 'index.mjs');
    assert.equal(a.subarray(39, 39 + data.length).toString(), data.toString());
    const end = a.subarray(a.length - 22);
    assert.equal(end.readUInt32LE(0), 0x06054b50);
    assert.equal(end.readUInt16LE(10), 1);
    assert.equal(a.readUInt32LE(end.readUInt32LE(16)), 0x02014b50);
  });

  it("Lambda's CodeSha256 of the package changes when the source does", () => {
    assert.notEqual(functionPackage(Buffer.from('a')).sha256, functionPackage(Buffer.from('b')).sha256);
    assert.match(functionPackage(Buffer.from('a')).sha256, /^[A-Za-z0-9+/]{43}=$/);
  });
});

describe('function URL resource policy', () => {
  const lambdaForm = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FunctionURLAllowPublicAccess',
        Effect: 'Allow',
        Principal: '*',
        Action: 'lambda:InvokeFunctionUrl',
        Resource: 'arn:aws:lambda:us-east-1:1:function:f',
        Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
      },
      {
        Sid: 'FunctionURLInvokeAllowPublicAccess',
        Effect: 'Allow',
        Principal: '*',
        Action: 'lambda:InvokeFunction',
        Resource: 'arn:aws:lambda:us-east-1:1:function:f',
        Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
      },
    ],
  });
  const motoForm = JSON.stringify({
    Statement: [
      {
        Sid: 'a',
        Effect: 'Allow',
        Principal: '*',
        Action: 'lambda:InvokeFunctionUrl',
        FunctionUrlAuthType: 'NONE',
      },
      {
        Sid: 'b',
        Effect: 'Allow',
        Principal: '*',
        Action: 'lambda:InvokeFunction',
        InvokedViaFunctionUrl: true,
      },
    ],
  });

  it("reads Lambda's condition form and moto's field form alike", () => {
    const [l1, l2] = invokeStatements(lambdaForm);
    const [m1, m2] = invokeStatements(motoForm);
    assert.equal(l1?.functionUrlAuthType, 'NONE');
    assert.equal(m1?.functionUrlAuthType, 'NONE');
    assert.equal(l2?.invokedViaFunctionUrl, 'true');
    assert.equal(m2?.invokedViaFunctionUrl, 'true');
  });

  it('opens the URL only with auth NONE and both statements (urls-auth.html, since October 2025)', () => {
    assert.equal(allowsPublicUrlInvoke('NONE', lambdaForm), true);
    assert.equal(allowsPublicUrlInvoke('AWS_IAM', lambdaForm), false);
    const onlyUrl = JSON.stringify({
      Statement: [(JSON.parse(lambdaForm) as { Statement: unknown[] }).Statement[0]],
    });
    assert.equal(allowsPublicUrlInvoke('NONE', onlyUrl), false);
    assert.equal(allowsPublicUrlInvoke('NONE', undefined), false);
  });

  it('the issuer drops the trailing slash Lambda returns', () => {
    assert.equal(
      functionUrlIssuer('https://abc123.lambda-url.eu-west-1.on.aws/'),
      'https://abc123.lambda-url.eu-west-1.on.aws',
    );
  });
});

describe("the function role's identity view", () => {
  const policy = JSON.stringify(issuerFunctionPolicy('aws', 'us-east-1', '123456789012', 'c-oidc', 'c-oidc'));
  it('allows GetObject on exactly the two documents', () => {
    assert.equal(identityDecision([policy], 's3:GetObject', 'arn:aws:s3:::c-oidc/keys.json'), 'allow');
    assert.equal(
      identityDecision([policy], 's3:GetObject', 'arn:aws:s3:::c-oidc/.well-known/openid-configuration'),
      'allow',
    );
    assert.equal(identityDecision([policy], 's3:GetObject', 'arn:aws:s3:::c-oidc/other'), 'none');
    assert.equal(identityDecision([policy], 's3:PutObject', 'arn:aws:s3:::c-oidc/keys.json'), 'none');
  });
  it('an explicit Deny wins', () => {
    const deny = JSON.stringify({ Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] });
    assert.equal(identityDecision([policy, deny], 's3:GetObject', 'arn:aws:s3:::c-oidc/keys.json'), 'deny');
  });
});

describe('planning --hosting lambda', () => {
  const code = functionPackage(Buffer.from('export const handler = 1;'));
  const desired = lambdaDesired(code);
  const observed = lambdaObserved;

  it('a first plan creates the function family, no bucket policy, and knows the issuer only after apply', () => {
    const p = plan(desired, observed());
    assert.equal(p.issuer, undefined);
    assert.deepEqual(
      p.changes.map((c) => `${c.kind}:${c.action}`),
      [
        'bucket:create',
        'public-access-block:create',
        'function-role:create',
        'function:create',
        'function-url:create',
        'function-permission:create',
        'function-permission:create',
        'discovery-document:create',
        'jwks:create',
        'oidc-provider:create',
      ],
    );
  });

  it('shows code, auth type and CORS drift by attribute, and the issuer from the URL', () => {
    const p = plan(
      desired,
      observed({
        role: undefined,
        function: {
          arn: 'arn:aws:lambda:us-east-1:123456789012:function:c-oidc',
          role: 'arn:aws:iam::123456789012:role/c-oidc',
          runtime: 'nodejs22.x',
          handler: 'index.handler',
          codeSha256: 'other',
          environment: { ISSUER_BUCKET: 'c-oidc' },
          tags: desired.tags,
        },
        url: {
          url: 'https://u1.lambda-url.us-east-1.on.aws/',
          authType: 'AWS_IAM',
          allowMethods: ['GET', 'POST'],
          allowOrigins: ['*'],
        },
        policy: undefined,
      }),
    );
    assert.equal(p.issuer, 'https://u1.lambda-url.us-east-1.on.aws');
    assert.deepEqual(
      findChange(p, 'function')?.fields.map((f) => f.attribute),
      ['code'],
    );
    assert.deepEqual(
      findChange(p, 'function-url')?.fields.map((f) => f.attribute),
      ['authType', 'cors'],
    );
  });
});
