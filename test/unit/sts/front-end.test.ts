import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CONSOLE_REDIRECT,
  refuseByHead,
  responseFormat,
  routeQuery,
  type RequestHead,
} from '../../../src/sts/front-end.js';
import { DEFAULT_STS_LIMITS, resolveLimits } from '../../../src/sts/limits.js';
import { AWS_FAULT_NAMESPACE } from '../../../src/sts/xml.js';

// The validating STS's front end: which requests are answered, refused (and how) or forwarded.
// Sections cited are aws-sts-oidc.md §1.1 and aws-sts-2026.md §4.

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const ASSUME =
  'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=r&RoleSessionName=s&WebIdentityToken=t';

function post(body: string, headers: Record<string, string> = { 'content-type': FORM }, url = '/') {
  const head: RequestHead = { method: 'POST', url, headers };
  return { head, route: routeQuery(head, Buffer.from(body), DEFAULT_STS_LIMITS) };
}

describe('refuseByHead', () => {
  for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE']) {
    test(`${method} is 405 with Allow: GET, POST`, () => {
      const refused = refuseByHead({ method, url: '/', headers: { 'content-type': FORM } });
      assert.equal(refused?.error.status, 405);
      assert.equal(refused.headers?.Allow, 'GET, POST');
    });
  }

  for (const encoding of ['gzip', 'deflate', 'br', 'GZIP', 'gzip, identity']) {
    test(`Content-Encoding: ${encoding} is 415 asking for identity`, () => {
      const refused = refuseByHead({
        method: 'POST',
        url: '/',
        headers: { 'content-type': FORM, 'content-encoding': encoding },
      });
      assert.equal(refused?.error.status, 415);
      assert.equal(refused.headers?.['Accept-Encoding'], 'identity');
    });
  }

  test('Content-Encoding: identity passes', () => {
    assert.equal(
      refuseByHead({
        method: 'POST',
        url: '/',
        headers: { 'content-type': FORM, 'content-encoding': 'identity' },
      }),
      undefined,
    );
  });

  test('the JSON protocol is InvalidAction naming the target operation', () => {
    const refused = refuseByHead({
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSSecurityTokenServiceV20110615.AssumeRoleWithWebIdentity',
      },
    });
    assert.equal(refused?.error.code, 'InvalidAction');
    assert.equal(
      refused.error.message,
      'Could not find operation AssumeRoleWithWebIdentity for version 2011-06-15',
    );
  });

  test('an X-Amz-Target on a form POST is still the JSON protocol', () => {
    const refused = refuseByHead({
      method: 'POST',
      url: '/',
      headers: { 'content-type': FORM, 'x-amz-target': 'AWSSecurityTokenServiceV20110615.GetSessionToken' },
    });
    assert.equal(refused?.error.code, 'InvalidAction');
  });

  for (const type of [
    'multipart/form-data; boundary=x',
    'application/json',
    'text/plain',
    'application/octet-stream',
  ]) {
    test(`a POST body of ${type} is 415`, () => {
      const refused = refuseByHead({ method: 'POST', url: '/', headers: { 'content-type': type } });
      assert.equal(refused?.error.status, 415);
      assert.equal(refused.error.code, 'UnsupportedMediaType');
    });
  }

  for (const type of [
    FORM,
    'application/x-www-form-urlencoded',
    'Application/X-WWW-Form-Urlencoded; Charset=ISO-8859-1',
  ]) {
    test(`a form POST (${type}) passes`, () => {
      assert.equal(refuseByHead({ method: 'POST', url: '/', headers: { 'content-type': type } }), undefined);
    });
  }

  test('a GET passes whatever its content type (its body is never read)', () => {
    assert.equal(
      refuseByHead({ method: 'GET', url: '/?Action=x', headers: { 'content-type': 'text/plain' } }),
      undefined,
    );
  });
});

