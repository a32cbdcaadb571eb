import type { JWTPayload } from 'jose';
import { renderDiscoveryDocument } from '../core/discovery.js';
import { objectTagging } from '../core/iam-documents.js';
import { issuerFunctionPolicy } from '../core/issuer-function-role.js';
import { missingPublicUrlStatements, type InvokeStatement } from '../core/function-url-policy.js';
import { DISCOVERY_OBJECT_KEY, s3VirtualHost } from '../core/issuer.js';
import { oidcProviderArn, type PartitionId } from '../core/partitions.js';
import { webIdentityContext } from '../webidentity/context-keys.js';
import { providerHostPath } from '../webidentity/provider.js';
import { readSessionClaims } from '../webidentity/session-claims.js';
import type { IamOidcProvider, IamRole, ObservedTls } from '../webidentity/types.js';
import { MAX_JWKS_KEYS } from '../webidentity/issuer-keys.js';
import { thumbprintToPin } from './checks/provider.js';
import { classifyIssuerHost } from './issuer-host.js';
import { awsInputStep, awsStep, cliFetchesValue, type Fix, type FixStep } from './fix.js';
import type { FindingCode } from './findings/registry.js';
import type { DistributionConfigObservation, PublicAccessBlock } from './ports.js';
import { pathlessConditionKeys } from './fleet-paths.js';
import { editTrustPolicy, retargetTrustPolicy } from './trust-edit.js';

/**
 * The fixes the doctor can write as complete, concrete steps (src/doctor/fix.ts), from what it
 * observed: the token's claims, the role and its trust policy, the providers, the bucket and its
 * real region. A finding whose repair needs something the doctor cannot know (a key file, the
 * role ARN the user meant) gets no steps here; its registry text says what to do instead.
 */

/** What a role or provider fix is built from. */
export interface IdentityFixInput {
  readonly partition: string;
  readonly accountId: string;
  readonly claims: JWTPayload;
  /** The effective audience (`azp ?? aud`). */
  readonly audience: string;
  readonly sessionName: string;
  /** The role the token is used for. */
  readonly role: IamRole | undefined;
  /** The provider the token's iss matches, when one does. */
  readonly provider: IamOidcProvider | undefined;
  /** Every provider of the account. */
  readonly providers: readonly IamOidcProvider[];
  /** Roles of the account that may trust an old provider (the component's role at least). */
  readonly roles: readonly IamRole[];
  readonly durationSeconds?: string | undefined;
  /** The TLS of the issuer's hosts as observed (discovery, and the JWKS host when it differs). */
  readonly tls?: readonly (ObservedTls | undefined)[];
}

function fileName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-');
}

function trustStep(role: IamRole, document: string, why: string): FixStep {
  const name = `${fileName(role.roleName)}-trust-policy.json`;
  return awsStep(
    `${why} (the role's other statements and subjects are kept)`,
    ['iam', 'update-assume-role-policy', '--role-name', role.roleName, '--policy-document', `file://${name}`],
    [{ name, content: `${JSON.stringify(JSON.parse(document), null, 2)}\n` }],
  );
}

