import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDiscoveryDocument } from '../../../src/core/discovery.js';
import {
  discoveryWithoutPath,
  fleetLayout,
  fleetRootCause,
  strayDocuments,
  straysBelongTo,
  withFleetConditionKeys,
  type FleetLayout,
} from '../../../src/doctor/checks/fleet.js';
import { isConcrete } from '../../../src/doctor/fix.js';
import { fleetDocumentsFix, identityFix } from '../../../src/doctor/fixes.js';
import { issuerPath, pathlessConditionKeys } from '../../../src/doctor/fleet-paths.js';
import type { DistributionObservation } from '../../../src/doctor/ports.js';
import { makeFinding, type CheckResult } from '../../../src/doctor/report.js';

/**
 * The pure parts of the fleet check: where a fleet member's documents must be, which other places
 * of the bucket hold its documents, a discovery document without the issuer's path, and trust
 * condition keys without it (aws-sts-2026.md §7: issuers with a path keep it in the condition keys).
 */

const DOMAIN = 'd111.cloudfront.net';
const ISSUER = `https://${DOMAIN}/fa`;
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${DOMAIN}/fa`;

function distribution(originPath = ''): DistributionObservation {
  return {
    id: 'E1',
    arn: 'arn:aws:cloudfront::123456789012:distribution/E1',
    domainName: DOMAIN,
    aliases: [],
    status: 'Deployed',
    enabled: true,
    defaultOriginId: 's3',
    origins: [
      {
        id: 's3',
        domainName: 'fl-oidc.s3.us-east-1.amazonaws.com',
        originPath,
        originAccessControlId: 'OAC1',
        originAccessIdentity: undefined,
      },
    ],
  };
}

const layout = fleetLayout(ISSUER, distribution()) as FleetLayout;

describe('fleet layout', () => {
  test("a member's documents are under its prefix, after the origin's OriginPath", () => {
    assert.deepEqual(layout, {
      issuer: ISSUER,
      domainIssuer: `https://${DOMAIN}`,
      path: 'fa',
      bucket: 'fl-oidc',
      originRegion: 'us-east-1',
      originPrefix: '',
      discoveryKey: 'fa/.well-known/openid-configuration',
      jwksKey: 'fa/keys.json',
    });
    const nested = fleetLayout(ISSUER, distribution('/issuers/'));
    assert.equal(nested?.discoveryKey, 'issuers/fa/.well-known/openid-configuration');
    assert.equal(nested.jwksKey, 'issuers/fa/keys.json');
  });

  test('an issuer without a path, or a distribution without an S3 origin, is not a fleet member', () => {
    assert.equal(fleetLayout(`https://${DOMAIN}`, distribution()), undefined);
    const custom = {
      ...distribution(),
      origins: [
        {
          id: 's3',
          domainName: 'example.com',
          originPath: '',
          originAccessControlId: undefined,
          originAccessIdentity: undefined,
        },
      ],
    };
    assert.equal(fleetLayout(ISSUER, custom), undefined);
    assert.equal(issuerPath(`https://${DOMAIN}/`), undefined);
    assert.equal(issuerPath(`https://${DOMAIN}/team/a`), 'team/a');
  });
});

