import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startStsServer, type RunningStsServer } from '../../../src/sts/index.js';
import { MOTO_CREDENTIALS, startStsFixture, type StsFixture } from './support/fixture.js';
import { rawRequest, type RawAnswer, type RawRequest } from './support/raw-http.js';
import { inner } from './support/xml.js';

// The validating STS's front end as AWS answers today (aws-sts-2026.md §4, §5) and the behaviour
// profiles (§1), seen by raw HTTP requests and by real clients (aws CLI v1, boto3, the JS SDK, an
// Envoy-style GET). Where a client parses the answer, its reading is the oracle.

const run = promisify(execFile);
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const GENERIC =
  'The web identity token provided could not be validated. See the AssumeRoleWithWebIdentity documentation for requirements.';
/** The model's `roleArn` pattern, as AWS's messages spell it (aws-sts-oidc.md §1.2). */
const ARN_PATTERN =
  '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+';
const UNKNOWN_ISSUER = 'https://unknown-oidc.example.com';

let f: StsFixture;
/** A second server on the same moto, answering as AWS did before the 2026 changes. */
let old: RunningStsServer;
let dir: string;

/**
 * The server's clock runs 30 s ahead of this machine's: the `Date` header must come from the
 * server's clock reading (the one `Expiration` is computed from), not from Node's own `Date`.
 */
const SERVER_CLOCK_AHEAD_MS = 30_000;

before(async () => {
  f = await startStsFixture({ clock: () => new Date(Date.now() + SERVER_CLOCK_AHEAD_MS) });
  old = await startStsServer({
    region: 'us-east-1',
    iam: { endpoint: f.moto.endpoint, credentials: MOTO_CREDENTIALS },
    forwardEndpoint: f.moto.endpoint,
    // A token whose issuer has no provider never makes STS fetch anything (aws-sts-oidc.md §12).
    issuer: { fetch: () => Promise.reject(new Error('the issuer is not fetched for a missing provider')) },
    behaviour: '2025-12',
  });
  dir = mkdtempSync(join(tmpdir(), 'stsctl-aws-today-'));
});

after(async () => {
  await old.close();
  await f.close();
  rmSync(dir, { recursive: true, force: true });
});

function pairs(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: f.roleArn,
    RoleSessionName: 'aws-today',
    WebIdentityToken: token,
    ...extra,
  };
}

function post(body: string, headers: Record<string, string> = { 'content-type': FORM }): RawRequest {
  return { method: 'POST', path: '/', headers, body };
}

function postParams(params: Record<string, string>, accept?: string): RawRequest {
  return post(new URLSearchParams(params).toString(), {
    'content-type': FORM,
    ...(accept === undefined ? {} : { accept }),
  });
}

/** The `Date` header as epoch seconds. */
function dateSeconds(answer: RawAnswer): number {
  const date = answer.headers.date;
  assert.equal(typeof date, 'string', 'a Date header');
  return Date.parse(date as string) / 1000;
}

interface JsonError {
  Error: { Code: string; Message: string; Type: string };
  RequestId: string;
}

/** Sends `params` asking for JSON and returns the parsed error (asserting the 2026 §4 shape). */
async function jsonError(params: Record<string, string>, status = 400): Promise<JsonError['Error']> {
  const answer = await rawRequest(f.sts.url, postParams(params, 'application/json'));
  assert.equal(answer.status, status, answer.body);
  assert.equal(answer.headers['content-type'], 'application/json');
  const parsed = JSON.parse(answer.body) as JsonError;
  assert.deepEqual(Object.keys(parsed), ['Error', 'RequestId']);
  assert.deepEqual(Object.keys(parsed.Error), ['Code', 'Message', 'Type']);
  assert.equal(parsed.RequestId, answer.headers['x-amzn-requestid']);
  return parsed.Error;
}

