import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { webIdentityContext } from '../../../src/webidentity/context-keys.js';
import { readSessionClaims } from '../../../src/webidentity/session-claims.js';
import { evaluateTrustPolicy } from '../../../src/webidentity/trust-policy.js';
import { awsStep, cliFetchesValue, isConcrete, shellQuote, stepShellLines } from '../../../src/doctor/fix.js';
import { thumbprintExplanation, thumbprintToPin } from '../../../src/doctor/checks/provider.js';
import { hostingFix, identityFix, jwksFix, tokenSideFix } from '../../../src/doctor/fixes.js';
import {
  editTrustPolicy,
  explainTrustDenial,
  retargetTrustPolicy,
  trustPolicySubjects,
} from '../../../src/doctor/trust-edit.js';

const run = promisify(execFile);
const HP = 'demo-oidc.s3.us-east-1.amazonaws.com';
const ARN = `arn:aws:iam::123456789012:oidc-provider/${HP}`;

function ctx(sub: string, aud = 'openshift', hp = HP, arn = ARN) {
  const claims = { iss: `https://${hp}`, sub, aud: [aud] };
  return webIdentityContext({
    providerHostPath: hp,
    providerArn: arn,
    claims,
    audience: aud,
    roleSessionName: 's',
    session: readSessionClaims(claims),
  });
}

