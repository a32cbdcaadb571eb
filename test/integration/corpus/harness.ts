import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CloudFrontClient,
  CreateDistributionCommand,
  DeleteDistributionCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
  type CreateDistributionCommandOutput,
} from '@aws-sdk/client-cloudfront';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Sandbox } from '../../../src/sandbox/lifecycle.js';

/**
 * The corpus harness: rebuilds each harvested failure in the sandbox *independently* of stsctl's
 * provisioning code. Keys and tokens come from Node's `crypto` (RS256 signed by hand), discovery
 * and JWKS documents are written here, S3/IAM/CloudFront are driven with the AWS SDK clients, and
 * STS is asked with the real aws CLI. Nothing here imports `src/aws`, `src/commands`,
 * `src/core/{ccoctl-files,iam-documents,jwks,discovery}` or stsctl's token minting: a bug in those
 * cannot hide itself by building the same wrong thing the doctor then approves of.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = join(HERE, '..', '..', '..');
/** The built CLI (`npm run build`). */
export const CLI = join(REPO, 'dist', 'cli', 'main.js');
export const CASES_FILE = join(REPO, 'test', 'fixtures', 'corpus', 'cases.json');

// ---- the case data (test/fixtures/corpus/cases.json; schema in docs/corpus.md) --------------------

/** How the issuer is hosted. */
export type IssuerRecipe =
  | {
      readonly kind: 's3';
      /** `public-policy` (default): public-read bucket policy. `acl-only`: objects uploaded with
       *  the `public-read` ACL into a bucket that enforces bucket-owner ownership (ACLs ignored). */
      readonly access?: 'public-policy' | 'acl-only';
    }
  | {
      readonly kind: 'cloudfront';
      /** The region the distribution's S3 origin names (the bucket itself is in us-east-1). */
      readonly originRegion: string;
    }
  | {
      readonly kind: 'static';
      readonly host: string;
      readonly path?: string;
      /** Where the JWKS is served, under the issuer URL (default `/keys.json`). */
      readonly jwksPath?: string;
      readonly ca?: 'sandbox' | 'private';
    };

/** Trust policy: a named template, or a literal document with placeholders. */
export type TrustRecipe =
  | {
      /** `irsa`: StringEquals sub = system:serviceaccount:<serviceAccount>, aud = <audience>.
       *  `github`: StringEquals aud, StringLike sub = <subject>. `plain`: StringEquals sub = <subject>, aud. */
      readonly trust: 'irsa' | 'github' | 'plain';
      readonly serviceAccount?: string;
      readonly subject?: string;
      readonly audience?: string;
      readonly maxSessionDuration?: number;
    }
  | { readonly trust: Record<string, unknown>; readonly maxSessionDuration?: number };

export interface TokenRecipe {
  readonly sub: string;
  /** The aud claim; `null` leaves it out. */
  readonly aud: string | null;
  /** Seconds from now to exp (negative: already expired). Default 3600. */
  readonly expiresIn?: number;
  /** `unpublished`: signed with a key the JWKS does not list. Default `published`. */
  readonly key?: 'published' | 'unpublished';
  /** Text appended to the compact JWT (a corrupted token file). */
  readonly append?: string;
}

export interface Recipe {
  readonly issuer: IssuerRecipe;
  /** `null`: no IAM OIDC provider. Default: one for the issuer URL, client ID sts.amazonaws.com. */
  readonly provider?: {
    readonly url?: string;
    readonly clientIds?: readonly string[];
    /** `stale`: a thumbprint no certificate has (a retired one). `other-ca`: the thumbprint of a
     *  real certificate outside the issuer's chain (the sandbox CA's intermediate). */
    readonly thumbprints?: 'stale' | 'other-ca';
  } | null;
  readonly role: TrustRecipe;
  readonly token: TokenRecipe;
  readonly jwks?: { readonly extraKeys?: number };
  readonly request?: { readonly durationSeconds?: number };
  /** What the fixed token source produces (for causes that live in the token, not in AWS). */
  /**
   * What the fixed sources produce, when the cause is outside AWS: the token, or the JWKS a
   * non-AWS issuer's operator publishes (`extraKeys` as in `jwks`).
   */
  readonly afterFix?: {
    readonly token?: Partial<TokenRecipe>;
    readonly jwks?: { readonly extraKeys?: number };
  };
}

