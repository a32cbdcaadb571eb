import { createSecureContext, type SecureContext } from 'node:tls';
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import type { SandboxCas } from './ca.js';
import type { DistributionIndex } from './edge-distributions.js';
import type { StaticSite } from './edge-routes.js';
import { normalizeHost, parseCloudFrontHost, parseS3Host } from './hosts.js';

/**
 * The edge's certificates, one TLS context per SNI name: S3 and CloudFront hosts get AWS's
 * wildcard names from the sandbox CA (the "CA library"); a distribution alias gets the names of
 * the distribution's ACM certificate (as CloudFront serves that certificate), issued by the
 * sandbox CA since ACM certificates are publicly trusted; static sites choose the sandbox or the
 * private CA, optionally expired. Contexts are cached by (CA, expired, names).
 */
export class EdgeCertificates {
  readonly #cas: SandboxCas;
  readonly #sites: ReadonlyMap<string, StaticSite>;
  readonly #distributions: DistributionIndex;
  readonly #acm: ACMClient;
  readonly #contexts = new Map<string, Promise<SecureContext>>();

  constructor(
    cas: SandboxCas,
    sites: ReadonlyMap<string, StaticSite>,
    distributions: DistributionIndex,
    acm: ACMClient,
  ) {
    this.#cas = cas;
    this.#sites = sites;
    this.#distributions = distributions;
    this.#acm = acm;
  }

  /**
   * The names CloudFront's certificate carries for an alias: those of the distribution's ACM
   * certificate (DomainName and SubjectAlternativeNames, e.g. a wildcard). Undefined when the host
   * is no alias or the certificate cannot be read (then the edge certifies the exact host).
   */
  async #aliasCertificateNames(host: string): Promise<string[] | undefined> {
    const dist = await this.#distributions.find(host).catch(() => undefined);
    const arn = dist?.DistributionConfig?.ViewerCertificate?.ACMCertificateArn;
    if (arn === undefined || arn === '') return undefined;
    const cert = await this.#acm.send(new DescribeCertificateCommand({ CertificateArn: arn })).then(
      (r) => r.Certificate,
      () => undefined,
    );
    const names = [
      ...new Set([cert?.DomainName ?? '', ...(cert?.SubjectAlternativeNames ?? [])].filter((n) => n !== '')),
    ];
    return names.length > 0 ? names : undefined;
  }

  /** The TLS context for an SNI name. */
  async contextFor(servername: string): Promise<SecureContext> {
    const host = normalizeHost(servername);
    const site = this.#sites.get(host);
    const s3Route = parseS3Host(host);
    const cf = parseCloudFrontHost(host);
    const names = s3Route?.certificateNames ??
      cf?.certificateNames ??
      (site === undefined ? await this.#aliasCertificateNames(host) : undefined) ?? [host];
    const ca = site?.ca ?? 'sandbox';
    const expired = site?.expiredCertificate === true;
    const cacheKey = `${ca}|${String(expired)}|${names.join(',')}`;
    let ctx = this.#contexts.get(cacheKey);
    if (ctx === undefined) {
      ctx = this.#cas[ca]
        .issueLeaf({ dnsNames: names, expired })
        .then((leaf) => createSecureContext({ key: leaf.keyPem, cert: leaf.chainPem }));
      this.#contexts.set(cacheKey, ctx);
      ctx.catch(() => this.#contexts.delete(cacheKey));
    }
    return ctx;
  }
}
