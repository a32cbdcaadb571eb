import { judgeTls, pinnableCertificates } from '../../webidentity/tls.js';
import { providerIssuerUrl } from '../../webidentity/provider.js';
import type { HttpObservation, IamOidcProvider, ObservedTls } from '../../webidentity/types.js';
import type { TemplateVars } from '../findings/registry.js';
import { sameS3Bucket } from '../issuer-host.js';
import { makeFinding, type CheckResult, type Finding } from '../report.js';
import { couldNotCheck, withFindings } from './check.js';

/**
 * The IAM OIDC provider for an issuer (aws-sts-oidc.md §3.1, §4, §5.1): one whose URL equals the
 * issuer byte for byte (the model's `providerIssuerUrl` form), its client IDs, and its thumbprints
 * against the live chain — including whether AWS ignores them because the chain is trusted by its
 * CA library (2024-08 rule, the model's `judgeTls`).
 */

const ID = 'provider';
const TITLE = 'IAM OIDC provider (URL, client IDs, thumbprints)';

/** The provider whose URL is exactly `issuer`. */
export function providerFor(
  issuer: string,
  providers: readonly IamOidcProvider[],
): IamOidcProvider | undefined {
  return providers.find((p) => providerIssuerUrl(p) === issuer);
}

/** Why no provider matches: a near miss (case or slash), the same bucket in another S3 form, or none. */
export function missingProviderFinding(
  issuer: string,
  providers: readonly IamOidcProvider[],
  vars: TemplateVars,
): Finding {
  const v: TemplateVars = { ...vars, iss: issuer };
  const urls = providers.map(providerIssuerUrl);
  const norm = (u: string): string => u.replace(/\/$/, '').toLowerCase();
  const near = urls.find((u) => norm(u) === norm(issuer));
  if (near !== undefined) {
    return makeFinding(
      'PROVIDER_URL_CASE_OR_SLASH',
      `provider ${near} differs from ${issuer} only in case or a trailing slash`,
      v,
    );
  }
  const sameBucket = urls.find((u) => sameS3Bucket(u, issuer));
  if (sameBucket !== undefined) {
    return makeFinding(
      'ISSUER_S3_FORM_MISMATCH',
      `the issuer is ${issuer}, the provider names the same bucket as ${sameBucket}`,
      v,
    );
  }
  return makeFinding(
    'PROVIDER_MISSING',
    `no IAM OIDC provider has URL ${issuer.replace(/^https:\/\//, '')} (${providers.length} provider(s) in the account)`,
    v,
  );
}

/**
 * The thumbprint the provider should pin for a served chain: the SHA-1 of its top CA certificate
 * (the last one the server sends, IAM's "last certificate displayed", aws-sts-oidc.md §4), or
 * undefined when the chain is trusted by AWS's CA library (thumbprints are not used then, §4
 * 2024-08) or nothing was observed.
 */
export function thumbprintToPin(tls: ObservedTls | undefined): string | undefined {
  if (tls === undefined || tls.trustedByCaLibrary) return undefined;
  return pinnableCertificates(tls.chain).at(-1)?.sha1;
}

/**
 * Which certificate the provider pins and which it would pin, in words: each thumbprint with the
 * served certificate it names (subject, SHA-1) or "no certificate the issuer serves"; then the top
 * CA of the served chain, or "none" when the chain is trusted by the CA library.
 */
export function thumbprintExplanation(provider: IamOidcProvider, tls: ObservedTls | undefined): string {
  const norm = (t: string): string => t.replace(/:/g, '').toUpperCase();
  const served = tls?.chain ?? [];
  const pinned =
    provider.thumbprints.length === 0
      ? 'the provider pins no thumbprint'
      : `the provider pins ${provider.thumbprints
          .map((t) => {
            const cert = served.find((c) => norm(c.sha1) === norm(t));
            return cert === undefined
              ? `${norm(t)} (no certificate the issuer serves)`
              : `${cert.subject} (SHA-1 ${cert.sha1})`;
          })
          .join(', ')}`;
  if (tls === undefined) return `${pinned}; the issuer's chain was not observed`;
  if (tls.trustedByCaLibrary) {
    return `${pinned}; it would pin none: the served chain is trusted by AWS's CA library, so thumbprints are not used`;
  }
  const top = pinnableCertificates(tls.chain).at(-1);
  return top === undefined
    ? `${pinned}; the issuer served no certificate to pin`
    : `${pinned}; it would pin ${top.subject} (SHA-1 ${top.sha1}), the top CA certificate of the served chain`;
}

/** Runs the provider check for one issuer. */
export function checkProvider(
  issuer: string,
  providers: readonly IamOidcProvider[] | undefined,
  unavailable: string,
  discovery: HttpObservation | undefined,
  requiredClientIds: readonly string[],
  vars: TemplateVars,
): { readonly result: CheckResult; readonly provider: IamOidcProvider | undefined } {
  if (providers === undefined)
    return { result: couldNotCheck(ID, TITLE, 'provider', unavailable), provider: undefined };
  const provider = providerFor(issuer, providers);
  if (provider === undefined) {
    return {
      result: withFindings(ID, TITLE, 'provider', [missingProviderFinding(issuer, providers, vars)], ''),
      provider,
    };
  }
  const v: TemplateVars = { ...vars, providerArn: provider.arn };
  const findings: Finding[] = [];
  for (const clientId of requiredClientIds) {
    if (!provider.clientIds.includes(clientId)) {
      findings.push(
        makeFinding(
          'PROVIDER_CLIENT_ID_MISSING',
          `client IDs ${JSON.stringify(provider.clientIds)} lack ${clientId}`,
          { ...v, clientId },
        ),
      );
    }
  }
  const tls = discovery?.tls;
  if (tls?.trustedByCaLibrary === true) {
    const chain = pinnableCertificates(tls.chain);
    const pins = new Set(provider.thumbprints.map((t) => t.replace(/:/g, '').toUpperCase()));
    const matches = chain.some((c) => pins.has(c.sha1));
    const last = tls.chain.at(-1)?.sha1;
    if (provider.thumbprints.length > 0 && !matches) {
      findings.push(
        makeFinding(
          'THUMBPRINT_IGNORED',
          `thumbprints ${provider.thumbprints.join(', ')} match no CA certificate of the chain [${chain.map((c) => c.sha1).join(', ')}]; ignored because the chain is publicly trusted\n${thumbprintExplanation(provider, tls)}`,
          { ...v, ...(last === undefined ? {} : { thumbprint: last }) },
        ),
      );
    }
  }
  const verdict = tls === undefined ? undefined : judgeTls(tls, provider);
  const how =
    verdict === undefined
      ? 'TLS not observed'
      : verdict.ok
        ? verdict.via === 'ca-library'
          ? 'chain trusted by the CA library (thumbprints not used)'
          : `chain pinned by thumbprint ${verdict.certificate.sha1}`
        : 'chain neither trusted nor pinned';
  return {
    result: withFindings(
      ID,
      TITLE,
      'provider',
      findings,
      `${provider.arn}: client IDs ${provider.clientIds.join(', ')}; ${how}`,
    ),
    provider,
  };
}
