import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  authenticationManifest,
  buildJwks,
  credentialsIni,
  discoveryUrl,
  issuerHostPath,
  jwksUri,
  mergeJwks,
  missingDiscoveryFields,
  parseDiscoveryDocument,
  parseJwks,
  publicS3IssuerUrl,
  readPublicKeyPem,
  removeKeys,
  renderDiscoveryDocument,
  secretManifest,
  StsctlError,
  validateIssuerUrl,
} from '../../../src/core/index.js';
import { CCOCTL_DERIVED, TEST_PUBLIC_KEY } from '../../helpers/repo.js';
import { generateKeyPairSync } from 'node:crypto';

const A = join(CCOCTL_DERIVED, 'A-create-identity-provider-public-us-west-2');
const C = join(CCOCTL_DERIVED, 'C-create-identity-provider-public-us-east-1');
const E = join(CCOCTL_DERIVED, 'E-secret-after-real-run');

describe('discovery document', () => {
  test("is byte-identical to ccoctl's template (tabs, duplicate sub, no trailing newline)", () => {
    const issuer = 'https://test-infra-name-oidc.s3.us-west-2.amazonaws.com';
    assert.equal(renderDiscoveryDocument(issuer), readFileSync(join(A, '02-openid-configuration'), 'utf8'));
  });

  test('jwks_uri is issuer + /keys.json and all fields STS needs are present', () => {
    const doc = JSON.parse(renderDiscoveryDocument('https://x.example.com')) as Record<string, unknown>;
    assert.equal(doc['jwks_uri'], 'https://x.example.com/keys.json');
    assert.deepEqual(missingDiscoveryFields(doc), []);
  });

  test('reports missing required fields by name', () => {
    assert.deepEqual(missingDiscoveryFields({ issuer: 'x', jwks_uri: 'y' }), [
      'response_types_supported',
      'subject_types_supported',
      'id_token_signing_alg_values_supported',
    ]);
  });

  test('parse errors name the field', () => {
    assert.throws(
      () => parseDiscoveryDocument({ issuer: 'x', jwks_uri: 3 }, 'disc.json'),
      (e: unknown) => e instanceof StsctlError && e.path === 'jwks_uri' && e.file === 'disc.json',
    );
  });
});

describe('issuer URLs', () => {
  test('public S3 form per region and partition, us-east-1 regional like ccoctl', () => {
    assert.equal(publicS3IssuerUrl('n-oidc', 'us-west-2'), 'https://n-oidc.s3.us-west-2.amazonaws.com');
    assert.equal(publicS3IssuerUrl('n-oidc', 'us-east-1'), 'https://n-oidc.s3.us-east-1.amazonaws.com');
    assert.equal(publicS3IssuerUrl('n-oidc', 'cn-north-1'), 'https://n-oidc.s3.cn-north-1.amazonaws.com.cn');
    assert.equal(
      publicS3IssuerUrl('n-oidc', 'us-gov-west-1'),
      'https://n-oidc.s3.us-gov-west-1.amazonaws.com',
    );
  });

  test('helpers derive the provider URL, JWKS and discovery locations', () => {
    assert.equal(issuerHostPath('https://a.example.com/p'), 'a.example.com/p');
    assert.equal(jwksUri('https://a.example.com'), 'https://a.example.com/keys.json');
    assert.equal(
      discoveryUrl('https://a.example.com'),
      'https://a.example.com/.well-known/openid-configuration',
    );
  });

  for (const [url, reason] of [
    ['http://a.example.com', /https/],
    ['https://a.example.com:8443', /port/],
    ['https://a.example.com:443', /port/],
    ['https://a.example.com/?x=1', /query/],
    ['https://a.example.com/', /end with/],
    ['https://a.example.com#f', /fragment/],
    ['not a url', /not a URL/],
  ] as const) {
    test(`rejects ${url}`, () => {
      assert.throws(
        () => validateIssuerUrl(url),
        (e: unknown) => e instanceof StsctlError && reason.test(e.message),
      );
    });
  }

  test('accepts hosts with paths', () => {
    assert.equal(
      validateIssuerUrl('https://s3.us-east-1.amazonaws.com/bucket'),
      'https://s3.us-east-1.amazonaws.com/bucket',
    );
  });
});

describe('manifests', () => {
  test("Authentication CR is byte-identical to ccoctl's (A and C)", () => {
    assert.equal(
      authenticationManifest('https://test-infra-name-oidc.s3.us-west-2.amazonaws.com'),
      readFileSync(join(A, 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
    );
    assert.equal(
      authenticationManifest('https://test-infra-name-oidc.s3.us-east-1.amazonaws.com'),
      readFileSync(join(C, 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
    );
  });

  test("Secret after a real run is byte-identical to ccoctl's (E)", () => {
    const actual = secretManifest({
      namespace: 'openshift-machine-api',
      name: 'aws-cloud-credentials',
      roleArn: 'arn:aws:iam::123456789012:role/test-cluster1-openshift-machine-api-aws-cloud-credentials',
    });
    assert.equal(
      actual,
      readFileSync(
        join(E, 'manifests', 'openshift-machine-api-aws-cloud-credentials-credentials.yaml'),
        'utf8',
      ),
    );
  });

  test('dry-run Secret has an empty role_arn and the marker that makes it fail to apply', () => {
    const s = secretManifest({ namespace: 'ns', name: 'n', roleArn: '', dryRun: true });
    assert.match(s, /role_arn = \n/);
    assert.ok(s.endsWith('\nPOPULATE ROLE ARN AND DELETE THIS LINE'));
  });

  test('credentials INI uses regional STS and the OpenShift token path', () => {
    assert.equal(
      credentialsIni('arn:aws:iam::1:role/r'),
      '[default]\nsts_regional_endpoints = regional\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /var/run/secrets/openshift/serviceaccount/token',
    );
  });
});

describe('JWKS merge (rotation)', () => {
  const a = readPublicKeyPem(readFileSync(TEST_PUBLIC_KEY, 'utf8'));
  const b = readPublicKeyPem(
    generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString(),
  );

  test('appends new kids and keeps existing ones in place', () => {
    const merged = mergeJwks(buildJwks([a]), buildJwks([b]));
    assert.deepEqual(
      merged.jwks.keys.map((k) => k.kid),
      [a.kid, b.kid],
    );
    assert.deepEqual(merged.added, [b.kid]);
    assert.deepEqual(merged.retained, [a.kid]);
  });

  test('merging a set already present changes nothing', () => {
    const merged = mergeJwks(buildJwks([a, b]), buildJwks([b]));
    assert.equal(merged.jwks.keys.length, 2);
    assert.deepEqual(merged.added, []);
  });

  test('one kid with different key material is refused', () => {
    const forged = { keys: [{ ...buildJwks([b]).keys[0]!, kid: a.kid }] };
    assert.throws(
      () => mergeJwks(buildJwks([a]), forged),
      (e: unknown) => e instanceof StsctlError && e.code === 'JWKS_KID_CONFLICT',
    );
  });

  test('removeKeys drops retired kids', () => {
    assert.deepEqual(
      removeKeys(buildJwks([a, b]), [a.kid]).keys.map((k) => k.kid),
      [b.kid],
    );
  });

  test('parseJwks names the broken field', () => {
    assert.throws(
      () => parseJwks({ keys: [{ kty: 'RSA' }, { kid: 'x' }] }, 'keys.json'),
      (e: unknown) => e instanceof StsctlError && e.path === 'keys[1].kty',
    );
  });
});
