import { validateIssuerUrl } from '../../core/issuer.js';
import { isStsctlError } from '../../core/errors.js';
import { fetchIssuerKeys, stsDiscoveryUrl, type IssuerKeys } from '../../webidentity/issuer-keys.js';
import { StepLog } from '../../webidentity/steps.js';
import type { HttpObservation, IamOidcProvider, IssuerView, ObservedTls } from '../../webidentity/types.js';
import { codeForRule, TLS_RULES } from '../findings/rule-map.js';
import type { FindingCode, TemplateVars } from '../findings/registry.js';
import { classifyIssuerHost } from '../issuer-host.js';
import { makeFinding, type CheckResult, type Finding } from '../report.js';
import { withFindings } from './check.js';

/**
 * The issuer: its URL form, and discovery + JWKS fetched anonymously from where AWS stands, judged
 * by the web-identity model's own `fetchIssuerKeys` (status, 5 s budget, JSON, required fields,
 * jwks_uri, key count, TLS against the CA library and the provider's thumbprints). On top, what
 * STS does not decide but people need: content types, the discovery `issuer` field, and the
 * certificate's expiry.
 */

/** Certificates expiring within this many days are flagged. */
export const CERT_EXPIRY_WARNING_DAYS = 30;

/** The issuer URL's form (pure). */
export function checkIssuerForm(issuer: string, vars: TemplateVars): CheckResult {
  const findings: Finding[] = [];
  if (!issuer.startsWith('https://')) {
    findings.push(
      makeFinding('ISSUER_NOT_HTTPS', `${issuer} does not start with https://`, { ...vars, iss: issuer }),
    );
  } else {
    try {
      validateIssuerUrl(issuer, 'the issuer');
    } catch (e) {
      if (!isStsctlError(e)) throw e;
      findings.push(makeFinding('ISSUER_URL_FORM', e.message, vars));
    }
  }
  const host = classifyIssuerHost(issuer);
  if (host?.kind === 's3') {
    if (host.style === 'path') {
      findings.push(
        makeFinding(
          'ISSUER_S3_PATH_STYLE',
          `${issuer} is the path-style URL of bucket ${host.bucket} (virtual-hosted: https://${host.bucket}.s3.${host.region}.${host.dnsSuffix})`,
          vars,
        ),
      );
    } else if (host.style === 'dash' || host.style === 'global') {
      findings.push(
        makeFinding(
          'ISSUER_S3_LEGACY_HOST',
          `${issuer} uses the ${host.style === 'dash' ? 's3-<region>' : 'global s3.amazonaws.com'} host of bucket ${host.bucket}`,
          vars,
        ),
      );
    }
  }
  const kind =
    host === undefined
      ? 'not a URL'
      : host.kind === 's3'
        ? `S3 ${host.style} (bucket ${host.bucket}, ${host.region})`
        : host.kind === 'cloudfront'
          ? 'CloudFront'
          : `custom or self-hosted (${host.host})`;
  return withFindings('issuer.form', 'Issuer URL form', 'issuer', findings, `${issuer}: ${kind}`);
}

/** What the documents check saw, for the checks that follow. */
export interface IssuerDocuments {
  readonly result: CheckResult;
  readonly keys: IssuerKeys | undefined;
  readonly discovery: HttpObservation | undefined;
  readonly jwks: HttpObservation | undefined;
  /** The failing rule of fetchIssuerKeys, when one failed. */
  readonly failedRule: string | undefined;
}

function contentTypeOf(o: HttpObservation | undefined): string | undefined {
  return o?.ok === true ? o.headers['content-type'] : undefined;
}

function jwksUriOf(discovery: HttpObservation | undefined): string | undefined {
  if (discovery?.ok !== true) return undefined;
  try {
    const doc = JSON.parse(discovery.body) as unknown;
    const uri =
      typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['jwks_uri'] : undefined;
    return typeof uri === 'string' && uri.startsWith('https://') ? uri : undefined;
  } catch {
    return undefined;
  }
}

/** The leaf certificate of an observation, when TLS got that far. */
export function leafOf(o: HttpObservation | undefined): ObservedTls['chain'][number] | undefined {
  return o?.tls?.chain[0];
}

/** Whether the leaf served for `o` had expired at `now`. */
export function certificateExpired(o: HttpObservation | undefined, now: Date): boolean {
  const leaf = leafOf(o);
  return leaf !== undefined && Date.parse(leaf.notAfter) < now.getTime();
}

/**
 * The finding code for a failed issuer rule, refined by what was observed: an expired certificate
 * is the root cause of a TLS failure; DNS and timeouts are named as such.
 */
export function issuerRuleCode(
  rule: string,
  observation: HttpObservation | undefined,
  now: Date,
): FindingCode {
  if (TLS_RULES.has(rule) && certificateExpired(observation, now)) return 'ISSUER_TLS_CERT_EXPIRED';
  return codeForRule(rule, observation);
}

/**
 * Fetches discovery and JWKS through the (memoized) issuer view and judges them with the model.
 * Without a known provider, TLS is judged against the CA library alone and a failure is reported
 * as "thumbprints are enforced" rather than as an error: thumbprints might still pin it.
 */
