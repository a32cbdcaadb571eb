import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { startStsServer } from '../../../src/sts/index.js';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import {
  MOTO_CREDENTIALS,
  NAMESPACE,
  SERVICE_ACCOUNT,
  startStsFixture,
  trustPolicy,
  type StsFixture,
} from './support/fixture.js';
import { childNames, inner, postForm } from './support/xml.js';

// The wire protocol of the validating STS (aws-sts-oidc.md §1): what a raw HTTP client sees.

let f: StsFixture;
const logLines: string[] = [];
/** Added to the server's clock (not to the token minter's), to age sessions. */
let clockSkewMs = 0;

before(async () => {
  f = await startStsFixture({
    clock: () => new Date(Date.now() + clockSkewMs),
    logger: { info: (line) => logLines.push(line), warn: (line) => logLines.push(line) },
  });
});

after(async () => {
  await f.close();
});

function assumeParams(token: string, session = 'wire-test'): Record<string, string> {
  return {
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: f.roleArn,
    RoleSessionName: session,
    WebIdentityToken: token,
  };
}

test('form POST: success body has AWS element order, headers and AWS-shaped credentials', async () => {
  const res = await postForm(f.sts.url, assumeParams(await f.mint()));
  assert.equal(res.status, 200, res.body);
  assert.equal(res.headers.get('content-type'), 'text/xml');
  const requestId = res.headers.get('x-amzn-requestid');
  assert.match(requestId ?? '', /^[0-9a-f-]{36}$/);
  assert.match(
    res.body,
    /^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/,
  );
  // §1.3: Audience, AssumedRoleUser, Provider, Credentials, SubjectFromWebIdentityToken; no PackedPolicySize.
  assert.deepEqual(childNames(res.body, 'AssumeRoleWithWebIdentityResult'), [
    'Audience',
    'AssumedRoleUser',
    'Provider',
    'Credentials',
    'SubjectFromWebIdentityToken',
  ]);
  assert.deepEqual(childNames(res.body, 'AssumedRoleUser'), ['Arn', 'AssumedRoleId']);
  assert.deepEqual(childNames(res.body, 'Credentials'), [
    'AccessKeyId',
    'SecretAccessKey',
    'SessionToken',
    'Expiration',
  ]);
  assert.equal(inner(res.body, 'RequestId'), requestId);
  assert.equal(inner(res.body, 'Audience'), 'openshift');
  assert.equal(inner(res.body, 'Provider'), f.providerArn);
  assert.equal(
    inner(res.body, 'Arn'),
    `arn:aws:sts::123456789012:assumed-role/${f.roleArn.split('/').pop()!}/wire-test`,
  );
  assert.match(inner(res.body, 'AssumedRoleId') ?? '', /^AROA[A-Z0-9]+:wire-test$/);
  assert.equal(
    inner(res.body, 'SubjectFromWebIdentityToken'),
    'system:serviceaccount:openshift-image-registry:registry',
  );
  assert.match(inner(res.body, 'AccessKeyId') ?? '', /^ASIA[A-Z2-7]{16}$/);
  assert.equal(inner(res.body, 'SecretAccessKey')?.length, 40);
  assert.ok((inner(res.body, 'SessionToken')?.length ?? 0) > 300);
  const expiration = inner(res.body, 'Expiration') ?? '';
  assert.match(expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const lifetime = Date.parse(expiration) - Date.now();
  assert.ok(lifetime > 3590_000 && lifetime <= 3600_000, `default duration is 1 h, got ${lifetime} ms`);
});

test('form POST without a charset and GET with a query string are both answered', async () => {
  const token = await f.mint();
  const bare = await postForm(
    f.sts.url,
    assumeParams(token, 'no-charset'),
    'application/x-www-form-urlencoded',
  );
  assert.equal(bare.status, 200, bare.body);
  const query = new URLSearchParams({ ...assumeParams(token, 'via-get'), DurationSeconds: '900' });
  const res = await fetch(`${f.sts.url}/?${query.toString()}`);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  assert.match(inner(body, 'Arn') ?? '', /\/via-get$/);
  const lifetime = Date.parse(inner(body, 'Expiration') ?? '') - Date.now();
  assert.ok(lifetime > 890_000 && lifetime <= 900_000, `DurationSeconds=900 honoured, got ${lifetime}`);
});

test('a signed request (SigV4 headers, session token) is answered like an unsigned one', async () => {
  // The operation is unsigned (§1.1), but some SDKs sign it anyway; AWS still answers.
  const res = await fetch(f.sts.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
      'x-amz-date': '20260101T000000Z',
      'x-amz-security-token': 'leftover-session-token',
    },
    body: new URLSearchParams(assumeParams(await f.mint(), 'signed')).toString(),
  });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  assert.match(inner(body, 'Arn') ?? '', /\/signed$/);
});

