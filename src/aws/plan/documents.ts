import { renderDiscoveryDocument } from '../../core/discovery.js';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY, publicS3IssuerUrl } from '../../core/issuer.js';
import { mergeJwks, parseJwks, renderJwks, type Jwks } from '../../core/jwks.js';
import { jsonDiff, parseJson } from '../json-diff.js';
import type { Desired, Observed } from '../model.js';
import { change, jsonFields } from './fields.js';
import { documentPrefix, fleetMemberIssuer } from './fleet.js';
import { lambdaIssuer } from './issuer-function.js';
import { KNOWN_AFTER_APPLY, type Change, type FieldChange, type PlanContext } from './types.js';

/** The issuer documents: the discovery document and the JWKS (`keys.json`). Pure. */

/** The issuer the run leads to, when it can be known now. */
export function plannedIssuer(desired: Desired, observed: Observed): string | undefined {
  if (desired.hosting.kind === 'public') return publicS3IssuerUrl(desired.bucket, desired.region);
  if (desired.hosting.kind === 'self') return desired.hosting.issuerUrl;
  // The function URL's host is chosen by Lambda: known once the URL config exists.
  if (desired.hosting.kind === 'lambda') return lambdaIssuer(observed);
  const base =
    desired.hosting.customDomain !== undefined
      ? `https://${desired.hosting.customDomain}`
      : observed.distribution === undefined
        ? undefined
        : `https://${observed.distribution.domainName}`;
  // A fleet member's issuer is its path under the fleet's domain (src/aws/plan/fleet.ts).
  if (base === undefined || desired.hosting.sharedIssuer === undefined) return base;
  return fleetMemberIssuer(base, desired.name);
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

/**
 * Where a document lives, for the change's id: `<bucket>/<key>`, or for a self-hosted issuer
 * `<directory>/<key>` (the operator's server serves that directory), or for a fleet member
 * `<fleet bucket>/<cluster>/<key>`.
 */
export function documentLocation(desired: Desired, key: string): string {
  const base = desired.hosting.kind === 'self' ? desired.hosting.documents.location : desired.bucket;
  return `${base}/${documentPrefix(desired)}${key}`;
}

function contentTypeField(contentType: string | undefined): FieldChange[] {
  // The issuer objects are served as JSON; STS parses them whatever the type, but ccoctl and the
  // OIDC discovery spec use application/json, and so does every published issuer we compare with.
  return contentType === 'application/json'
    ? []
    : [
        {
          attribute: 'contentType',
          field: 'Content-Type',
          from: contentType ?? '(none)',
          to: 'application/json',
        },
      ];
}

/** The discovery document (attributes `document`, `contentType`). */
export function planDiscovery(ctx: PlanContext): Change {
  const { desired } = ctx;
  const disc = ctx.observed.bucket.discovery;
  const body = ctx.issuer === undefined ? undefined : renderDiscoveryDocument(ctx.issuer);
  const fields: FieldChange[] = [];
  if (disc !== undefined) {
    if (body === undefined)
      fields.push({
        attribute: 'document',
        path: 'issuer',
        field: 'issuer',
        from: undefined,
        to: KNOWN_AFTER_APPLY,
      });
    else if (disc.body !== body) {
      const diffs = jsonFields('document', 'document', disc.body, parseJson(body));
      // Same values, other bytes: still rewritten, so the document is exactly ccoctl's.
      fields.push(
        ...(diffs.length > 0
          ? diffs
          : [
              {
                attribute: 'document' as const,
                field: 'document (formatting)',
                from: `${disc.body.length} bytes`,
                to: `${body.length} bytes`,
              },
            ]),
      );
    }
    fields.push(...contentTypeField(disc.contentType));
  }
  return change(
    'discovery-document',
    documentLocation(desired, DISCOVERY_OBJECT_KEY),
    disc !== undefined,
    fields,
  );
}

/** The JWKS (attributes `keys`, `contentType`): keys merged by kid, or replaced with `--force`. */
export function planJwks(ctx: PlanContext): Change {
  const { desired } = ctx;
  const observed = ctx.observed.bucket.jwks;
  const keys = plannedJwks(desired, observed?.body);
  const fields: FieldChange[] = [];
  if (observed !== undefined) {
    const have = parseJson(observed.body) as { keys?: { kid?: string }[] } | undefined;
    const haveKids = (have?.keys ?? []).map((k) => k.kid ?? '').join(', ');
    const wantKids = keys.jwks.keys.map((k) => k.kid ?? '').join(', ');
    if (jsonDiff(have, keys.jwks).length > 0)
      fields.push({ attribute: 'keys', field: 'keys (kids)', from: haveKids || '(none)', to: wantKids });
    fields.push(...contentTypeField(observed.contentType));
  }
  return change(
    'jwks',
    documentLocation(desired, JWKS_OBJECT_KEY),
    observed !== undefined,
    fields,
    renderJwks(keys.jwks) === observed?.body ? [] : keys.notes,
  );
}
