import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from '../../src/aws/clients.js';
import {
  allowPublicIssuerReads,
  ensureBucket,
  ensureOidcProvider,
  ensureRole,
  putIssuerDocuments,
} from '../../src/aws/operations.js';
import {
  buildJwks,
  issuerHostPath,
  mintServiceAccountToken,
  ownershipTags,
  readPrivateKeyPem,
  renderDiscoveryDocument,
  renderJwks,
  renderPolicy,
  trustPolicy,
  type CredentialsRequest,
  type PrivateKeyInfo,
} from '../../src/core/index.js';
import type { Sandbox } from '../../src/sandbox/lifecycle.js';

/**
 * Web-identity set-ups shared by the sandbox's STS fault suite and the doctor's suites: keys,
 * public-S3 issuers with their provider and role, kube-apiserver-shaped tokens, and raw
 * AssumeRoleWithWebIdentity calls to the validating STS.
 */

export const REGION = 'us-east-1';
export const NS = 'team';
export const SA = 'app';

export function rsaKey(): PrivateKeyInfo {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return readPrivateKeyPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
}

export interface Issuer {
  readonly url: string;
  readonly roleArn: string;
  readonly providerArn: string;
}

export const PERMISSIONS =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}';

/** A public-S3 issuer with its provider and a role trusting team:app (and `extraSas`). */
export async function publicIssuer(
  aws: AwsClients,
  key: PrivateKeyInfo,
  name: string,
  options: { discovery?: string; serviceAccounts?: string[]; namespace?: string } = {},
): Promise<Issuer> {
  const bucket = `${name}-oidc`;
  const url = `https://${bucket}.s3.${REGION}.amazonaws.com`;
  await ensureBucket(aws, bucket, REGION, ownershipTags(name));
  await allowPublicIssuerReads(aws, bucket, REGION);
  await putIssuerDocuments(aws, bucket, name, {
    discovery: options.discovery ?? renderDiscoveryDocument(url),
    jwks: renderJwks(buildJwks([key.publicKey])),
  });
  const provider = await ensureOidcProvider(aws, url);
  const role = await ensureRole(aws, {
    roleName: `${name}-role`,
    description: 'test',
    trustPolicy: renderPolicy(
      trustPolicy(
        provider.arn,
        issuerHostPath(url),
        options.namespace ?? NS,
        options.serviceAccounts ?? [SA],
      ),
    ),
    permissionsPolicy: PERMISSIONS,
    tags: ownershipTags(name),
  });
  return { url, roleArn: role.arn, providerArn: provider.arn };
}

export function mint(
  key: PrivateKeyInfo,
  issuer: string,
  options: {
    namespace?: string;
    serviceAccount?: string;
    audiences?: string[];
    now?: Date;
    lifetime?: number;
    extra?: Record<string, unknown>;
  } = {},
): Promise<string> {
  return mintServiceAccountToken({
    issuer,
    namespace: options.namespace ?? NS,
    serviceAccount: options.serviceAccount ?? SA,
    audiences: options.audiences ?? ['openshift'],
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.lifetime === undefined ? {} : { expirationSeconds: options.lifetime }),
    ...(options.extra === undefined ? {} : { extraClaims: options.extra }),
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
}

export interface StsAnswer {
  readonly status: number;
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly body: string;
}

/** A field of an STS XML answer, unescaped. */
export function xmlText(body: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body);
  return m?.[1]
    ?.replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Asks the validating STS, with fresh caches. */
export async function assume(
  sb: Sandbox,
  roleArn: string,
  token: string,
  extra: Record<string, string> = {},
): Promise<StsAnswer> {
  sb.sts.invalidateCaches();
  const res = await fetch(sb.endpoints.sts, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: roleArn,
      RoleSessionName: extra['RoleSessionName'] ?? 'stsctl-doctor',
      WebIdentityToken: token,
      ...extra,
    }),
  });
  const body = await res.text();
  return { status: res.status, code: xmlText(body, 'Code'), message: xmlText(body, 'Message'), body };
}

/** What the AWS SDK got from AssumeRoleWithWebIdentity. */
export type SdkAssumeAnswer =
  | { readonly ok: true; readonly arn: string }
  | { readonly ok: false; readonly name: string; readonly code: string; readonly message: string };

/**
 * AssumeRoleWithWebIdentity through the AWS SDK for JavaScript against the sandbox's validating
 * STS, as a real client makes it: `name` is the SDK's exception class, `code` AWS's error code.
 */
export async function sdkAssume(
  sb: Sandbox,
  roleArn: string,
  token: string,
  sessionName = 'test',
): Promise<SdkAssumeAnswer> {
  const sts = new STSClient({
    region: REGION,
    endpoint: sb.endpoints.sts,
    credentials: sb.credentials,
    maxAttempts: 1,
  });
  try {
    const r = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        WebIdentityToken: token,
      }),
    );
    return { ok: true, arn: r.AssumedRoleUser?.Arn ?? '' };
  } catch (e) {
    const err = e as Error & { Code?: string };
    return { ok: false, name: err.name, code: err.Code ?? err.name, message: err.message };
  } finally {
    sts.destroy();
  }
}

/**
 * Every component of an output directory assumes the role its Secret names with a token signed by
 * the directory's key, and another service account is denied (the export and hosting suites).
 */
export async function assertEveryComponentAssumes(
  sb: Sandbox,
  dir: string,
  requests: readonly CredentialsRequest[],
  issuer: string,
): Promise<void> {
  const key = readPrivateKeyPem(readFileSync(join(dir, 'serviceaccount-signer.private'), 'utf8'));
  sb.sts.invalidateCaches();
  for (const r of requests) {
    const secret = readFileSync(
      join(dir, 'manifests', `${r.secretRef.namespace}-${r.secretRef.name}-credentials.yaml`),
      'utf8',
    );
    const roleArn = /role_arn = (\S+)/.exec(secret)?.[1] ?? '';
    const mint = (sa: string): Promise<string> =>
      mintServiceAccountToken({
        issuer,
        namespace: r.secretRef.namespace,
        serviceAccount: sa,
        privateKey: key.key,
        kid: key.publicKey.kid,
      });
    for (const sa of r.serviceAccountNames) {
      const a = await sdkAssume(sb, roleArn, await mint(sa));
      assert.ok(a.ok, `${r.name}/${sa}: ${a.ok ? '' : `${a.name}: ${a.message}`}`);
    }
    const intruder = await sdkAssume(sb, roleArn, await mint('intruder'));
    assert.ok(
      !intruder.ok && intruder.name === 'AccessDenied',
      `${r.name}: another service account is denied`,
    );
  }
}