export async function checkIssuerDocuments(
  issuer: string,
  provider: IamOidcProvider | undefined,
  view: IssuerView,
  now: Date,
  vars: TemplateVars,
  budgetMs: number,
): Promise<IssuerDocuments> {
  const title = 'Discovery and JWKS, anonymously from the internet';
  const log = new StepLog();
  const judgeWith: IamOidcProvider = provider ?? {
    arn: '',
    url: issuer.replace(/^https:\/\//, ''),
    clientIds: [],
    thumbprints: [],
  };
  const keys = await fetchIssuerKeys(issuer, judgeWith, view, log, budgetMs);
  const discovery = await view.fetch(stsDiscoveryUrl(issuer));
  const failedRule = keys.ok ? undefined : keys.rule;
  const reachedJwks =
    failedRule === undefined || failedRule.startsWith('jwks.') || failedRule === 'token.signature';
  const jwksUri = jwksUriOf(discovery);
  const jwks =
    reachedJwks && jwksUri !== undefined && failedRule !== 'jwks.uri' ? await view.fetch(jwksUri) : undefined;

  const findings: Finding[] = [];
  const leaf = leafOf(discovery);
  const thumbprint = discovery.tls?.chain.at(-1)?.sha1;
  const tlsVars: TemplateVars = { ...vars, ...(thumbprint === undefined ? {} : { thumbprint }) };

  if (!keys.ok) {
    const observation = failedRule?.startsWith('jwks.') === true ? jwks : discovery;
    const step = log.steps.at(-1)?.detail ?? keys.error.message;
    const code = issuerRuleCode(keys.rule, observation, now);
    const expiredLeaf = leafOf(observation);
    const detail =
      code === 'ISSUER_TLS_CERT_EXPIRED' && expiredLeaf !== undefined
        ? `certificate ${expiredLeaf.subject} expired on ${expiredLeaf.notAfter}; ${step}`
        : step;
    if (TLS_RULES.has(keys.rule) && provider === undefined && code === 'THUMBPRINT_MISMATCH') {
      // No provider known: thumbprints cannot be compared, so this is not (yet) an error.
      findings.push(makeFinding('ISSUER_TLS_UNTRUSTED', detail, tlsVars));
    } else {
      findings.push(makeFinding(code, detail, tlsVars, { predictedError: keys.error }));
    }
  }
  if (leaf !== undefined) {
    const notAfter = Date.parse(leaf.notAfter);
    const days = Math.floor((notAfter - now.getTime()) / 86_400_000);
    // An expired certificate behind a TLS failure was reported above as its cause.
    const reported = findings.some((f) => f.code === 'ISSUER_TLS_CERT_EXPIRED');
    if (notAfter < now.getTime()) {
      if (!reported) {
        findings.push(
          makeFinding(
            'ISSUER_TLS_CERT_EXPIRED',
            `certificate ${leaf.subject} expired on ${leaf.notAfter}`,
            tlsVars,
            {
              // STS still accepts an expired chain that a thumbprint pins; then it answers no error.
              predictedError: keys.ok ? null : keys.error,
            },
          ),
        );
      }
    } else if (days < CERT_EXPIRY_WARNING_DAYS) {
      findings.push(
        makeFinding(
          'ISSUER_TLS_CERT_EXPIRING',
          `certificate ${leaf.subject} expires on ${leaf.notAfter} (${days} days)`,
          tlsVars,
        ),
      );
    }
  }
  const tls = discovery.tls;
  if (
    tls !== undefined &&
    !tls.trustedByCaLibrary &&
    !certificateExpired(discovery, now) &&
    failedRule === undefined
  ) {
    findings.push(
      makeFinding(
        'ISSUER_TLS_UNTRUSTED',
        `${tls.verifyError ?? 'not trusted by the CA library'}; chain [${tls.chain.map((c) => c.subject).join(' <- ')}]`,
        tlsVars,
      ),
    );
  }
  for (const [what, o] of [
    ['discovery', discovery],
    ['JWKS', jwks],
  ] as const) {
    const type = contentTypeOf(o);
    if (o?.ok === true && o.status === 200 && (type === undefined || !/json/i.test(type))) {
      findings.push(
        makeFinding(
          'DISCOVERY_CONTENT_TYPE',
          `${what} ${o.url} is served as ${type ?? '(no content type)'}`,
          vars,
        ),
      );
    }
  }
  const mismatch = log.steps.find((s) => s.rule === 'discovery.issuer-match' && s.outcome === 'skip');
  if (mismatch !== undefined) findings.push(makeFinding('DISCOVERY_ISSUER_MISMATCH', mismatch.detail, vars));

  const detail = keys.ok
    ? `${keys.value.discoveryUrl} and ${keys.value.jwksUri}: ${keys.value.jwks.keys.length} key(s) in ${keys.value.latencyMs} ms`
    : '';
  return {
    result: withFindings('issuer.documents', title, 'discovery', findings, detail),
    keys: keys.ok ? keys.value : undefined,
    discovery,
    jwks,
    failedRule,
  };
}
