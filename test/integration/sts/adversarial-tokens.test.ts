import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import fc from 'fast-check';
import { startStsFixture, type StsFixture } from './support/fixture.js';
import { rawRequest } from './support/raw-http.js';
import { strictXmlErrors } from './support/strict-xml.js';
import { inner } from './support/xml.js';

// Tokens an attacker controls, byte by byte: no mutation of a valid token is granted unless its
// signature still verifies, and whatever of the token STS echoes comes back in a document every
// client can parse (aws-sts-oidc.md §2: `iss` is echoed verbatim in "No OpenIDConnect provider…").

const run = promisify(execFile);
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

let f: StsFixture;
let valid: string;

before(async () => {
  // The '2025-12' profile: AWS today answers a missing provider with a generic message that echoes
  // nothing (aws-sts-2026.md §1); the echo these tests escape is the older answer's.
  f = await startStsFixture({ behaviour: '2025-12' });
  valid = await f.mint();
});

after(async () => {
  await f.close();
});

function assumeForm(token: string): string {
  return new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: f.roleArn,
    RoleSessionName: 'mutant',
    WebIdentityToken: token,
  }).toString();
}

/** The bytes a token's three segments decode to (base64url decoding ignores non-canonical bits). */
function decoded(token: string): string[] {
  return token.split('.').map((segment) => Buffer.from(segment, 'base64url').toString('hex'));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \u0000';
const char = fc.constantFrom(...ALPHABET.split(''));

/** One edit of a token string. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), with: char }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), with: char }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-segments' as const), a: fc.nat(2), b: fc.nat(2) }),
  fc.record({ kind: fc.constant('flip-bit' as const), segment: fc.nat(2), at: fc.nat(), bit: fc.nat(7) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(token: string, m: Mutation): string {
  const at = (n: number): number => n % Math.max(token.length, 1);
  switch (m.kind) {
    case 'replace':
      return token.slice(0, at(m.at)) + m.with + token.slice(at(m.at) + 1);
    case 'insert':
      return token.slice(0, at(m.at)) + m.with + token.slice(at(m.at));
    case 'delete':
      return token.slice(0, at(m.at)) + token.slice(at(m.at) + m.count);
    case 'truncate':
      return token.slice(0, at(m.at));
    case 'swap-segments': {
      const parts = token.split('.');
      const a = parts[m.a] ?? '';
      parts[m.a] = parts[m.b] ?? '';
      parts[m.b] = a;
      return parts.join('.');
    }
    case 'flip-bit': {
      const parts = token.split('.');
      const bytes = Buffer.from(parts[m.segment] ?? '', 'base64url');
      if (bytes.length === 0) return token;
      const i = m.at % bytes.length;
      bytes[i] = (bytes[i] ?? 0) ^ (1 << m.bit);
      parts[m.segment] = bytes.toString('base64url');
      return parts.join('.');
    }
  }
}

test('property: a mutated token is granted only if it still decodes to the signed bytes', async () => {
  // The harness can see a grant: the unmutated token is granted.
  const control = await rawRequest(f.sts.url, {
    method: 'POST',
    headers: { 'content-type': FORM },
    body: assumeForm(valid),
  });
  assert.equal(control.status, 200, control.body);
  await fc.assert(
    fc.asyncProperty(mutation, async (m) => {
      const mutant = apply(valid, m);
      fc.pre(mutant !== valid);
      const answer = await rawRequest(f.sts.url, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: assumeForm(mutant),
      });
      assert.ok(answer.status < 500, `HTTP ${answer.status} for ${JSON.stringify(m)}`);
      if (answer.status === 200) {
        // Only a re-encoding of the very bytes that were signed (e.g. the unused low bits of the
        // last base64url character) may pass: header, payload and signature are unchanged.
        assert.deepEqual(decoded(mutant), decoded(valid), `granted a different token: ${JSON.stringify(m)}`);
      } else {
        assert.doesNotMatch(answer.body, /AccessKeyId/);
      }
    }),
    { numRuns: 150, seed: 20261129 },
  );
});

// A token whose `iss` carries characters XML 1.0 cannot hold: NUL, SOH, ESC, U+FFFF.
const HOSTILE_ISS = 'https://evil\u0001.example/\u0000x\u001b\uFFFF</Message>';
const SHOWN_ISS = 'https://evil\uFFFD.example/\uFFFDx\uFFFD\uFFFD</Message>';

test('an iss with control characters comes back well-formed: strict XML parser, AWS SDK, boto3', async () => {
  const token = await f.mint({ issuer: HOSTILE_ISS });
  const xml = await rawRequest(f.sts.url, {
    method: 'POST',
    headers: { 'content-type': FORM },
    body: assumeForm(token),
  });
  assert.equal(xml.status, 400);
  assert.deepEqual(await strictXmlErrors([xml.body]), [undefined]);
  assert.equal(inner(xml.body, 'Code'), 'InvalidIdentityToken');

  const sts = new STSClient({ endpoint: f.sts.url, region: 'us-east-1', maxAttempts: 1 });
  try {
    await assert.rejects(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: f.roleArn,
          RoleSessionName: 'sdk',
          WebIdentityToken: token,
        }),
      ),
      {
        name: 'InvalidIdentityTokenException',
        message: `No OpenIDConnect provider found in your account for ${SHOWN_ISS}`,
      },
    );
  } finally {
    sts.destroy();
  }

  const script = [
    'import boto3, json, os, botocore.exceptions as E',
    'c = boto3.client("sts", endpoint_url=os.environ["STS_URL"], region_name="us-east-1",',
    '                 config=boto3.session.Config(signature_version=__import__("botocore").UNSIGNED))',
    'try:',
    '    c.assume_role_with_web_identity(RoleArn=os.environ["ROLE"], RoleSessionName="boto3", WebIdentityToken=os.environ["TOKEN"])',
    '    print(json.dumps({"granted": True}))',
    'except E.ClientError as e:',
    '    print(json.dumps(e.response["Error"]))',
  ].join('\n');
  const { stdout } = await run('python3', ['-c', script], {
    env: { ...process.env, STS_URL: f.sts.url, ROLE: f.roleArn, TOKEN: token },
  });
  const error = JSON.parse(stdout) as { Code?: string; Message?: string };
  assert.equal(error.Code, 'InvalidIdentityToken');
  assert.equal(error.Message, `No OpenIDConnect provider found in your account for ${SHOWN_ISS}`);
});

test('in JSON (Accept: application/json) the iss comes back exactly, escaped', async () => {
  const token = await f.mint({ issuer: HOSTILE_ISS });
  const answer = await rawRequest(f.sts.url, {
    method: 'POST',
    headers: { 'content-type': FORM, accept: 'application/json' },
    body: assumeForm(token),
  });
  assert.equal(answer.status, 400);
  assert.equal(answer.headers['content-type'], 'application/json');
  const body = JSON.parse(answer.body) as {
    Error: { Code: string; Message: string; Type: string };
    RequestId: string;
  };
  assert.equal(body.Error.Code, 'InvalidIdentityToken');
  assert.equal(body.Error.Message, `No OpenIDConnect provider found in your account for ${HOSTILE_ISS}`);
  assert.equal(body.RequestId, answer.headers['x-amzn-requestid']);
});

test("in JSON a grant carries the XML answer's members, Expiration in epoch seconds (aws-sts-2026.md §4)", async () => {
  const answer = await rawRequest(f.sts.url, {
    method: 'POST',
    headers: { 'content-type': FORM, accept: 'application/json' },
    body: assumeForm(await f.mint()),
  });
  assert.equal(answer.status, 200, answer.body);
  const body = JSON.parse(answer.body) as {
    AssumeRoleWithWebIdentityResponse: {
      AssumeRoleWithWebIdentityResult: Record<string, unknown> & {
        Credentials: { Expiration: number; AccessKeyId: string };
      };
      ResponseMetadata: { RequestId: string };
    };
  };
  const result = body.AssumeRoleWithWebIdentityResponse.AssumeRoleWithWebIdentityResult;
  assert.deepEqual(Object.keys(result), [
    'Audience',
    'AssumedRoleUser',
    'Provider',
    'Credentials',
    'SubjectFromWebIdentityToken',
  ]);
  assert.match(result.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
  const lifetime = result.Credentials.Expiration * 1000 - Date.now();
  assert.ok(lifetime > 3_580_000 && lifetime <= 3_600_000, `1 h in epoch seconds, got ${lifetime} ms`);
});
