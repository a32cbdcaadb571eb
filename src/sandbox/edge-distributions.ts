import {
  CloudFrontClient,
  GetDistributionCommand,
  ListDistributionsCommand,
  type Distribution,
} from '@aws-sdk/client-cloudfront';

/**
 * The distributions the edge serves, by domain name and alias, read from moto's CloudFront and
 * kept for `cacheMs`. A miss always rereads (a distribution created a moment ago must be found).
 */
export class DistributionIndex {
  readonly #cloudfront: CloudFrontClient;
  readonly #cacheMs: number;
  #at = 0;
  #byHost = new Map<string, Distribution>();

  constructor(cloudfront: CloudFrontClient, cacheMs: number) {
    this.#cloudfront = cloudfront;
    this.#cacheMs = cacheMs;
  }

  /** When the list was last read (ms since epoch). */
  get readAt(): number {
    return this.#at;
  }

  /** The distribution known for `host` now, without reading. */
  known(host: string): Distribution | undefined {
    return this.#byHost.get(host);
  }

  /** Rereads every distribution. */
  async refresh(): Promise<void> {
    const ids: string[] = [];
    let marker: string | undefined;
    do {
      const page = await this.#cloudfront.send(
        new ListDistributionsCommand(marker === undefined ? {} : { Marker: marker }),
      );
      for (const d of page.DistributionList?.Items ?? []) if (d.Id !== undefined) ids.push(d.Id);
      marker = page.DistributionList?.IsTruncated === true ? page.DistributionList.NextMarker : undefined;
    } while (marker !== undefined);
    // moto's ListDistributions summaries carry no Origins, Aliases or cache behaviours (AWS's do),
    // so each distribution is read in full.
    const full = await Promise.all(
      ids.map((Id) =>
        this.#cloudfront.send(new GetDistributionCommand({ Id })).then(
          (r) => r.Distribution,
          () => undefined,
        ),
      ),
    );
    const byHost = new Map<string, Distribution>();
    for (const d of full) {
      if (d?.DomainName === undefined) continue;
      byHost.set(d.DomainName.toLowerCase(), d);
      for (const alias of d.DistributionConfig?.Aliases?.Items ?? []) byHost.set(alias.toLowerCase(), d);
    }
    this.#at = Date.now();
    this.#byHost = byHost;
  }

  /** The distribution for `host`, reading the list when it is stale or does not know `host`. */
  async find(host: string): Promise<Distribution | undefined> {
    let refreshed = false;
    if (Date.now() - this.#at > this.#cacheMs) {
      await this.refresh();
      refreshed = true;
    }
    let d = this.#byHost.get(host);
    // Misses are not cached: a distribution created a moment ago must be found.
    if (d === undefined && !refreshed) {
      await this.refresh();
      d = this.#byHost.get(host);
    }
    return d;
  }
}
