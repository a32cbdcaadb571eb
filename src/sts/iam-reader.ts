import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { iamProviderFromGet, iamRoleFromGetRole, parseRoleArn } from '../webidentity/iam-view.js';
import type { IamOidcProvider, IamRole, IamView } from '../webidentity/types.js';

/**
 * The IAM side of the validating STS: reads the role and the account's OIDC providers through the
 * AWS SDK v3 (moto in the sandbox, a real account read-only elsewhere) and caches them per account
 * with a TTL, the way IAM's own eventual consistency lets a change take a moment to show
 * (aws-sts-oidc.md §5.2). `invalidate()` makes the next request read IAM again. IAM's answers
 * become the model's view through src/webidentity/iam-view.ts, as they do for the doctor.
 */

/** Where and as whom IAM is read. */
export interface IamReadOptions {
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Default `us-east-1`: IAM is global, its signing region in the `aws` partition. */
  readonly region?: string;
}

/** IAM could not be read (not "the role does not exist", which is data). */
export class IamReadError extends Error {
  readonly code = 'STS_IAM_READ_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IamReadError';
  }
}

/** Entries per cache map before it is emptied (far above any real account's roles). */
const MAX_CACHE_ENTRIES = 10_000;

interface CacheEntry<T> {
  readonly value: Promise<T>;
  readonly fetchedAt: number;
  /** Held by {@link CachedIamReader.hold}: served until this time, TTL or not, then read again. */
  readonly heldUntil?: number;
}

/** What one IAM write touches in the view: the account's providers and/or one role. */
export interface IamHoldScope {
  readonly account: string;
  /** The account's OIDC providers (Create/Delete/Update… of a provider). */
  readonly providers?: boolean;
  /** A role by name (Create/Delete/Update… of a role, its policies, its tags). */
  readonly roleName?: string;
}

/** Counters of IAM reads, for `RunningStsServer.stats`. */
export interface IamReadStats {
  readonly iamCalls: number;
  readonly iamCacheHits: number;
}

/** Reads and caches the IAM view of role ARNs. One SDK client for the server's lifetime. */
export class CachedIamReader {
  readonly #client: IAMClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** Providers of an account, by account id. */
  #providers = new Map<string, CacheEntry<readonly IamOidcProvider[]>>();
  /** Roles by `<account>/<lowercased name>` (IAM names are case-insensitive, §5.2). */
  #roles = new Map<string, CacheEntry<IamRole | undefined>>();
  #iamCalls = 0;
  #cacheHits = 0;

