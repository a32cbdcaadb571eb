import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';
import { forgeTokens, type ForgedToken } from './support/forged-tokens.js';
import { startStsFixture, type StsFixture } from './support/fixture.js';
import { rawRequest, type RawAnswer, type RawRequest } from './support/raw-http.js';
import { strictXmlErrors } from './support/strict-xml.js';

// Every request shape an attacker might try, with every forged token: none gets credentials,
// none gets a 5xx or hangs, and none reaches moto (which would grant AssumeRoleWithWebIdentity
// without looking at the token, aws-sts-oidc.md §10). The valid token is the control: it is
// granted in exactly the shapes AWS's Query protocol accepts (§1.1, aws-sts-2026.md §4).

let f: StsFixture;
let tokens: ForgedToken[];
let valid: string;

before(async () => {
  f = await startStsFixture();
  valid = await f.mint();
  tokens = forgeTokens(valid, f.signingKey.key);
});

after(async () => {
  await f.close();
});

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const SIGV4 = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
  'x-amz-date': '20260101T000000Z',
  'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  'x-amz-security-token': 'leftover',
};

/** A request shape; `granted` says whether AWS would run AssumeRoleWithWebIdentity for it. */
interface Shape {
  readonly name: string;
  readonly granted: boolean;
  /** Another allow-listed action wins (AWS would run it): forwarded, as that action only. */
  readonly forwards?: boolean;
  build(token: string): RawRequest;
}

function pairs(token: string, session = 'adversary'): [string, string][] {
  return [
    ['Action', 'AssumeRoleWithWebIdentity'],
    ['Version', '2011-06-15'],
    ['RoleArn', f.roleArn],
    ['RoleSessionName', session],
    ['WebIdentityToken', token],
  ];
}

const form = (p: [string, string][]): string => new URLSearchParams(p).toString();

