import type { IamOidcProvider, ObservedCertificate, ObservedTls } from './types.js';

/**
 * The TLS rule for the issuer's hosts (aws-sts-oidc.md §4). Since 2024-08 AWS first verifies the
 * chain against its library of trusted root CAs; only when that fails does it pin the provider's
 * thumbprints. Since 2026-05 the model text asks for thumbprints of both the discovery and the
 * JWKS hosts when they differ, so the rule is applied to both.
 */

/** Why a chain is accepted, or that it is not. */
export type TlsVerdict =
  | { readonly ok: true; readonly via: 'ca-library' }
  | { readonly ok: true; readonly via: 'thumbprint'; readonly certificate: ObservedCertificate }
  | { readonly ok: false; readonly detail: string };

/**
 * The certificates a thumbprint may pin: every certificate above the leaf, and the last one the
 * server sends (the leaf itself when it sends only a self-signed leaf). IAM's instructions take
 * "the last certificate displayed" while re:Post speaks of the root; §4 advises accepting a match on
 * any certificate above the leaf [unverified but safe]. The leaf of a longer chain is not pinnable:
 * AWS never documents leaf thumbprints, and the leaf rotates far more often than a CA.
 */
export function pinnableCertificates(chain: readonly ObservedCertificate[]): readonly ObservedCertificate[] {
  return chain.length <= 1 ? chain : chain.slice(1);
}

function normalizeThumbprint(value: string): string {
  return value.replace(/:/g, '').toUpperCase();
}

/**
 * Judges one observed TLS connection against the provider. Thumbprints compare
 * case-insensitively (AWS examples use both cases, §4).
 */
export function judgeTls(tls: ObservedTls | undefined, provider: IamOidcProvider): TlsVerdict {
  if (tls?.trustedByCaLibrary === true) return { ok: true, via: 'ca-library' };
  const pins = new Set(provider.thumbprints.map(normalizeThumbprint));
  const candidates = pinnableCertificates(tls?.chain ?? []);
  const certificate = candidates.find((c) => pins.has(normalizeThumbprint(c.sha1)));
  if (certificate !== undefined) return { ok: true, via: 'thumbprint', certificate };
  const why = tls?.verifyError === undefined ? 'not trusted by the CA library' : tls.verifyError;
  const seen = candidates.map((c) => `${normalizeThumbprint(c.sha1)} (${c.subject})`).join(', ');
  return {
    ok: false,
    detail: `${why}; no thumbprint of the provider (${provider.thumbprints.length}) matches the chain's CA certificates [${seen}]`,
  };
}