test('Envoy-style GET with Accept: application/json: JSON credentials that work, Expiration in epoch seconds', async () => {
  // Envoy's web-identity provider sends a GET with the parameters in the query string and
  // `Accept: application/json`, then reads Credentials from the JSON (aws-sts-2026.md §4, 3rd).
  const query = new URLSearchParams(pairs(await f.mint(), { RoleSessionName: 'envoy' }));
  const answer = await rawRequest(f.sts.url, {
    method: 'GET',
    path: `/?${query.toString()}`,
    headers: { accept: 'application/json' },
  });
  assert.equal(answer.status, 200, answer.body);
  assert.equal(answer.headers['content-type'], 'application/json');
  const parsed = JSON.parse(answer.body) as {
    AssumeRoleWithWebIdentityResponse: {
      AssumeRoleWithWebIdentityResult: {
        AssumedRoleUser: { Arn: string };
        Credentials: {
          AccessKeyId: string;
          SecretAccessKey: string;
          SessionToken: string;
          Expiration: unknown;
        };
      };
      ResponseMetadata: { RequestId: string };
    };
  };
  const response = parsed.AssumeRoleWithWebIdentityResponse;
  const { Credentials: credentials, AssumedRoleUser: user } = response.AssumeRoleWithWebIdentityResult;
  assert.equal(response.ResponseMetadata.RequestId, answer.headers['x-amzn-requestid']);
  assert.equal(typeof credentials.Expiration, 'number', 'Expiration is a JSON number of epoch seconds');
  assert.equal(credentials.Expiration, dateSeconds(answer) + 3600, 'Expiration = Date + the default hour');
  assert.match(user.Arn, /assumed-role\/.+\/envoy$/);

  // The credentials Envoy parsed are usable: GetCallerIdentity names the role, moto's S3 accepts them.
  const sessionCredentials = {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
  };
  const sts = new STSClient({ endpoint: f.sts.url, region: 'us-east-1', credentials: sessionCredentials });
  const s3 = new S3Client({
    endpoint: f.moto.endpoint,
    region: 'us-east-1',
    credentials: sessionCredentials,
    forcePathStyle: true,
  });
  try {
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, user.Arn);
    assert.ok(Array.isArray((await s3.send(new ListBucketsCommand({}))).Buckets ?? []));
  } finally {
    sts.destroy();
    s3.destroy();
  }
});

test('errors in JSON: {"Error":{Code,Message,Type},"RequestId"} with the model’s text', async () => {
  const error = await jsonError(pairs(await f.mint({ issuer: UNKNOWN_ISSUER })));
  assert.deepEqual(error, { Code: 'InvalidIdentityToken', Message: GENERIC, Type: 'Sender' });
  const front = await jsonError({ Action: 'AssumeRoleWithWebIdentity' });
  assert.deepEqual(front, {
    Code: 'InvalidAction',
    Message: 'Could not find operation AssumeRoleWithWebIdentity for version NO_VERSION_SPECIFIED',
    Type: 'Sender',
  });
});

test('every answer carries x-amzn-requestid and x-amz-sts-extended-request-id (and a Date)', async () => {
  const token = await f.mint();
  const cases: [string, RawRequest, number][] = [
    ['success (XML)', postParams(pairs(token)), 200],
    ['success (JSON)', postParams(pairs(token), 'application/json'), 200],
    ['model refusal', postParams(pairs(await f.mint({ serviceAccount: 'intruder' }))), 403],
    ['validation error', postParams(pairs(token, { RoleSessionName: 'x' })), 400],
    ['no Version', postParams({ Action: 'AssumeRoleWithWebIdentity' }), 400],
    ['unknown action', postParams({ Action: 'ListBuckets', Version: '2011-06-15' }), 400],
    ['no Action (GET)', { method: 'GET', path: '/' }, 400],
    ['bare POST', post('', {}), 302],
    ['PUT', { method: 'PUT', path: '/', body: 'x', headers: { 'content-type': FORM } }, 405],
    ['JSON body', post('{}', { 'content-type': 'application/json' }), 415],
    ['forwarded to moto', postParams({ Action: 'GetSessionToken', Version: '2011-06-15' }), 200],
  ];
  const seen = new Set<string>();
  for (const [name, spec, status] of cases) {
    const answer = await rawRequest(f.sts.url, spec);
    assert.equal(answer.status, status, `${name}: ${answer.body}`);
    const requestId = answer.headers['x-amzn-requestid'];
    const extended = answer.headers['x-amz-sts-extended-request-id'];
    assert.ok(typeof requestId === 'string' && requestId.length > 0, `${name}: x-amzn-requestid`);
    assert.ok(typeof extended === 'string' && /^[A-Za-z0-9+/=]{16,}$/.test(extended), `${name}: extended id`);
    assert.ok(!Number.isNaN(dateSeconds(answer)), `${name}: Date`);
    // Where the body names a request id, it is the header's.
    const bodyId = inner(answer.body, 'RequestId');
    if (bodyId !== undefined) assert.equal(bodyId, requestId, name);
    assert.ok(!seen.has(extended), `${name}: a fresh extended id per answer`);
    seen.add(extended);
  }
});

