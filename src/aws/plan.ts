import { CACHING_DISABLED_POLICY_ID } from '../core/ccoctl-files.js';
import { renderDiscoveryDocument } from '../core/discovery.js';
import type { Tag } from '../core/iam-documents.js';
import { issuerHostPath, publicS3IssuerUrl, s3VirtualHost } from '../core/issuer.js';
import { mergeJwks, parseJwks, renderJwks, type Jwks } from '../core/jwks.js';
import { bucketArn, oidcProviderArn, partitionForRegion } from '../core/partitions.js';
import { jsonDiff, parseJson } from './json-diff.js';
import type { Desired, Observed, PublicAccessBlock } from './model.js';
import { CLIENT_IDS, publicIssuerBucketPolicy } from './operations.js';

/**
 * observe → **plan** → apply. The plan is a pure function of what the flags ask for and what the
 * account holds: every resource is `create`, `update` (with the fields that differ) or
 * `unchanged`. Values that exist only once something is created (a CloudFront domain, and so the
 * issuer) are planned as "known after apply"; apply re-plans after each stage, so the same function
 * decides both the preview and the run.
 */

export const KNOWN_AFTER_APPLY = '(known after apply)';

export type ResourceKind =
  | 'bucket'
  | 'public-access-block'
  | 'origin-access-control'
  | 'distribution'
  | 'bucket-policy'
  | 'discovery-document'
  | 'jwks'
  | 'oidc-provider'
  | 'role';

export interface FieldChange {
  readonly field: string;
  readonly from: string | undefined;
  readonly to: string;
}

export interface Change {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly action: 'create' | 'update' | 'unchanged';
  readonly fields: readonly FieldChange[];
  /** Anything the user should know (e.g. keys kept from the published set). */
  readonly notes: readonly string[];
}

export interface Plan {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  /** The issuer URL, or undefined until the CloudFront distribution exists. */
  readonly issuer: string | undefined;
  readonly providerArn: string | undefined;
  readonly changes: readonly Change[];
}

/** The public-access block each hosting needs: public reads by policy only, or nothing public. */
export function desiredPublicAccessBlock(kind: 'public' | 'cloudfront'): PublicAccessBlock {
  return kind === 'public'
    ? {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      }
    : { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
}

/**
 * The bucket policy for CloudFront with origin access control: only the distribution may read,
 * and only the two issuer objects (AWS's documented OAC policy, aws-sts-oidc.md §8).
 */
export function oacBucketPolicy(region: string, bucket: string, distributionArn: string): object {
  const p = partitionForRegion(region).id;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowCloudFrontServicePrincipalReadOnly',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: [
          `${bucketArn(p, bucket)}/.well-known/openid-configuration`,
          `${bucketArn(p, bucket)}/keys.json`,
        ],
        Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
      },
    ],
  };
}

/** `openshift.io/cloud-credential-operator/<name>`: the Comment and OAC description that mark ours. */
export function ownershipComment(name: string): string {
  return `openshift.io/cloud-credential-operator/${name}`;
}

function missingTags(want: readonly Tag[], have: readonly Tag[]): Tag[] {
  return want.filter((t) => !have.some((h) => h.Key === t.Key && h.Value === t.Value));
}

function tagField(want: readonly Tag[], have: readonly Tag[]): FieldChange[] {
  const missing = missingTags(want, have);
  if (missing.length === 0) return [];
  return [
    {
      field: 'tags',
      from: have.map((t) => `${t.Key}=${t.Value}`).join(', ') || '(none)',
      to: want.map((t) => `${t.Key}=${t.Value}`).join(', '),
    },
  ];
}

