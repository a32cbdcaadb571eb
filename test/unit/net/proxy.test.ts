import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StsctlError } from '../../../src/core/errors.js';
import { bypassesProxy, proxyForUrl, redactProxy } from '../../../src/net/proxy.js';

const at = (url: string, env: NodeJS.ProcessEnv): string | undefined => proxyForUrl(url, env)?.href;

test('HTTPS_PROXY for https URLs, HTTP_PROXY for http URLs; none set means direct', () => {
  const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://plain.corp:8080' };
  assert.equal(at('https://oidc.example.com/keys.json', env), 'http://proxy.corp:3128/');
  assert.equal(at('http://127.0.0.1:5000/', env), 'http://plain.corp:8080/');
  assert.equal(at('https://oidc.example.com/', {}), undefined);
  assert.equal(at('https://oidc.example.com/', { HTTP_PROXY: 'http://plain.corp:8080' }), undefined);
});

test('the lowercase variable wins over the uppercase one, and a proxy without a scheme is http://', () => {
  assert.equal(
    at('https://a.example/', { https_proxy: 'lower.corp:3128', HTTPS_PROXY: 'http://upper.corp:3128' }),
    'http://lower.corp:3128/',
  );
  assert.equal(at('https://a.example/', { HTTPS_PROXY: '  ' }), undefined);
});

test('NO_PROXY: *, domains with and without a leading dot or *., ports, IPs and IPv6', () => {
  const np = 'localhost, .internal.corp *.svc 169.254.169.254,example.org:8443,[::1],fd00::1';
  assert.equal(bypassesProxy('anything.example', 443, '*'), true);
  assert.equal(bypassesProxy('internal.corp', 443, np), true);
  assert.equal(bypassesProxy('api.internal.corp', 443, np), true);
  assert.equal(bypassesProxy('notinternal.corp', 443, np), false);
  assert.equal(bypassesProxy('kube.svc', 443, np), true);
  assert.equal(bypassesProxy('LOCALHOST', 443, np), true);
  assert.equal(bypassesProxy('169.254.169.254', 80, np), true);
  assert.equal(bypassesProxy('example.org', 8443, np), true);
  assert.equal(bypassesProxy('example.org', 443, np), false);
  assert.equal(bypassesProxy('::1', 443, np), true);
  assert.equal(bypassesProxy('[fd00::1]', 443, np), true);
  assert.equal(bypassesProxy('s3.amazonaws.com', 443, np), false);
  assert.equal(bypassesProxy('s3.amazonaws.com', 443, undefined), false);
  // A domain entry matches the host and its subdomains only, never a mere suffix of a label.
  assert.equal(bypassesProxy('evilamazonaws.com', 443, 'amazonaws.com'), false);
  assert.equal(bypassesProxy('bucket.s3.amazonaws.com', 443, 'amazonaws.com'), true);
  assert.equal(
    at('https://bucket.s3.amazonaws.com/', { HTTPS_PROXY: 'http://p:1', no_proxy: '.amazonaws.com' }),
    undefined,
  );
});

test('a proxy that is not an http(s) URL is an environment error naming the variable', () => {
  assert.throws(
    () => proxyForUrl('https://a.example/', { HTTPS_PROXY: 'socks5://p.corp:1080' }),
    (e: unknown) =>
      e instanceof StsctlError &&
      /HTTPS_PROXY "socks5:\/\/p\.corp:1080": only http:\/\/ and https:\/\//.test(e.message),
  );
  assert.throws(
    () => proxyForUrl('https://a.example/', { HTTPS_PROXY: 'http://[bad' }),
    (e: unknown) => e instanceof StsctlError && /HTTPS_PROXY .* is not a URL/.test(e.message),
  );
});

test('redactProxy drops credentials', () => {
  assert.equal(redactProxy(new URL('http://user:secret@proxy.corp:3128/')), 'http://proxy.corp:3128');
});
