import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { CreateOpenIDConnectProviderCommand, UpdateRoleCommand } from '@aws-sdk/client-iam';
import { SignJWT, base64url } from 'jose';
import type { AwsClients } from '../../../src/aws/clients.js';
import { ensureRole, makeBucketPrivate } from '../../../src/aws/operations.js';
import {
  buildJwks,
  renderDiscoveryDocument,
  renderJwks,
  renderPolicy,
  trustPolicy,
  type PrivateKeyInfo,
} from '../../../src/core/index.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { oacBucketPolicy, oacIssuer } from '../../helpers/oac-issuer.js';
import {
  assume as sharedAssume,
  mint as sharedMint,
  NS,
  publicIssuer as sharedPublicIssuer,
  REGION,
  rsaKey,
  SA,
  xmlText,
  type Issuer,
  type StsAnswer,
} from '../../helpers/web-identity.js';

/**
 * Every fault of the sandbox issue, end to end: real SDK clients set things up through the gateway
 * (moto), a token is sent to the validating STS over HTTP, and the answer must be AWS's exact code,
 * HTTP status and message — and never credentials.
 */

const COULD_NOT_RETRIEVE =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

let sb: Sandbox;
let aws: AwsClients;
let key: PrivateKeyInfo;
let otherKey: PrivateKeyInfo;
const region = REGION;
const ns = NS;
const sa = SA;

/** A public-S3 issuer signed by this suite's key, with its provider and a role trusting team:app. */
const publicIssuer = (name: string, discovery?: string): Promise<Issuer> =>
  sharedPublicIssuer(aws, key, name, discovery === undefined ? {} : { discovery });

const mint = (
  issuer: string,
  options: Parameters<typeof sharedMint>[2] & { signer?: PrivateKeyInfo } = {},
): Promise<string> => sharedMint(options.signer ?? key, issuer, options);

const assume = (roleArn: string, token: string, extra: Record<string, string> = {}): Promise<StsAnswer> =>
  sharedAssume(sb, roleArn, token, { RoleSessionName: 'test-session', ...extra });