describe('documents outside the prefix', () => {
  test('the root and misspelt prefixes holding documents are found; the member’s own prefix is not', () => {
    const keys = [
      '.well-known/openid-configuration',
      'keys.json',
      'fa/keys.json',
      'FA/.well-known/openid-configuration',
      'FA/keys.json',
      'fb/.well-known/openid-configuration',
      'fb/keys.json',
      'notes.txt',
    ];
    const strays = strayDocuments(layout, keys);
    assert.deepEqual(
      strays.map((s) => [s.prefix, s.discoveryKey, s.jwksKey, s.discoveryUrl]),
      [
        [
          '',
          '.well-known/openid-configuration',
          'keys.json',
          `https://${DOMAIN}/.well-known/openid-configuration`,
        ],
        [
          'FA/',
          'FA/.well-known/openid-configuration',
          'FA/keys.json',
          `https://${DOMAIN}/FA/.well-known/openid-configuration`,
        ],
        [
          'fb/',
          'fb/.well-known/openid-configuration',
          'fb/keys.json',
          `https://${DOMAIN}/fb/.well-known/openid-configuration`,
        ],
      ],
    );
  });

  test("stray documents are the member's when they name its issuer, or the bare domain at the root only", () => {
    const [root, fb] = strayDocuments(layout, [
      'keys.json',
      '.well-known/openid-configuration',
      'fb/keys.json',
    ]);
    assert.ok(root !== undefined && fb !== undefined);
    assert.equal(straysBelongTo(layout, root, renderDiscoveryDocument(ISSUER)), true);
    assert.equal(straysBelongTo(layout, root, renderDiscoveryDocument(`https://${DOMAIN}`)), true);
    assert.equal(straysBelongTo(layout, root, renderDiscoveryDocument(`https://${DOMAIN}/fb`)), false);
    assert.equal(straysBelongTo(layout, fb, renderDiscoveryDocument(`https://${DOMAIN}`)), false);
    assert.equal(straysBelongTo(layout, fb, 'not json'), false);
  });

  test('the fix uploads the missing documents under the prefix, tagged as the cluster’s, with every value filled', () => {
    const jwks = '{"keys":[{"kid":"k1","kty":"RSA","n":"x","e":"AQAB"}]}';
    const fix = fleetDocumentsFix({
      issuer: ISSUER,
      path: 'fa',
      bucket: 'fl-oidc',
      region: 'eu-west-1',
      discoveryKey: layout.discoveryKey,
      jwksKey: layout.jwksKey,
      write: [layout.discoveryKey, layout.jwksKey],
      jwks,
      reason: 'the documents are at the root',
    });
    assert.ok(fix !== undefined && isConcrete(fix));
    assert.deepEqual(
      fix.steps.map((s) => s.argv),
      [
        [
          'aws',
          's3api',
          'put-object',
          '--bucket',
          'fl-oidc',
          '--key',
          'fa/.well-known/openid-configuration',
          '--body',
          'fl-oidc-fa-openid-configuration.json',
          '--content-type',
          'application/json',
          '--tagging',
          'openshift.io/cloud-credential-operator/fa=owned&Name=fa',
          '--region',
          'eu-west-1',
        ],
        [
          'aws',
          's3api',
          'put-object',
          '--bucket',
          'fl-oidc',
          '--key',
          'fa/keys.json',
          '--body',
          'fl-oidc-fa-keys.json',
          '--content-type',
          'application/json',
          '--tagging',
          'openshift.io/cloud-credential-operator/fa=owned&Name=fa',
          '--region',
          'eu-west-1',
        ],
      ],
    );
    assert.equal(fix.steps[0]?.files?.[0]?.content, renderDiscoveryDocument(ISSUER));
    assert.equal(fix.steps[1]?.files?.[0]?.content, jwks);
    // Without the JWKS it must publish, no fix is written rather than an incomplete one.
    assert.equal(
      fleetDocumentsFix({
        issuer: ISSUER,
        path: 'fa',
        bucket: 'fl-oidc',
        region: 'eu-west-1',
        discoveryKey: layout.discoveryKey,
        jwksKey: layout.jwksKey,
        write: [layout.jwksKey],
        reason: 'x',
      }),
      undefined,
    );
  });
});

describe('discovery without the path', () => {
  test('a document written for the domain names the bare domain and a jwks_uri without the path', () => {
    assert.deepEqual(discoveryWithoutPath(layout, renderDiscoveryDocument(`https://${DOMAIN}`)), {
      issuerField: `https://${DOMAIN}`,
      jwksUri: `https://${DOMAIN}/keys.json`,
      jwksUriWithoutPath: true,
    });
  });

  test('only the issuer field without the path: the keys are still where STS looks', () => {
    const doc = { ...(JSON.parse(renderDiscoveryDocument(ISSUER)) as object), issuer: `https://${DOMAIN}` };
    assert.equal(discoveryWithoutPath(layout, JSON.stringify(doc))?.jwksUriWithoutPath, false);
  });

  test("the member's own document, or another issuer altogether, is not this finding", () => {
    assert.equal(discoveryWithoutPath(layout, renderDiscoveryDocument(ISSUER)), undefined);
    assert.equal(
      discoveryWithoutPath(layout, renderDiscoveryDocument('https://other.example.com')),
      undefined,
    );
    assert.equal(discoveryWithoutPath(layout, '[]'), undefined);
  });

  test('only an error fleet finding explains a refused fetch, and it carries the model’s error', () => {
    const error = { code: 'InvalidIdentityToken', status: 400, message: 'm' };
    const refused = makeFinding('FLEET_DISCOVERY_WITHOUT_PATH', 'd');
    const warning = { ...refused, severity: 'warning' as const };
    assert.deepEqual(fleetRootCause('jwks.status', [warning, refused], error), {
      ...refused,
      predictedError: error,
      decisive: true,
    });
    assert.equal(fleetRootCause('jwks.status', [warning], error), undefined);
    assert.equal(fleetRootCause('trust.policy', [refused], error), undefined);
  });
});