test('a session policy adds PackedPolicySize after SubjectFromWebIdentityToken', async () => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  });
  const res = await postForm(f.sts.url, {
    ...assumeParams(await f.mint(), 'with-policy'),
    Policy: policy,
    'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  });
  assert.equal(res.status, 200, res.body);
  const names = childNames(res.body, 'AssumeRoleWithWebIdentityResult');
  assert.deepEqual(names.slice(-2), ['SubjectFromWebIdentityToken', 'PackedPolicySize']);
  const size = Number(inner(res.body, 'PackedPolicySize'));
  assert.ok(size > 0 && size < 100, `a percentage, got ${size}`);
});

test('a refused token gets the Query error envelope with RequestId beside Error', async () => {
  const token = await f.mint({ serviceAccount: 'someone-else' });
  const res = await postForm(f.sts.url, assumeParams(token));
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('content-type'), 'text/xml');
  assert.match(res.body, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
  assert.deepEqual(childNames(res.body, 'ErrorResponse'), ['Error', 'RequestId']);
  assert.deepEqual(childNames(res.body, 'Error'), ['Type', 'Code', 'Message']);
  assert.equal(inner(res.body, 'Type'), 'Sender');
  assert.equal(inner(res.body, 'Code'), 'AccessDenied');
  assert.equal(inner(res.body, 'Message'), 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  assert.equal(inner(res.body, 'RequestId'), res.headers.get('x-amzn-requestid'));
});

test('a token from an issuer with no IAM provider gets the generic 2026 answer, as AWS gives today', async () => {
  const token = await f.mint({ issuer: 'https://unknown-oidc.example.com' });
  const res = await postForm(f.sts.url, assumeParams(token));
  assert.equal(res.status, 400);
  assert.equal(inner(res.body, 'Code'), 'InvalidIdentityToken');
  // aws-sts-2026.md §1; the pre-2026 text (`No OpenIDConnect provider found…`) is the model's
  // '2025-12' profile, covered in test/unit/webidentity/provider.test.ts.
  assert.equal(
    inner(res.body, 'Message'),
    'The web identity token provided could not be validated. See the AssumeRoleWithWebIdentity documentation for requirements.',
  );
});

test('other STS actions are forwarded to moto unchanged (signed SDK calls)', async () => {
  const before = f.sts.stats.forwarded;
  const sts = new STSClient({ endpoint: f.sts.url, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
  try {
    const session = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    // moto's answer, passed through (moto's GetSessionToken template uses AWS's example key id).
    assert.equal(session.Credentials?.AccessKeyId, 'AKIAIOSFODNN7EXAMPLE');
    // Credentials this server did not issue: moto answers with its default identity.
    const caller = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(caller.Arn, 'arn:aws:sts::123456789012:user/moto');
    assert.equal(f.sts.stats.forwarded, before + 2);
  } finally {
    sts.destroy();
  }
});

test('an unknown action without a forward endpoint is InvalidAction', async () => {
  const bare = await startStsServer({
    region: 'us-east-1',
    iam: { endpoint: f.moto.endpoint, credentials: MOTO_CREDENTIALS },
    issuer: { fetch: () => Promise.reject(new Error('no issuer in this test')) },
  });
  try {
    const res = await postForm(bare.url, { Action: 'GetSessionToken', Version: '2011-06-15' });
    assert.equal(res.status, 400);
    assert.equal(inner(res.body, 'Code'), 'InvalidAction');
  } finally {
    await bare.close();
  }
});

test('one log line per request, without token, secret or session token', async () => {
  logLines.length = 0;
  const token = await f.mint();
  const ok = await postForm(f.sts.url, assumeParams(token, 'logged'));
  const refused = await postForm(f.sts.url, assumeParams(await f.mint({ serviceAccount: 'x' })));
  assert.equal(ok.status, 200);
  assert.equal(refused.status, 403);
  assert.equal(logLines.length, 2, logLines.join('\n'));
  assert.match(
    logLines[0]!,
    /^sts AssumeRoleWithWebIdentity role=arn:aws:iam::123456789012:role\/\S+ outcome=OK ms=\d+\.\d$/,
  );
  assert.match(logLines[1]!, /outcome=AccessDenied\(trust\.[\w.-]+\) ms=/);
  const all = logLines.join('\n');
  const signature = token.split('.')[2]!;
  for (const secret of [
    signature,
    token.split('.')[1]!,
    inner(ok.body, 'SecretAccessKey')!,
    inner(ok.body, 'SessionToken')!,
  ]) {
    assert.ok(!all.includes(secret), 'a secret reached the log');
  }
});

test('GetCallerIdentity with an issued key but a wrong session token is InvalidClientTokenId', async () => {
  const res = await postForm(f.sts.url, assumeParams(await f.mint(), 'tampered'));
  const sts = new STSClient({
    endpoint: f.sts.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: {
      accessKeyId: inner(res.body, 'AccessKeyId')!,
      secretAccessKey: inner(res.body, 'SecretAccessKey')!,
      sessionToken: 'not-the-issued-token',
    },
  });
  try {
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), {
      name: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    });
  } finally {
    sts.destroy();
  }
});

test('AssumeRoleWithWebIdentity is never handed to moto unvalidated (other version, JSON shape)', async () => {
  const forwarded = f.sts.stats.forwarded;
  const token = await f.mint({ serviceAccount: 'intruder' });
  const otherVersion = await postForm(f.sts.url, {
    ...assumeParams(token),
    Version: '2099-01-01',
  });
  assert.equal(otherVersion.status, 400);
  assert.equal(inner(otherVersion.body, 'Code'), 'InvalidAction');
  const json = await fetch(f.sts.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AWSSecurityTokenServiceV20110615.AssumeRoleWithWebIdentity',
    },
    body: JSON.stringify({ RoleArn: f.roleArn, RoleSessionName: 'json', WebIdentityToken: token }),
  });
  assert.equal(json.status, 400);
  assert.equal(inner(await json.text(), 'Code'), 'InvalidAction');
  assert.equal(f.sts.stats.forwarded, forwarded, 'nothing reached moto');
});

