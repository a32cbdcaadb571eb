import { missingDiscoveryFields, parseJwks, type Jwks } from '../core/index.js';
import { awsErrors } from './aws-errors.js';
import type { RuleId } from './rules.js';
import { passed, type Checked, type StepLog } from './steps.js';
import { judgeTls } from './tls.js';
import type { HttpObservation, IamOidcProvider, IssuerView } from './types.js';

/**
 * Fetching the issuer's verification keys the way STS does (aws-sts-oidc.md §3.2, §3.3, §4):
 * `<iss>/.well-known/openid-configuration`, then its `jwks_uri`, each over HTTPS through the
 * injected issuer view. Every failure here answers the same
 * "Couldn't retrieve verification key…" (§2, §12), except a TLS chain that neither the CA library
 * nor a thumbprint accepts ("…doesn't match configured thumbprint", §4).
 */

/** AWS's latency budget for discovery + JWKS: "latency of more than 5 seconds" fails (§2). */
export const DEFAULT_FETCH_BUDGET_MS = 5000;

/** "AWS support a maximum of 100 keys in a JWKS endpoint" (spiffe/spire#4699, §3.3) [3rd]. */
export const MAX_JWKS_KEYS = 100;

/** What the issuer served. */
export interface IssuerKeys {
  readonly discoveryUrl: string;
  readonly discovery: Readonly<Record<string, unknown>>;
  readonly jwksUri: string;
  readonly jwks: Jwks;
  /** Discovery + JWKS, ms. */
  readonly latencyMs: number;
}

/**
 * `<iss>/.well-known/openid-configuration`. One trailing slash of `iss` is dropped first, as OIDC
 * Discovery §4 says, so an issuer like `https://auth.mozilla.auth0.com/` (which works with STS, §2)
 * is fetched at `https://auth.mozilla.auth0.com/.well-known/openid-configuration`.
 */