  constructor(options: IamReadOptions, ttlMs: number, now: () => number) {
    this.#client = new IAMClient({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: {
        accessKeyId: options.credentials.accessKeyId,
        secretAccessKey: options.credentials.secretAccessKey,
      },
    });
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  get stats(): IamReadStats {
    return { iamCalls: this.#iamCalls, iamCacheHits: this.#cacheHits };
  }

  /** Drops every cached entry: the next request reads IAM again. */
  invalidate(): void {
    // New maps rather than clear(): a read in flight completes into the old map and is forgotten.
    this.#providers = new Map();
    this.#roles = new Map();
  }

  /**
   * Rehearses IAM's eventual consistency for one write that is about to happen: the part of the
   * view the write touches is read now (or kept, when cached and fresh) and served unchanged for
   * `durationMs`, so the write becomes visible to STS only then (aws-sts-oidc.md §5.2: IAM changes
   * take a moment to propagate). Call it before the write is applied; resolves once the
   * pre-write view is captured. A later hold on the same part extends the time, keeping the
   * oldest view.
   */
  async hold(scope: IamHoldScope, durationMs: number): Promise<void> {
    const until = this.#now() + durationMs;
    const reads: Promise<unknown>[] = [];
    if (scope.providers === true) {
      reads.push(this.#hold(this.#providers, scope.account, until, () => this.#readProviders(scope.account)));
    }
    const roleName = scope.roleName;
    if (roleName !== undefined) {
      const key = `${scope.account}/${roleName.toLowerCase()}`;
      reads.push(this.#hold(this.#roles, key, until, () => this.#readRole(roleName)));
    }
    // A failed read holds nothing (the entry is dropped); the write still proceeds.
    await Promise.all(reads.map((r) => r.catch(() => undefined)));
  }

  #hold<T>(map: Map<string, CacheEntry<T>>, key: string, until: number, read: () => Promise<T>): Promise<T> {
    const now = this.#now();
    const hit = map.get(key);
    const keep = hit !== undefined && this.#fresh(hit, now) ? hit : undefined;
    const value = keep?.value ?? read();
    map.set(key, {
      value,
      fetchedAt: keep?.fetchedAt ?? now,
      heldUntil: Math.max(until, keep?.heldUntil ?? 0),
    });
    value.catch(() => {
      if (map.get(key)?.value === value) map.delete(key);
    });
    return value;
  }

  #fresh(entry: CacheEntry<unknown>, now: number): boolean {
    return entry.heldUntil !== undefined ? now < entry.heldUntil : now - entry.fetchedAt < this.#ttlMs;
  }

  /** Releases the SDK client's sockets. */
  destroy(): void {
    this.#client.destroy();
  }

  /**
   * The IAM view for a `RoleArn`: the providers of the role's account and the role itself.
   * An unparseable ARN yields an empty view; the model rejects the ARN with AWS's message.
   */
  async viewFor(roleArn: string | undefined): Promise<IamView> {
    const parsed = roleArn === undefined ? undefined : parseRoleArn(roleArn);
    if (parsed === undefined || roleArn === undefined) return { providers: [], role: undefined };
    const [providers, role] = await Promise.all([
      this.#cached(this.#providers, parsed.account, () => this.#readProviders(parsed.account)),
      this.#cached(this.#roles, `${parsed.account}/${parsed.roleName.toLowerCase()}`, () =>
        this.#readRole(parsed.roleName),
      ),
    ]);
    // The one IAM endpoint answers for the account its credentials belong to; a role ARN in
    // another account (or with another path) names a role this account does not have.
    return { providers, role: role?.arn === roleArn ? role : undefined };
  }

  #cached<T>(map: Map<string, CacheEntry<T>>, key: string, read: () => Promise<T>): Promise<T> {
    const now = this.#now();
    const hit = map.get(key);
    if (hit !== undefined && this.#fresh(hit, now)) {
      this.#cacheHits++;
      return hit.value;
    }
    const value = read();
    // Bounded: RoleArn is caller input, and each distinct role name would otherwise stay forever.
    if (map.size >= MAX_CACHE_ENTRIES) map.clear();
    map.set(key, { value, fetchedAt: now });
    // A failed read is not cached: the next request tries again.
    value.catch(() => {
      if (map.get(key)?.value === value) map.delete(key);
    });
    return value;
  }

  async #send<T>(what: string, call: () => Promise<T>): Promise<T> {
    this.#iamCalls++;
    try {
      return await call();
    } catch (error) {
      if (error instanceof NoSuchEntityException) throw error;
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      throw new IamReadError(`IAM ${what} failed: ${name}: ${message}`, { cause: error });
    }
  }

  async #readProviders(account: string): Promise<readonly IamOidcProvider[]> {
    // ListOpenIDConnectProviders takes no Marker: IAM returns every provider in one page
    // (botocore iam model), so there is nothing to paginate.
    const list = await this.#send('ListOpenIDConnectProviders', () =>
      this.#client.send(new ListOpenIDConnectProvidersCommand({})),
    );
    const arns = (list.OpenIDConnectProviderList ?? [])
      .map((entry) => entry.Arn)
      .filter((arn): arn is string => arn?.split(':')[4] === account);
    const providers = await Promise.all(
      arns.map(async (arn): Promise<IamOidcProvider | undefined> => {
        try {
          const out = await this.#send('GetOpenIDConnectProvider', () =>
            this.#client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
          );
          return iamProviderFromGet(arn, out);
        } catch (error) {
          // Deleted between the list and the get: it is simply not there any more.
          if (error instanceof NoSuchEntityException) return undefined;
          throw error;
        }
      }),
    );
    return providers.filter((p): p is IamOidcProvider => p !== undefined);
  }

  async #readRole(roleName: string): Promise<IamRole | undefined> {
    try {
      const out = await this.#send('GetRole', () =>
        this.#client.send(new GetRoleCommand({ RoleName: roleName })),
      );
      return iamRoleFromGetRole(out.Role);
    } catch (error) {
      if (error instanceof NoSuchEntityException) return undefined;
      throw error;
    }
  }
}