function policy(statements: unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const allowFor = (subs: string[], op = 'StringEquals', key = 'sub') => ({
  Effect: 'Allow',
  Principal: { Federated: ARN },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: { [op]: { [`${HP}:${key}`]: subs } },
});

function edit(doc: string, sub: string, aud = 'openshift') {
  return editTrustPolicy(doc, {
    providerArn: ARN,
    providerHostPath: HP,
    subject: sub,
    audience: aud,
    context: ctx(sub, aud),
  });
}

test('shell quoting: bare when safe, single quotes otherwise, a quote survives sh', async () => {
  assert.equal(shellQuote('arn:aws:iam::123456789012:role/x'), 'arn:aws:iam::123456789012:role/x');
  assert.equal(shellQuote('a b'), "'a b'");
  const tricky = `it's $(rm -rf /) "x" \`y\``;
  const { stdout } = await run('sh', ['-c', `printf %s ${shellQuote(tricky)}`]);
  assert.equal(stdout, tricky);
});

test('a step with a file renders as a here-document then the command, and sh reproduces the file', async () => {
  const content = '{\n  "a": "EOF"\n}\n';
  const step = awsStep(
    'x',
    ['iam', 'update-assume-role-policy', '--policy-document', 'file://p.json'],
    [{ name: 'p.json', content }],
  );
  const lines = stepShellLines(step);
  assert.equal(lines.at(-1), 'aws iam update-assume-role-policy --policy-document file://p.json');
  const dir = await mkdtemp(join(tmpdir(), 'fix-'));
  try {
    await run('sh', ['-c', lines.slice(0, -1).join('\n')], { cwd: dir });
    assert.equal(await readFile(join(dir, 'p.json'), 'utf8'), content);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('trust edit adds the missing subject and keeps the other subjects and statements', () => {
  const other = {
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::123456789012:root' },
    Action: 'sts:AssumeRole',
  };
  const doc = policy([allowFor(['system:serviceaccount:team:a', 'system:serviceaccount:team:b']), other]);
  const sub = 'system:serviceaccount:team:c';
  assert.notEqual(evaluateTrustPolicy(doc, ctx(sub)).decision, 'allow');
  const e = edit(doc, sub);
  assert.equal(e.allows, true);
  assert.equal(evaluateTrustPolicy(e.document, ctx(sub)).decision, 'allow');
  assert.equal(evaluateTrustPolicy(e.document, ctx('system:serviceaccount:team:a')).decision, 'allow');
  const parsed = JSON.parse(e.document) as { Statement: unknown[] };
  assert.deepEqual(parsed.Statement[1], other);
  assert.match(e.changes.join(), /added system:serviceaccount:team:c to StringEquals/);
});

test('trust edit switches a pattern under StringEquals to StringLike, and explains why it failed', () => {
  const doc = policy([allowFor(['system:serviceaccount:team:*'])]);
  const sub = 'system:serviceaccount:team:worker';
  const why = explainTrustDenial(doc, ctx(sub));
  assert.match(why.join('\n'), /StringEquals compares literally.*use StringLike/);
  assert.match(
    why.join('\n'),
    /policy \["system:serviceaccount:team:\*"\], token \["system:serviceaccount:team:worker"\]/,
  );
  const e = edit(doc, sub);
  assert.equal(e.allows, true);
  const c = (JSON.parse(e.document) as { Statement: { Condition: Record<string, unknown> }[] }).Statement[0]
    ?.Condition;
  assert.deepEqual(c, { StringLike: { [`${HP}:sub`]: 'system:serviceaccount:team:*' } });
});

test('trust edit moves a subject written under :aud to :sub, and the explanation calls it out', () => {
  const doc = policy([allowFor(['system:serviceaccount:team:a'], 'StringEquals', 'aud')]);
  const sub = 'system:serviceaccount:team:a';
  assert.match(explainTrustDenial(doc, ctx(sub)).join('\n'), /subject under the :aud key/);
  const e = edit(doc, sub);
  assert.equal(e.allows, true);
  assert.deepEqual(trustPolicySubjects(e.document), [sub]);
});

test('trust edit renames a condition key written with the provider ARN to its URL, values and operator kept', () => {
  const sub = 'system:serviceaccount:karpenter:karpenter';
  const doc = policy([
    {
      Effect: 'Allow',
      Principal: { Federated: ARN },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { [`${ARN}:sub`]: sub }, StringEquals: { [`${HP}:aud`]: 'openshift' } },
    },
  ]);
  const r = edit(doc, sub);
  assert.equal(r.allows, true, r.unresolved.join('; '));
  assert.deepEqual(
    (JSON.parse(r.document) as { Statement: { Condition: unknown }[] }).Statement[0]?.Condition,
    {
      StringLike: { [`${HP}:sub`]: sub },
      StringEquals: { [`${HP}:aud`]: 'openshift' },
    },
  );
  assert.match(r.changes.join('\n'), /renamed the condition key/);
});

test('the explanation of a principal mismatch names the expected and the actual ARN and account', () => {
  const wrong = `arn:aws:iam::999999999999:oidc-provider/${HP}`;
  const doc = policy([{ ...allowFor(['system:serviceaccount:team:a']), Principal: { Federated: wrong } }]);
  const why = explainTrustDenial(doc, ctx('system:serviceaccount:team:a')).join('\n');
  assert.match(why, new RegExp(`${wrong.replaceAll('/', '\\/')} \\(account 999999999999\\)`));
  assert.match(why, /\(account 123456789012\)/);
});

test('GitHub Actions and GitLab subjects are edited in with their own formats', () => {
  for (const sub of ['repo:octo/app:pull_request', 'project_path:group/proj:ref_type:branch:ref:main']) {
    const e = edit(policy([allowFor(['repo:octo/app:ref:refs/heads/main'])]), sub, 'sts.amazonaws.com');
    assert.equal(e.allows, true, e.unresolved.join());
    assert.ok(trustPolicySubjects(e.document).includes('repo:octo/app:ref:refs/heads/main'));
    assert.doesNotMatch(e.document, /system:serviceaccount/);
  }
});

test('property: editing never removes an existing subject, and lets the token in unless a Deny applies', () => {
  const subject = fc.stringMatching(/^system:serviceaccount:[a-z]{1,5}:[a-z*]{1,5}$/);
  const op = fc.constantFrom('StringEquals', 'StringLike');
  const key = fc.constantFrom('sub', 'aud');
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.array(subject, { minLength: 1, maxLength: 3 }), op, key), {
        minLength: 0,
        maxLength: 3,
      }),
      subject.filter((s) => !s.includes('*')),
      (statements, sub) => {
        const doc = policy(statements.map(([subs, o, k]) => allowFor(subs, o, k)));
        const before = statements.flatMap(([subs]) => subs);
        const e = edit(doc, sub);
        const after = [
          ...trustPolicySubjects(e.document),
          ...(JSON.stringify(JSON.parse(e.document)).match(/system:serviceaccount:[a-z]+:[a-z*]+/g) ?? []),
        ];
        for (const s of before) assert.ok(after.includes(s), `${s} lost: ${e.document}`);
        assert.equal(e.allows, true, `${e.document} ${e.unresolved.join()}`);
        assert.equal(evaluateTrustPolicy(e.document, ctx(sub)).decision, 'allow');
      },
    ),
    { numRuns: 300 },
  );
});

