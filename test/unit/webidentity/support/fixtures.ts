/**
 * Shared fixtures for the web-identity tests: one cluster (issuer, provider, role), keys generated
 * once per test file (each file runs in its own process), a fake issuer view serving discovery and
 * JWKS from memory, and a frozen clock. No network.
 */
import assert from 'node:assert/strict';
import {
  buildJwks,
  generateRsaKeyPair,
  issuerHostPath,
  jwksUri,
  mintServiceAccountToken,
  oidcProviderArn,
  readPrivateKeyPem,
  renderDiscoveryDocument,
  renderJwks,
  renderPolicy,
  roleArn,
  trustPolicy,
  type MintOptions,
  type PrivateKeyInfo,
} from '../../../../src/core/index.js';
import type {
  HttpObservation,
  IamOidcProvider,
  IamRole,
  IssuerView,
  ObservedCertificate,
  ObservedTls,
  WebIdentityGrant,
  WebIdentityInput,
  WebIdentityResult,
} from '../../../../src/webidentity/index.js';

export const NOW = new Date('2026-01-15T12:00:00Z');
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
export const ACCOUNT = '123456789012';
export const ISSUER = 'https://demo-oidc.s3.us-east-1.amazonaws.com';
export const HOST_PATH = issuerHostPath(ISSUER);
export const PROVIDER_ARN = oidcProviderArn('aws', ACCOUNT, HOST_PATH);
export const ROLE_NAME = 'demo-openshift-image-registry-installer-cloud-credentials';
export const ROLE_ARN = roleArn('aws', ACCOUNT, ROLE_NAME);
export const ROLE_ID = 'AROAEXAMPLEROLEID0001';
export const NAMESPACE = 'openshift-image-registry';
export const SERVICE_ACCOUNT = 'cluster-image-registry-operator';
export const SUBJECT = `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`;
export const DISCOVERY_URL = `${ISSUER}/.well-known/openid-configuration`;
export const JWKS_URL = jwksUri(ISSUER);

/** AWS's exact text (aws-sts-oidc.md §2): two spaces after the comma. */
export const COULD_NOT_RETRIEVE =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

let keyPromise: Promise<PrivateKeyInfo> | undefined;

/** A 2048-bit RSA signing key, generated once per test file. */
export function signingKey(): Promise<PrivateKeyInfo> {
  keyPromise ??= generateRsaKeyPair(2048).then((pair) => readPrivateKeyPem(pair.privateKeyPem));
  return keyPromise;
}

/** A second, unrelated key (for "signed by someone else"). */
let otherKeyPromise: Promise<PrivateKeyInfo> | undefined;
export function otherKey(): Promise<PrivateKeyInfo> {
  otherKeyPromise ??= generateRsaKeyPair(2048).then((pair) => readPrivateKeyPem(pair.privateKeyPem));
  return otherKeyPromise;
}

/** A service-account token as kube-apiserver mints it: our issuer, audience `openshift`, now = NOW. */
export async function mint(overrides: Partial<MintOptions> = {}): Promise<string> {
  const key = await signingKey();
  return mintServiceAccountToken({
    issuer: ISSUER,
    namespace: NAMESPACE,
    serviceAccount: SERVICE_ACCOUNT,
    now: NOW,
    privateKey: key.key,
    kid: key.publicKey.kid,
    ...overrides,
  });
}

export function provider(overrides: Partial<IamOidcProvider> = {}): IamOidcProvider {
  return {
    arn: PROVIDER_ARN,
    url: HOST_PATH,
    clientIds: ['openshift', 'sts.amazonaws.com'],
    thumbprints: ['990F4193972F2BECF12DDEDA5237F9C952F20D9E'],
    ...overrides,
  };
}

/** The trust policy ccoctl writes for the role (core's builder). */
export const CCOCTL_TRUST_POLICY = renderPolicy(
  trustPolicy(PROVIDER_ARN, HOST_PATH, NAMESPACE, [SERVICE_ACCOUNT]),
);

export function role(overrides: Partial<IamRole> = {}): IamRole {
  return {
    arn: ROLE_ARN,
    roleName: ROLE_NAME,
    roleId: ROLE_ID,
    assumeRolePolicyDocument: CCOCTL_TRUST_POLICY,
    maxSessionDuration: 3600,
    ...overrides,
  };
}

