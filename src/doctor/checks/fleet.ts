import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY } from '../../core/issuer.js';
import type { HttpObservation, IamOidcProvider, IssuerView } from '../../webidentity/types.js';
import type { Memo } from '../context.js';
import { fleetDocumentsFix, type FleetDocumentsFixInput } from '../fixes.js';
import type { Fix } from '../fix.js';
import { issuerPath, type PathlessConditionKey } from '../fleet-paths.js';
import { FETCH_RULES } from '../findings/rule-map.js';
import type { TemplateVars } from '../findings/registry.js';
import { classifyIssuerHost } from '../issuer-host.js';
import type { BucketObservation, DistributionObservation, IdentityObserver } from '../ports.js';
import { makeFinding, withRemedy, type CheckResult, type Finding, type PredictedError } from '../report.js';
import { couldNotCheck, reasonOf, withFindings } from './check.js';

/**
 * Fleet issuers (`--shared-issuer`, src/aws/plan/fleet.ts): several clusters under one private
 * bucket and one CloudFront distribution, each issuer `https://<domain>/<cluster>` with its two
 * documents under the bucket prefix `<cluster>/`. The path has to be everywhere the issuer is —
 * the bucket keys, the discovery document's `issuer` and `jwks_uri`, the IAM provider URL and the
 * trust policies' condition keys (`<domain>/<cluster>:sub`, aws-sts-2026.md §7) — and each place
 * it is missing breaks the cluster in its own way. The generic checks see only the symptom (a 403
 * on the documents, a trust denial); this check names the missing path:
 *
 * - documents published at the bucket root or under a misspelt prefix
 *   (`FLEET_DOCUMENTS_OUTSIDE_PREFIX`);
 * - a discovery document written for the domain, not the cluster (`FLEET_DISCOVERY_WITHOUT_PATH`);
 * - trust-policy condition keys without the path (`FLEET_CONDITION_KEY_WITHOUT_PATH`, judged per
 *   role by `pathlessConditionKeys`, src/doctor/fleet-paths.ts).
 *
 * An issuer is judged as a fleet member when it has a path and its host is a CloudFront
 * distribution (its domain or an alias) whose origin is an S3 bucket; other issuers get no check.
 */

const ID = 'issuer.fleet';
const TITLE = "Fleet issuer (the cluster's prefix, discovery issuer and jwks_uri with the path)";

/** Where a fleet member's documents are, from the issuer URL and the distribution's S3 origin. */
export interface FleetLayout {
  /** `https://<domain>/<cluster>`. */
  readonly issuer: string;
  /** `https://<domain>`: the issuer without its path. */
  readonly domainIssuer: string;
  /** The issuer's path without slashes (`<cluster>`). */
  readonly path: string;
  readonly bucket: string;
  /** The region the origin's domain names (the bucket's own location, when read, wins). */
  readonly originRegion: string;
  /** The origin's OriginPath as a key prefix (`''` or `<prefix>/`): CloudFront prepends it (§8). */
  readonly originPrefix: string;
  /** The bucket keys STS's fetches of discovery and JWKS read. */
  readonly discoveryKey: string;
  readonly jwksKey: string;
}

/** The layout of a fleet member behind `distribution`, or undefined when it is not one. */
export function fleetLayout(issuer: string, distribution: DistributionObservation): FleetLayout | undefined {
  const path = issuerPath(issuer);
  if (path === undefined) return undefined;
  const origin =
    distribution.origins.find((o) => o.id === distribution.defaultOriginId) ?? distribution.origins[0];
  const host = origin === undefined ? undefined : classifyIssuerHost(`https://${origin.domainName}`);
  if (origin === undefined || host?.kind !== 's3') return undefined;
  const trimmed = origin.originPath.replace(/^\/+|\/+$/g, '');
  const originPrefix = trimmed === '' ? '' : `${trimmed}/`;
  return {
    issuer,
    domainIssuer: `https://${new URL(issuer).host}`,
    path,
    bucket: host.bucket,
    originRegion: host.region,
    originPrefix,
    discoveryKey: `${originPrefix}${path}/${DISCOVERY_OBJECT_KEY}`,
    jwksKey: `${originPrefix}${path}/${JWKS_OBJECT_KEY}`,
  };
}

/** A place in the bucket that holds issuer documents other than the cluster's own prefix. */
export interface StrayDocuments {
  /** The key prefix inside the origin (`''` for the bucket root, else `<prefix>/`). */
  readonly prefix: string;
  readonly discoveryKey: string | undefined;
  readonly jwksKey: string | undefined;
  /** The URLs the distribution serves them at. */
  readonly discoveryUrl: string;
  readonly jwksUrl: string;
}