/** Normalized form of a provider URL for "the same issuer, spelled differently". */
function looseUrl(url: string): string {
  const u = url
    .replace(/^https:\/\//, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  // Path-style S3 (s3.<region>.amazonaws.com/<bucket>) and virtual-hosted (<bucket>.s3.<region>…).
  const path = /^s3[.-]([a-z0-9-]+)\.amazonaws\.com\/([^/]+)(.*)$/.exec(u);
  return path === null ? u : `${path[2]}.s3.${path[1]}.amazonaws.com${path[3]}`;
}

function subjectOf(claims: JWTPayload): string {
  return typeof claims.sub === 'string' ? claims.sub : '';
}

/** The trust-policy edit that lets this token in, as a step; undefined when nothing changes. */
function trustEditStep(
  input: IdentityFixInput,
  role: IamRole,
  providerArn: string,
  hostPath: string,
): FixStep | undefined {
  const context = webIdentityContext({
    providerHostPath: hostPath,
    providerArn,
    claims: input.claims,
    audience: input.audience,
    roleSessionName: input.sessionName,
    session: readSessionClaims(input.claims),
  });
  const edit = editTrustPolicy(role.assumeRolePolicyDocument, {
    providerArn,
    providerHostPath: hostPath,
    subject: subjectOf(input.claims),
    audience: input.audience,
    context,
  });
  if (edit.changes.length === 0) return undefined;
  return trustStep(
    role,
    edit.document,
    `let ${subjectOf(input.claims)} assume ${role.roleName}: ${edit.changes.join('; ')}`,
  );
}

/** A fix for a finding about the role or the provider, or undefined when the doctor cannot write one. */
export function identityFix(code: FindingCode, input: IdentityFixInput): Fix | undefined {
  const iss = typeof input.claims.iss === 'string' ? input.claims.iss : undefined;
  const role = input.role;
  switch (code) {
    case 'TRUST_POLICY_DENIES': {
      if (role === undefined || input.provider === undefined) return undefined;
      const step = trustEditStep(input, role, input.provider.arn, providerHostPath(input.provider));
      return step === undefined
        ? undefined
        : { summary: `Edit the trust policy of ${role.roleName}`, steps: [step] };
    }
    case 'AUDIENCE_NOT_ALLOWED': {
      if (input.provider === undefined) return undefined;
      const provider = input.provider;
      const why = `add ${input.audience} to the client IDs of ${provider.arn}`;
      // A URL-valued client ID (GitLab's default audience) would be downloaded by aws CLI v1.
      const steps: FixStep[] = [
        cliFetchesValue(input.audience)
          ? awsInputStep(
              why,
              ['iam', 'add-client-id-to-open-id-connect-provider'],
              { OpenIDConnectProviderArn: provider.arn, ClientID: input.audience },
              `${fileName(providerHostPath(provider))}-add-client-id.json`,
            )
          : awsStep(why, [
              'iam',
              'add-client-id-to-open-id-connect-provider',
              '--open-id-connect-provider-arn',
              provider.arn,
              '--client-id',
              input.audience,
            ]),
      ];
      // The next check STS makes is the trust policy's :aud condition: fix it in the same go.
      if (role !== undefined) {
        const step = trustEditStep(input, role, input.provider.arn, providerHostPath(input.provider));
        if (step !== undefined) steps.push(step);
      }
      return { summary: `Register the audience ${input.audience} with the IAM provider`, steps };
    }
    case 'PROVIDER_MISSING':
    case 'PROVIDER_URL_CASE_OR_SLASH':
    case 'ISSUER_S3_FORM_MISMATCH': {
      if (iss === undefined || !iss.startsWith('https://')) return undefined;
      const hostPath = iss.slice('https://'.length);
      const newArn = oidcProviderArn(input.partition as PartitionId, input.accountId, hostPath);
      // The provider for the same issuer spelled differently (case, trailing slash, S3 URL form):
      // the roles trusting it are moved to the new one.
      const old = input.providers.find((p) => looseUrl(p.url) === looseUrl(iss) && p.arn !== newArn);
      const clientIds = [...new Set([input.audience, ...(old?.clientIds ?? [])])];
      const sameHost =
        old !== undefined &&
        new URL(`https://${providerHostPath(old)}`).host.toLowerCase() === new URL(iss).host.toLowerCase();
      const thumbprints = sameHost && old.thumbprints.length > 0 ? old.thumbprints : [];
      const why = `create the IAM OIDC provider for the token's iss ${iss}, exactly as the token spells it`;
      // `--url` is exempt from aws CLI v1's URL fetching, `--client-id-list` is not.
      const steps: FixStep[] = [
        clientIds.some(cliFetchesValue)
          ? awsInputStep(
              why,
              ['iam', 'create-open-id-connect-provider'],
              {
                Url: iss,
                ClientIDList: clientIds,
                ...(thumbprints.length > 0 ? { ThumbprintList: thumbprints } : {}),
              },
              `${fileName(hostPath)}-provider.json`,
            )
          : awsStep(why, [
              'iam',
              'create-open-id-connect-provider',
              '--url',
              iss,
              '--client-id-list',
              ...clientIds,
              ...(thumbprints.length > 0 ? ['--thumbprint-list', ...thumbprints] : []),
            ]),
      ];
      const updated = new Set<string>();
      if (old !== undefined) {
        for (const r of input.roles) {
          const moved = retargetTrustPolicy(
            r.assumeRolePolicyDocument,
            { arn: old.arn, hostPath: providerHostPath(old) },
            { arn: newArn, hostPath },
          );
          if (moved === undefined) continue;
          updated.add(r.arn);
          let document = moved;
          if (role !== undefined && r.arn === role.arn) {
            const step = trustEditStep(input, { ...r, assumeRolePolicyDocument: moved }, newArn, hostPath);
            const file = step?.files?.[0];
            if (file !== undefined) document = file.content;
          }
          steps.push(trustStep(r, document, `make ${r.roleName} trust ${newArn} instead of ${old.arn}`));
        }
      }
      if (role !== undefined && !updated.has(role.arn)) {
        const step = trustEditStep(input, role, newArn, hostPath);
        if (step !== undefined) steps.push(step);
      }
      return { summary: `Create the IAM OIDC provider for ${iss} and point the trust policies at it`, steps };
    }
    case 'THUMBPRINT_MISMATCH': {
      // The top CA of each served chain the CA library does not trust: STS pins the provider's
      // thumbprints against the discovery host and, since 2026-05, the JWKS host too (§4). The
      // list replaces the stale one: a thumbprint of a certificate no longer served pins nothing.
      const pins = [
        ...new Set((input.tls ?? []).map(thumbprintToPin).filter((t): t is string => t !== undefined)),
      ];
      if (input.provider === undefined || pins.length === 0) return undefined;
      return {
        summary: `Pin the top CA certificate the issuer serves now on ${input.provider.arn}`,
        steps: [
          awsStep(`set the thumbprints of ${input.provider.arn} to ${pins.join(', ')}`, [
            'iam',
            'update-open-id-connect-provider-thumbprint',
            '--open-id-connect-provider-arn',
            input.provider.arn,
            '--thumbprint-list',
            ...pins,
          ]),
        ],
      };
    }
    case 'FLEET_CONDITION_KEY_WITHOUT_PATH': {
      if (role === undefined || input.provider === undefined) return undefined;
      const provider = input.provider;
      const hostPath = providerHostPath(provider);
      const keys = pathlessConditionKeys(role.assumeRolePolicyDocument, provider.arn, hostPath);
      if (keys.length === 0) return undefined;
      // Each key written with a leading part of the provider URL is renamed to the whole URL; the
      // Federated principal, values, operators and other statements stay as they are.
      let document = role.assumeRolePolicyDocument;
      for (const head of new Set(keys.map((k) => k.key.slice(0, k.key.lastIndexOf(':'))))) {
        document =
          retargetTrustPolicy(
            document,
            { arn: provider.arn, hostPath: head },
            { arn: provider.arn, hostPath },
          ) ?? document;
      }
      // The renamed policy may still miss the token's subject: the usual edit completes it.
      const edit = trustEditStep(
        input,
        { ...role, assumeRolePolicyDocument: document },
        provider.arn,
        hostPath,
      );
      const file = edit?.files?.[0];
      if (file !== undefined) document = file.content;
      const renamed = [...new Set(keys.map((k) => `${k.key} → ${k.expected}`))].join(', ');
      return {
        summary: `Write the condition keys of ${role.roleName} with the issuer's path (${renamed})`,
        steps: [trustStep(role, document, `rename ${renamed} in the trust policy of ${role.roleName}`)],
      };
    }
    case 'SESSION_DURATION_EXCEEDS_MAX': {
      if (role === undefined || input.durationSeconds === undefined) return undefined;
      return {
        summary: `Raise the MaxSessionDuration of ${role.roleName} to ${input.durationSeconds} s`,
        steps: [
          awsStep(`allow sessions of ${input.durationSeconds} s on ${role.roleName}`, [
            'iam',
            'update-role',
            '--role-name',
            role.roleName,
            '--max-session-duration',
            input.durationSeconds,
          ]),
        ],
      };
    }
    default:
      return undefined;
  }
}

/** What a hosting fix is built from. */
export interface HostingFixInput {
  readonly partition: string;
  readonly bucket: string;
  /** The bucket's real region. */
  readonly region: string;
  readonly policy: string | undefined;
  readonly keys: readonly string[];
  readonly bucketBlock: PublicAccessBlock | undefined;
  readonly accountBlock: PublicAccessBlock | undefined;
  readonly accountId: string | undefined;
  /** For CloudFront origin access: the distribution ARN (OAC) or the OAI id. */
  readonly distributionArn?: string;
  readonly oaiId?: string;
}

function blockArg(b: PublicAccessBlock): string {
  // Public ACL settings are kept as they are; only the two settings that stop a public policy change.
  return `BlockPublicAcls=${b.blockPublicAcls},IgnorePublicAcls=${b.ignorePublicAcls},BlockPublicPolicy=false,RestrictPublicBuckets=false`;
}

function editedBucketPolicy(input: HostingFixInput, statement: Record<string, unknown>): string {
  let doc: { Version?: string; Statement?: unknown } = { Version: '2012-10-17', Statement: [] };
  if (input.policy !== undefined) {
    try {
      doc = JSON.parse(input.policy) as typeof doc;
    } catch {
      // an unreadable policy is replaced
    }
  }
  const statements: unknown[] = Array.isArray(doc.Statement)
    ? doc.Statement
    : doc.Statement === undefined
      ? []
      : [doc.Statement];
  return `${JSON.stringify({ ...doc, Version: doc.Version ?? '2012-10-17', Statement: [...statements, statement] }, null, 2)}\n`;
}

/** A fix for a hosting finding, acting on the bucket in its real region. */
export function hostingFix(code: FindingCode, input: HostingFixInput): Fix | undefined {
  const resources = input.keys.map((k) => `arn:${input.partition}:s3:::${input.bucket}/${k}`);
  const region = ['--region', input.region];
  const policyFile = `${fileName(input.bucket)}-bucket-policy.json`;
  const unblock: FixStep[] = [];
  if (input.accountBlock?.restrictPublicBuckets === true || input.accountBlock?.blockPublicPolicy === true) {
    if (input.accountId === undefined) return undefined;
    unblock.push(
      awsStep(
        `let account ${input.accountId} have public bucket policies (RestrictPublicBuckets and BlockPublicPolicy off)`,
        [
          's3control',
          'put-public-access-block',
          '--account-id',
          input.accountId,
          '--public-access-block-configuration',
          blockArg(input.accountBlock),
          ...region,
        ],
      ),
    );
  }
  if (input.bucketBlock?.restrictPublicBuckets === true || input.bucketBlock?.blockPublicPolicy === true) {
    unblock.push(
      awsStep(
        `let ${input.bucket} have a public bucket policy (RestrictPublicBuckets and BlockPublicPolicy off)`,
        [
          's3api',
          'put-public-access-block',
          '--bucket',
          input.bucket,
          '--public-access-block-configuration',
          blockArg(input.bucketBlock),
          ...region,
        ],
      ),
    );
  }
  switch (code) {
    case 'ISSUER_PRIVATE_BUCKET':
    case 'S3_BUCKET_PUBLIC_ACCESS_BLOCK':
    case 'S3_ACCOUNT_PUBLIC_ACCESS_BLOCK': {
      const content = editedBucketPolicy(input, {
        Sid: 'IssuerDocumentsPublicRead',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: resources,
      });
      return {
        summary: `Let anonymous readers (STS) get the two issuer documents of ${input.bucket}`,
        steps: [
          ...unblock,
          awsStep(
            `add a statement granting anonymous s3:GetObject on the two issuer documents only (other statements kept)`,
            [
              's3api',
              'put-bucket-policy',
              '--bucket',
              input.bucket,
              '--policy',
              `file://${policyFile}`,
              ...region,
            ],
            [{ name: policyFile, content }],
          ),
        ],
      };
    }
    case 'CLOUDFRONT_ORIGIN_ACCESS_DENIED': {
      const statement =
        input.distributionArn !== undefined
          ? {
              Sid: 'CloudFrontOriginAccessControl',
              Effect: 'Allow',
              Principal: { Service: 'cloudfront.amazonaws.com' },
              Action: 's3:GetObject',
              Resource: resources,
              Condition: { StringEquals: { 'AWS:SourceArn': input.distributionArn } },
            }
          : input.oaiId !== undefined
            ? {
                Sid: 'CloudFrontOriginAccessIdentity',
                Effect: 'Allow',
                Principal: {
                  AWS: `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ${input.oaiId}`,
                },
                Action: 's3:GetObject',
                Resource: resources,
              }
            : undefined;
      if (statement === undefined) return undefined;
      return {
        summary: `Let the CloudFront distribution read the issuer documents of ${input.bucket}`,
        steps: [
          awsStep(
            'add a statement granting the distribution s3:GetObject on the issuer documents (other statements kept)',
            [
              's3api',
              'put-bucket-policy',
              '--bucket',
              input.bucket,
              '--policy',
              `file://${policyFile}`,
              ...region,
            ],
            [{ name: policyFile, content: editedBucketPolicy(input, statement) }],
          ),
        ],
      };
    }
    default:
      return undefined;
  }
}

/** What the fix of FUNCTION_ROLE_CANNOT_READ_BUCKET is built from (all from the function's configuration). */
export interface FunctionRoleFixInput {
  readonly partition: PartitionId;
  /** The function's region (its URL's). */
  readonly region: string;
  /** The role's account (its ARN's). */
  readonly accountId: string;
  /** The execution role's name. */
  readonly roleName: string;
  /** The bucket the function reads (`ISSUER_BUCKET`). */
  readonly bucket: string;
  readonly functionName: string;
}

/**
 * The inline policy stsctl's `--hosting lambda` gives the issuer function's role, named after the
 * role (src/aws/apply/issuer-function.ts puts it as `PolicyName: <role>`, and the planner reads it
 * back under that name), with the document stsctl writes (`issuerFunctionPolicy`, least privilege).
 */
export function functionRolePolicy(input: FunctionRoleFixInput): { name: string; document: string } {
  return {
    name: input.roleName,
    document: `${JSON.stringify(
      issuerFunctionPolicy(input.partition, input.region, input.accountId, input.bucket, input.functionName),
      null,
      2,
    )}\n`,
  };
}

/**
 * The fix for FUNCTION_ROLE_CANNOT_READ_BUCKET: `aws iam put-role-policy` of stsctl's role policy
 * (s3:GetObject on the two issuer documents, and the function's own logs), which replaces a policy
 * of that name and leaves the role's other policies alone. The check offers it only when the role's
 * policies with it in place would let the function read both documents.
 */
export function functionRoleFix(input: FunctionRoleFixInput): Fix {
  const policy = functionRolePolicy(input);
  const file = `${fileName(input.roleName)}-role-policy.json`;
  return {
    summary: `Let ${input.roleName} (the execution role of ${input.functionName}) read the issuer documents in ${input.bucket}`,
    steps: [
      awsStep(
        `put the role policy stsctl writes: s3:GetObject on the two issuer documents of ${input.bucket} and the function's logs (the role's other policies are kept)`,
        [
          'iam',
          'put-role-policy',
          '--role-name',
          input.roleName,
          '--policy-name',
          policy.name,
          '--policy-document',
          `file://${file}`,
        ],
        [{ name: file, content: policy.document }],
      ),
    ],
  };
}

/** What the fixes of a function URL that keeps STS out are built from (GetFunctionUrlConfig, GetPolicy). */
export interface FunctionUrlFixInput {
  readonly functionName: string;
  /** The function's region (its URL host's). */
  readonly region: string;
  /** The function's resource policy as GetPolicy returned it; undefined when it has none. */
  readonly policy: string | undefined;
}

/** `aws lambda add-permission` of one of stsctl's public statements, its arguments from the statement. */
function addPermissionStep(functionName: string, region: string, s: InvokeStatement): FixStep {
  return awsStep(`allow everyone ${s.action} through the URL (statement ${s.sid}, as stsctl adds it)`, [
    'lambda',
    'add-permission',
    '--function-name',
    functionName,
    '--statement-id',
    s.sid,
    '--action',
    s.action,
    '--principal',
    s.principal,
    ...(s.functionUrlAuthType === undefined ? [] : ['--function-url-auth-type', s.functionUrlAuthType]),
    // aws CLI 1.45.11 has the boolean flag (`aws lambda add-permission help`:
    // "--invoked-via-function-url | --no-invoked-via-function-url"), sent as InvokedViaFunctionUrl.
    ...(s.invokedViaFunctionUrl === 'true' ? ['--invoked-via-function-url'] : []),
    '--region',
    region,
  ]);
}

/**
 * The steps that add the public statements the resource policy lacks (only those:
 * AddPermission with an existing statement id fails with ResourceConflictException); a statement
 * that has stsctl's id but not its permission (another principal, a condition) is removed first
 * so its id can be used again. Empty when the policy already lets everyone in.
 */
export function publicStatementSteps(input: FunctionUrlFixInput): FixStep[] {
  return missingPublicUrlStatements(input.policy).flatMap(({ statement, conflicting }) => [
    ...(conflicting
      ? [
          awsStep(
            `remove the statement ${statement.sid}, which does not allow everyone ${statement.action} through the URL, so the id can be added again`,
            [
              'lambda',
              'remove-permission',
              '--function-name',
              input.functionName,
              '--statement-id',
              statement.sid,
              '--region',
              input.region,
            ],
          ),
        ]
      : []),
    addPermissionStep(input.functionName, input.region, statement),
  ]);
}

/**
 * The fix for FUNCTION_URL_NOT_PUBLIC: the missing public statement(s), nothing else. Undefined
 * when none is missing (the finding then has another cause, and no step would change anything).
 */
export function functionUrlPublicFix(input: FunctionUrlFixInput): Fix | undefined {
  const steps = publicStatementSteps(input);
  if (steps.length === 0) return undefined;
  return {
    summary: `Let everyone invoke ${input.functionName} through its URL (the statements its resource policy lacks)`,
    steps,
  };
}

/**
 * The fix for FUNCTION_URL_AUTH_NOT_NONE: `aws lambda update-function-url-config --auth-type NONE`.
 * Without `--cors` the request carries only `AuthType`, and UpdateFunctionUrlConfig changes only
 * the fields a request carries, so the URL's CORS stays as it is (stsctl's GET/`*` or the user's
 * own; checked with aws CLI 1.45.11 against the sandbox in
 * test/integration/doctor/hosting-lambda-fixes.test.ts). With auth type NONE Lambda also needs
 * the public statements, so any the resource policy lacks follow: the fix is complete.
 */
export function functionUrlAuthFix(input: FunctionUrlFixInput): Fix {
  return {
    summary: `Let STS's unsigned GET through the URL of ${input.functionName} (auth type NONE)`,
    steps: [
      awsStep(
        "set the URL's auth type to NONE (STS fetches the documents unsigned); its CORS is kept as it is",
        [
          'lambda',
          'update-function-url-config',
          '--function-name',
          input.functionName,
          '--auth-type',
          'NONE',
          '--region',
          input.region,
        ],
      ),
      ...publicStatementSteps(input),
    ],
  };
}

/** What the fix of a CloudFront origin naming the wrong region is built from. */
export interface OriginRegionFixInput {
  /** The distribution's configuration and ETag as GetDistributionConfig returned them. */
  readonly distribution: DistributionConfigObservation;
  /** The `Id` of the origin whose domain names the wrong region. */
  readonly originId: string;
  readonly bucket: string;
  /** The bucket's real region (GetBucketLocation). */
  readonly region: string;
}

/** The file the update step reads: the whole distribution configuration. */
export const DISTRIBUTION_CONFIG_FILE = 'distribution-config.json';

/**
 * The fix for CLOUDFRONT_ORIGIN_REGION_MISMATCH: the observed `DistributionConfig` with only the
 * origin's `DomainName` changed to the bucket's regional endpoint (`<bucket>.s3.<region>.<dnsSuffix>`
 * of the bucket's partition: `.amazonaws.com.cn` in China), sent back with
 * `aws cloudfront update-distribution --if-match <etag>`, then `aws cloudfront wait
 * distribution-deployed` — CloudFront serves the new origin only once the change is deployed, and
 * until then STS still reads the redirect. UpdateDistribution replaces the whole configuration
 * (CloudFront API reference), hence the complete document; the ETag makes CloudFront refuse the
 * update (PreconditionFailed) if the distribution changed since the doctor read it, instead of
 * overwriting that change. Undefined when the configuration has no origin with that id.
 */
export function originRegionFix(input: OriginRegionFixInput): Fix | undefined {
  const { id, etag, config } = input.distribution;
  const items = config.Origins?.Items ?? [];
  const origin = items.find((o) => o.Id === input.originId);
  if (origin?.DomainName === undefined) return undefined;
  const domainName = s3VirtualHost(input.bucket, input.region);
  if (origin.DomainName.toLowerCase() === domainName) return undefined;
  const edited = {
    ...config,
    Origins: {
      ...config.Origins,
      Items: items.map((o) => (o === origin ? { ...o, DomainName: domainName } : o)),
    },
  };
  return {
    summary: `Point origin ${input.originId} of distribution ${id} at ${domainName}, the endpoint of bucket ${input.bucket} in its region ${input.region}`,
    steps: [
      awsStep(
        `set the domain of origin ${input.originId} of ${id} from ${origin.DomainName} to ${domainName}; the rest of the configuration (version ${etag}) is kept as read`,
        [
          'cloudfront',
          'update-distribution',
          '--id',
          id,
          '--if-match',
          etag,
          '--distribution-config',
          `file://${DISTRIBUTION_CONFIG_FILE}`,
        ],
        [{ name: DISTRIBUTION_CONFIG_FILE, content: `${JSON.stringify(edited, null, 2)}\n` }],
      ),
      awsStep(`wait until ${id} has deployed the change (CloudFront serves the old origin until then)`, [
        'cloudfront',
        'wait',
        'distribution-deployed',
        '--id',
        id,
      ]),
    ],
  };
}

/** What a token-side fix names: the token's claims and header when it could be decoded. */
export interface TokenFixInput {
  readonly claims: JWTPayload | undefined;
  /** The token header's `kid`, when the header could be read. */
  readonly kid?: string | undefined;
  /** The client IDs of the token issuer's IAM provider, when one matches. */
  readonly clientIds?: readonly string[] | undefined;
}

/**
 * The fix for a finding whose cause is the token, not AWS: no steps (an empty list means "no AWS
 * change"), and a summary that says so and what to change where the token is produced. Undefined
 * for findings that are not token-side.
 */
export function tokenSideFix(code: FindingCode, input: TokenFixInput): Fix | undefined {
  const none = 'Nothing in AWS is wrong';
  const sub = typeof input.claims?.sub === 'string' ? ` for ${input.claims.sub}` : '';
  switch (code) {
    case 'TOKEN_EXPIRED': {
      const exp =
        typeof input.claims?.exp === 'number' ? new Date(input.claims.exp * 1000).toISOString() : undefined;
      return {
        summary: `${none}: the token${sub} expired${exp === undefined ? '' : ` at ${exp}`}. Re-read the token file on every credential refresh (the SDKs' web_identity_token_file provider does; the kubelet rotates projected tokens at 80% of their lifetime) instead of reading it once`,
        steps: [],
      };
    }
    case 'TOKEN_MISSING_AUD': {
      const audience = input.clientIds?.[0] ?? 'sts.amazonaws.com';
      return {
        summary: `${none}: the token${sub} has no aud claim (a legacy Secret-based service-account token). Use a projected service-account token with audience ${audience} (serviceAccountToken.audience in the pod spec, or the pod identity webhook's projected token)`,
        steps: [],
      };
    }
    case 'TOKEN_MALFORMED':
      return {
        summary: `${none}: the token file does not hold exactly one JWT (header.payload.signature). Make whatever writes the file write only the token, with nothing before or after it (no log lines, no second token)`,
        steps: [],
      };
    case 'TOKEN_KID_NOT_IN_JWKS': {
      // Only for an issuer hosted outside AWS: a JWKS in S3 or behind CloudFront is published from
      // AWS, and the registry's text names the stsctl step that merges the key in.
      const issuer = typeof input.claims?.iss === 'string' ? input.claims.iss : undefined;
      if (issuer === undefined || classifyIssuerHost(issuer)?.kind !== 'other') return undefined;
      const iss = ` at ${issuer}`;
      const kid = input.kid === undefined ? 'its signing key' : `key ${input.kid}`;
      return {
        summary: `${none}: the token is signed with ${kid}, which the issuer${iss} does not publish in its JWKS. The issuer's operator must publish that key's public half (next to the current ones), or the token source must sign with a published key`,
        steps: [],
      };
    }
    default:
      return undefined;
  }
}

/** What a JWKS fix is built from. */
export interface JwksFixInput {
  /** The JWKS URL as the discovery document names it. */
  readonly jwksUri: string;
  /** The JWKS as served. */
  readonly body: string;
  /** The token header's `kid`: that key is kept. */
  readonly kid: string | undefined;
}

/**
 * The fix for a JWKS with more than 100 keys: a JWKS that keeps the token's key and the first
 * other keys in the served order up to 100, naming the dropped kids. For a JWKS in an S3 bucket
 * the step uploads it there (`aws s3api put-object`, in the bucket's region, as JSON); for an
 * issuer hosted outside AWS there is no AWS step, and the summary says the change belongs to the
 * issuer's operator. Undefined when the served JWKS cannot be read.
 */
export function jwksFix(input: JwksFixInput): Fix | undefined {
  let keys: unknown[];
  try {
    const parsed = JSON.parse(input.body) as { keys?: unknown };
    if (!Array.isArray(parsed.keys)) return undefined;
    keys = parsed.keys;
  } catch {
    return undefined;
  }
  if (keys.length <= MAX_JWKS_KEYS) return undefined;
  const kidOf = (k: unknown): string | undefined =>
    typeof k === 'object' && k !== null && typeof (k as { kid?: unknown }).kid === 'string'
      ? (k as { kid: string }).kid
      : undefined;
  const own = keys.filter((k) => input.kid !== undefined && kidOf(k) === input.kid);
  const others = keys.filter((k) => !own.includes(k));
  const kept = [...own, ...others.slice(0, MAX_JWKS_KEYS - own.length)];
  const dropped = others.slice(MAX_JWKS_KEYS - own.length).map((k) => kidOf(k) ?? '(no kid)');
  const content = `${JSON.stringify({ keys: kept }, null, 2)}\n`;
  const what = `a JWKS of ${kept.length} keys${input.kid === undefined ? '' : ` keeping the token's key ${input.kid}`}, dropping ${dropped.length}: ${dropped.join(', ')}`;
  const host = classifyIssuerHost(input.jwksUri);
  if (host?.kind === 's3') {
    const url = new URL(input.jwksUri);
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const key = (host.style === 'path' ? segments.slice(1) : segments).join('/');
    const name = `${fileName(host.bucket)}-jwks.json`;
    return {
      summary: `Publish ${what}`,
      steps: [
        awsStep(
          `upload the trimmed JWKS to s3://${host.bucket}/${key}`,
          [
            's3api',
            'put-object',
            '--bucket',
            host.bucket,
            '--key',
            key,
            '--body',
            name,
            '--content-type',
            'application/json',
            '--region',
            host.region,
          ],
          [{ name, content }],
        ),
      ],
    };
  }
  // Behind CloudFront the bucket and key are not in the URL: the registry's text applies.
  if (host?.kind !== 'other') return undefined;
  return {
    summary: `No AWS resource holds this JWKS: ${host.host} serves ${keys.length} keys at ${input.jwksUri} and STS reads at most ${MAX_JWKS_KEYS}. The issuer's operator must publish ${what}`,
    steps: [],
  };
}

/** What a fleet member's documents fix is built from (src/doctor/checks/fleet.ts). */
export interface FleetDocumentsFixInput {
  /** `https://<domain>/<cluster>`. */
  readonly issuer: string;
  /** The issuer's path: the cluster's name, whose ownership tag the objects carry. */
  readonly path: string;
  readonly bucket: string;
  /** The bucket's real region. */
  readonly region: string;
  /** The keys STS's fetches read (`<cluster>/.well-known/openid-configuration`, `<cluster>/keys.json`). */
  readonly discoveryKey: string;
  readonly jwksKey: string;
  /** The keys to write: either or both. */
  readonly write: readonly string[];
  /** The JWKS to publish (as served where it was found); required when `write` has the JWKS key. */
  readonly jwks?: string | undefined;
  /** Why, in a few words (where the documents are, or what the discovery document names). */
  readonly reason: string;
}

/**
 * Publishes a fleet member's documents at the keys STS's fetches read, as `stsctl` publishes
 * them: the discovery document rendered for the issuer (its path in `issuer` and `jwks_uri`), the
 * JWKS as found, both `application/json` and tagged with the cluster's ownership tag (so
 * `stsctl delete --shared-issuer` removes them with the cluster). Copies found elsewhere are left
 * in place: another tool may still read them. Undefined when the JWKS is needed but unknown.
 */
export function fleetDocumentsFix(input: FleetDocumentsFixInput): Fix | undefined {
  const files: { key: string; name: string; content: string }[] = [];
  const base = fileName(`${input.bucket}-${input.path}`);
  if (input.write.includes(input.discoveryKey)) {
    files.push({
      key: input.discoveryKey,
      name: `${base}-openid-configuration.json`,
      content: renderDiscoveryDocument(input.issuer),
    });
  }
  if (input.write.includes(input.jwksKey)) {
    if (input.jwks === undefined) return undefined;
    files.push({ key: input.jwksKey, name: `${base}-keys.json`, content: input.jwks });
  }
  if (files.length === 0) return undefined;
  // The ownership tag names one cluster; a nested path is not a cluster name stsctl makes.
  const tagging = /^[A-Za-z0-9-]+$/.test(input.path) ? ['--tagging', objectTagging(input.path)] : [];
  return {
    summary: `Publish the issuer documents of ${input.issuer} at ${files.map((f) => f.key).join(' and ')} (${input.reason})`,
    steps: files.map((f) =>
      awsStep(
        f.key.endsWith(DISCOVERY_OBJECT_KEY)
          ? `upload the discovery document naming ${input.issuer} to s3://${input.bucket}/${f.key}`
          : `upload the JWKS to s3://${input.bucket}/${f.key}`,
        [
          's3api',
          'put-object',
          '--bucket',
          input.bucket,
          '--key',
          f.key,
          '--body',
          f.name,
          '--content-type',
          'application/json',
          ...tagging,
          '--region',
          input.region,
        ],
        [{ name: f.name, content: f.content }],
      ),
    ),
  };
}
