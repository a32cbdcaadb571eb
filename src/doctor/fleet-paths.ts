import { isRecord, list, policyStatements } from './policy-json.js';

/**
 * The path of an issuer hosted under a path (a fleet member, `https://<domain>/<cluster>`), and
 * where it must appear: AWS keeps it in the provider URL, the provider ARN and the trust policy's
 * condition keys (`<domain>/<cluster>:sub`, aws-sts-2026.md §7). Pure; the fleet check and the
 * trust-policy fix both read it.
 */

/** The issuer's path (`<cluster>` of `https://<domain>/<cluster>`), or undefined without one. */
export function issuerPath(issuer: string): string | undefined {
  try {
    const path = new URL(issuer).pathname.replace(/^\/+|\/+$/g, '');
    return path === '' ? undefined : path;
  } catch {
    return undefined;
  }
}

/** A condition key of a trust policy that names the provider's host without its path. */
export interface PathlessConditionKey {
  /** Index of the statement in the policy. */
  readonly statement: number;
  readonly operator: string;
  /** The key as written (`<domain>:sub`). */
  readonly key: string;
  /** The key STS evaluates (`<domain>/<cluster>:sub`). */
  readonly expected: string;
}

/**
 * The condition keys of statements trusting `providerArn` that name a leading part of the
 * provider's URL (`<domain>:sub` for provider `<domain>/<cluster>`) instead of all of it (pure).
 * Condition keys compare case-insensitively (IAM), so the comparison does too.
 */
export function pathlessConditionKeys(
  policy: string,
  providerArn: string,
  providerHostPath: string,
): PathlessConditionKey[] {
  const statements = policyStatements(policy);
  const segments = providerHostPath.split('/');
  // Every proper leading part of `<domain>/<a>/<b>`: `<domain>`, `<domain>/<a>`.
  const shorter = segments.slice(1).map((_, i) =>
    segments
      .slice(0, i + 1)
      .join('/')
      .toLowerCase(),
  );
  const out: PathlessConditionKey[] = [];
  statements.forEach((s, index) => {
    if (!isRecord(s['Principal'])) return;
    const federated = list(s['Principal']['Federated']);
    if (!federated.includes(providerArn) || !isRecord(s['Condition'])) return;
    for (const [operator, block] of Object.entries(s['Condition'])) {
      if (!isRecord(block)) continue;
      for (const key of Object.keys(block)) {
        const colon = key.lastIndexOf(':');
        if (colon < 0) continue;
        const head = key.slice(0, colon).toLowerCase();
        if (shorter.includes(head)) {
          out.push({ statement: index, operator, key, expected: `${providerHostPath}${key.slice(colon)}` });
        }
      }
    }
  });
  return out;
}