/**
 * Other places of the bucket holding the documents the cluster's prefix lacks: the root and every
 * prefix with a discovery document or a JWKS, except the cluster's own (pure; from the listing).
 */
export function strayDocuments(layout: FleetLayout, objectKeys: readonly string[]): StrayDocuments[] {
  const prefixes = new Set<string>();
  for (const key of objectKeys) {
    if (!key.startsWith(layout.originPrefix)) continue;
    const rest = key.slice(layout.originPrefix.length);
    for (const suffix of [DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY]) {
      if (rest === suffix || rest.endsWith(`/${suffix}`)) prefixes.add(rest.slice(0, -suffix.length));
    }
  }
  prefixes.delete(`${layout.path}/`);
  const has = new Set(objectKeys);
  return [...prefixes]
    .sort((a, b) => a.length - b.length || a.localeCompare(b))
    .map((prefix) => {
      const discoveryKey = `${layout.originPrefix}${prefix}${DISCOVERY_OBJECT_KEY}`;
      const jwksKey = `${layout.originPrefix}${prefix}${JWKS_OBJECT_KEY}`;
      return {
        prefix,
        discoveryKey: has.has(discoveryKey) ? discoveryKey : undefined,
        jwksKey: has.has(jwksKey) ? jwksKey : undefined,
        discoveryUrl: `${layout.domainIssuer}/${prefix}${DISCOVERY_OBJECT_KEY}`,
        jwksUrl: `${layout.domainIssuer}/${prefix}${JWKS_OBJECT_KEY}`,
      };
    });
}

function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether stray documents are this cluster's: their discovery document names the cluster's issuer
 * (a misspelt prefix, or the root), or, at the bucket root, the fleet's bare domain (a document
 * written for a single-cluster issuer). A document naming another issuer is someone else's.
 */
export function straysBelongTo(layout: FleetLayout, stray: StrayDocuments, discoveryBody: string): boolean {
  const issuer = jsonObject(discoveryBody)?.['issuer'];
  return issuer === layout.issuer || (stray.prefix === '' && issuer === layout.domainIssuer);
}

/** What a fleet member's discovery document says about the path, when it lacks it. */
export interface DiscoveryWithoutPath {
  /** The document's `issuer` field (the bare domain). */
  readonly issuerField: string;
  readonly jwksUri: string | undefined;
  /** True when `jwks_uri` lacks the path too: STS fetches the keys from the domain's root. */
  readonly jwksUriWithoutPath: boolean;
}

/**
 * The discovery document's `issuer` is the fleet's domain, without the cluster's path (pure);
 * undefined when the document names the issuer, or something else the generic check reports.
 */
export function discoveryWithoutPath(layout: FleetLayout, body: string): DiscoveryWithoutPath | undefined {
  const doc = jsonObject(body);
  const field = doc?.['issuer'];
  if (typeof field !== 'string' || field.replace(/\/+$/, '') !== layout.domainIssuer) return undefined;
  const jwksUri = typeof doc?.['jwks_uri'] === 'string' ? doc['jwks_uri'] : undefined;
  let jwksUriWithoutPath = false;
  if (jwksUri !== undefined) {
    try {
      const u = new URL(jwksUri);
      jwksUriWithoutPath =
        `https://${u.host}` === layout.domainIssuer && !u.pathname.startsWith(`/${layout.path}/`);
    } catch {
      // not a URL: the generic check reports jwks_uri
    }
  }
  return { issuerField: field, jwksUri, jwksUriWithoutPath };
}