test('retargeting a trust policy moves principal and condition keys to the new provider only', () => {
  const otherArn = 'arn:aws:iam::123456789012:oidc-provider/other.example';
  const doc = policy([
    allowFor(['system:serviceaccount:team:a']),
    { ...allowFor([]), Principal: { Federated: otherArn } },
  ]);
  const newHp = `${HP}/`;
  const out = retargetTrustPolicy(doc, { arn: ARN, hostPath: HP }, { arn: `${ARN}/`, hostPath: newHp });
  assert.ok(out !== undefined);
  const st = (
    JSON.parse(out) as {
      Statement: { Principal: { Federated: string }; Condition: Record<string, Record<string, unknown>> }[];
    }
  ).Statement;
  assert.equal(st[0]?.Principal.Federated, `${ARN}/`);
  assert.deepEqual(Object.keys(st[0].Condition.StringEquals as object), [`${newHp}:sub`]);
  assert.equal(st[1]?.Principal.Federated, otherArn);
  assert.equal(
    retargetTrustPolicy(
      doc,
      { arn: 'arn:aws:iam::1:oidc-provider/x', hostPath: 'x' },
      { arn: ARN, hostPath: HP },
    ),
    undefined,
  );
});

const role = (doc: string, name = 'app-role') => ({
  arn: `arn:aws:iam::123456789012:role/${name}`,
  roleName: name,
  roleId: 'AROA',
  assumeRolePolicyDocument: doc,
  maxSessionDuration: 3600,
});

test('identity fixes are concrete: every value filled from the observation', () => {
  const claims = { iss: `https://${HP}`, sub: 'system:serviceaccount:team:c', aud: ['openshift'] };
  const provider = { arn: ARN, url: HP, clientIds: ['sts.amazonaws.com'], thumbprints: [] };
  const base = {
    partition: 'aws',
    accountId: '123456789012',
    claims,
    audience: 'openshift',
    sessionName: 's',
    role: role(policy([allowFor(['system:serviceaccount:team:a'])])),
    provider,
    providers: [provider],
    roles: [],
  };
  const trust = identityFix('TRUST_POLICY_DENIES', base);
  assert.ok(trust !== undefined && isConcrete(trust));
  assert.deepEqual(trust.steps[0]?.argv, [
    'aws',
    'iam',
    'update-assume-role-policy',
    '--role-name',
    'app-role',
    '--policy-document',
    'file://app-role-trust-policy.json',
  ]);
  const aud = identityFix('AUDIENCE_NOT_ALLOWED', base);
  assert.deepEqual(aud?.steps[0]?.argv, [
    'aws',
    'iam',
    'add-client-id-to-open-id-connect-provider',
    '--open-id-connect-provider-arn',
    ARN,
    '--client-id',
    'openshift',
  ]);
  // The trust policy's subject is fixed in the same go (the next thing STS checks).
  assert.equal(aud.steps.length, 2);
});

test('a URL-valued client ID travels in --cli-input-json, which aws CLI v1 does not fetch', () => {
  const gitlab = 'https://gitlab.corp.example.com';
  const claims = {
    iss: `https://${HP}`,
    sub: 'project_path:infra/deploy:ref_type:branch:ref:main',
    aud: gitlab,
  };
  const provider = { arn: ARN, url: HP, clientIds: ['sts.amazonaws.com'], thumbprints: [] };
  const base = {
    partition: 'aws',
    accountId: '123456789012',
    claims,
    audience: gitlab,
    sessionName: 's',
    role: undefined,
    provider,
    providers: [provider],
    roles: [],
  };
  assert.equal(cliFetchesValue(gitlab), true);
  assert.equal(cliFetchesValue('sts.amazonaws.com'), false);
  const aud = identityFix('AUDIENCE_NOT_ALLOWED', base);
  const step = aud?.steps[0];
  assert.ok(step !== undefined);
  assert.ok(!step.argv.some(cliFetchesValue), step.argv.join(' '));
  assert.deepEqual(step.argv.slice(0, 4), [
    'aws',
    'iam',
    'add-client-id-to-open-id-connect-provider',
    '--cli-input-json',
  ]);
  assert.deepEqual(JSON.parse(step.files?.[0]?.content ?? '{}'), {
    OpenIDConnectProviderArn: ARN,
    ClientID: gitlab,
  });
  assert.equal(step.argv[4], `file://${step.files?.[0]?.name ?? ''}`);
  const created = identityFix('PROVIDER_MISSING', { ...base, provider: undefined, providers: [] });
  const create = created?.steps[0];
  assert.ok(create !== undefined);
  assert.ok(!create.argv.some(cliFetchesValue), create.argv.join(' '));
  assert.deepEqual(JSON.parse(create.files?.[0]?.content ?? '{}'), {
    Url: `https://${HP}`,
    ClientIDList: [gitlab],
  });
});