export interface AwsAnswer {
  readonly code: string;
  readonly message: string;
}

export interface CorpusCase {
  readonly id: string;
  /** The cause in a few words (the table in docs/corpus.md). */
  readonly title: string;
  readonly source: string;
  readonly causeSource?: string;
  readonly date: string;
  /** What the reporter saw, verbatim. */
  readonly symptom: string;
  /** The AWS error code in the symptom; `null` when the report quotes no AWS error text. */
  readonly symptomCode: string | null;
  readonly cause: string;
  readonly fix: string;
  readonly expectedFinding: string;
  /** AWS's answer today; `<n>` stands for a number that changes from run to run. */
  readonly expected: AwsAnswer;
  readonly rebuild: Recipe;
  /** Set when the sandbox cannot yet reproduce the case: what it lacks (the STS and doctor checks are todo). */
  readonly sandboxGap?: string;
}

/** Reads the corpus. */
export function loadCases(): CorpusCase[] {
  const doc = JSON.parse(readFileSync(CASES_FILE, 'utf8')) as { cases: CorpusCase[] };
  return doc.cases;
}

/** Whether an answer is the expected one (`<n>` matches any run of digits). */
export function answerMatches(answer: AwsAnswer, expected: AwsAnswer): boolean {
  if (answer.code !== expected.code) return false;
  const pattern = expected.message
    .split('<n>')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\d+');
  return new RegExp(`^${pattern}$`).test(answer.message);
}

/** Replaces runs of 9+ digits (Unix times) so two answers a second apart compare equal. */
export function withoutTimes(message: string): string {
  return message.replace(/\d{9,}/g, '<n>');
}

// ---- keys and tokens (Node crypto only) -------------------------------------------------------------

/** An RSA signing key with its public JWK and kid. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly jwk: Record<string, string>;
  readonly kid: string;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * A fresh RSA-2048 key. The kid is base64url(SHA-256(DER SubjectPublicKeyInfo)), the way
 * kube-apiserver derives it since 1.16 (kubernetes#78502, aws-sts-oidc.md §9).
 */
export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = b64url(createHash('sha256').update(der).digest());
  const { n, e } = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { privateKey, kid, jwk: { kty: 'RSA', alg: 'RS256', use: 'sig', kid, n, e } };
}

/**
 * The public JWK of a fresh EC P-256 key: SPIRE's default JWT-SVID key type, and cheap to make by
 * the hundred (the JWKS-size case publishes 101 keys).
 */
export function ecPublicJwk(): Record<string, string> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const { crv, x, y } = publicKey.export({ format: 'jwk' }) as { crv: string; x: string; y: string };
  return {
    kty: 'EC',
    alg: 'ES256',
    use: 'sig',
    kid: b64url(createHash('sha256').update(der).digest()),
    crv,
    x,
    y,
  };
}

/** A compact RS256 JWS over `claims`, as an OIDC issuer signs its ID tokens. */
export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key.privateKey);
  return `${header}.${payload}.${b64url(signature)}`;
}

/** The token a recipe describes, for the issuer `iss`. */
export function mintToken(
  recipe: TokenRecipe,
  iss: string,
  keys: { published: SigningKey; other: SigningKey },
): string {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = recipe.expiresIn ?? 3600;
  // A projected token's iat/nbf are its issue time; an expired one was issued a lifetime earlier.
  const iat = expiresIn > 0 ? now : now + expiresIn - 3600;
  const claims: Record<string, unknown> = { iss, sub: recipe.sub, iat, nbf: iat, exp: now + expiresIn };
  if (recipe.aud !== null) claims['aud'] = recipe.aud;
  const key = recipe.key === 'unpublished' ? keys.other : keys.published;
  return signJwt(key, claims) + (recipe.append ?? '');
}

