import { renderDiscoveryDocument } from '../../core/discovery.js';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY } from '../../core/issuer.js';
import { renderJwks } from '../../core/jwks.js';
import type { Observed } from '../model.js';
import { putIssuerObject } from '../operations.js';
import { findChange, isPending, plannedJwks, type Plan } from '../plan.js';
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
  const discChange = findChange(p, 'discovery-document');
  if (isPending(discChange)) {
    await putIssuerObject(
      clients,
      desired.bucket,
      desired.name,
      DISCOVERY_OBJECT_KEY,
      renderDiscoveryDocument(issuer),
    );
    reporter.emit('discovery-document.uploaded', { bucket: desired.bucket, key: DISCOVERY_OBJECT_KEY });
    applied.push(discChange);
  }
  const jwksChange = findChange(p, 'jwks');
  if (isPending(jwksChange)) {
    const keys = plannedJwks(desired, obs.bucket.jwks?.body);
    await putIssuerObject(clients, desired.bucket, desired.name, JWKS_OBJECT_KEY, renderJwks(keys.jwks));
    reporter.emit('jwks.uploaded', { bucket: desired.bucket, key: JWKS_OBJECT_KEY, notes: keys.notes });
    applied.push(jwksChange);
  }
}