function multipart(p: [string, string][]): { body: string; type: string } {
  const boundary = 'stsctl-boundary';
  const parts = p.map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

const post = (
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': FORM },
  path = '/',
) => ({
  method: 'POST',
  path,
  headers,
  body,
});

const shapes: Shape[] = [
  { name: 'POST form, utf-8', granted: true, build: (t) => post(form(pairs(t))) },
  {
    name: 'POST form, no charset',
    granted: true,
    build: (t) => post(form(pairs(t)), { 'content-type': 'application/x-www-form-urlencoded' }),
  },
  {
    name: 'POST form, charset=ISO-8859-1, mixed-case type',
    granted: true,
    build: (t) =>
      post(form(pairs(t)), { 'content-type': 'Application/X-WWW-Form-URLEncoded; Charset=ISO-8859-1' }),
  },
  { name: 'POST without Content-Type', granted: true, build: (t) => post(form(pairs(t)), {}) },
  {
    name: 'GET with a query string',
    granted: true,
    build: (t) => ({ method: 'GET', path: `/?${form(pairs(t))}` }),
  },
  {
    name: 'GET with the parameters in a (ignored) form body',
    granted: false,
    build: (t) => ({ method: 'GET', path: '/', headers: { 'content-type': FORM }, body: form(pairs(t)) }),
  },
  ...['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'].map((method): Shape => ({
    name: `${method} form`,
    granted: false,
    build: (t) => ({ method, path: '/', headers: { 'content-type': FORM }, body: form(pairs(t)) }),
  })),
  {
    name: 'PUT with the parameters in the query string',
    granted: false,
    build: (t) => ({ method: 'PUT', path: `/?${form(pairs(t))}` }),
  },
  {
    name: 'multipart/form-data',
    granted: false,
    build: (t) => {
      const m = multipart(pairs(t));
      return post(m.body, { 'content-type': m.type });
    },
  },
  {
    name: 'multipart/form-data with SigV4-looking headers',
    granted: false,
    build: (t) => {
      const m = multipart(pairs(t));
      return post(m.body, { 'content-type': m.type, ...SIGV4 });
    },
  },
  {
    name: 'application/json body',
    granted: false,
    build: (t) => post(JSON.stringify(Object.fromEntries(pairs(t))), { 'content-type': 'application/json' }),
  },
  {
    name: 'AWS JSON protocol (X-Amz-Target)',
    granted: false,
    build: (t) =>
      post(JSON.stringify(Object.fromEntries(pairs(t).slice(2))), {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSSecurityTokenServiceV20110615.AssumeRoleWithWebIdentity',
      }),
  },
  {
    name: 'form with X-Amz-Target',
    granted: false,
    build: (t) =>
      post(form(pairs(t)), {
        'content-type': FORM,
        'x-amz-target': 'AWSSecurityTokenServiceV20110615.GetCallerIdentity',
      }),
  },
  {
    name: 'text/plain form body',
    granted: false,
    build: (t) => post(form(pairs(t)), { 'content-type': 'text/plain' }),
  },
  {
    name: 'Content-Encoding: gzip',
    granted: false,
    build: (t) => post(gzipSync(form(pairs(t))), { 'content-type': FORM, 'content-encoding': 'gzip' }),
  },
  {
    name: 'Content-Encoding: deflate',
    granted: false,
    build: (t) => post(deflateSync(form(pairs(t))), { 'content-type': FORM, 'content-encoding': 'deflate' }),
  },
  {
    name: 'a second, later Action (the first wins)',
    granted: true,
    build: (t) => post(form([...pairs(t), ['Action', 'GetSessionToken']])),
  },
  {
    name: 'an unknown first Action, ours later',
    granted: false,
    build: (t) => post(form([['Action', 'ListBuckets'], ...pairs(t)])),
  },
  {
    name: 'parameters reversed',
    granted: true,
    build: (t) => post(form(pairs(t).reverse())),
  },
  {
    name: 'Action in the query string, the rest in the body',
    granted: true,
    build: (t) =>
      post(form(pairs(t).slice(1)), { 'content-type': FORM }, '/?Action=AssumeRoleWithWebIdentity'),
  },
  {
    name: 'another Action in the query string, ours in the body (query comes first)',
    granted: false,
    forwards: true,
    build: (t) =>
      post(
        form(pairs(t)),
        { 'content-type': FORM },
        '/?Action=DecodeAuthorizationMessage&Version=2011-06-15',
      ),
  },
  {
    name: 'lower-case parameter names',
    granted: false,
    build: (t) => post(form(pairs(t).map(([k, v]) => [k.toLowerCase(), v]))),
  },
  {
    name: 'upper-case parameter names',
    granted: false,
    build: (t) => post(form(pairs(t).map(([k, v]) => [k.toUpperCase(), v]))),
  },
  {
    name: 'SigV4-looking headers on a form',
    granted: true,
    build: (t) => post(form(pairs(t)), { 'content-type': FORM, ...SIGV4 }),
  },
  {
    name: 'a forged token first, a second WebIdentityToken later',
    granted: true,
    build: (t) => post(form([...pairs(t), ['WebIdentityToken', 'x.y.z']])),
  },
  {
    name: 'a path other than /',
    granted: true,
    build: (t) => post(form(pairs(t)), { 'content-type': FORM }, '/sts/'),
  },
  {
    name: 'Accept: application/json',
    granted: true,
    build: (t) => post(form(pairs(t)), { 'content-type': FORM, accept: 'application/json' }),
  },
];

const CREDENTIALS = /AccessKeyId|SecretAccessKey|SessionToken/;

test('no shape with a forged token gets credentials, a 5xx, a hang or a forward; the valid token only where AWS accepts the shape', async () => {
  const forwarded = f.sts.stats.forwarded;
  const xmlBodies: { label: string; body: string }[] = [];
  const failures: string[] = [];
  for (const shape of shapes) {
    for (const { name, token } of [...tokens, { name: 'valid token', token: valid }]) {
      const label = `${shape.name} / ${name}`;
      let answer: RawAnswer;
      const spec = shape.build(token);
      try {
        answer = await rawRequest(f.sts.url, spec);
      } catch (error) {
        failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (answer.status >= 500) failures.push(`${label}: HTTP ${answer.status}`);
      const granted = answer.status === 200 && CREDENTIALS.test(answer.body);
      const expected = name === 'valid token' && shape.granted;
      if (granted !== expected)
        failures.push(`${label}: granted=${granted}, expected ${expected}: ${answer.body.slice(0, 200)}`);
      if (answer.status >= 400 && answer.status < 500) {
        assert.ok(String(answer.headers['x-amzn-requestid'] ?? '').length > 0, `${label}: no request id`);
      }
      // A HEAD answer has headers only (RFC 9110 §9.3.2).
      if (answer.headers['content-type'] === 'text/xml' && spec.method !== 'HEAD') {
        xmlBodies.push({ label, body: answer.body });
      }
      if (answer.headers['content-type'] === 'application/json') JSON.parse(answer.body);
    }
  }
  assert.deepEqual(failures, []);
  const tokenCount = tokens.length + 1;
  const forwardingShapes = shapes.filter((s) => s.forwards === true).length;
  assert.equal(
    f.sts.stats.forwarded,
    forwarded + forwardingShapes * tokenCount,
    'only the shapes whose first Action is another STS action reached moto',
  );
  // Every rendered body, error and success, parsed by a strict XML 1.0 parser.
  const errors = await strictXmlErrors(xmlBodies.map((b) => b.body));
  assert.deepEqual(
    errors.flatMap((e, i) => (e === undefined ? [] : [`${xmlBodies[i]?.label ?? '?'}: ${e}`])),
    [],
  );
  assert.ok(xmlBodies.length > shapes.length, 'the XML check saw the answers');
});

test('refusals carry the documented status and code', async () => {
  const token = tokens[0]!.token;
  const expect = async (spec: RawRequest, status: number, code: string | undefined): Promise<RawAnswer> => {
    const answer = await rawRequest(f.sts.url, spec);
    assert.equal(answer.status, status, `${spec.method} ${spec.path ?? '/'}: ${answer.body}`);
    if (code !== undefined) assert.match(answer.body, new RegExp(`<Code>${code}</Code>`));
    return answer;
  };
  const put = await expect(
    { method: 'PUT', path: '/', headers: { 'content-type': FORM }, body: form(pairs(token)) },
    405,
    'MethodNotAllowed',
  );
  assert.equal(put.headers.allow, 'GET, POST');
  const gz = await expect(
    post(gzipSync(form(pairs(token))), { 'content-type': FORM, 'content-encoding': 'gzip' }),
    415,
    'UnsupportedMediaType',
  );
  assert.equal(gz.headers['accept-encoding'], 'identity');
  await expect(post('x', { 'content-type': 'text/plain' }), 415, 'UnsupportedMediaType');
  await expect(post(form([['Version', '2011-06-15']])), 400, 'MissingAction');
  await expect({ method: 'GET', path: '/' }, 400, 'MissingAction');
  const redirect = await expect(post('', {}), 302, undefined);
  assert.equal(redirect.body, '');
  assert.match(String(redirect.headers.location), /^https:\/\/console\.aws\.amazon\.com\//);
  const noVersion = await expect(
    post(form(pairs(token).filter(([k]) => k !== 'Version'))),
    400,
    'InvalidAction',
  );
  assert.match(noVersion.body, /xmlns="http:\/\/webservices\.amazon\.com\/AWSFault\/2005-15-09"/);
  assert.match(noVersion.body, /for version NO_VERSION_SPECIFIED</);
  const unknown = await expect(
    post(
      form([
        ['Action', 'ListBuckets'],
        ['Version', '2011-06-15'],
      ]),
    ),
    400,
    'InvalidAction',
  );
  assert.match(unknown.body, /Could not find operation ListBuckets for version 2011-06-15/);
});

test('an allow-listed action is forwarded as read: moto sees only the first Action', async () => {
  const forwarded = f.sts.stats.forwarded;
  // moto's GetSessionToken answers with AWS's example key; had moto read the later Action, it
  // would have granted AssumeRoleWithWebIdentity (an AssumedRoleUser in the body).
  const answer = await rawRequest(
    f.sts.url,
    post(
      form([
        ['Action', 'GetSessionToken'],
        ['Version', '2011-06-15'],
        ...pairs(valid).slice(2),
        ['Action', 'AssumeRoleWithWebIdentity'],
      ]),
      {
        'content-type': FORM,
        ...SIGV4,
      },
    ),
  );
  assert.equal(answer.status, 200, answer.body);
  assert.match(answer.body, /<GetSessionTokenResponse/);
  assert.doesNotMatch(answer.body, /AssumedRoleUser/);
  assert.equal(f.sts.stats.forwarded, forwarded + 1);
});