// ---- the bed: one sandbox, cases built in sequence ---------------------------------------------------

/** What one rebuilt case left in the sandbox. */
export interface Built {
  readonly issuerUrl: string;
  readonly roleArn: string;
  readonly providerArns: string[];
  readonly roleName: string;
  /** The provider ARN the role should trust (the token issuer's, in the sandbox account). */
  readonly intendedProviderArn: string;
  /** The issuer bucket, for S3 and CloudFront hosting. */
  readonly bucket?: string;
  /** The distribution in front of the bucket, for CloudFront hosting. */
  readonly distributionId?: string;
}

const GENERIC_DISCOVERY_FIELDS = {
  response_types_supported: ['id_token'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
};

/** A SHA-1 thumbprint no sandbox certificate has (the retired intermediate's, in the story). */
const STALE_THUMBPRINT = '9E99A48A9960B14926BB7F3B02E22DA2B0AB7280';

/** Builds corpus cases in one sandbox with the AWS SDK (S3, IAM, CloudFront) and hand-written documents. */
export class CorpusBed {
  readonly s3: S3Client;
  readonly iam: IAMClient;
  readonly cloudfront: CloudFrontClient;
  readonly keys = { published: newSigningKey(), other: newSigningKey() };
  /** Padding keys for the JWKS-size case, made once. */
  private padding: Record<string, string>[] = [];

  constructor(private readonly sb: Sandbox) {
    const common = {
      endpoint: sb.endpoints.aws,
      region: sb.region,
      credentials: {
        accessKeyId: sb.credentials.accessKeyId,
        secretAccessKey: sb.credentials.secretAccessKey,
      },
    };
    this.s3 = new S3Client({ ...common, forcePathStyle: true });
    this.iam = new IAMClient(common);
    this.cloudfront = new CloudFrontClient(common);
  }

  destroy(): void {
    this.s3.destroy();
    this.iam.destroy();
    this.cloudfront.destroy();
  }

  private jwks(extraKeys: number): string {
    while (this.padding.length < extraKeys) this.padding.push(ecPublicJwk());
    return JSON.stringify({ keys: [this.keys.published.jwk, ...this.padding.slice(0, extraKeys)] });
  }

  /** Serves a static issuer's discovery document and JWKS on the edge; returns the issuer URL. */
  private publishStatic(
    issuer: Extract<CorpusCase['rebuild']['issuer'], { kind: 'static' }>,
    jwks: string,
  ): string {
    const issuerUrl = `https://${issuer.host}${issuer.path ?? ''}`;
    const jwksPath = issuer.jwksPath ?? '/keys.json';
    const prefix = issuer.path ?? '';
    const json = { 'content-type': 'application/json' };
    this.sb.edge.setStaticSite({
      host: issuer.host,
      ca: issuer.ca ?? 'sandbox',
      routes: {
        [`${prefix}/.well-known/openid-configuration`]: {
          headers: json,
          body: JSON.stringify({
            issuer: issuerUrl,
            jwks_uri: `${issuerUrl}${jwksPath}`,
            ...GENERIC_DISCOVERY_FIELDS,
          }),
        },
        [`${prefix}${jwksPath}`]: { headers: json, body: jwks },
      },
    });
    return issuerUrl;
  }

  /**
   * Plays the non-AWS issuer's operator after the fix: republishes its JWKS as `afterFix.jwks`
   * says. Does nothing for cases without one; refuses a case whose issuer is not a static site.
   */
  applyOperatorFix(c: CorpusCase): void {
    const after = c.rebuild.afterFix?.jwks;
    if (after === undefined) return;
    if (c.rebuild.issuer.kind !== 'static') throw new Error(`${c.id}: afterFix.jwks needs a static issuer`);
    this.publishStatic(c.rebuild.issuer, this.jwks(after.extraKeys ?? 0));
  }

  /** Builds the broken setup of `c`; returns what the test needs to call STS and the doctor. */
  async build(c: CorpusCase): Promise<Built> {
    const r = c.rebuild;
    const account = this.sb.accountId;
    const name = `corpus-${c.id}`.slice(0, 63).replace(/-+$/, '');
    const jwks = this.jwks(r.jwks?.extraKeys ?? 0);
    let issuerUrl: string;
    let distributionId: string | undefined;
    if (r.issuer.kind === 'static') {
      issuerUrl = this.publishStatic(r.issuer, jwks);
    } else {
      await this.s3.send(new CreateBucketCommand({ Bucket: name }));
      const access = r.issuer.kind === 's3' ? (r.issuer.access ?? 'public-policy') : 'public-policy';
      if (access === 'acl-only') {
        // S3 since April 2023: new buckets enforce bucket-owner ownership, ACLs are ignored
        // (aws-sts-oidc.md §9, OCPBUGS-11707).
        await this.s3.send(
          new PutBucketOwnershipControlsCommand({
            Bucket: name,
            OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          }),
        );
      } else {
        await this.s3.send(
          new PutPublicAccessBlockCommand({
            Bucket: name,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              IgnorePublicAcls: true,
              BlockPublicPolicy: false,
              RestrictPublicBuckets: false,
            },
          }),
        );
        await this.s3.send(
          new PutBucketPolicyCommand({
            Bucket: name,
            Policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: '*',
                  Action: 's3:GetObject',
                  Resource: `arn:aws:s3:::${name}/*`,
                },
              ],
            }),
          }),
        );
      }
      if (r.issuer.kind === 'cloudfront') {
        const dist: CreateDistributionCommandOutput = await this.cloudfront.send(
          new CreateDistributionCommand({
            DistributionConfig: {
              CallerReference: name,
              Comment: c.id,
              Enabled: true,
              Origins: {
                Quantity: 1,
                Items: [
                  {
                    Id: 'oidc',
                    DomainName: `${name}.s3.${r.issuer.originRegion}.amazonaws.com`,
                    S3OriginConfig: { OriginAccessIdentity: '' },
                  },
                ],
              },
              DefaultCacheBehavior: {
                TargetOriginId: 'oidc',
                ViewerProtocolPolicy: 'https-only',
                // The managed CachingDisabled policy: every read reaches the origin.
                CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
              },
            },
          }),
        );
        issuerUrl = `https://${dist.Distribution?.DomainName ?? ''}`;
        distributionId = dist.Distribution?.Id;
      } else {
        issuerUrl = `https://${name}.s3.${this.sb.region}.amazonaws.com`;
      }
      const acl = access === 'acl-only' ? { ACL: 'public-read' as const } : {};
      for (const [key, body] of [
        [
          '.well-known/openid-configuration',
          JSON.stringify({
            issuer: issuerUrl,
            jwks_uri: `${issuerUrl}/keys.json`,
            ...GENERIC_DISCOVERY_FIELDS,
          }),
        ],
        ['keys.json', jwks],
      ] as const) {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: name,
            Key: key,
            Body: body,
            ContentType: 'application/json',
            ...acl,
          }),
        );
      }
    }

    const issuerHost = issuerUrl.replace(/^https:\/\//, '');
    const intendedProviderArn = `arn:aws:iam::${account}:oidc-provider/${issuerHost}`;
    const providerArns: string[] = [];
    if (r.provider !== null) {
      const p = r.provider ?? {};
      const out = await this.iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: p.url ?? issuerUrl,
          ClientIDList: [...(p.clientIds ?? ['sts.amazonaws.com'])],
          ThumbprintList:
            p.thumbprints === 'stale'
              ? [STALE_THUMBPRINT]
              : p.thumbprints === 'other-ca'
                ? [this.sb.cas.sandbox.intermediateSha1]
                : [],
        }),
      );
      if (out.OpenIDConnectProviderArn !== undefined) providerArns.push(out.OpenIDConnectProviderArn);
    }

    const trust = trustDocument(r.role, { providerArn: intendedProviderArn, issuerHost, account });
    const role = await this.iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify(trust),
        ...(r.role.maxSessionDuration === undefined ? {} : { MaxSessionDuration: r.role.maxSessionDuration }),
      }),
    );
    this.sb.sts.invalidateCaches();
    return {
      issuerUrl,
      roleArn: role.Role?.Arn ?? '',
      roleName: name,
      providerArns,
      intendedProviderArn,
      ...(r.issuer.kind === 'static' ? {} : { bucket: name }),
      ...(distributionId === undefined ? {} : { distributionId }),
    };
  }

  /**
   * Removes everything the case built — role, providers, distribution, bucket — so that building
   * it again starts from its recipe, not from what a fix changed (a bucket policy, an origin).
   * A static issuer's site is left: hosts such as GitHub's are shared by several cases, and
   * building republishes its documents.
   */
  async cleanup(built: Built): Promise<void> {
    if (built.distributionId !== undefined) {
      const id = built.distributionId;
      // CloudFront deletes only a disabled distribution, named by its current ETag.
      const got = await this.cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
      const config = got.DistributionConfig;
      let etag = got.ETag;
      if (config !== undefined && config.Enabled === true) {
        const updated = await this.cloudfront.send(
          new UpdateDistributionCommand({
            Id: id,
            IfMatch: etag,
            DistributionConfig: { ...config, Enabled: false },
          }),
        );
        etag = updated.ETag;
      }
      await this.cloudfront.send(new DeleteDistributionCommand({ Id: id, IfMatch: etag }));
    }
    if (built.bucket !== undefined) {
      const bucket = built.bucket;
      const listed = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (listed.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]));
      if (keys.length > 0) {
        await this.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      }
      await this.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
    await this.iam.send(new DeleteRoleCommand({ RoleName: built.roleName })).catch(() => undefined);
    // Providers a fix may have created are removed too: the next case starts from its own recipe.
    const arns = new Set([...built.providerArns, built.intendedProviderArn]);
    for (const arn of arns) {
      await this.iam
        .send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))
        .catch(() => undefined);
    }
    this.sb.sts.invalidateCaches();
  }
}

