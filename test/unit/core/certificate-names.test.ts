import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateCovers, certificateNameCovers } from '../../../src/core/certificate-names.js';

test('an exact name covers only that host, case-insensitively and ignoring a final dot', () => {
  assert.equal(certificateNameCovers('oidc.example.com', 'oidc.example.com'), true);
  assert.equal(certificateNameCovers('OIDC.Example.com.', 'oidc.example.com'), true);
  assert.equal(certificateNameCovers('oidc.example.com', 'www.example.com'), false);
  assert.equal(certificateNameCovers('example.com', 'oidc.example.com'), false);
});

test('a wildcard covers exactly one more label in front of its rest', () => {
  assert.equal(certificateNameCovers('*.example.com', 'oidc.example.com'), true);
  assert.equal(certificateNameCovers('*.example.com', 'example.com'), false);
  assert.equal(certificateNameCovers('*.example.com', 'a.oidc.example.com'), false);
  assert.equal(certificateNameCovers('*.example.com', 'oidc.example.org'), false);
});

test('malformed wildcards cover nothing', () => {
  assert.equal(certificateNameCovers('*.com', 'example.com'), false);
  assert.equal(certificateNameCovers('*.*.example.com', 'a.b.example.com'), false);
  assert.equal(certificateNameCovers('oidc*.example.com', 'oidc1.example.com'), false);
  assert.equal(certificateNameCovers('', 'oidc.example.com'), false);
});

test('a certificate covers a host when any of its names does', () => {
  assert.equal(certificateCovers(['example.com', '*.example.com'], 'oidc.example.com'), true);
  assert.equal(certificateCovers(['example.com', 'www.example.com'], 'oidc.example.com'), false);
  assert.equal(certificateCovers([], 'oidc.example.com'), false);
});
