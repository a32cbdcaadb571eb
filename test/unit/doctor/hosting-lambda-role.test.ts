import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { issuerFunctionPolicy } from '../../../src/core/issuer-function-role.js';
import { checkFunctionUrlHosting } from '../../../src/doctor/checks/hosting-lambda.js';
import { Memo } from '../../../src/doctor/context.js';
import type {
  BucketObservation,
  FunctionUrlObservation,
  IdentityObserver,
  RolePoliciesObservation,
} from '../../../src/doctor/ports.js';
import type { CheckResult, Finding } from '../../../src/doctor/report.js';
import type { HttpObservation } from '../../../src/webidentity/types.js';

/**
 * The Lambda hosting check reads the execution role's policies and the bucket, and decides the
 * function's read of the two documents with the shared evaluators: fakes of the AWS port, no AWS.
 */

const HOST = 'abc123.lambda-url.eu-west-1.on.aws';
const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/demo-oidc`;
const KEYS = ['.well-known/openid-configuration', 'keys.json'];

const fn: FunctionUrlObservation = {
  functionName: 'demo-oidc',
  functionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:demo-oidc`,
  functionUrl: `https://${HOST}/`,
  authType: 'NONE',
  policy: undefined,
  publicInvoke: true,
  invokeStatements: [],
  roleArn: ROLE_ARN,
  environment: { ISSUER_BUCKET: 'demo-oidc' },
};

const stsctlPolicy = JSON.stringify(
  issuerFunctionPolicy('aws', 'eu-west-1', ACCOUNT, 'demo-oidc', 'demo-oidc'),
);

function bucket(policy?: object): BucketObservation {
  return {
    exists: true,
    policy: policy === undefined ? undefined : JSON.stringify(policy),
    publicAccessBlock: {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    },
    objectKeys: KEYS,
    objectKeysTruncated: false,
  };
}

function http(status: number): HttpObservation {
  return {
    url: `https://${HOST}/`,
    ok: true,
    status,
    headers: {},
    body: '',
    latencyMs: 1,
    tls: {} as never,
  };
}

async function check(o: {
  readonly policies: RolePoliciesObservation | undefined;
  readonly bucket?: BucketObservation;
  readonly fn?: FunctionUrlObservation;
  readonly status?: number;
}): Promise<{ result: CheckResult; findings: Finding[]; reads: string[] }> {
  const reads: string[] = [];
  const unused = (): never => {
    throw new Error('not read by this check');
  };
  const aws: IdentityObserver = {
    listOidcProviders: unused,
    getRole: unused,
    getAccountPublicAccessBlock: unused,
    findDistribution: unused,
    assumeRoleWithWebIdentity: unused,
    destroy: () => undefined,
    findFunctionUrl: (host) => Promise.resolve(host === HOST ? (o.fn ?? fn) : undefined),
    getRolePolicies: (arn) => {
      reads.push(`policies ${arn}`);
      return Promise.resolve(o.policies);
    },
    getBucket: (name, keys) => {
      reads.push(`bucket ${name} ${(keys ?? []).join(',')}`);
      return Promise.resolve(o.bucket ?? bucket());
    },
  };
  const status = o.status ?? 502;
  const result = await checkFunctionUrlHosting({
    host: HOST,
    aws,
    memo: new Memo(),
    vars: {},
    fetched: { discovery: http(status), jwks: http(status) },
  });
  return { result, findings: result.outcome.status === 'fail' ? [...result.outcome.findings] : [], reads };
}