/** The trust policy of a recipe, placeholders filled. */
export function trustDocument(
  role: TrustRecipe,
  vars: { providerArn: string; issuerHost: string; account: string },
): Record<string, unknown> {
  const fill = (text: string): string =>
    text
      .replaceAll('{providerArn}', vars.providerArn)
      .replaceAll('{issuerHost}', vars.issuerHost)
      .replaceAll('{account}', vars.account);
  if (typeof role.trust !== 'string') {
    return JSON.parse(fill(JSON.stringify(role.trust))) as Record<string, unknown>;
  }
  const h = vars.issuerHost;
  const named = role;
  const aud = named.audience ?? 'sts.amazonaws.com';
  const condition =
    named.trust === 'irsa'
      ? {
          StringEquals: {
            [`${h}:sub`]: `system:serviceaccount:${named.serviceAccount ?? 'team:app'}`,
            [`${h}:aud`]: aud,
          },
        }
      : named.trust === 'github'
        ? { StringEquals: { [`${h}:aud`]: aud }, StringLike: { [`${h}:sub`]: named.subject ?? '' } }
        : { StringEquals: { [`${h}:sub`]: named.subject ?? '', [`${h}:aud`]: aud } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: vars.providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: condition,
      },
    ],
  };
}

// ---- the aws CLI and the built stsctl ---------------------------------------------------------------

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program without a shell; never rejects on a non-zero exit. */
export function run(
  file: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { env: options.env, cwd: options.cwd, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          // Not an exit status: the program could not be started (ENOENT, timeout kill).
          reject(new Error(`${file} could not run: ${error.message}`));
          return;
        }
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      },
    );
  });
}