test('Expiration is the Date header plus the granted duration, from one clock reading', async () => {
  for (const duration of ['900', '+900', '0900', '1800']) {
    const answer = await rawRequest(
      f.sts.url,
      postParams(pairs(await f.mint(), { DurationSeconds: duration })),
    );
    assert.equal(answer.status, 200, `${duration}: ${answer.body}`);
    const expiration = Date.parse(inner(answer.body, 'Expiration') ?? '') / 1000;
    // `+900` and `0900` are 900 (aws-sts-2026.md §5, probe).
    assert.equal(expiration, dateSeconds(answer) + Number(duration), `DurationSeconds=${duration}`);
  }
});

test('the first of duplicate parameters wins, Action included', async () => {
  const token = await f.mint();
  const body = [
    new URLSearchParams(pairs(token, { RoleSessionName: 'first' })).toString(),
    'RoleSessionName=second',
    'Action=GetSessionToken',
    'DurationSeconds=900',
    'DurationSeconds=1800',
  ].join('&');
  const answer = await rawRequest(f.sts.url, post(body));
  assert.equal(answer.status, 200, answer.body);
  assert.match(inner(answer.body, 'Arn') ?? '', /\/first$/);
  assert.equal(Date.parse(inner(answer.body, 'Expiration') ?? '') / 1000, dateSeconds(answer) + 900);
});

test('request shape answers of §4: 302 for a bare POST, MissingAction, InvalidAction in the AWSFault namespace', async () => {
  const bare = await rawRequest(f.sts.url, post('', {}));
  assert.equal(bare.status, 302);
  assert.equal(bare.body, '');
  assert.equal(bare.headers.location, 'https://console.aws.amazon.com/iam/home');

  const missing = await rawRequest(f.sts.url, { method: 'GET', path: '/?Version=2011-06-15' });
  assert.equal(missing.status, 400);
  assert.equal(missing.headers['content-type'], 'text/xml');
  assert.equal(inner(missing.body, 'Code'), 'MissingAction');

  const noVersion = await rawRequest(f.sts.url, postParams({ Action: 'AssumeRoleWithWebIdentity' }));
  assert.equal(noVersion.status, 400);
  assert.match(
    noVersion.body,
    /^<ErrorResponse xmlns="http:\/\/webservices\.amazon\.com\/AWSFault\/2005-15-09">/,
  );
  assert.equal(inner(noVersion.body, 'Type'), 'Sender');
  assert.equal(inner(noVersion.body, 'Code'), 'InvalidAction');
  assert.equal(
    inner(noVersion.body, 'Message'),
    'Could not find operation AssumeRoleWithWebIdentity for version NO_VERSION_SPECIFIED',
  );

  const otherVersion = await rawRequest(
    f.sts.url,
    postParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-16' }),
  );
  assert.equal(otherVersion.status, 400);
  assert.match(
    otherVersion.body,
    /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/,
  );
  assert.equal(
    inner(otherVersion.body, 'Message'),
    'Could not find operation AssumeRoleWithWebIdentity for version 2011-06-16',
  );
});

