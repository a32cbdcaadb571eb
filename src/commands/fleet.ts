import { listFleetPrefixes, listFleetProviders, requireFleetHosting } from '../aws/fleet.js';
import type { ObservedProvider } from '../aws/model.js';
import { validateName } from '../core/names.js';
import { validateRegion } from '../core/partitions.js';
import { issuerFetcherFromEnvironment } from '../net/environment.js';
import { fetchIssuerKeys, StepLog } from '../webidentity/index.js';
import type { IssuerView } from '../webidentity/types.js';
import { withCommandClients, type CommandDeps } from './command-clients.js';

/**
 * `stsctl fleet list --shared-issuer <fleet>`: the clusters of a fleet issuer — from the
 * bucket's prefixes and the IAM OIDC providers under the fleet's domain — and the health of each
 * issuer, fetched the way STS fetches it (discovery, then its `jwks_uri`, with the provider's
 * thumbprints judging the TLS chain: src/webidentity/issuer-keys.ts over src/net/issuer-fetch.ts).
 */

export interface FleetListOptions {
  readonly sharedIssuer: string;
  readonly region: string;
  readonly profile?: string | undefined;
}

export interface FleetListDeps extends CommandDeps {
  /** How issuer URLs are fetched (the sandbox passes its own; default: the environment's). */
  readonly fetcher?: IssuerView;
}

/** What STS would make of a member's issuer. */
export type MemberHealth =
  | { readonly ok: true; readonly keys: number; readonly latencyMs: number }
  | {
      readonly ok: false;
      /** The rule that failed (src/webidentity/rules.ts). */
      readonly rule: string;
      /** What was seen, e.g. the HTTP status or the TLS problem. */
      readonly detail: string;
      /** What STS would answer an AssumeRoleWithWebIdentity with. */
      readonly stsError: string;
    };

export interface FleetMember {
  readonly name: string;
  readonly issuer: string | undefined;
  /** Whether the bucket holds anything under `<name>/`. */
  readonly documents: boolean;
  readonly providerArn: string | undefined;
  /** Undefined when the fleet's domain is unknown (no distribution). */
  readonly health: MemberHealth | undefined;
}

export interface FleetListing {
  readonly fleet: string;
  readonly region: string;
  readonly bucket: string;
  readonly distribution:
    { readonly id: string; readonly domainName: string; readonly status: string } | undefined;
  /** `https://<domain>`: each member's issuer is `<issuerBase>/<cluster>`. */
  readonly issuerBase: string | undefined;
  readonly clusters: readonly FleetMember[];
}

/** Lists the fleet's members and checks each issuer. Reads only. */
export async function listFleet(o: FleetListOptions, deps: FleetListDeps = {}): Promise<FleetListing> {
  validateName(o.sharedIssuer, '--shared-issuer');
  validateRegion(o.region);
  const fetcher = deps.fetcher ?? issuerFetcherFromEnvironment(deps.env ?? process.env);
  return withCommandClients(o, deps, async (clients) => {
    const hosting = await requireFleetHosting(clients, o.sharedIssuer, o.region);
    const base = hosting.issuerBase;
    const [prefixes, providers] = await Promise.all([
      listFleetPrefixes(clients, hosting.bucket),
      base === undefined
        ? Promise.resolve(new Map<string, ObservedProvider>())
        : listFleetProviders(clients, base),
    ]);
    const names = [...new Set([...prefixes.clusters, ...providers.keys()])].sort();
    const clusters = await Promise.all(
      names.map(async (name): Promise<FleetMember> => {
        const provider = providers.get(name);
        const issuer = base === undefined ? undefined : `${base}/${name}`;
        return {
          name,
          issuer,
          documents: prefixes.clusters.includes(name),
          providerArn: provider?.arn,
          health: issuer === undefined ? undefined : await memberHealth(issuer, provider, fetcher),
        };
      }),
    );
    const d = hosting.distribution;
    return {
      fleet: o.sharedIssuer,
      region: o.region,
      bucket: hosting.bucket,
      distribution: d === undefined ? undefined : { id: d.id, domainName: d.domainName, status: d.status },
      issuerBase: base,
      clusters,
    };
  });
}

/**
 * Fetches the member's discovery document and JWKS as STS does. Without a provider the TLS chain
 * is judged by the CA library alone (no thumbprint to fall back on), as STS would for a provider
 * registered without thumbprints.
 */
async function memberHealth(
  issuer: string,
  provider:
    { readonly arn: string; readonly url: string; readonly thumbprints: readonly string[] } | undefined,
  fetcher: IssuerView,
): Promise<MemberHealth> {
  const log = new StepLog();
  const checked = await fetchIssuerKeys(
    issuer,
    {
      arn: provider?.arn ?? '',
      url: provider?.url ?? issuer.replace(/^https:\/\//, ''),
      clientIds: [],
      thumbprints: provider?.thumbprints ?? [],
    },
    fetcher,
    log,
  );
  if (checked.ok)
    return { ok: true, keys: checked.value.jwks.keys.length, latencyMs: Math.round(checked.value.latencyMs) };
  const failed = log.steps.find((s) => s.outcome === 'fail');
  return {
    ok: false,
    rule: checked.rule,
    detail: failed?.detail ?? checked.error.message,
    stsError: `${checked.error.code}: ${checked.error.message}`,
  };
}