/** STS's answer to the aws CLI, or `ok` with the assumed role. */
export type StsOutcome = { readonly ok: true; readonly arn: string } | ({ readonly ok: false } & AwsAnswer);

/**
 * `aws sts assume-role-with-web-identity` against the sandbox's validating STS, as a user types it.
 * The CLI prints `An error occurred (<Code>) when calling the AssumeRoleWithWebIdentity operation: <Message>`.
 */
export async function assumeWithAwsCli(
  env: NodeJS.ProcessEnv,
  roleArn: string,
  token: string,
  durationSeconds?: number,
): Promise<StsOutcome> {
  const args = [
    'sts',
    'assume-role-with-web-identity',
    '--role-arn',
    roleArn,
    '--role-session-name',
    'corpus',
    '--web-identity-token',
    token,
    '--output',
    'json',
    ...(durationSeconds === undefined ? [] : ['--duration-seconds', String(durationSeconds)]),
  ];
  const res = await run('aws', args, { env });
  if (res.code === 0) {
    const out = JSON.parse(res.stdout) as { AssumedRoleUser?: { Arn?: string } };
    return { ok: true, arn: out.AssumedRoleUser?.Arn ?? '' };
  }
  const m =
    /An error occurred \(([\w.]+)\) when calling the AssumeRoleWithWebIdentity operation(?: \([^)]*\))?: (.*)/.exec(
      res.stderr,
    );
  if (m === null) throw new Error(`aws CLI failed without an AWS error (exit ${res.code}): ${res.stderr}`);
  return { ok: false, code: m[1] ?? '', message: (m[2] ?? '').trimEnd() };
}