test('validation through the server: pattern first, then length; null members', async () => {
  const token = await f.mint();
  const empty = await jsonError(pairs(token, { RoleArn: '' }));
  assert.equal(empty.Code, 'ValidationError');
  // aws-sts-2026.md §5 gives this message verbatim (pattern elided there).
  assert.equal(
    empty.Message,
    `2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ARN_PATTERN}; Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
  );
  const params = pairs(token);
  delete (params as Partial<Record<string, string>>)['RoleSessionName'];
  const missing = await jsonError(params);
  assert.equal(
    missing.Message,
    "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
  );
});

test('validation through the server: lengths in code points, non-BMP characters fail the pattern', async () => {
  // Three emoji are six UTF-16 units but three code points: under the minimum of 4 (§5). The token
  // is sensitive, so its value is not echoed.
  const short = await jsonError(pairs('\u{1F600}\u{1F600}\u{1F600}'));
  assert.equal(
    short.Message,
    "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
  );
  const arn = `${f.roleArn}\u{1F600}`;
  const astral = await jsonError(pairs(await f.mint(), { RoleArn: arn }));
  assert.equal(
    astral.Message,
    `1 validation error detected: Value '${arn}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ARN_PATTERN}`,
  );
});

test('DurationSeconds that is not an integer is MalformedInput', async () => {
  const token = await f.mint();
  assert.deepEqual(await jsonError(pairs(token, { DurationSeconds: '' })), {
    Code: 'MalformedInput',
    Message: 'missing value for decimal type',
    Type: 'Sender',
  });
  const text = await jsonError(pairs(token, { DurationSeconds: '900.5' }));
  assert.equal(text.Code, 'MalformedInput');
  assert.match(text.Message, /900\.5/);
  // An integer out of range is still a ValidationError, echoing the number.
  const small = await jsonError(pairs(token, { DurationSeconds: '+60' }));
  assert.equal(small.Code, 'ValidationError');
  assert.match(
    small.Message,
    /Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/,
  );
});

test('a RoleArn that is no ARN is "<value> is invalid"; an ARN of another kind "Request ARN is invalid"', async () => {
  const token = await f.mint();
  const notArn = await jsonError(pairs(token, { RoleArn: 'my-cluster-image-registry-role' }));
  assert.deepEqual(notArn, {
    Code: 'ValidationError',
    Message: 'my-cluster-image-registry-role is invalid',
    Type: 'Sender',
  });
  const bucket = await jsonError(pairs(token, { RoleArn: 'arn:aws:s3:::my-cluster-oidc-bucket' }));
  assert.deepEqual(bucket, { Code: 'ValidationError', Message: 'Request ARN is invalid', Type: 'Sender' });
});

// ── Real clients ────────────────────────────────────────────────────────────────────────────────

function cliEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...env,
    HOME: dir,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
  };
}

async function awsCliError(endpoint: string, token: string, roleArn: string): Promise<string> {
  try {
    await run(
      'aws',
      [
        'sts',
        'assume-role-with-web-identity',
        '--endpoint-url',
        endpoint,
        '--role-arn',
        roleArn,
        '--role-session-name',
        'aws-cli',
        '--web-identity-token',
        token,
      ],
      { env: cliEnv() },
    );
  } catch (error) {
    return (error as { stderr?: string }).stderr ?? '';
  }
  assert.fail('the aws CLI accepted a token whose issuer has no provider');
}

test('aws CLI: a missing provider gets the 2026 generic message by default, the old text under 2025-12', async () => {
  const token = await f.mint({ issuer: UNKNOWN_ISSUER });
  const today = await awsCliError(f.sts.url, token, f.roleArn);
  assert.match(
    today,
    new RegExp(
      `An error occurred \\(InvalidIdentityToken\\) when calling the AssumeRoleWithWebIdentity operation: ${GENERIC.replace(/\./g, '\\.')}`,
    ),
  );
  const before2026 = await awsCliError(old.url, token, f.roleArn);
  assert.match(
    before2026,
    /An error occurred \(InvalidIdentityToken\) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https:\/\/unknown-oidc\.example\.com/,
  );
  assert.equal(old.behaviour, '2025-12');
  assert.equal(f.sts.behaviour, '2026-11');
});