/** What STS sees for each key written without the issuer's path, in words. */
export function conditionKeysDetail(roleName: string, keys: readonly PathlessConditionKey[]): string {
  return `role ${roleName}: ${keys
    .map(
      (k) =>
        `statement ${k.statement} tests ${k.operator} ${k.key}, but STS evaluates ${k.expected} (the provider URL with the issuer's path), so ${k.key} is not in the request and the condition never matches`,
    )
    .join('; ')}`;
}

/**
 * The role check's trust denials (judged without a token: exported manifests, a service account
 * without one) named as `FLEET_CONDITION_KEY_WITHOUT_PATH` when the role's condition keys lack the
 * issuer's path: one finding, first, with the denials it explains in its detail. Other findings of
 * the check are kept; a check without such keys is returned as it is.
 */
export function withFleetConditionKeys(
  result: CheckResult,
  o: {
    readonly roleName: string;
    readonly keys: readonly PathlessConditionKey[];
    readonly vars: TemplateVars;
    readonly remedy: Fix | undefined;
  },
): CheckResult {
  if (result.outcome.status !== 'fail' || o.keys.length === 0) return result;
  const denials = result.outcome.findings.filter((f) => f.code === 'TRUST_POLICY_DENIES');
  if (denials.length === 0) return result;
  const fleet = withRemedy(
    makeFinding(
      'FLEET_CONDITION_KEY_WITHOUT_PATH',
      [conditionKeysDetail(o.roleName, o.keys), ...denials.map((d) => d.detail)].join('\n'),
      o.vars,
    ),
    o.remedy,
  );
  const others = result.outcome.findings.filter((f) => f.code !== 'TRUST_POLICY_DENIES');
  return { ...result, outcome: { status: 'fail', findings: [fleet, ...others] } };
}

/** The fleet codes that explain a refused fetch of the issuer's documents. */
const FETCH_ROOT_CAUSES = ['FLEET_DOCUMENTS_OUTSIDE_PREFIX', 'FLEET_DISCOVERY_WITHOUT_PATH'] as const;

/**
 * The fleet finding that explains a verdict failing on `rule`, as the decisive finding with the
 * model's error; undefined when none does. Only an error finding explains a refusal (a discovery
 * `issuer` alone without the path is a warning: STS still grants).
 */
export function fleetRootCause(
  rule: string,
  related: readonly Finding[],
  error: PredictedError,
): Finding | undefined {
  if (!FETCH_RULES.has(rule)) return undefined;
  for (const code of FETCH_ROOT_CAUSES) {
    const root = related.find((f) => f.code === code && f.severity === 'error');
    if (root !== undefined) return { ...root, predictedError: error, decisive: true };
  }
  return undefined;
}

/** Inputs of {@link checkFleet}. */
export interface FleetCheckInput {
  readonly issuer: string;
  readonly aws: IdentityObserver | undefined;
  readonly memo: Memo;
  /** The issuer as STS fetches it (memoized: the documents check's fetches are reused). */
  readonly view: IssuerView;
  /** Discovery and JWKS as the documents check fetched them. */
  readonly fetched: { readonly discovery?: HttpObservation; readonly jwks?: HttpObservation };
  /** The failing rule of the documents check, when one failed. */
  readonly failedRule: string | undefined;
  /** The account's providers, when read (a stray prefix that is another cluster's is not ours). */
  readonly providers: readonly IamOidcProvider[] | undefined;
  readonly vars: TemplateVars;
}

function fixTarget(
  layout: FleetLayout,
  region: string,
): Pick<FleetDocumentsFixInput, 'issuer' | 'path' | 'bucket' | 'region' | 'discoveryKey' | 'jwksKey'> {
  return {
    issuer: layout.issuer,
    path: layout.path,
    bucket: layout.bucket,
    region,
    discoveryKey: layout.discoveryKey,
    jwksKey: layout.jwksKey,
  };
}

function status(o: HttpObservation | undefined): string {
  return o === undefined ? 'not fetched' : o.ok ? `HTTP ${o.status}` : `${o.error}: ${o.message}`;
}

/**
 * Runs the fleet check for one issuer; undefined when the issuer is not a fleet member (no path,
 * or no distribution with an S3 origin serves its host), so other issuers' reports do not change.
 */
export async function checkFleet(input: FleetCheckInput): Promise<CheckResult | undefined> {
  const path = issuerPath(input.issuer);
  const host = classifyIssuerHost(input.issuer);
  if (path === undefined || host === undefined || host.kind === 's3') return undefined;
  const aws = input.aws;
  if (aws === undefined) return undefined;
  let layout: FleetLayout | undefined;
  let bucket: BucketObservation;
  try {
    // The same memo keys as the hosting check: each AWS read is made once per run.
    const distribution = await input.memo.get<DistributionObservation | undefined>(
      `distribution:${host.host}`,
      () => aws.findDistribution(host.host),
    );
    layout = distribution === undefined ? undefined : fleetLayout(input.issuer, distribution);
    if (layout === undefined) return undefined;
    const wanted = [layout.discoveryKey, layout.jwksKey];
    const bucketName = layout.bucket;
    bucket = await input.memo.get<BucketObservation>(`bucket:${bucketName}:${wanted.join(',')}`, () =>
      aws.getBucket(bucketName, wanted),
    );
  } catch (e) {
    return couldNotCheck(ID, TITLE, 'issuer', reasonOf(e));
  }
  if (!bucket.exists) return undefined; // the hosting check reports S3_BUCKET_MISSING
  // Fixes act on the bucket where it really is (GetBucketLocation), as the hosting fixes do.
  const region = bucket.region ?? layout.originRegion;
  const vars: TemplateVars = { ...input.vars, bucket: layout.bucket, region, issuer: input.issuer };
  const findings: Finding[] = [];
  const missing = [layout.discoveryKey, layout.jwksKey].filter(
    (k) => !bucket.objectKeysTruncated && !bucket.objectKeys.includes(k),
  );
  // Only when STS's fetch was refused: a cache may still serve what the listing no longer holds.
  if (missing.length > 0 && input.failedRule !== undefined && FETCH_RULES.has(input.failedRule)) {
    const found = await ownStrays(input, layout, bucket.objectKeys, missing);
    if (found !== undefined) {
      const where = [found.stray.discoveryKey, found.stray.jwksKey].filter((k) => k !== undefined);
      const detail = `bucket ${layout.bucket} holds the issuer documents at ${where.join(' and ')} (served as ${found.stray.discoveryUrl}), but STS fetches ${input.issuer}/${DISCOVERY_OBJECT_KEY}, which CloudFront reads from key ${layout.discoveryKey}; the bucket does not hold ${missing.join(' or ')} (the fetch got ${status(input.fetched.discovery)})`;
      findings.push(
        withRemedy(
          makeFinding('FLEET_DOCUMENTS_OUTSIDE_PREFIX', detail, vars),
          fleetDocumentsFix({
            ...fixTarget(layout, region),
            write: missing,
            jwks: found.jwks,
            reason: `the documents are at ${where.join(' and ')}`,
          }),
        ),
      );
    }
  }
  const discovery = input.fetched.discovery;
  if (discovery?.ok === true && discovery.status === 200) {
    const without = discoveryWithoutPath(layout, discovery.body);
    if (without !== undefined) {
      // STS refuses only when it cannot get the keys: jwks_uri without the path too (§3.2).
      const refused =
        without.jwksUriWithoutPath && input.failedRule !== undefined && input.failedRule.startsWith('jwks.');
      const jwks = input.fetched.jwks;
      const detail = `${input.issuer}/${DISCOVERY_OBJECT_KEY} names issuer ${without.issuerField} and jwks_uri ${without.jwksUri ?? '(none)'}, the fleet's domain without the cluster's path /${layout.path}; ${
        refused
          ? `STS fetches the keys from ${without.jwksUri ?? ''} (${status(jwks)}), a key the fleet bucket does not hold for this cluster`
          : 'STS still gets the keys (it is not known to check the issuer field, §3.2), but other OIDC clients compare it with iss'
      }`;
      const finding = makeFinding(
        'FLEET_DISCOVERY_WITHOUT_PATH',
        detail,
        vars,
        refused ? {} : { predictedError: null },
      );
      findings.push(
        withRemedy(
          refused ? finding : { ...finding, severity: 'warning' },
          fleetDocumentsFix({
            ...fixTarget(layout, region),
            write: [layout.discoveryKey],
            reason: `the discovery document names ${without.issuerField}`,
          }),
        ),
      );
    }
  }
  return withFindings(
    ID,
    TITLE,
    'issuer',
    findings,
    `fleet member /${layout.path} of bucket ${layout.bucket}: ${layout.discoveryKey} and ${layout.jwksKey}, discovery names ${input.issuer}`,
  );
}

/**
 * The stray documents that are this cluster's, with the JWKS they serve (fetched through the
 * distribution, as STS would), or undefined when none are.
 */
async function ownStrays(
  input: FleetCheckInput,
  layout: FleetLayout,
  objectKeys: readonly string[],
  missing: readonly string[],
): Promise<{ stray: StrayDocuments; jwks: string | undefined } | undefined> {
  // Provider URLs are case-sensitive (§3.1): `FA/` is not the prefix of the member `fa`.
  const others = new Set((input.providers ?? []).map((p) => p.url.replace(/^https:\/\//, '')));
  const domain = layout.domainIssuer.slice('https://'.length);
  for (const stray of strayDocuments(layout, objectKeys)) {
    // A prefix that is another fleet member's (it has its own provider) is that cluster's.
    if (stray.prefix !== '' && others.has(`${domain}/${stray.prefix.replace(/\/$/, '')}`)) continue;
    if (missing.includes(layout.jwksKey) && stray.jwksKey === undefined) continue;
    if (stray.discoveryKey === undefined) continue;
    const discovery = await input.view.fetch(stray.discoveryUrl);
    if (!discovery.ok || discovery.status !== 200 || !straysBelongTo(layout, stray, discovery.body)) continue;
    if (!missing.includes(layout.jwksKey)) return { stray, jwks: undefined };
    const jwks = await input.view.fetch(stray.jwksUrl);
    if (!jwks.ok || jwks.status !== 200 || !Array.isArray(jsonObject(jwks.body)?.['keys'])) continue;
    return { stray, jwks: jwks.body };
  }
  return undefined;
}
