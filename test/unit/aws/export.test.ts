import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan, type Plan } from '../../../src/aws/plan.js';
import {
  canonicalJson,
  checkReviewedPlan,
  exportSubject,
  parseReviewedPlan,
  planHash,
  renderAwsCliScript,
  renderCloudFormation,
  withObservedDigests,
} from '../../../src/aws/export/index.js';
import { hereDocument, shellWord } from '../../../src/aws/export/shell.js';
import { isStsctlError } from '../../../src/core/errors.js';
import { ACCOUNT, CLOUDFRONT, ROLE_NAME, desired, empty, inSync } from './plan-fixtures.js';

const OPTIONS = { planHash: `sha256:${'ab'.repeat(32)}`, version: '0.0.0-test' };

/** The plan JSON a reviewer holds (as `stsctl plan --output json` prints it). */
function planFile(p: Plan): string {
  return JSON.stringify({ schemaVersion: 1, command: 'plan', ...p });
}

function runSh(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'stsctl-sh-'));
  try {
    execFileSync('sh', ['-c', script], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', X: 'x-value' } });
    return readFileSync(join(dir, 'out'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('here-documents write documents byte for byte: $, backslashes, backticks and a missing final newline', () => {
  for (const content of ['{"a": "$X `id` \\\\ \\"q\\""}', 'line\n', 'STSCTL_EOF\nafter', 'no newline']) {
    assert.equal(runSh(hereDocument('out', content)), content, content);
  }
});

test('placeholders in documents and words become shell variables; nothing else is expanded', () => {
  const doc = '{"Principal": "@@STSCTL_PROVIDER_ARN@@", "Literal": "${X} $X"}';
  assert.equal(
    runSh(`PROVIDER_ARN='arn:p'\n${hereDocument('out', doc)}`),
    '{"Principal": "arn:p", "Literal": "${X} $X"}',
  );
  assert.equal(
    runSh(`ISSUER_HOST=h.example; printf %s ${shellWord("it's @@STSCTL_ISSUER_HOST@@/x")} > out`),
    "it's h.example/x",
  );
});

test('the aws-cli script holds exactly the pending changes, in plan order, with the plan hash and account', () => {
  const d = desired();
  const o = inSync();
  const roles = new Map(o.roles);
  const r = roles.get(ROLE_NAME);
  assert.ok(r !== undefined);
  roles.set(ROLE_NAME, { ...r, trustPolicy: '{"Version":"2012-10-17","Statement":[]}' });
  const drifted = { ...o, roles };
  const p = plan(d, drifted);
  const script = renderAwsCliScript(exportSubject(d, drifted, p), p, OPTIONS);
  assert.match(script, /^#!\/bin\/sh\n/);
  assert.match(script, /\nset -eu\n/);
  assert.ok(script.includes(OPTIONS.planHash));
  assert.ok(script.includes(`Account ${ACCOUNT}, region us-east-1, cluster name "demo"`));
  // Only the drifted role's trust policy is rewritten: no create, no other put.
  const commands = script.split('\n').filter((l) => /^\s*(retry )?aws (iam|s3api|cloudfront) /.test(l));
  assert.deepEqual(
    commands.map((l) => l.trim().split(' ').slice(0, 3).join(' ')),
    ['aws iam update-assume-role-policy'],
  );
  assert.ok(!script.includes('PRIVATE KEY'));
});

test('an empty account gets creates in dependency order; a new CloudFront domain is captured in variables', () => {
  const d = desired({ hosting: CLOUDFRONT });
  const o = empty();
  const p = plan(d, o);
  const script = renderAwsCliScript(exportSubject(d, o, p), p, OPTIONS);
  const order = [
    'aws s3api create-bucket',
    'aws s3api put-public-access-block',
    'aws cloudfront create-origin-access-control',
    'aws cloudfront create-distribution-with-tags',
    'aws cloudfront wait distribution-deployed',
    'aws s3api put-bucket-policy',
    'aws iam create-open-id-connect-provider',
    'aws iam create-role',
    'aws iam put-role-policy',
  ].map((c) => script.indexOf(c));
  assert.ok(
    order.every((i, n) => i > 0 && (n === 0 || i > (order[n - 1] ?? 0))),
    order.join(','),
  );
  assert.match(
    script,
    /ISSUER_HOST=\$\(aws cloudfront get-distribution .* --query Distribution\.DomainName --output text\)/,
  );
  assert.match(script, /"AWS:SourceArn": "\$\{DISTRIBUTION_ARN\}"/);
  assert.ok(!script.includes('@@STSCTL_'), 'no placeholder is left in the script');
});

test('a kind the exporters have no renderer for is an error, never a silently incomplete export', () => {
  const d = desired();
  const o = empty();
  const p = plan(d, o);
  const odd = {
    ...p,
    changes: [...p.changes, { kind: 'message-queue', id: 'x', action: 'create', fields: [], notes: [] }],
  } as unknown as Plan;
  const s = exportSubject(d, o, p);
  for (const render of [renderAwsCliScript, renderCloudFormation])
    assert.throws(
      () => render(s, odd, OPTIONS),
      (e: unknown) =>
        isStsctlError(e) && e.code === 'EXPORT_UNKNOWN_KIND' && /"message-queue" \(x\)/.test(e.message),
    );
});

test('the template has the provider, roles and outputs; the issuer documents are upload commands in Metadata', () => {
  const d = desired();
  const o = empty();
  const p = plan(d, o);
  const t = renderCloudFormation(exportSubject(d, o, p), p, OPTIONS);
  for (const s of [
    'Type: "AWS::S3::Bucket"',
    'Type: "AWS::S3::BucketPolicy"',
    'Type: "AWS::IAM::OIDCProvider"',
    'Type: "AWS::IAM::Role"',
    'IssuerURL:',
    'ProviderArn:',
    'Stsctl::UploadIssuerDocuments:',
    "--key '.well-known/openid-configuration'",
  ])
    assert.ok(t.includes(s), s);
});

test('canonical JSON and the plan hash do not depend on key order', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } }),
    '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
  );
  assert.equal(planHash({ a: 1, b: 2 }), planHash({ b: 2, a: 1 }));
  assert.notEqual(planHash({ a: 1 }), planHash({ a: 2 }));
});