/** The parts of the doctor's JSON report the corpus reads. */
export interface DoctorJson {
  readonly summary: { readonly healthy: boolean };
  readonly components: readonly {
    readonly name: string;
    readonly findings: readonly {
      readonly code: string;
      readonly predictedError?: { code: string; status: number; message: string };
      /** The fix as data (`{ summary, steps }`, docs/commands.md "Fixes as data"). */
      readonly remedy?: unknown;
      readonly fix: unknown;
    }[];
  }[];
}

/**
 * The built CLI's `stsctl doctor --token <file> --role-arn <arn> [extra] --output json`, in `cwd`,
 * its stdout parsed as JSON (`what` names the run in the error when it printed none).
 */
async function runDoctorJson(
  env: NodeJS.ProcessEnv,
  tokenFile: string,
  roleArn: string,
  extra: readonly string[],
  what: string,
  durationSeconds?: number,
  cwd?: string,
): Promise<{ result: ProcessResult; json: unknown }> {
  const args = [
    CLI,
    'doctor',
    '--token',
    tokenFile,
    '--role-arn',
    roleArn,
    ...extra,
    '--output',
    'json',
    ...(durationSeconds === undefined ? [] : ['--duration-seconds', String(durationSeconds)]),
  ];
  const result = await run(process.execPath, args, cwd === undefined ? { env } : { env, cwd });
  try {
    return { result, json: JSON.parse(result.stdout) as unknown };
  } catch {
    throw new Error(`${what} printed no JSON (exit ${result.code}): ${result.stderr}`);
  }
}

/** `stsctl doctor --token <file> --role-arn <arn> --output json` with the built CLI. */
export async function runDoctor(
  env: NodeJS.ProcessEnv,
  tokenFile: string,
  roleArn: string,
  durationSeconds?: number,
): Promise<{ result: ProcessResult; report: DoctorJson }> {
  const { result, json } = await runDoctorJson(env, tokenFile, roleArn, [], 'doctor', durationSeconds);
  return { result, report: json as DoctorJson };
}

