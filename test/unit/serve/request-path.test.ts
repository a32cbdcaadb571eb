import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRequestPath } from '../../../src/serve/request-path.js';

test('origin-form paths are kept; the query and fragment are dropped', () => {
  assert.equal(normalizeRequestPath('/keys.json'), '/keys.json');
  assert.equal(
    normalizeRequestPath('/c1/.well-known/openid-configuration'),
    '/c1/.well-known/openid-configuration',
  );
  assert.equal(normalizeRequestPath('/keys.json?x=1'), '/keys.json');
  assert.equal(normalizeRequestPath('/keys.json#frag'), '/keys.json');
  assert.equal(normalizeRequestPath('/'), '/');
});

test('absolute-form targets (RFC 9112 §3.2.2) give their path', () => {
  assert.equal(normalizeRequestPath('https://issuer.example.com/c1/keys.json'), '/c1/keys.json');
  assert.equal(normalizeRequestPath('https://issuer.example.com'), '/');
});

test('encoded unreserved characters are decoded; other escapes keep uppercase hex (RFC 3986 §6.2.2)', () => {
  assert.equal(normalizeRequestPath('/%6Beys.json'), '/keys.json');
  assert.equal(normalizeRequestPath('/keys%2Ejson'), '/keys.json');
  assert.equal(normalizeRequestPath('/a%3ab'), '/a%3Ab');
});

test('traversal spellings, encoded slashes, backslashes, NUL and empty segments are refused', () => {
  for (const target of [
    '/../keys.json',
    '/c1/../keys.json',
    '/c1/./keys.json',
    '/%2e%2e/keys.json',
    '/%2E%2E%2Fetc%2Fpasswd',
    '/c1%2fkeys.json',
    '/c1%2Fkeys.json',
    '/c1%5ckeys.json',
    '/c1\\keys.json',
    '//keys.json',
    '/c1//keys.json',
    '/keys.json%00',
    '/keys.json\u0000',
    '/keys%25.json',
    '/keys .json',
    '/k\u00e9ys.json',
    '/%zz',
    '/%4',
    'keys.json',
    '*',
    '',
  ]) {
    assert.equal(normalizeRequestPath(target), undefined, JSON.stringify(target));
  }
});

test('a trailing slash is a path of its own, not the document', () => {
  assert.equal(normalizeRequestPath('/c1/keys.json/'), '/c1/keys.json/');
});