/** A trust policy from statements (JSON text). */
export function policy(...statements: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export function cert(sha1: string, subject: string): ObservedCertificate {
  return {
    sha1,
    subject,
    issuer: subject,
    notBefore: '2025-01-01T00:00:00Z',
    notAfter: '2027-01-01T00:00:00Z',
  };
}

/** A publicly trusted chain (leaf, intermediate, root): thumbprints do not matter. */
export const TRUSTED_TLS: ObservedTls = {
  chain: [
    cert('1111111111111111111111111111111111111111', 'CN=*.s3.us-east-1.amazonaws.com'),
    cert('2222222222222222222222222222222222222222', 'CN=Amazon RSA 2048 M01'),
    cert('3333333333333333333333333333333333333333', 'CN=Amazon Root CA 1'),
  ],
  trustedByCaLibrary: true,
};

/** A 200 response over TLS. */
export function ok(
  url: string,
  body: string,
  extra: Partial<{ latencyMs: number; tls: ObservedTls; status: number }> = {},
): HttpObservation {
  return {
    url,
    ok: true,
    status: extra.status ?? 200,
    headers: { 'content-type': 'application/json' },
    body,
    latencyMs: extra.latencyMs ?? 20,
    tls: extra.tls ?? TRUSTED_TLS,
  };
}

/** An issuer view over a URL → observation table; records every URL asked for. */
export class FakeIssuer implements IssuerView {
  readonly fetched: string[] = [];
  readonly #responses: Map<string, HttpObservation>;

  constructor(responses: Iterable<readonly [string, HttpObservation]>) {
    this.#responses = new Map(responses);
  }

  fetch(url: string): Promise<HttpObservation> {
    this.fetched.push(url);
    return Promise.resolve(
      this.#responses.get(url) ?? {
        url,
        ok: false,
        error: 'dns',
        message: `getaddrinfo ENOTFOUND ${url}`,
        latencyMs: 3,
      },
    );
  }

  /** A copy with some URLs answered differently. */
  with(url: string, observation: HttpObservation): FakeIssuer {
    return new FakeIssuer([...this.#responses, [url, observation]]);
  }
}

/** The issuer as ccoctl publishes it: discovery document and JWKS with our key. */
export async function healthyIssuer(): Promise<FakeIssuer> {
  const key = await signingKey();
  return new FakeIssuer([
    [DISCOVERY_URL, ok(DISCOVERY_URL, renderDiscoveryDocument(ISSUER))],
    [JWKS_URL, ok(JWKS_URL, renderJwks(buildJwks([key.publicKey])))],
  ]);
}

/** A complete, valid input: everything passes unless overridden. */
export async function input(
  overrides: Partial<WebIdentityInput> & { token?: string } = {},
): Promise<WebIdentityInput> {
  const { token, ...rest } = overrides;
  return {
    request: {
      RoleArn: ROLE_ARN,
      RoleSessionName: 'image-registry',
      WebIdentityToken: token ?? (await mint()),
    },
    iam: { providers: [provider()], role: role() },
    issuer: await healthyIssuer(),
    now: NOW,
    ...rest,
  };
}

/** What a failed evaluation must answer. */
export interface ExpectedFailure {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly rule: string;
}

/** Asserts a failure with AWS's exact code, status and message, decided by the given rule. */
export function assertFailure(result: WebIdentityResult, expected: ExpectedFailure): void {
  assert.equal(result.ok, false, result.ok ? `unexpected grant ${JSON.stringify(result.grant)}` : '');
  assert.deepEqual(
    {
      code: result.error.code,
      status: result.error.status,
      message: result.error.message,
      rule: result.rule,
    },
    expected,
  );
  assert.equal(result.error.type, 'Sender');
  const last = result.steps.at(-1);
  assert.deepEqual([last?.rule, last?.outcome], [expected.rule, 'fail']);
}

/** Asserts a grant and returns it. */
export function assertGrant(result: WebIdentityResult): WebIdentityGrant {
  if (!result.ok)
    assert.fail(`expected a grant, got ${result.error.code} (${result.rule}): ${result.error.message}`);
  return result.grant;
}

export const errors = {
  couldNotRetrieve: (rule: string): ExpectedFailure => ({
    code: 'InvalidIdentityToken',
    status: 400,
    message: COULD_NOT_RETRIEVE,
    rule,
  }),
  thumbprint: (rule: string): ExpectedFailure => ({
    code: 'InvalidIdentityToken',
    status: 400,
    message: "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
    rule,
  }),
  accessDenied: (rule: string): ExpectedFailure => ({
    code: 'AccessDenied',
    status: 403,
    message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    rule,
  }),
  validation: (message: string, rule: string): ExpectedFailure => ({
    code: 'ValidationError',
    status: 400,
    message,
    rule,
  }),
  invalidToken: (message: string, rule: string): ExpectedFailure => ({
    code: 'InvalidIdentityToken',
    status: 400,
    message,
    rule,
  }),
};