test('a provider fix for a trailing-slash provider creates the exact one and moves every role trusting the old', () => {
  const oldHp = `${HP}/`;
  const oldArn = `${ARN}/`;
  const old = {
    arn: oldArn,
    url: oldHp,
    clientIds: ['openshift', 'sts.amazonaws.com'],
    thumbprints: ['a'.repeat(40)],
  };
  const trusting = (n: string) =>
    role(
      policy([
        {
          ...allowFor([`system:serviceaccount:team:${n}`]),
          Principal: { Federated: oldArn },
          Condition: { StringEquals: { [`${oldHp}:sub`]: `system:serviceaccount:team:${n}` } },
        },
      ]),
      n,
    );
  const unrelated = role(
    policy([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]),
    'ec2',
  );
  const fix = identityFix('PROVIDER_URL_CASE_OR_SLASH', {
    partition: 'aws',
    accountId: '123456789012',
    claims: { iss: `https://${HP}`, sub: 'system:serviceaccount:team:a', aud: ['openshift'] },
    audience: 'openshift',
    sessionName: 's',
    role: trusting('a'),
    provider: undefined,
    providers: [old],
    roles: [trusting('a'), trusting('b'), unrelated],
  });
  assert.ok(fix !== undefined && isConcrete(fix));
  assert.deepEqual(fix.steps[0]?.argv, [
    'aws',
    'iam',
    'create-open-id-connect-provider',
    '--url',
    `https://${HP}`,
    '--client-id-list',
    'openshift',
    'sts.amazonaws.com',
    '--thumbprint-list',
    'a'.repeat(40),
  ]);
  assert.deepEqual(
    fix.steps.slice(1).map((s) => s.argv[4]),
    ['a', 'b'],
  );
  for (const s of fix.steps.slice(1)) {
    const content = s.files?.[0]?.content ?? '';
    assert.match(content, new RegExp(`"${ARN.replaceAll('/', '\\/')}"`));
    assert.doesNotMatch(content, /amazonaws\.com\/"/);
  }
});

test("hosting fixes act in the bucket's real region, lift only the blocking settings and keep the policy", () => {
  const existing = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Keep',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:DeleteObject',
        Resource: 'arn:aws:s3:::b/*',
      },
    ],
  });
  const block = {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  };
  const fix = hostingFix('S3_BUCKET_PUBLIC_ACCESS_BLOCK', {
    partition: 'aws',
    bucket: 'b',
    region: 'eu-west-1',
    policy: existing,
    keys: ['.well-known/openid-configuration', 'keys.json'],
    bucketBlock: block,
    accountBlock: undefined,
    accountId: '123456789012',
  });
  assert.ok(fix !== undefined && isConcrete(fix));
  assert.deepEqual(
    fix.steps.map((s) => s.argv.slice(0, 3)),
    [
      ['aws', 's3api', 'put-public-access-block'],
      ['aws', 's3api', 'put-bucket-policy'],
    ],
  );
  for (const s of fix.steps) assert.deepEqual(s.argv.slice(-2), ['--region', 'eu-west-1']);
  assert.ok(
    fix.steps[0]?.argv.includes(
      'BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false',
    ),
  );
  const written = JSON.parse(fix.steps[1]?.files?.[0]?.content ?? '{}') as {
    Statement: { Sid: string; Resource: unknown }[];
  };
  assert.deepEqual(
    written.Statement.map((s) => s.Sid),
    ['Keep', 'IssuerDocumentsPublicRead'],
  );
  assert.deepEqual(written.Statement[1]?.Resource, [
    'arn:aws:s3:::b/.well-known/openid-configuration',
    'arn:aws:s3:::b/keys.json',
  ]);
});

