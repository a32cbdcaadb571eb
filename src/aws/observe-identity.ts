import {
  GetDistributionCommand,
  GetDistributionConfigCommand,
  paginateListDistributions,
} from '@aws-sdk/client-cloudfront';
import {
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand as GetIamPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListOpenIDConnectProvidersCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import {
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import {
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  paginateListFunctions,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import {
  decodePolicyDocument,
  iamProviderFromGet,
  iamRoleFromGetRole,
  parseRoleArn,
} from '../webidentity/iam-view.js';
import type { IamOidcProvider, IamRole } from '../webidentity/types.js';
import type {
  PublicAccessBlock,
  BucketObservation,
  ObjectAclGrant,
  DistributionObservation,
  DistributionConfigDocument,
  DistributionConfigObservation,
  FunctionUrlObservation,
  LiveAnswer,
  RolePoliciesObservation,
} from '../core/aws-observations.js';
import { createAwsClients, proxyRequestHandler, type AwsClientOptions, type AwsClients } from './clients.js';
import { IAM_NOT_FOUND, awsCall, awsFailure, isAwsError } from './errors.js';
import { allowsPublicUrlInvoke, describeStatement, invokeStatements } from './issuer-function.js';
import { LAMBDA_NOT_FOUND } from './observe-issuer-function.js';

/**
 * Read-only AWS observations for `stsctl doctor`, returned as plain data so the doctor (which may
 * not import the SDK) stays testable with fakes: the account's IAM OIDC providers, a role, an S3
 * bucket's policy / public-access block / object keys, the account-level public-access block
 * (S3 Control), the CloudFront distribution serving a host, and — only for `--live` — one real
 * `AssumeRoleWithWebIdentity` call. Nothing here changes anything in AWS.
 *
 * IAM is read the way the validating STS reads it (every provider of the list with
 * `GetOpenIDConnectProvider`, mapped by src/webidentity/iam-view.ts), so the doctor's IAM view
 * is the one the model saw in the STS.
 *
 * The observation types are shared with the doctor's ports (src/core/aws-observations.ts); the
 * observer interface matches the doctor's port structurally, which the CLI's wiring checks at
 * compile time.
 */

/** The AWS reads the doctor makes. Each throws a StsctlError when AWS cannot be read. */
export interface IdentityObserver {
  /** Every IAM OIDC provider of the caller's account, with client IDs and thumbprints. */
  listOidcProviders(): Promise<readonly IamOidcProvider[]>;
  /** The role named by the ARN, or undefined when no role has exactly that ARN. */
  getRole(roleArn: string): Promise<IamRole | undefined>;
  /** The bucket, with the ACLs of `objectKeys` (the issuer documents) when given. */
  getBucket(bucket: string, objectKeys?: readonly string[]): Promise<BucketObservation>;
  /** Every IAM role of the account, with its trust policy (to find the roles trusting a provider). */
  listRoles?(): Promise<readonly IamRole[]>;
  /** The account-level block, or undefined when the account has none. */
  getAccountPublicAccessBlock(accountId: string): Promise<PublicAccessBlock | undefined>;
  /** The distribution whose domain name or alias is `host`, or undefined. */
  findDistribution(host: string): Promise<DistributionObservation | undefined>;
  /**
   * The complete configuration of distribution `id` and its ETag (GetDistributionConfig), for a fix
   * that rewrites it; undefined when no distribution has that id.
   */
  getDistributionConfig?(id: string): Promise<DistributionConfigObservation | undefined>;
  /** The function whose URL has `host` (`<url-id>.lambda-url.<region>.on.aws`), or undefined. */
  findFunctionUrl?(host: string): Promise<FunctionUrlObservation | undefined>;
  /** The role's inline and attached managed policies, or undefined when there is no such role. */
  getRolePolicies?(roleArn: string): Promise<RolePoliciesObservation | undefined>;
  assumeRoleWithWebIdentity(request: {
    readonly roleArn: string;
    readonly token: string;
    readonly sessionName: string;
    readonly durationSeconds?: number;
  }): Promise<LiveAnswer>;
  /** Releases the SDK clients' sockets. */
  destroy(): void;
}

/** Options: the same as {@link createAwsClients}, plus an S3 Control endpoint for emulators. */
export interface IdentityObserverOptions extends AwsClientOptions {
  readonly s3ControlEndpoint?: string;
}

function blockFrom(
  config:
    | {
        BlockPublicAcls?: boolean | undefined;
        IgnorePublicAcls?: boolean | undefined;
        BlockPublicPolicy?: boolean | undefined;
        RestrictPublicBuckets?: boolean | undefined;
      }
    | undefined,
): PublicAccessBlock | undefined {
  if (config === undefined) return undefined;
  return {
    blockPublicAcls: config.BlockPublicAcls === true,
    ignorePublicAcls: config.IgnorePublicAcls === true,
    blockPublicPolicy: config.BlockPublicPolicy === true,
    restrictPublicBuckets: config.RestrictPublicBuckets === true,
  };
}

/**
 * S3 Control puts the account id in front of the host (`<account>.s3-control.<region>.amazonaws.com`,
 * from its endpoint rules). Against an endpoint override (the sandbox, other emulators) that makes
 * `<account>.127.0.0.1`, which is not even a URL: with an override, the override is used as is.
 * moto routes `/v20180820/…` paths to S3 Control by path.
 */
function s3ControlClient(options: IdentityObserverOptions, env: NodeJS.ProcessEnv): S3ControlClient {
  const endpoint =
    options.s3ControlEndpoint ??
    options.endpoints?.s3 ??
    options.endpoint ??
    env['AWS_ENDPOINT_URL_S3_CONTROL'] ??
    env['AWS_ENDPOINT_URL'];
  const proxied = proxyRequestHandler(env);
  return new S3ControlClient({
    region: options.region,
    ...(proxied === undefined ? {} : { requestHandler: proxied.requestHandler }),
    ...(endpoint === undefined ? {} : { endpointProvider: () => ({ url: new URL(endpoint) }) }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  });
}

/**
 * Creates the observer. S3 buckets are read through a client in the bucket's own region
 * (GetBucketLocation first), as S3 answers other regions with a redirect.
 */
export function createIdentityObserver(
  options: IdentityObserverOptions,
  env: NodeJS.ProcessEnv = process.env,
): IdentityObserver {
  const clients = new Map<string, AwsClients>();
  const clientsFor = (region: string): AwsClients => {
    let c = clients.get(region);
    if (c === undefined) {
      c = createAwsClients({ ...options, region }, env);
      clients.set(region, c);
    }
    return c;
  };
  const base = clientsFor(options.region);
  let control: S3ControlClient | undefined;

  return {
    async listOidcProviders() {
      const listed = await awsCall('listing IAM OIDC providers', () =>
        base.iam.send(new ListOpenIDConnectProvidersCommand({})),
      );
      const arns = (listed.OpenIDConnectProviderList ?? [])
        .map((p) => p.Arn)
        .filter((a): a is string => a !== undefined);
      const providers = await Promise.all(
        arns.map(async (arn): Promise<IamOidcProvider | undefined> => {
          try {
            const got = await base.iam.send(
              new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
            );
            return iamProviderFromGet(arn, got);
          } catch (e) {
            if (isAwsError(e, ...IAM_NOT_FOUND)) return undefined;
            throw awsFailure(`reading ${arn}`, e);
          }
        }),
      );
      return providers.filter((p): p is IamOidcProvider => p !== undefined);
    },

    async getRole(roleArn) {
      const parsed = parseRoleArn(roleArn);
      if (parsed === undefined) return undefined;
      const out = await awsCall(
        `reading role ${parsed.roleName}`,
        () => base.iam.send(new GetRoleCommand({ RoleName: parsed.roleName })),
        IAM_NOT_FOUND,
      );
      const role = iamRoleFromGetRole(out?.Role);
      // The validating STS's rule (src/sts/iam-reader.ts, viewFor): a role of another account or
      // path is not this role.
      return role?.arn === roleArn ? role : undefined;
    },

    async listRoles() {
      return awsCall('listing IAM roles', async () => {
        const roles: IamRole[] = [];
        for await (const page of paginateListRoles({ client: base.iam }, {})) {
          for (const r of page.Roles ?? []) {
            const role = iamRoleFromGetRole(r);
            if (role !== undefined) roles.push(role);
          }
        }
        return roles;
      });
    },

    async getBucket(bucket, objectKeys = []) {
      let region: string;
      try {
        const loc = await base.s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
        // An empty LocationConstraint means us-east-1 (S3 API reference, GetBucketLocation).
        region =
          loc.LocationConstraint === undefined || (loc.LocationConstraint as string) === ''
            ? 'us-east-1'
            : loc.LocationConstraint;
      } catch (e) {
        if (isAwsError(e, 'NoSuchBucket')) return { exists: false };
        throw awsFailure(`locating bucket ${bucket}`, e);
      }
      const s3 = clientsFor(region).s3;
      const [policy, block, objects, ownership, acls] = await Promise.all([
        awsCall(
          `reading the policy of ${bucket}`,
          () => s3.send(new GetBucketPolicyCommand({ Bucket: bucket })),
          ['NoSuchBucketPolicy'],
        ).then((o) => o?.Policy),
        awsCall(
          `reading the public-access block of ${bucket}`,
          () => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })),
          ['NoSuchPublicAccessBlockConfiguration'],
        ).then((o) => blockFrom(o?.PublicAccessBlockConfiguration)),
        awsCall(`listing the objects of ${bucket}`, () =>
          s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 })),
        ),
        awsCall(
          `reading the ownership controls of ${bucket}`,
          () => s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })),
          ['OwnershipControlsNotFoundError'],
        ).then((o) => o?.OwnershipControls?.Rules?.[0]?.ObjectOwnership),
        // The issuer documents' ACLs: ccoctl ≤ 4.12 published them with public-read ACLs.
        Promise.all(
          objectKeys.map(async (key) => {
            const got = await awsCall(
              `reading the ACL of ${bucket}/${key}`,
              () => s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: key })),
              ['NoSuchKey', 'NotFound'],
            );
            return [key, got?.Grants] as const;
          }),
        ),
      ]);
      const objectAcls: Record<string, readonly ObjectAclGrant[]> = {};
      for (const [key, grants] of acls) {
        if (grants === undefined) continue;
        objectAcls[key] = grants.map((g) => ({
          ...(g.Grantee === undefined
            ? {}
            : {
                Grantee: {
                  ...(g.Grantee.Type === undefined ? {} : { Type: g.Grantee.Type }),
                  ...(g.Grantee.URI === undefined ? {} : { URI: g.Grantee.URI }),
                  ...(g.Grantee.ID === undefined ? {} : { ID: g.Grantee.ID }),
                },
              }),
          ...(g.Permission === undefined ? {} : { Permission: g.Permission }),
        }));
      }
      return {
        exists: true,
        policy,
        publicAccessBlock: block,
        objectKeys: (objects.Contents ?? []).map((o) => o.Key).filter((k): k is string => k !== undefined),
        objectKeysTruncated: objects.IsTruncated === true,
        region,
        ...(ownership === undefined ? {} : { objectOwnership: ownership }),
        objectAcls,
      };
    },

    async getAccountPublicAccessBlock(accountId) {
      control ??= s3ControlClient(options, env);
      const c = control;
      try {
        const out = await c.send(new GetAccountPublicAccessBlockCommand({ AccountId: accountId }));
        return blockFrom(out.PublicAccessBlockConfiguration);
      } catch (e) {
        if (isAwsError(e, 'NoSuchPublicAccessBlockConfiguration')) return undefined;
        throw awsFailure(`reading the account public-access block of ${accountId}`, e);
      }
    },

    async findDistribution(host) {
      const wanted = host.toLowerCase();
      const id = await awsCall('listing CloudFront distributions', async () => {
        for await (const page of paginateListDistributions({ client: base.cloudfront }, {})) {
          for (const d of page.DistributionList?.Items ?? []) {
            const names = [d.DomainName, ...(d.Aliases?.Items ?? [])].map((n) => n?.toLowerCase());
            if (names.includes(wanted) && d.Id !== undefined) return d.Id;
          }
        }
        return undefined;
      });
      if (id === undefined) return undefined;
      const distributionId = id;
      const got = await awsCall(`reading distribution ${distributionId}`, () =>
        base.cloudfront.send(new GetDistributionCommand({ Id: distributionId })),
      );
      const d = got.Distribution;
      const config = d?.DistributionConfig;
      if (d?.Id === undefined || config === undefined) return undefined;
      return {
        id: d.Id,
        arn: d.ARN ?? '',
        domainName: d.DomainName ?? '',
        aliases: config.Aliases?.Items ?? [],
        status: d.Status ?? '',
        enabled: config.Enabled === true,
        defaultOriginId: config.DefaultCacheBehavior?.TargetOriginId,
        origins: (config.Origins?.Items ?? []).map((o) => ({
          id: o.Id ?? '',
          domainName: o.DomainName ?? '',
          originPath: o.OriginPath ?? '',
          originAccessControlId: o.OriginAccessControlId,
          originAccessIdentity: o.S3OriginConfig?.OriginAccessIdentity,
        })),
      };
    },

    async getDistributionConfig(id) {
      const got = await awsCall(
        `reading the configuration of distribution ${id}`,
        () => base.cloudfront.send(new GetDistributionConfigCommand({ Id: id })),
        ['NoSuchDistribution'],
      );
      if (got?.DistributionConfig === undefined || got.ETag === undefined) return undefined;
      // Plain JSON with the API's member names (the SDK's shapes are those names; members CloudFront
      // did not return stay out): the document `aws cloudfront update-distribution
      // --distribution-config` takes back.
      const config = JSON.parse(JSON.stringify(got.DistributionConfig)) as DistributionConfigDocument;
      return { id, etag: got.ETag, config };
    },

    async findFunctionUrl(host) {
      const wanted = host.toLowerCase();
      const region = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(wanted)?.[1];
      if (region === undefined) return undefined;
      const lambda = clientsFor(region).lambda;
      const functions: FunctionConfiguration[] = [];
      await awsCall(`listing Lambda functions in ${region}`, async () => {
        for await (const page of paginateListFunctions({ client: lambda }, {}))
          functions.push(...(page.Functions ?? []));
      });
      for (const fn of functions) {
        const name = fn.FunctionName;
        if (name === undefined) continue;
        const url = await awsCall(
          `reading the function URL of ${name}`,
          () => lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name })),
          [...LAMBDA_NOT_FOUND],
        );
        if (url?.FunctionUrl === undefined || new URL(url.FunctionUrl).host.toLowerCase() !== wanted)
          continue;
        const policy = await awsCall(
          `reading the resource policy of ${name}`,
          () => lambda.send(new GetPolicyCommand({ FunctionName: name })),
          [...LAMBDA_NOT_FOUND],
        );
        return {
          functionName: name,
          functionArn: fn.FunctionArn ?? '',
          functionUrl: url.FunctionUrl,
          authType: url.AuthType ?? '',
          policy: policy?.Policy,
          publicInvoke: allowsPublicUrlInvoke(url.AuthType ?? '', policy?.Policy),
          invokeStatements: invokeStatements(policy?.Policy).map(describeStatement),
          roleArn: fn.Role ?? '',
          environment: fn.Environment?.Variables ?? {},
        };
      }
      return undefined;
    },

    async getRolePolicies(roleArn) {
      const parsed = parseRoleArn(roleArn);
      if (parsed === undefined) return undefined;
      const roleName = parsed.roleName;
      // IAM returns policy documents URL-encoded (GetRolePolicy, GetPolicyVersion: "URL-encoded
      // compliant with RFC 3986"), as it does trust policies.
      const read = async (): Promise<RolePoliciesObservation> => {
        const names: string[] = [];
        for await (const page of paginateListRolePolicies({ client: base.iam }, { RoleName: roleName }))
          names.push(...(page.PolicyNames ?? []));
        const inline = await Promise.all(
          names.map(async (name) => {
            const got = await base.iam.send(
              new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }),
            );
            return { name, document: decodePolicyDocument(got.PolicyDocument ?? '') };
          }),
        );
        const arns: string[] = [];
        for await (const page of paginateListAttachedRolePolicies(
          { client: base.iam },
          { RoleName: roleName },
        ))
          for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn !== undefined) arns.push(p.PolicyArn);
        const attached = await Promise.all(
          arns.map(async (arn) => {
            const policy = await base.iam.send(new GetIamPolicyCommand({ PolicyArn: arn }));
            const version = await base.iam.send(
              new GetPolicyVersionCommand({
                PolicyArn: arn,
                VersionId: policy.Policy?.DefaultVersionId ?? 'v1',
              }),
            );
            return { name: arn, document: decodePolicyDocument(version.PolicyVersion?.Document ?? '') };
          }),
        );
        return { inline, attached };
      };
      return awsCall(`reading the policies of role ${roleName}`, read, IAM_NOT_FOUND);
    },

    async assumeRoleWithWebIdentity(request) {
      try {
        const out = await base.sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: request.roleArn,
            RoleSessionName: request.sessionName,
            WebIdentityToken: request.token,
            ...(request.durationSeconds === undefined ? {} : { DurationSeconds: request.durationSeconds }),
          }),
        );
        // The credentials are dropped here: the doctor compares outcomes, it never needs secrets.
        return { ok: true, assumedRoleArn: out.AssumedRoleUser?.Arn ?? '' };
      } catch (e) {
        if (isAwsError(e)) {
          return {
            ok: false,
            code: e.name,
            status: e.$metadata?.httpStatusCode ?? 0,
            message: e.message,
          };
        }
        throw awsFailure('calling AssumeRoleWithWebIdentity', e);
      }
    },

    destroy() {
      for (const c of clients.values()) c.destroy();
      control?.destroy();
    },
  };
}
