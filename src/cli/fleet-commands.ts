import { Command, Option } from 'commander';
import type { FleetListing } from '../commands/fleet.js';
import { terminalSafe } from '../core/terminal-text.js';
import { SCHEMA_VERSION, type CliIo } from './io.js';

/**
 * `stsctl fleet list`: the clusters of a fleet issuer (`--shared-issuer`, docs/commands.md
 * "Fleet issuers") and the health of each. The implementation (src/commands/fleet.ts, and with it
 * the AWS SDK) is loaded when the command runs, so `--help` loads none of it.
 */

const load = {
  fleet: () => import('../commands/fleet.js'),
};

interface ListFlags {
  readonly sharedIssuer: string;
  readonly region: string;
  readonly profile?: string;
  readonly output: 'text' | 'json';
}

/** The listing as JSON (`--output json`, schemaVersion 1). */
export function renderFleetJson(l: FleetListing): string {
  return `${JSON.stringify(
    {
      schemaVersion: SCHEMA_VERSION,
      command: 'fleet list',
      fleet: l.fleet,
      region: l.region,
      bucket: l.bucket,
      distribution: l.distribution ?? null,
      issuerBase: l.issuerBase ?? null,
      clusters: l.clusters.map((c) => ({
        name: c.name,
        issuer: c.issuer ?? null,
        documents: c.documents,
        providerArn: c.providerArn ?? null,
        health: c.health ?? null,
      })),
    },
    null,
    2,
  )}\n`;
}

/** The listing as a table: one line per cluster, then what is wrong with any that is unhealthy. */
export function renderFleetText(l: FleetListing): string {
  const lines = [
    `Fleet ${l.fleet} (${l.region}): bucket ${l.bucket}, ${
      l.distribution === undefined
        ? 'no CloudFront distribution'
        : `distribution ${l.distribution.id} (${l.distribution.status})`
    }`,
    `Issuers: ${l.issuerBase === undefined ? '(unknown until the distribution exists)' : `${l.issuerBase}/<cluster>`}`,
    `${l.clusters.length} cluster${l.clusters.length === 1 ? '' : 's'}`,
  ];
  const width = Math.max(7, ...l.clusters.map((c) => c.name.length));
  if (l.clusters.length > 0) lines.push(`  ${'CLUSTER'.padEnd(width)}  DOCUMENTS  PROVIDER  ISSUER`);
  for (const c of l.clusters) {
    const health =
      c.health === undefined
        ? 'unknown'
        : c.health.ok
          ? `ok (${c.health.keys} key${c.health.keys === 1 ? '' : 's'}, ${c.health.latencyMs} ms)`
          : `FAILING: ${c.health.rule}`;
    lines.push(
      `  ${c.name.padEnd(width)}  ${(c.documents ? 'yes' : 'missing').padEnd(9)}  ${(c.providerArn === undefined ? 'missing' : 'yes').padEnd(8)}  ${health}`,
    );
  }
  for (const c of l.clusters)
    if (c.health !== undefined && !c.health.ok)
      lines.push(
        `${c.name}: ${terminalSafe(c.health.detail)} (STS would answer ${terminalSafe(c.health.stsError)})`,
      );
  return `${lines.join('\n')}\n`;
}

/** Registers `stsctl fleet`. */
export function addFleetCommands(program: Command, io: CliIo): void {
  const fleet = program
    .command('fleet')
    .summary('Inspect fleet issuers (several clusters under one shared issuer: --shared-issuer)');
  fleet
    .command('list')
    .summary("List a fleet's clusters and the health of each issuer")
    .description(
      "The fleet's clusters, from its bucket's prefixes and the IAM OIDC providers under its domain, and whether each issuer serves its discovery document and JWKS the way STS fetches them.",
    )
    .requiredOption(
      '--shared-issuer <fleet>',
      'The fleet issuer (the name given to create-all --shared-issuer)',
    )
    .requiredOption('--region <region>', 'AWS region of the fleet')
    .option(
      '--profile <name>',
      'AWS profile from the shared config files (default: the standard credential chain)',
    )
    .addOption(
      new Option('--output <format>', 'Result format on stdout').choices(['text', 'json']).default('text'),
    )
    .action(async (opts: ListFlags) => {
      const { listFleet } = await load.fleet();
      const listing = await listFleet(
        { sharedIssuer: opts.sharedIssuer, region: opts.region, profile: opts.profile },
        { env: io.env },
      );
      io.stdout.write(opts.output === 'json' ? renderFleetJson(listing) : renderFleetText(listing));
    });
}