test('a thumbprint fix pins the top CA of each served chain and says which certificate is pinned and which would be', () => {
  const cert = (subject: string, sha1: string) => ({
    subject,
    issuer: subject,
    sha1,
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2027-01-01T00:00:00Z',
  });
  const chain = [cert('CN=issuer.example', 'A'.repeat(40)), cert('CN=Private Root', 'B'.repeat(40))];
  const tls = { chain, trustedByCaLibrary: false };
  const provider = { arn: ARN, url: HP, clientIds: ['sts.amazonaws.com'], thumbprints: ['c'.repeat(40)] };
  const claims = { iss: `https://${HP}`, sub: 's', aud: 'sts.amazonaws.com' };
  const fix = identityFix('THUMBPRINT_MISMATCH', {
    partition: 'aws',
    accountId: '123456789012',
    claims,
    audience: 'sts.amazonaws.com',
    sessionName: 's',
    role: undefined,
    provider,
    providers: [provider],
    roles: [],
    tls: [tls, tls],
  });
  assert.deepEqual(fix?.steps[0]?.argv, [
    'aws',
    'iam',
    'update-open-id-connect-provider-thumbprint',
    '--open-id-connect-provider-arn',
    ARN,
    '--thumbprint-list',
    'B'.repeat(40),
  ]);
  const why = thumbprintExplanation(provider, tls);
  assert.match(why, /pins C{40} \(no certificate the issuer serves\)/);
  assert.match(why, /would pin CN=Private Root \(SHA-1 B{40}\)/);
  const trusted = thumbprintExplanation(
    { ...provider, thumbprints: ['B'.repeat(40)] },
    { ...tls, trustedByCaLibrary: true },
  );
  assert.match(trusted, /pins CN=Private Root \(SHA-1 B{40}\)/);
  assert.match(trusted, /would pin none/);
  assert.equal(thumbprintToPin({ ...tls, trustedByCaLibrary: true }), undefined);
});

test('token-side causes: no AWS step, and the summary says nothing in AWS is wrong and what to change', () => {
  const claims = {
    iss: 'https://gitlab.corp.example.com',
    sub: 'system:serviceaccount:team:app',
    exp: 1_700_000_000,
  };
  const expired = tokenSideFix('TOKEN_EXPIRED', { claims });
  assert.deepEqual(expired?.steps, []);
  assert.match(
    expired.summary,
    /^Nothing in AWS is wrong: .*expired at 2023-11-14T22:13:20\.000Z\. Re-read the token file/,
  );
  const noAud = tokenSideFix('TOKEN_MISSING_AUD', { claims, clientIds: ['sts.amazonaws.com'] });
  assert.match(noAud?.summary ?? '', /projected service-account token with audience sts\.amazonaws\.com/);
  const kid = tokenSideFix('TOKEN_KID_NOT_IN_JWKS', { claims, kid: 'k-1' });
  assert.match(
    kid?.summary ?? '',
    /key k-1, which the issuer at https:\/\/gitlab\.corp\.example\.com does not publish/,
  );
  assert.deepEqual(tokenSideFix('TOKEN_MALFORMED', { claims: undefined })?.steps, []);
  assert.equal(tokenSideFix('TRUST_POLICY_DENIES', { claims }), undefined);
});

test("a JWKS over 100 keys: the fix keeps the token's key, drops the rest past 100 and names them", () => {
  const keys = Array.from({ length: 102 }, (_, i) => ({ kty: 'EC', kid: `k${i}` }));
  const body = JSON.stringify({ keys });
  const s3 = jwksFix({
    jwksUri: 'https://demo-oidc.s3.us-west-2.amazonaws.com/keys.json',
    body,
    kid: 'k101',
  });
  const step = s3?.steps[0];
  assert.ok(step !== undefined);
  assert.deepEqual(step.argv, [
    'aws',
    's3api',
    'put-object',
    '--bucket',
    'demo-oidc',
    '--key',
    'keys.json',
    '--body',
    'demo-oidc-jwks.json',
    '--content-type',
    'application/json',
    '--region',
    'us-west-2',
  ]);
  const kept = (JSON.parse(step.files?.[0]?.content ?? '{}') as { keys: { kid: string }[] }).keys.map(
    (k) => k.kid,
  );
  assert.equal(kept.length, 100);
  assert.equal(kept[0], 'k101');
  assert.match(s3?.summary ?? '', /dropping 2: k99, k100$/);
  const other = jwksFix({ jwksUri: 'https://oidc.spire.example.org/keys', body, kid: 'k0' });
  assert.deepEqual(other?.steps, []);
  assert.match(other.summary, /issuer's operator must publish a JWKS of 100 keys keeping the token's key k0/);
  assert.equal(
    jwksFix({
      jwksUri: 'https://x.example/keys',
      body: JSON.stringify({ keys: keys.slice(0, 100) }),
      kid: 'k0',
    }),
    undefined,
  );
});