test('aws CLI: Expiration as printed is the Date header it received plus the duration', async () => {
  const { stdout, stderr } = await run(
    'aws',
    [
      'sts',
      'assume-role-with-web-identity',
      '--endpoint-url',
      f.sts.url,
      '--role-arn',
      f.roleArn,
      '--role-session-name',
      'aws-cli-debug',
      '--web-identity-token',
      await f.mint(),
      '--duration-seconds',
      '1200',
      '--output',
      'json',
      '--debug',
    ],
    { env: cliEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  const out = JSON.parse(stdout) as { Credentials: { Expiration: string } };
  // botocore logs the response headers as a dict: `'Date': 'Sun, 29 Nov 2026 21:50:34 GMT'`.
  const date = /'Date': '([^']+)'/i.exec(stderr)?.[1];
  assert.ok(date !== undefined, 'the debug log shows the Date header');
  assert.match(stderr, /'x-amz-sts-extended-request-id': '[A-Za-z0-9+/=]+'/i);
  assert.equal(Date.parse(out.Credentials.Expiration), Date.parse(date) + 1200_000);
});

test('boto3: Expiration is a datetime equal to the Date header plus the duration', async () => {
  const script = [
    'import boto3, json, sys',
    'from email.utils import parsedate_to_datetime',
    `sts = boto3.client("sts", endpoint_url=${JSON.stringify(f.sts.url)}, region_name="us-east-1")`,
    'out = sts.assume_role_with_web_identity(RoleArn=sys.argv[1], RoleSessionName="boto3", WebIdentityToken=sys.argv[2], DurationSeconds=2700)',
    'headers = out["ResponseMetadata"]["HTTPHeaders"]',
    'expiration = out["Credentials"]["Expiration"]',
    'print(json.dumps({',
    '  "type": type(expiration).__name__,',
    '  "delta": (expiration - parsedate_to_datetime(headers["date"])).total_seconds(),',
    '  "requestId": out["ResponseMetadata"]["RequestId"],',
    '  "headerId": headers["x-amzn-requestid"],',
    '  "extended": headers.get("x-amz-sts-extended-request-id"),',
    '  "arn": out["AssumedRoleUser"]["Arn"],',
    '}))',
  ].join('\n');
  const { stdout } = await run('python3', ['-c', script, f.roleArn, await f.mint()], { env: cliEnv() });
  const seen = JSON.parse(stdout) as {
    type: string;
    delta: number;
    requestId: string;
    headerId: string;
    extended: string | null;
    arn: string;
  };
  assert.equal(seen.type, 'datetime');
  assert.equal(seen.delta, 2700);
  assert.equal(seen.requestId, seen.headerId);
  assert.ok(seen.extended !== null && seen.extended.length > 0);
  assert.match(seen.arn, /assumed-role\/.+\/boto3$/);
});

test('JS SDK: Expiration (a Date) is the Date header plus the duration; both ids are on the response', async () => {
  const sts = new STSClient({ endpoint: f.sts.url, region: 'us-east-1' });
  const headers: Record<string, string>[] = [];
  sts.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      headers.push((result.response as { headers: Record<string, string> }).headers);
      return result;
    },
    { step: 'deserialize', name: 'captureHeaders' },
  );
  try {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: f.roleArn,
        RoleSessionName: 'sdk-v3',
        WebIdentityToken: await f.mint(),
        DurationSeconds: 3000,
      }),
    );
    const seen = headers[0]!;
    assert.ok(out.Credentials?.Expiration instanceof Date);
    assert.equal(out.Credentials.Expiration.getTime(), Date.parse(seen['date']!) + 3000_000);
    assert.equal(out.$metadata.requestId, seen['x-amzn-requestid']);
    assert.match(seen['x-amz-sts-extended-request-id'] ?? '', /^[A-Za-z0-9+/=]{16,}$/);
  } finally {
    sts.destroy();
  }
});