test('create-all --plan: an unchanged account passes; a hand-edited trust policy is refused naming the role', () => {
  const d = desired();
  const o = inSync();
  const reviewed = parseReviewedPlan(planFile(withObservedDigests(plan(d, o), o)), 'plan.json');
  checkReviewedPlan(reviewed, plan(d, o), o);
  const roles = new Map(o.roles);
  const r = roles.get(ROLE_NAME);
  assert.ok(r !== undefined);
  roles.set(ROLE_NAME, { ...r, trustPolicy: '{"Version":"2012-10-17","Statement":[]}' });
  const now = { ...o, roles };
  assert.throws(
    () => checkReviewedPlan(reviewed, plan(d, now), now),
    (e: unknown) =>
      isStsctlError(e) &&
      e.code === 'PLAN_STALE' &&
      e.kind === 'usage' &&
      e.message.includes(`role ${ROLE_NAME} was planned as unchanged, is now update (trustPolicy)`) &&
      !e.message.includes('bucket'),
  );
});

test('create-all --plan: a plan for another cluster or other roles is refused; a malformed file names the field', () => {
  const d = desired();
  const o = inSync();
  const reviewed = parseReviewedPlan(planFile(withObservedDigests(plan(d, o), o)), 'plan.json');
  assert.throws(
    () => checkReviewedPlan(reviewed, plan(desired({ roles: [] }), o), o),
    (e: unknown) => isStsctlError(e) && e.code === 'PLAN_MISMATCH' && e.message.includes(`role ${ROLE_NAME}`),
  );
  assert.throws(
    () => checkReviewedPlan({ ...reviewed, accountId: '210987654321' }, plan(d, o), o),
    (e: unknown) => isStsctlError(e) && e.code === 'PLAN_MISMATCH' && /account 210987654321/.test(e.message),
  );
  assert.throws(
    () => parseReviewedPlan(planFile(plan(d, o)), 'old.json'),
    (e: unknown) =>
      isStsctlError(e) &&
      e.code === 'INVALID_PLAN_FILE' &&
      /old\.json: changes\[0\]\.observed/.test(e.message),
  );
  assert.throws(
    () => parseReviewedPlan('{"schemaVersion":1,"command":"create-all","changes":[]}', 'x.json'),
    (e: unknown) => isStsctlError(e) && e.code === 'INVALID_PLAN_FILE' && /x\.json: command/.test(e.message),
  );
});

test("the exported bucket policy is the hosting's: public read, the distribution on the two documents, or on every key of a fleet's bucket", () => {
  const resources = (s: { bucketPolicy: object }): unknown =>
    (s.bucketPolicy as { Statement: { Resource: unknown }[] }).Statement.map((st) => st.Resource);
  const principals = (s: { bucketPolicy: object }): unknown =>
    (s.bucketPolicy as { Statement: { Principal: unknown }[] }).Statement.map((st) => st.Principal);
  const pub = desired();
  const pubSubject = exportSubject(pub, empty(), plan(pub, empty()));
  assert.deepEqual(principals(pubSubject), ['*']);
  const cf = desired({ hosting: CLOUDFRONT });
  const cfSubject = exportSubject(cf, empty(), plan(cf, empty()));
  assert.deepEqual(principals(cfSubject), [{ Service: 'cloudfront.amazonaws.com' }]);
  assert.deepEqual(resources(cfSubject), [
    ['arn:aws:s3:::demo-oidc/.well-known/openid-configuration', 'arn:aws:s3:::demo-oidc/keys.json'],
  ]);
  // A fleet member's documents live under `<cluster>/`: the fleet's policy grants every key.
  const member = desired({ bucket: 'fleet-oidc', hosting: { kind: 'cloudfront', sharedIssuer: 'fleet' } });
  const memberSubject = exportSubject(member, empty(), plan(member, empty()));
  assert.deepEqual(resources(memberSubject), ['arn:aws:s3:::fleet-oidc/*']);
});
