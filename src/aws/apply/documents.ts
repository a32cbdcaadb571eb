import { renderDiscoveryDocument } from '../../core/discovery.js';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY } from '../../core/issuer.js';
import { renderJwks } from '../../core/jwks.js';
import type { Observed, SelfHostedDocuments } from '../model.js';
import { putIssuerObject } from '../operations.js';
import { documentPrefix, findChange, isPending, plannedJwks, type Plan } from '../plan.js';
import type { AppliedLog, ApplyOptions } from './types.js';

/**
 * Applies the issuer documents. Any planned difference (`document`, `keys`, `contentType`)
 * rewrites the whole object: S3 has no partial update, and the bytes must be exactly ccoctl's.
 */
export async function applyDocuments(
  o: ApplyOptions,
  obs: Observed,
  p: Plan,
  issuer: string,
  applied: AppliedLog,
): Promise<void> {
  const { clients, desired, reporter } = o;
  if (desired.hosting.kind === 'self') {
    await applySelfHostedDocuments(desired.hosting.documents, o, obs, p, issuer, applied);
    return;
  }
  // A fleet member's documents live under its own prefix, `<cluster>/` (src/aws/plan/fleet.ts).
  const prefix = documentPrefix(desired);
  const discChange = findChange(p, 'discovery-document');
  if (isPending(discChange)) {
    const key = `${prefix}${DISCOVERY_OBJECT_KEY}`;
    await putIssuerObject(clients, desired.bucket, desired.name, key, renderDiscoveryDocument(issuer));
    reporter.emit('discovery-document.uploaded', { bucket: desired.bucket, key });
    applied.push(discChange);
  }
  const jwksChange = findChange(p, 'jwks');
  if (isPending(jwksChange)) {
    const keys = plannedJwks(desired, obs.bucket.jwks?.body);
    const key = `${prefix}${JWKS_OBJECT_KEY}`;
    await putIssuerObject(clients, desired.bucket, desired.name, key, renderJwks(keys.jwks));
    reporter.emit('jwks.uploaded', { bucket: desired.bucket, key, notes: keys.notes });
    applied.push(jwksChange);
  }
}

/** A self-hosted issuer's documents: written through the port, both in one write when both changed. */
async function applySelfHostedDocuments(
  documents: SelfHostedDocuments,
  o: ApplyOptions,
  obs: Observed,
  p: Plan,
  issuer: string,
  applied: AppliedLog,
): Promise<void> {
  const discChange = findChange(p, 'discovery-document');
  const jwksChange = findChange(p, 'jwks');
  const pending = [discChange, jwksChange].filter(isPending);
  if (pending.length === 0) return;
  const keys = plannedJwks(o.desired, obs.bucket.jwks?.body);
  await documents.write({
    ...(isPending(discChange) ? { discovery: renderDiscoveryDocument(issuer) } : {}),
    ...(isPending(jwksChange) ? { jwks: renderJwks(keys.jwks) } : {}),
  });
  o.reporter.emit('issuer-documents.written', {
    location: documents.location,
    documents: pending.map((c) => c.kind),
    notes: isPending(jwksChange) ? keys.notes : [],
  });
  applied.push(...pending);
}