/** The JSON `stsctl doctor --fix --output json` prints: the reports before and after, and what ran. */
export interface DoctorFixJson {
  readonly schemaVersion: number;
  readonly before: DoctorJson;
  readonly fixes: readonly {
    readonly code: string;
    readonly steps: readonly (FixStep & { exitCode: number })[];
  }[];
  readonly after: DoctorJson;
}

/**
 * `stsctl doctor --token <file> --role-arn <arn> --fix --yes --output json` with the built CLI, in
 * `cwd` (where the fix steps' files are written): the CLI applies the steps itself, with the aws CLI
 * from PATH, and diagnoses again.
 */
export async function runDoctorFix(
  env: NodeJS.ProcessEnv,
  tokenFile: string,
  roleArn: string,
  cwd: string,
  durationSeconds?: number,
): Promise<{ result: ProcessResult; outcome: DoctorFixJson }> {
  await mkdir(cwd, { recursive: true });
  const { result, json } = await runDoctorJson(
    env,
    tokenFile,
    roleArn,
    ['--fix', '--yes'],
    'doctor --fix',
    durationSeconds,
    cwd,
  );
  return { result, outcome: json as DoctorFixJson };
}

/** The component the token was diagnosed in (token mode names it `token`). */
export function tokenComponent(report: DoctorJson): DoctorJson['components'][number] | undefined {
  return (
    report.components.find((c) => c.name === 'token') ?? report.components.find((c) => c.findings.length > 0)
  );
}

// ---- fixes as data (the fix-step contract of src/doctor/fix.ts) -------------------------------------

/** One step of a doctor fix, as the fix-step contract defines it. */
export interface FixStep {
  readonly kind: 'aws-cli' | 'stsctl';
  readonly argv: readonly string[];
  readonly files?: readonly { readonly name: string; readonly content: string }[];
  readonly description: string;
}

/** The steps of a finding's fix, or undefined while the doctor emits fixes as text only. */
export function fixSteps(fix: unknown): FixStep[] | undefined {
  if (fix === null || typeof fix !== 'object' || Array.isArray(fix)) return undefined;
  const steps = (fix as { steps?: unknown }).steps;
  if (!Array.isArray(steps)) return undefined;
  return steps as FixStep[];
}

/**
 * The steps of the first finding of every component (`components[*].findings[0].remedy.steps`), in
 * report order, a step repeated by two components applied once; undefined when no component's first
 * finding has steps yet.
 */
export function reportFixSteps(report: DoctorJson): FixStep[] | undefined {
  const all = report.components.flatMap((c) => {
    const first = c.findings[0];
    return first === undefined ? [] : [fixSteps(first.remedy)];
  });
  if (all.every((s) => s === undefined)) return undefined;
  const seen = new Set<string>();
  return all
    .flatMap((s) => s ?? [])
    .filter((step) => {
      const key = JSON.stringify([step.argv, step.files ?? []]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/**
 * Applies steps verbatim: each step's files are written into `cwd` first, then its argv runs as its
 * own process (no shell) with the user's environment. `stsctl` runs as the built CLI.
 */
export async function applyFixSteps(
  steps: readonly FixStep[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ProcessResult[]> {
  const results: ProcessResult[] = [];
  await mkdir(cwd, { recursive: true });
  for (const step of steps) {
    for (const f of step.files ?? []) await writeFile(join(cwd, f.name), f.content);
    const [program, ...args] = step.argv;
    if (program === undefined) throw new Error(`fix step with an empty argv: ${step.description}`);
    const res =
      step.kind === 'stsctl'
        ? await run(process.execPath, [CLI, ...args], { env, cwd })
        : await run(program, args, { env, cwd });
    results.push(res);
    if (res.code !== 0) {
      throw new Error(`fix step "${step.argv.join(' ')}" failed (exit ${res.code}): ${res.stderr}`);
    }
  }
  return results;
}