function expectError(answer: StsAnswer, status: number, code: string, message: string | RegExp): void {
  assert.equal(answer.status, status, answer.body);
  assert.equal(answer.code, code, answer.body);
  if (typeof message === 'string') assert.equal(answer.message, message);
  else assert.match(answer.message ?? '', message);
  assert.ok(!answer.body.includes('<Credentials>'), 'no credentials in an error');
  assert.match(answer.body, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
}

function expectCredentials(answer: StsAnswer): void {
  assert.equal(answer.status, 200, answer.body);
  assert.match(xmlText(answer.body, 'AccessKeyId') ?? '', /^ASIA[A-Z0-9]{16}$/);
}

let good: Issuer;

before(async () => {
  key = rsaKey();
  otherKey = rsaKey();
  sb = await startSandbox({ region, fetchBudgetMs: 30_000 });
  aws = sb.clients();
  good = await publicIssuer('good');
});

after(async () => {
  await sb.stop();
});

describe('the healthy path', () => {
  test('a token for the trusted service account gets credentials; Provider is the provider ARN', async () => {
    const a = await assume(good.roleArn, await mint(good.url));
    expectCredentials(a);
    assert.equal(xmlText(a.body, 'Provider'), good.providerArn);
    assert.equal(xmlText(a.body, 'SubjectFromWebIdentityToken'), `system:serviceaccount:${ns}:${sa}`);
    assert.equal(xmlText(a.body, 'Audience'), 'openshift');
  });

  test('an expired token inside the 5-minute leeway is still accepted', async () => {
    const now = new Date(Date.now() - 3720 * 1000); // exp = 2 minutes ago
    expectCredentials(await assume(good.roleArn, await mint(good.url, { now })));
  });
});

describe("faults, each with AWS's exact answer", () => {
  test('kid missing from the JWKS', async () => {
    expectError(
      await assume(good.roleArn, await mint(good.url, { signer: otherKey })),
      400,
      'InvalidIdentityToken',
      COULD_NOT_RETRIEVE,
    );
  });

  test('discovery document missing a required field', async () => {
    const url = `https://nofield-oidc.s3.${region}.amazonaws.com`;
    const doc = JSON.parse(renderDiscoveryDocument(url)) as Record<string, unknown>;
    delete doc['id_token_signing_alg_values_supported'];
    const issuer = await publicIssuer('nofield', JSON.stringify(doc));
    expectError(
      await assume(issuer.roleArn, await mint(issuer.url)),
      400,
      'InvalidIdentityToken',
      COULD_NOT_RETRIEVE,
    );
  });

  test("no IAM provider for the token's iss: the generic 2026 answer (aws-sts-2026.md §1)", async () => {
    const iss = `https://unknown-oidc.s3.${region}.amazonaws.com`;
    expectError(
      await assume(good.roleArn, await mint(iss)),
      400,
      'InvalidIdentityToken',
      'The web identity token provided could not be validated. See the AssumeRoleWithWebIdentity documentation for requirements.',
    );
  });

  test("audience not among the provider's client IDs", async () => {
    expectError(
      await assume(good.roleArn, await mint(good.url, { audiences: ['sts.amazon.com'] })),
      400,
      'InvalidIdentityToken',
      'Incorrect token audience',
    );
  });

  test('no aud claim', async () => {
    expectError(
      await assume(good.roleArn, await mint(good.url, { extra: { aud: undefined } })),
      400,
      'InvalidIdentityToken',
      'Missing a required claim: aud',
    );
  });

  test('expired beyond the leeway', async () => {
    const now = new Date(Date.now() - 2 * 3600 * 1000);
    const a = await assume(good.roleArn, await mint(good.url, { now }));
    expectError(
      a,
      400,
      'ExpiredTokenException',
      /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/,
    );
    const exp = Math.floor(now.getTime() / 1000) + 3600;
    assert.ok(a.message?.endsWith(` ${exp}`));
  });

  test('trust policy sub mismatch', async () => {
    expectError(
      await assume(good.roleArn, await mint(good.url, { serviceAccount: 'intruder' })),
      403,
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    );
  });

  test('bad session name', async () => {
    expectError(
      await assume(good.roleArn, await mint(good.url), { RoleSessionName: 'has space' }),
      400,
      'ValidationError',
      "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
  });

  test("DurationSeconds above the role's MaxSessionDuration", async () => {
    expectError(
      await assume(good.roleArn, await mint(good.url), { DurationSeconds: '7200' }),
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
    await aws.iam.send(new UpdateRoleCommand({ RoleName: 'good-role', MaxSessionDuration: 7200 }));
    expectCredentials(await assume(good.roleArn, await mint(good.url), { DurationSeconds: '7200' }));
  });

  test('bad signature', async () => {
    const [h, p, s] = (await mint(good.url)).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    claims['sub'] = `system:serviceaccount:${ns}:${sa}x`;
    const forged = `${h}.${base64url.encode(JSON.stringify(claims))}.${s}`;
    const a = await assume(good.roleArn, forged);
    assert.equal(a.status, 400);
    assert.equal(a.code, 'InvalidIdentityToken');
  });

  test('alg: none', async () => {
    const payload = JSON.parse(
      Buffer.from((await mint(good.url)).split('.')[1]!, 'base64url').toString(),
    ) as object;
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', kid: key.publicKey.kid }))}.${base64url.encode(JSON.stringify(payload))}.`;
    const a = await assume(good.roleArn, none);
    assert.equal(a.status, 400);
    assert.equal(a.code, 'InvalidIdentityToken');
  });

  test('HS256 signed with the public key as the secret', async () => {
    const payload = JSON.parse(
      Buffer.from((await mint(good.url)).split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    const secret = new TextEncoder().encode(
      key.publicKey.key.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const hs = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: key.publicKey.kid })
      .sign(secret);
    const a = await assume(good.roleArn, hs);
    assert.equal(a.status, 400);
    assert.equal(a.code, 'InvalidIdentityToken');
  });

  test('self-hosted issuer on a private CA: wrong thumbprint fails, the right one works', async () => {
    const host = 'oidc.selfhosted.example';
    const url = `https://${host}`;
    sb.edge.setStaticSite({
      host,
      ca: 'private',
      routes: {
        '/.well-known/openid-configuration': {
          body: renderDiscoveryDocument(url),
          headers: { 'content-type': 'application/json' },
        },
        '/keys.json': {
          body: renderJwks(buildJwks([key.publicKey])),
          headers: { 'content-type': 'application/json' },
        },
      },
    });
    const wrong = await aws.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: url,
        ClientIDList: ['openshift'],
        ThumbprintList: ['0'.repeat(40)],
      }),
    );
    const role = await ensureRole(aws, {
      roleName: 'selfhosted-role',
      description: 'test',
      trustPolicy: renderPolicy(trustPolicy(wrong.OpenIDConnectProviderArn!, host, ns, [sa])),
      permissionsPolicy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}',
      tags: [],
    });
    expectError(
      await assume(role.arn, await mint(url)),
      400,
      'InvalidIdentityToken',
      "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
    );
    const { UpdateOpenIDConnectProviderThumbprintCommand } = await import('@aws-sdk/client-iam');
    await aws.iam.send(
      new UpdateOpenIDConnectProviderThumbprintCommand({
        OpenIDConnectProviderArn: wrong.OpenIDConnectProviderArn,
        ThumbprintList: [sb.cas.private.intermediateSha1],
      }),
    );
    expectCredentials(await assume(role.arn, await mint(url)));
  });

  test('private bucket (run last: it closes the healthy issuer)', async () => {
    await makeBucketPrivate(aws, 'good-oidc');
    expectError(
      await assume(good.roleArn, await mint(good.url)),
      400,
      'InvalidIdentityToken',
      COULD_NOT_RETRIEVE,
    );
  });
});

describe('private bucket behind CloudFront with origin access control', () => {
  let distributionArn: string;
  let issuerUrl: string;
  let roleArn: string;
  const bucket = 'cf-oidc';

  before(async () => {
    ({ distributionArn, issuerUrl, roleArn } = await oacIssuer(aws, {
      bucket,
      region: region,
      key,
      namespace: ns,
      serviceAccount: sa,
      comment: 'openshift.io/cloud-credential-operator/cf',
    }));
  });

  const policyFor = (sourceArn: string): string => oacBucketPolicy(bucket, sourceArn);

  test('works when the bucket policy grants the distribution', async () => {
    assert.match(distributionArn, /^arn:aws:cloudfront::123456789012:distribution\/[A-Z0-9]+$/);
    await aws.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyFor(distributionArn) }));
    expectCredentials(await assume(roleArn, await mint(issuerUrl)));
  });

  test('fails the AWS way when the policy grants another distribution', async () => {
    await aws.s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: policyFor('arn:aws:cloudfront::123456789012:distribution/EOTHER'),
      }),
    );
    expectError(
      await assume(roleArn, await mint(issuerUrl)),
      400,
      'InvalidIdentityToken',
      COULD_NOT_RETRIEVE,
    );
  });
});