describe('routeQuery', () => {
  test('AssumeRoleWithWebIdentity is answered here', () => {
    const { route } = post(ASSUME);
    assert.equal(route.kind, 'assume-role-with-web-identity');
  });

  test('the first Action wins: a later Action cannot turn a forwarded call into a grant (§4)', () => {
    const { route } = post(`${ASSUME}&Action=GetSessionToken`);
    assert.equal(route.kind, 'assume-role-with-web-identity');
    const other = post(`Action=GetSessionToken&Version=2011-06-15&Action=AssumeRoleWithWebIdentity`).route;
    assert.ok(other.kind === 'forward');
    assert.deepEqual(
      [...other.params],
      [
        ['Action', 'GetSessionToken'],
        ['Version', '2011-06-15'],
      ],
    );
  });

  test('the query string comes before the body: its Action is the first occurrence', () => {
    const { route } = post(
      'Action=GetSessionToken&Version=2011-06-15',
      { 'content-type': FORM },
      '/?Action=AssumeRoleWithWebIdentity',
    );
    assert.equal(route.kind, 'assume-role-with-web-identity');
  });

  test('parameter names are case-sensitive: a lower-case action is no Action', () => {
    const { route } = post('action=AssumeRoleWithWebIdentity&Version=2011-06-15');
    assert.ok(route.kind === 'refuse');
    assert.equal(route.error.code, 'MissingAction');
  });

  test('no Action: MissingAction (400); a POST without Content-Type: 302 to the console (§4)', () => {
    const missing = post('Version=2011-06-15').route;
    assert.ok(missing.kind === 'refuse');
    assert.equal(missing.error.status, 400);
    assert.equal(missing.error.code, 'MissingAction');
    const bare = post('', {}).route;
    assert.deepEqual(bare, { kind: 'redirect', location: CONSOLE_REDIRECT });
    const get = routeQuery({ method: 'GET', url: '/', headers: {} }, Buffer.alloc(0), DEFAULT_STS_LIMITS);
    assert.ok(get.kind === 'refuse');
    assert.equal(get.error.code, 'MissingAction');
  });

  test('no Version: InvalidAction for NO_VERSION_SPECIFIED in the AWSFault namespace (§4)', () => {
    const { route } = post('Action=AssumeRoleWithWebIdentity&WebIdentityToken=t');
    assert.ok(route.kind === 'refuse');
    assert.equal(route.error.code, 'InvalidAction');
    assert.equal(
      route.error.message,
      'Could not find operation AssumeRoleWithWebIdentity for version NO_VERSION_SPECIFIED',
    );
    assert.equal(route.namespace, AWS_FAULT_NAMESPACE);
  });

  test('an action STS does not have is InvalidAction, never forwarded', () => {
    const { route } = post('Action=ListBuckets&Version=2011-06-15');
    assert.ok(route.kind === 'refuse');
    assert.equal(route.error.message, 'Could not find operation ListBuckets for version 2011-06-15');
  });

  test('another STS action is forwarded; GetCallerIdentity may be answered here', () => {
    assert.equal(post('Action=AssumeRole&Version=2011-06-15').route.kind, 'forward');
    assert.equal(post('Action=GetCallerIdentity&Version=2011-06-15').route.kind, 'get-caller-identity');
  });

  test('a GET reads the query string and ignores any body', () => {
    const head: RequestHead = { method: 'GET', url: `/?${ASSUME}`, headers: {} };
    const route = routeQuery(head, Buffer.from('Action=GetSessionToken'), DEFAULT_STS_LIMITS);
    assert.equal(route.kind, 'assume-role-with-web-identity');
  });

  test('more parameters than the limit are refused before parsing, with the count', () => {
    const body = Array.from({ length: 100_000 }, (_, i) => `p${i}=v`).join('&');
    const started = process.hrtime.bigint();
    const { route } = post(`${ASSUME}&${body}`);
    assert.ok(route.kind === 'refuse');
    assert.equal(route.error.code, 'ValidationError');
    assert.match(route.error.message, /has 100005 parameters; at most 1000/);
    // Generous: a quadratic parse of 100,000 parameters took tens of seconds.
    assert.ok(process.hrtime.bigint() - started < 2_000_000_000n);
  });
});

describe('responseFormat', () => {
  test('XML unless Accept names application/json (§4)', () => {
    assert.equal(responseFormat({}), 'xml');
    assert.equal(responseFormat({ accept: '*/*' }), 'xml');
    assert.equal(responseFormat({ accept: 'text/xml, application/json;q=0.5' }), 'json');
  });
});

describe('resolveLimits', () => {
  test('names a limit that is not a positive integer, and a head timeout above the request timeout', () => {
    assert.throws(() => resolveLimits({ maxBodyBytes: 0 }), /maxBodyBytes must be a positive integer/);
    assert.throws(
      () => resolveLimits({ headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 }),
      /headersTimeoutMs \(20000\) must not exceed requestTimeoutMs/,
    );
    assert.equal(resolveLimits({ maxParameters: 5 }).maxParameters, 5);
  });
});