export function stsDiscoveryUrl(iss: string): string {
  return `${iss.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

type DocumentKind = 'discovery' | 'jwks';

const RULE_IDS: Readonly<
  Record<DocumentKind, Readonly<Record<'fetch' | 'tls' | 'status' | 'budget', RuleId>>>
> = {
  discovery: {
    fetch: 'discovery.fetch',
    tls: 'discovery.tls',
    status: 'discovery.status',
    budget: 'discovery.budget',
  },
  jwks: { fetch: 'jwks.fetch', tls: 'jwks.tls', status: 'jwks.status', budget: 'jwks.budget' },
};

async function observe(view: IssuerView, url: string): Promise<HttpObservation> {
  try {
    return await view.fetch(url);
  } catch (cause) {
    // A view that throws is a fetch that failed: STS would see no answer.
    const message = cause instanceof Error ? cause.message : 'fetch failed';
    return { url, ok: false, error: 'other', message, latencyMs: 0 };
  }
}

/**
 * Fetches one document and applies, in the order a client meets them: reachability (rule
 * `<kind>.fetch`), TLS (`<kind>.tls`), HTTP 200 (`<kind>.status`; redirects are not followed,
 * §11.8 [unverified]), and the cumulative latency budget (`<kind>.budget`).
 * @returns the body and the total latency so far.
 */
async function fetchDocument(
  kind: DocumentKind,
  url: string,
  context: {
    readonly view: IssuerView;
    readonly provider: IamOidcProvider;
    readonly budgetMs: number;
    readonly spentMs: number;
  },
  log: StepLog,
): Promise<Checked<{ readonly body: string; readonly spentMs: number }>> {
  const rules = RULE_IDS[kind];
  const seen = await observe(context.view, url);
  const spentMs = context.spentMs + seen.latencyMs;

  if (!seen.ok) {
    // A handshake that failed over a chain neither the CA library nor a thumbprint accepts is the
    // thumbprint error (§4); any other failed fetch is "Couldn't retrieve verification key…".
    if (seen.error === 'tls' && seen.tls !== undefined) {
      const verdict = judgeTls(seen.tls, context.provider);
      if (!verdict.ok)
        return log.fail(rules.tls, `${url}: ${verdict.detail}`, awsErrors.thumbprintMismatch());
    }
    return log.fail(rules.fetch, `${url}: ${seen.error}: ${seen.message}`, awsErrors.couldNotRetrieveKey());
  }
  log.pass(rules.fetch, `${url} answered in ${seen.latencyMs} ms`);

  const verdict = judgeTls(seen.tls, context.provider);
  if (!verdict.ok) return log.fail(rules.tls, `${url}: ${verdict.detail}`, awsErrors.thumbprintMismatch());
  log.pass(
    rules.tls,
    verdict.via === 'ca-library'
      ? 'trusted by the CA library; thumbprints are not used'
      : `pinned by thumbprint ${verdict.certificate.sha1} (${verdict.certificate.subject})`,
  );

  if (seen.status !== 200) {
    return log.fail(rules.status, `${url}: HTTP ${seen.status}`, awsErrors.couldNotRetrieveKey());
  }
  log.pass(rules.status, 'HTTP 200');

  if (spentMs > context.budgetMs) {
    return log.fail(
      rules.budget,
      `${spentMs} ms spent fetching the issuer, over the ${context.budgetMs} ms budget`,
      awsErrors.couldNotRetrieveKey(),
    );
  }
  log.pass(rules.budget, `${spentMs} ms of ${context.budgetMs} ms`);
  return passed({ body: seen.body, spentMs });
}

/**
 * Parsed issuer documents by their text. With warm caches the validating STS hands the model the
 * same discovery and JWKS bodies on every request; parsing both again cost ~6 µs per request
 * (profiled), and a fresh JWKS object would also defeat the imported-key memo in signature.ts,
 * which is keyed by JWK object. A pure memo: values are deep-frozen (the model only reads them).
 * Texts that are not JSON are not kept (`JSON.parse` throws again). Bounded, least recently used
 * first out; bodies of more than 256 KiB are parsed every time.
 */
const parsedDocuments = new Map<string, unknown>();
const MAX_PARSED_DOCUMENTS = 32;
const MAX_MEMOIZED_BODY_CHARS = 256 * 1024;

function deepFreeze(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** `JSON.parse`, memoized by text; throws as `JSON.parse` does. */
function parseJsonMemoized(body: string): unknown {
  if (body.length > MAX_MEMOIZED_BODY_CHARS) return JSON.parse(body) as unknown;
  if (parsedDocuments.has(body)) {
    const value = parsedDocuments.get(body);
    parsedDocuments.delete(body);
    parsedDocuments.set(body, value);
    return value;
  }
  const value = deepFreeze(JSON.parse(body) as unknown);
  parsedDocuments.set(body, value);
  if (parsedDocuments.size > MAX_PARSED_DOCUMENTS) {
    const oldest = parsedDocuments.keys().next();
    if (oldest.done !== true) parsedDocuments.delete(oldest.value);
  }
  return value;
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = parseJsonMemoized(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `jwks_uri` values already judged: parsing the URL again cost ~1.4 µs per request (profiled). */
const judgedUrls = new Map<string, boolean>();
const MAX_JUDGED_URLS = 256;

function httpsUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let isHttps = judgedUrls.get(value);
  if (isHttps === undefined) {
    isHttps = parsesAsHttps(value);
    if (judgedUrls.size >= MAX_JUDGED_URLS) judgedUrls.clear();
    judgedUrls.set(value, isHttps);
  }
  return isHttps ? value : undefined;
}

function parsesAsHttps(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Fetches discovery and JWKS for `iss`, applying every issuer-side rule.
 * @param budgetMs total latency allowed for both documents; default {@link DEFAULT_FETCH_BUDGET_MS}.
 */
export async function fetchIssuerKeys(
  iss: string,
  provider: IamOidcProvider,
  view: IssuerView,
  log: StepLog,
  budgetMs: number = DEFAULT_FETCH_BUDGET_MS,
): Promise<Checked<IssuerKeys>> {
  const url = stsDiscoveryUrl(iss);
  const fetched = await fetchDocument('discovery', url, { view, provider, budgetMs, spentMs: 0 }, log);
  if (!fetched.ok) return fetched;

  const discovery = parseJsonObject(fetched.value.body);
  if (discovery === undefined) {
    return log.fail('discovery.json', `${url} is not a JSON object`, awsErrors.couldNotRetrieveKey());
  }
  log.pass('discovery.json', 'a JSON object');

  // Observed: a document without the last three fields fails this way (§2, xenitab/aad-oidc-identity).
  const missing = missingDiscoveryFields(discovery);
  if (missing.length > 0) {
    return log.fail('discovery.fields', `missing ${missing.join(', ')}`, awsErrors.couldNotRetrieveKey());
  }
  log.pass('discovery.fields', 'all required fields present');

  // Whether STS checks this is unverified (§3.2): report, never fail.
  if (discovery['issuer'] === iss) log.pass('discovery.issuer-match', 'discovery issuer equals iss');
  else
    log.skip(
      'discovery.issuer-match',
      `discovery issuer ${JSON.stringify(discovery['issuer'])} differs from iss ${iss}; not enforced (STS is not known to check it)`,
    );

  const jwksUri = httpsUrl(discovery['jwks_uri']);
  if (jwksUri === undefined) {
    return log.fail(
      'jwks.uri',
      `jwks_uri ${JSON.stringify(discovery['jwks_uri'])} is not an https URL`,
      awsErrors.couldNotRetrieveKey(),
    );
  }
  log.pass('jwks.uri', jwksUri);

  const keys = await fetchDocument(
    'jwks',
    jwksUri,
    { view, provider, budgetMs, spentMs: fetched.value.spentMs },
    log,
  );
  if (!keys.ok) return keys;

  let jwks: Jwks;
  try {
    jwks = parseJwks(parseJsonMemoized(keys.value.body), jwksUri);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : 'not a JWKS';
    return log.fail('jwks.json', `${jwksUri}: ${why}`, awsErrors.couldNotRetrieveKey());
  }
  log.pass('jwks.json', `${jwks.keys.length} key(s)`);

  if (jwks.keys.length > MAX_JWKS_KEYS) {
    return log.fail(
      'jwks.key-count',
      `${jwks.keys.length} keys, over the ${MAX_JWKS_KEYS} STS is reported to read`,
      awsErrors.couldNotRetrieveKey(),
    );
  }
  log.pass('jwks.key-count', `${jwks.keys.length} <= ${MAX_JWKS_KEYS}`);

  return passed({ discoveryUrl: url, discovery, jwksUri, jwks, latencyMs: keys.value.spentMs });
}