test('IAM that cannot be read gives InternalFailure (500) and a warning naming the IAM call', async () => {
  const warnings: string[] = [];
  const unreadable = await startStsServer({
    region: 'us-east-1',
    // Nothing listens on port 1; the SDK's connection is refused.
    iam: { endpoint: 'http://127.0.0.1:1', credentials: MOTO_CREDENTIALS },
    issuer: { fetch: () => Promise.reject(new Error('not reached')) },
    logger: { info: () => undefined, warn: (line) => warnings.push(line) },
  });
  try {
    const res = await postForm(unreadable.url, assumeParams(await f.mint()));
    assert.equal(res.status, 500);
    assert.equal(inner(res.body, 'Type'), 'Receiver');
    assert.equal(inner(res.body, 'Code'), 'InternalFailure');
    assert.match(warnings.join('\n'), /IAM (GetRole|ListOpenIDConnectProviders) failed/);
  } finally {
    await unreadable.close();
  }
});

test('GetCallerIdentity with an issued session past its Expiration is ExpiredToken', async () => {
  const res = await postForm(f.sts.url, { ...assumeParams(await f.mint(), 'short'), DurationSeconds: '900' });
  assert.equal(res.status, 200, res.body);
  const sts = new STSClient({
    endpoint: f.sts.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: {
      accessKeyId: inner(res.body, 'AccessKeyId')!,
      secretAccessKey: inner(res.body, 'SecretAccessKey')!,
      sessionToken: inner(res.body, 'SessionToken')!,
    },
  });
  try {
    const caller = await sts.send(new GetCallerIdentityCommand({}));
    assert.match(caller.Arn ?? '', /assumed-role\/.+\/short$/);
    clockSkewMs = 901_000;
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), {
      name: 'ExpiredToken',
      message: 'The security token included in the request is expired',
    });
  } finally {
    clockSkewMs = 0;
    sts.destroy();
  }
});

test('a role with a path is found by its full ARN; the assumed-role ARN leaves the path out', async () => {
  const created = await f.iam.send(
    new CreateRoleCommand({
      RoleName: 'pathed-role',
      Path: '/openshift/cluster-a/',
      AssumeRolePolicyDocument: trustPolicy(
        f.providerHost,
        `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
      ),
    }),
  );
  const roleArn = created.Role!.Arn!;
  assert.equal(roleArn, 'arn:aws:iam::123456789012:role/openshift/cluster-a/pathed-role');
  const res = await postForm(f.sts.url, { ...assumeParams(await f.mint(), 'pathed'), RoleArn: roleArn });
  assert.equal(res.status, 200, res.body);
  // §1.3: "the role path is not included" in the assumed-role ARN.
  assert.equal(inner(res.body, 'Arn'), 'arn:aws:sts::123456789012:assumed-role/pathed-role/pathed');
  // The same name under a path IAM does not have names no role.
  const wrongPath = await postForm(f.sts.url, {
    ...assumeParams(await f.mint(), 'pathed'),
    RoleArn: 'arn:aws:iam::123456789012:role/other-path/pathed-role',
  });
  assert.equal(wrongPath.status, 403);
  assert.equal(inner(wrongPath.body, 'Code'), 'AccessDenied');
});
