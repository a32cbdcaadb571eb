import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  issuerHostPath,
  mintServiceAccountToken,
  oidcProviderArn,
  renderPolicy,
  roleArn,
  trustPolicy,
  type PrivateKeyInfo,
} from '../../../src/core/index.js';
import { createIssuerFetcher } from '../../../src/net/issuer-fetch.js';
import { startIssuerServer, type IssuerServer } from '../../../src/serve/index.js';
import {
  evaluateWebIdentity,
  type IamOidcProvider,
  type WebIdentityInput,
} from '../../../src/webidentity/index.js';
import { HOST, ISSUER, cas, issuerFixture, rsaKey, type IssuerFixture } from './support.js';

/**
 * The web-identity model (what the validating STS runs) against an issuer served by `stsctl serve`:
 * discovery and JWKS are fetched over real HTTPS from the server, the way STS fetches them. The
 * server's chain comes from the sandbox's private CA, which the "AWS CA library" (the sandbox CA)
 * does not trust, so the provider's thumbprint decides (aws-sts-oidc.md §4, src/webidentity/tls.ts).
 */

const ACCOUNT = '123456789012';
const NAMESPACE = 'team';
const SERVICE_ACCOUNT = 'app';
const PROVIDER_ARN = oidcProviderArn('aws', ACCOUNT, issuerHostPath(ISSUER));
const ROLE_ARN = roleArn('aws', ACCOUNT, 'serve-app');
const NOW = new Date();

let fx: IssuerFixture;
let server: IssuerServer;
let key: PrivateKeyInfo;
let libraryRootPem: string;

before(async () => {
  key = await rsaKey();
  fx = await issuerFixture({ keys: [key] });
  libraryRootPem = (await cas()).sandbox.rootPem;
  server = await startIssuerServer({
    issuerDir: fx.issuerDir,
    certFile: fx.certFile,
    keyFile: fx.keyFile,
    port: 0,
  });
});
after(async () => {
  await server.shutdown(1000);
  fx.cleanup();
});

async function evaluate(thumbprints: readonly string[], trustedCaPems: readonly string[] = [libraryRootPem]) {
  const provider: IamOidcProvider = {
    arn: PROVIDER_ARN,
    url: issuerHostPath(ISSUER),
    clientIds: ['openshift', 'sts.amazonaws.com'],
    thumbprints,
  };
  const input: WebIdentityInput = {
    request: {
      RoleArn: ROLE_ARN,
      RoleSessionName: 'serve-test',
      WebIdentityToken: await mintServiceAccountToken({
        issuer: ISSUER,
        namespace: NAMESPACE,
        serviceAccount: SERVICE_ACCOUNT,
        now: NOW,
        privateKey: key.key,
        kid: key.publicKey.kid,
      }),
    },
    iam: {
      providers: [provider],
      role: {
        arn: ROLE_ARN,
        roleName: 'serve-app',
        roleId: 'AROAEXAMPLESERVE0001',
        assumeRolePolicyDocument: renderPolicy(
          trustPolicy(PROVIDER_ARN, issuerHostPath(ISSUER), NAMESPACE, [SERVICE_ACCOUNT]),
        ),
        maxSessionDuration: 3600,
      },
    },
    // STS's view: the issuer's public name, routed to the server; the CA library does not hold
    // the private CA.
    issuer: createIssuerFetcher({
      trustedCaPems,
      connectTo: (host, port) =>
        host === HOST && port === 443 ? { host: '127.0.0.1', port: server.port } : undefined,
    }),
    now: NOW,
  };
  return evaluateWebIdentity(input);
}

test("a token of the served issuer is accepted when the provider pins the chain's CA certificate", async () => {
  const intermediate = fx.leaf.chainSha1[1]!;
  const result = await evaluate([intermediate]);
  assert.ok(result.ok, JSON.stringify(result.ok ? undefined : result.error));
  assert.equal(
    result.grant.subjectFromWebIdentityToken,
    `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
  );
  assert.equal(result.grant.provider, PROVIDER_ARN);
});

test("pinning the leaf certificate instead fails with AWS's thumbprint error", async () => {
  const leaf = fx.leaf.chainSha1[0]!;
  const result = await evaluate([leaf]);
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(result.error.code, 'InvalidIdentityToken');
  assert.equal(
    result.error.message,
    "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
  );
});

test('a chain the CA library trusts needs no matching thumbprint', async () => {
  const result = await evaluate([fx.leaf.chainSha1[0]!], [fx.rootPem]);
  assert.ok(result.ok, JSON.stringify(result.ok ? undefined : result.error));
});