describe("the Lambda hosting check: the execution role's read of the bucket", () => {
  it('no policy: the role finding first, naming "no Allow", with the put-role-policy fix filled in', async () => {
    const { findings, reads } = await check({ policies: { inline: [], attached: [] } });
    assert.deepEqual(
      findings.map((f) => f.code),
      ['FUNCTION_ROLE_CANNOT_READ_BUCKET', 'FUNCTION_URL_FUNCTION_ERROR'],
    );
    assert.deepEqual(reads, [`policies ${ROLE_ARN}`, `bucket demo-oidc ${KEYS.join(',')}`]);
    const [role, symptom] = findings;
    assert.match(role?.detail ?? '', /no Allow: no statement of the policies of demo-oidc \(it has none\)/);
    assert.match(
      symptom?.detail ?? '',
      /answered 502: demo-oidc failed \(its role .* may not read the documents/,
    );
    const step = role?.remedy?.steps[0];
    assert.deepEqual(step?.argv, [
      'aws',
      'iam',
      'put-role-policy',
      '--role-name',
      'demo-oidc',
      '--policy-name',
      'demo-oidc',
      '--policy-document',
      'file://demo-oidc-role-policy.json',
    ]);
    // The document stsctl writes, for the function's region (its URL's) and the role's account.
    const file = step.files?.[0];
    assert.ok(file !== undefined);
    assert.deepEqual(JSON.parse(file.content), JSON.parse(stsctlPolicy));
    assert.equal(file.name, 'demo-oidc-role-policy.json');
  });

  it('an attached managed policy that allows counts: healthy, and the pass says so', async () => {
    const managed = {
      name: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      document: JSON.stringify({
        Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }],
      }),
    };
    const { result } = await check({ policies: { inline: [], attached: [managed] }, status: 200 });
    assert.equal(result.outcome.status, 'pass');
    assert.match(JSON.stringify(result.outcome), /its role may read both documents/);
  });

  it('the role may read but the URL fails: the 5xx says the failure is elsewhere, no role finding', async () => {
    const { findings } = await check({
      policies: { inline: [{ name: 'demo-oidc', document: stsctlPolicy }], attached: [] },
    });
    assert.deepEqual(
      findings.map((f) => f.code),
      ['FUNCTION_URL_FUNCTION_ERROR'],
    );
    assert.match(
      findings[0]?.detail ?? '',
      /may read both documents in demo-oidc, so the failure is elsewhere/,
    );
  });

  it('a bucket policy Deny is named as the rule, and no role-policy fix is claimed', async () => {
    const deny = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NoRole',
          Effect: 'Deny',
          Principal: { AWS: ROLE_ARN },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::demo-oidc/*',
        },
      ],
    };
    const { findings } = await check({
      policies: { inline: [{ name: 'demo-oidc', document: stsctlPolicy }], attached: [] },
      bucket: bucket(deny),
    });
    const role = findings[0];
    assert.equal(role?.code, 'FUNCTION_ROLE_CANNOT_READ_BUCKET');
    assert.match(role.detail, /keys\.json: the bucket policy: .*explicitly denies/);
    assert.equal(role.remedy, undefined);
  });

  it('an explicit Deny in an inline policy of stsctl’s name is undone by the fix; one elsewhere is not', async () => {
    const deny = JSON.stringify({ Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] });
    const own = await check({ policies: { inline: [{ name: 'demo-oidc', document: deny }], attached: [] } });
    assert.match(
      own.findings[0]?.detail ?? '',
      /an explicit Deny: statement 0 of policy demo-oidc explicitly denies it/,
    );
    assert.notEqual(own.findings[0]?.remedy, undefined);
    const managed = await check({
      policies: { inline: [], attached: [{ name: `arn:aws:iam::${ACCOUNT}:policy/no-s3`, document: deny }] },
    });
    assert.match(
      managed.findings[0]?.detail ?? '',
      /policy arn:aws:iam::123456789012:policy\/no-s3 explicitly denies/,
    );
    assert.equal(managed.findings[0]?.remedy, undefined);
  });

  it('the URL served both documents although the policies as read deny: no error is claimed', async () => {
    const { result } = await check({ policies: { inline: [], attached: [] }, status: 200 });
    assert.equal(result.outcome.status, 'pass');
    assert.match(
      JSON.stringify(result.outcome),
      /role access not judged \(its role's policies as read deny the read, yet the URL served both documents\)/,
    );
  });

  it('behind auth type AWS_IAM the function never runs: the role is not read', async () => {
    const { findings, reads } = await check({
      policies: { inline: [], attached: [] },
      fn: { ...fn, authType: 'AWS_IAM', publicInvoke: false },
      status: 403,
    });
    assert.deepEqual(
      findings.map((f) => f.code),
      ['FUNCTION_URL_AUTH_NOT_NONE'],
    );
    assert.deepEqual(reads, []);
  });

  it('a role that does not exist is not judged, and the 5xx finding says why', async () => {
    const { findings } = await check({ policies: undefined });
    assert.deepEqual(
      findings.map((f) => f.code),
      ['FUNCTION_URL_FUNCTION_ERROR'],
    );
    assert.match(
      findings[0]?.detail ?? '',
      /not judged: its role arn:aws:iam::123456789012:role\/demo-oidc does not exist/,
    );
  });
});

describe('the Lambda hosting check: a document missing from the bucket', () => {
  it('the 5xx names the missing key, not the role', async () => {
    const { findings } = await check({
      policies: { inline: [{ name: 'demo-oidc', document: stsctlPolicy }], attached: [] },
      bucket: { ...bucket(), objectKeys: ['.well-known/openid-configuration'] } as BucketObservation,
    });
    assert.deepEqual(
      findings.map((f) => f.code),
      ['FUNCTION_URL_FUNCTION_ERROR'],
    );
    assert.match(
      findings[0]?.detail ?? '',
      /not judged: keys\.json not in demo-oidc: the function's read of it fails/,
    );
  });
});