function change(
  kind: ResourceKind,
  id: string,
  exists: boolean,
  fields: FieldChange[],
  notes: string[] = [],
): Change {
  return { kind, id, action: !exists ? 'create' : fields.length > 0 ? 'update' : 'unchanged', fields, notes };
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function jsonFields(label: string, observed: string | undefined, desired: unknown): FieldChange[] {
  const diffs = jsonDiff(parseJson(observed), desired);
  return diffs.map((d) => ({
    field: `${label}: ${d.path}`,
    from: d.from === undefined ? undefined : show(d.from),
    to: show(d.to),
  }));
}

/** The issuer the run leads to, when it can be known now. */
export function plannedIssuer(desired: Desired, observed: Observed): string | undefined {
  if (desired.hosting.kind === 'public') return publicS3IssuerUrl(desired.bucket, desired.region);
  if (desired.hosting.customDomain !== undefined) return `https://${desired.hosting.customDomain}`;
  return observed.distribution === undefined ? undefined : `https://${observed.distribution.domainName}`;
}

/** The keys.json to publish: ours merged into what is there (never shrinking it), or ours alone with `replaceKeys`. */
export function plannedJwks(
  desired: Desired,
  observedBody: string | undefined,
): { jwks: Jwks; notes: string[] } {
  if (observedBody === undefined || desired.replaceKeys) {
    return {
      jwks: desired.jwks,
      notes:
        desired.replaceKeys && observedBody !== undefined
          ? ['replacing the published key set (--force)']
          : [],
    };
  }
  let published: Jwks;
  try {
    published = parseJwks(JSON.parse(observedBody) as unknown, 'keys.json');
  } catch {
    return { jwks: desired.jwks, notes: ['the published keys.json is not a valid JWKS: replacing it'] };
  }
  const merged = mergeJwks(published, desired.jwks);
  const notes: string[] = [];
  if (merged.added.length > 0) notes.push(`adds kid ${merged.added.join(', ')}`);
  if (merged.retained.length > 0) {
    notes.push(
      `keeps kid ${merged.retained.join(', ')} already published (remove it with --force once no token signed by it is in use)`,
    );
  }
  return { jwks: merged.jwks, notes };
}

/** Computes the plan. Pure. */
export function plan(desired: Desired, observed: Observed): Plan {
  const changes: Change[] = [];
  const partition = partitionForRegion(desired.region).id;
  const issuer = desired.issuer
    ? plannedIssuer(desired, observed)
    : observed.provider === undefined
      ? undefined
      : `https://${observed.provider.url}`;
  const hostPath = issuer === undefined ? undefined : issuerHostPath(issuer);
  const providerArn =
    observed.provider?.arn ??
    (hostPath === undefined ? undefined : oidcProviderArn(partition, observed.accountId, hostPath));

  if (desired.issuer) {
    const b = observed.bucket;
    changes.push(change('bucket', desired.bucket, b.exists, b.exists ? tagField(desired.tags, b.tags) : []));
    const pab = desiredPublicAccessBlock(desired.hosting.kind);
    changes.push(
      change(
        'public-access-block',
        desired.bucket,
        b.publicAccessBlock !== undefined,
        jsonFields(
          'PublicAccessBlockConfiguration',
          b.publicAccessBlock === undefined ? undefined : JSON.stringify(b.publicAccessBlock),
          pab,
        ),
      ),
    );

    let distributionArn: string | undefined;
    if (desired.hosting.kind === 'cloudfront') {
      const oac = observed.originAccessControl;
      changes.push(change('origin-access-control', desired.bucket, oac !== undefined, []));
      const d = observed.distribution;
      distributionArn = d?.arn;
      const domain = desired.hosting.customDomain;
      const want = {
        originDomain: s3VirtualHost(desired.bucket, desired.region),
        originAccessControlId: oac?.id ?? KNOWN_AFTER_APPLY,
        originAccessIdentity: '',
        viewerProtocolPolicy: 'https-only',
        cachePolicyId: CACHING_DISABLED_POLICY_ID,
        enabled: 'true',
        aliases: domain === undefined ? '' : domain,
        acmCertificateArn: desired.hosting.acmCertificateArn ?? '',
      };
      const fields: FieldChange[] = [];
      if (d !== undefined) {
        const have: Record<keyof typeof want, string> = {
          originDomain: d.originDomain,
          originAccessControlId: d.originAccessControlId,
          originAccessIdentity: d.originAccessIdentity,
          viewerProtocolPolicy: d.viewerProtocolPolicy,
          cachePolicyId: d.cachePolicyId,
          enabled: String(d.enabled),
          aliases: d.aliases.join(','),
          acmCertificateArn: d.acmCertificateArn ?? '',
        };
        for (const k of Object.keys(want) as (keyof typeof want)[]) {
          if (have[k] !== want[k])
            fields.push({ field: k, from: have[k] || '(none)', to: want[k] || '(none)' });
        }
        fields.push(...tagField(desired.tags, d.tags));
      }
      changes.push(
        change(
          'distribution',
          d?.id ?? desired.bucket,
          d !== undefined,
          fields,
          d === undefined ? [] : [`${d.domainName} (${d.status})`],
        ),
      );
    }

    const policy =
      desired.hosting.kind === 'public'
        ? publicIssuerBucketPolicy(partition, desired.bucket)
        : oacBucketPolicy(desired.region, desired.bucket, distributionArn ?? KNOWN_AFTER_APPLY);
    changes.push(
      change(
        'bucket-policy',
        desired.bucket,
        b.policy !== undefined,
        b.policy === undefined ? [] : jsonFields('Policy', b.policy, policy),
      ),
    );

    const discoveryBody = issuer === undefined ? undefined : renderDiscoveryDocument(issuer);
    const disc = b.discovery;
    const discFields: FieldChange[] = [];
    if (disc !== undefined) {
      if (discoveryBody === undefined)
        discFields.push({ field: 'issuer', from: undefined, to: KNOWN_AFTER_APPLY });
      else if (disc.body !== discoveryBody) {
        const diffs = jsonFields('document', disc.body, parseJson(discoveryBody));
        // Same values, other bytes: still rewritten, so the document is exactly ccoctl's.
        discFields.push(
          ...(diffs.length > 0
            ? diffs
            : [
                {
                  field: 'document (formatting)',
                  from: `${disc.body.length} bytes`,
                  to: `${discoveryBody.length} bytes`,
                },
              ]),
        );
      }
      if (disc.contentType !== 'application/json')
        discFields.push({
          field: 'Content-Type',
          from: disc.contentType ?? '(none)',
          to: 'application/json',
        });
    }
    changes.push(
      change(
        'discovery-document',
        `${desired.bucket}/.well-known/openid-configuration`,
        disc !== undefined,
        discFields,
      ),
    );

    const keys = plannedJwks(desired, b.jwks?.body);
    const keysBody = renderJwks(keys.jwks);
    const keysFields: FieldChange[] = [];
    if (b.jwks !== undefined) {
      const have = parseJson(b.jwks.body) as { keys?: { kid?: string }[] } | undefined;
      const haveKids = (have?.keys ?? []).map((k) => k.kid ?? '').join(', ');
      const wantKids = keys.jwks.keys.map((k) => k.kid ?? '').join(', ');
      if (jsonDiff(have, keys.jwks).length > 0)
        keysFields.push({ field: 'keys (kids)', from: haveKids || '(none)', to: wantKids });
      if (b.jwks.contentType !== 'application/json')
        keysFields.push({
          field: 'Content-Type',
          from: b.jwks.contentType ?? '(none)',
          to: 'application/json',
        });
    }
    changes.push(
      change(
        'jwks',
        `${desired.bucket}/keys.json`,
        b.jwks !== undefined,
        keysFields,
        keysBody === b.jwks?.body ? [] : keys.notes,
      ),
    );

    const p = observed.provider;
    const providerFields: FieldChange[] = [];
    if (p !== undefined) {
      const missingIds = CLIENT_IDS.filter((id) => !p.clientIds.includes(id));
      if (missingIds.length > 0)
        providerFields.push({
          field: 'client IDs',
          from: p.clientIds.join(', '),
          to: [...p.clientIds, ...missingIds].join(', '),
        });
      const thumbs = desired.thumbprints ?? [];
      const upper = p.thumbprints.map((t) => t.toUpperCase());
      if (thumbs.length > 0 && !thumbs.every((t) => upper.includes(t.toUpperCase()))) {
        providerFields.push({
          field: 'thumbprints',
          from: p.thumbprints.join(', ') || '(none)',
          to: thumbs.join(', '),
        });
      }
      providerFields.push(...tagField(desired.tags, p.tags));
    }
    changes.push(change('oidc-provider', hostPath ?? KNOWN_AFTER_APPLY, p !== undefined, providerFields));
  }

  for (const role of desired.roles) {
    const have = observed.roles.get(role.name);
    const fields: FieldChange[] = [];
    if (have !== undefined) {
      if (providerArn === undefined || hostPath === undefined)
        fields.push({ field: 'trust policy', from: undefined, to: KNOWN_AFTER_APPLY });
      else
        fields.push(
          ...jsonFields('trust', have.trustPolicy, parseJson(role.trustPolicy(providerArn, hostPath))),
        );
      if (have.inlinePolicy === undefined)
        fields.push({ field: 'inline policy', from: '(none)', to: role.name });
      else fields.push(...jsonFields('policy', have.inlinePolicy, parseJson(role.inlinePolicy)));
      if (
        role.permissionsBoundaryArn !== undefined &&
        have.permissionsBoundaryArn !== role.permissionsBoundaryArn
      ) {
        fields.push({
          field: 'permissions boundary',
          from: have.permissionsBoundaryArn ?? '(none)',
          to: role.permissionsBoundaryArn,
        });
      }
      if (have.description !== role.description)
        fields.push({ field: 'description', from: have.description || '(none)', to: role.description });
      fields.push(...tagField(role.tags, have.tags));
    }
    changes.push(change('role', role.name, have !== undefined, fields, [role.serves]));
  }

  return {
    name: desired.name,
    region: desired.region,
    accountId: observed.accountId,
    issuer,
    providerArn,
    changes,
  };
}

/** Counts of a plan's actions. */
export function planCounts(p: Plan): { create: number; update: number; unchanged: number } {
  const counts = { create: 0, update: 0, unchanged: 0 };
  for (const c of p.changes) counts[c.action] += 1;
  return counts;
}