describe('condition keys without the path', () => {
  const policy = (keys: Record<string, unknown>, federated = PROVIDER_ARN): string =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: federated },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: keys },
        },
        {
          Sid: 'Other',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: 'sts:AssumeRole',
        },
      ],
    });

  test('<domain>:sub and <domain>:aud are named with the key STS evaluates', () => {
    const keys = pathlessConditionKeys(
      policy({ [`${DOMAIN}:sub`]: 'system:serviceaccount:ns:sa', [`${DOMAIN}:aud`]: 'openshift' }),
      PROVIDER_ARN,
      `${DOMAIN}/fa`,
    );
    assert.deepEqual(keys, [
      { statement: 0, operator: 'StringEquals', key: `${DOMAIN}:sub`, expected: `${DOMAIN}/fa:sub` },
      { statement: 0, operator: 'StringEquals', key: `${DOMAIN}:aud`, expected: `${DOMAIN}/fa:aud` },
    ]);
  });

  test('keys with the path, statements for another provider and issuers without a path are left alone', () => {
    assert.deepEqual(
      pathlessConditionKeys(policy({ [`${DOMAIN}/fa:sub`]: 'x' }), PROVIDER_ARN, `${DOMAIN}/fa`),
      [],
    );
    assert.deepEqual(
      pathlessConditionKeys(
        policy({ [`${DOMAIN}:sub`]: 'x' }, `${PROVIDER_ARN}b`),
        PROVIDER_ARN,
        `${DOMAIN}/fa`,
      ),
      [],
    );
    assert.deepEqual(pathlessConditionKeys(policy({ [`${DOMAIN}:sub`]: 'x' }), PROVIDER_ARN, DOMAIN), []);
    assert.deepEqual(pathlessConditionKeys('not json', PROVIDER_ARN, `${DOMAIN}/fa`), []);
  });

  test('the fix renames the keys and keeps every other statement, subject and value', () => {
    const subjects = ['system:serviceaccount:ns:sa', 'system:serviceaccount:ns:other'];
    const document = policy({ [`${DOMAIN}:sub`]: subjects, [`${DOMAIN}:aud`]: 'openshift' });
    const fix = identityFix('FLEET_CONDITION_KEY_WITHOUT_PATH', {
      partition: 'aws',
      accountId: '123456789012',
      claims: { iss: ISSUER, sub: 'system:serviceaccount:ns:sa', aud: ['openshift'] },
      audience: 'openshift',
      sessionName: 's',
      role: {
        arn: 'arn:aws:iam::123456789012:role/r',
        roleName: 'r',
        roleId: 'AROAEXAMPLE',
        assumeRolePolicyDocument: document,
        maxSessionDuration: 3600,
      },
      provider: { arn: PROVIDER_ARN, url: `${DOMAIN}/fa`, clientIds: ['openshift'], thumbprints: [] },
      providers: [],
      roles: [],
    });
    assert.ok(fix !== undefined && isConcrete(fix));
    assert.equal(fix.steps.length, 1);
    assert.deepEqual(fix.steps[0]?.argv, [
      'aws',
      'iam',
      'update-assume-role-policy',
      '--role-name',
      'r',
      '--policy-document',
      'file://r-trust-policy.json',
    ]);
    const written = JSON.parse(fix.steps[0].files?.[0]?.content ?? '') as {
      Statement: [{ Condition: { StringEquals: unknown } }, unknown];
    };
    assert.deepEqual(written.Statement[0].Condition.StringEquals, {
      [`${DOMAIN}/fa:sub`]: subjects,
      [`${DOMAIN}/fa:aud`]: 'openshift',
    });
    assert.deepEqual(written.Statement[1], (JSON.parse(document) as { Statement: unknown[] }).Statement[1]);
  });

  test('in the role check, the trust denials are replaced by one fleet finding, first; other findings stay', () => {
    const keys = [
      { statement: 0, operator: 'StringEquals', key: `${DOMAIN}:sub`, expected: `${DOMAIN}/fa:sub` },
    ];
    const denial = makeFinding('TRUST_POLICY_DENIES', 'system:serviceaccount:ns:sa: not allowed');
    const boundary = makeFinding('ROLE_PERMISSIONS_BOUNDARY', 'boundary b');
    const check: CheckResult = {
      id: 'role.trust',
      title: 't',
      hop: 'role',
      outcome: { status: 'fail', findings: [denial, boundary] },
    };
    const result = withFleetConditionKeys(check, { roleName: 'r', keys, vars: {}, remedy: undefined });
    assert.equal(result.outcome.status, 'fail');
    const findings = result.outcome.findings;
    assert.deepEqual(
      findings.map((f) => f.code),
      ['FLEET_CONDITION_KEY_WITHOUT_PATH', 'ROLE_PERMISSIONS_BOUNDARY'],
    );
    assert.equal(
      findings[0]?.detail,
      `role r: statement 0 tests StringEquals ${DOMAIN}:sub, but STS evaluates ${DOMAIN}/fa:sub (the provider URL with the issuer's path), so ${DOMAIN}:sub is not in the request and the condition never matches\nsystem:serviceaccount:ns:sa: not allowed`,
    );
    // A passing check, or one without a denial, is left as it is.
    const passing: CheckResult = {
      id: 'role.trust',
      title: 't',
      hop: 'role',
      outcome: { status: 'pass', detail: 'd' },
    };
    assert.equal(
      withFleetConditionKeys(passing, { roleName: 'r', keys, vars: {}, remedy: undefined }),
      passing,
    );
    const onlyBoundary: CheckResult = { ...check, outcome: { status: 'fail', findings: [boundary] } };
    assert.equal(
      withFleetConditionKeys(onlyBoundary, { roleName: 'r', keys, vars: {}, remedy: undefined }),
      onlyBoundary,
    );
  });
});
