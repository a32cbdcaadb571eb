/** The facts of a CloudFront `DistributionConfig` the sandbox keeps (moto drops some of them). */
import { elements, firstText } from './xml-text.js';

/** One origin of a distribution as the client sent it. */
export interface RecordedOrigin {
  readonly id: string;
  readonly domainName: string;
  readonly originPath: string;
  /** `Origin.OriginAccessControlId`; undefined or empty when the origin uses no OAC. */
  readonly originAccessControlId?: string;
  /** `S3OriginConfig.OriginAccessIdentity`, e.g. `origin-access-identity/cloudfront/E2…`; empty for OAC. */
  readonly originAccessIdentity?: string;
}

/** The DistributionConfig facts the gateway keeps per distribution. */
export interface RecordedDistribution {
  readonly id: string;
  readonly origins: readonly RecordedOrigin[];
  readonly aliases: readonly string[];
  /** The config's `Comment` as sent (XML-escaped text), which moto leaves out of list summaries. */
  readonly comment?: string | undefined;
  /** When the last create/update succeeded (ms since epoch). */
  readonly changedAt: number;
}

/** Reads the origins and aliases out of a `DistributionConfig` XML body. */
export function parseDistributionConfig(xml: string): { origins: RecordedOrigin[]; aliases: string[] } {
  const [originsBlock = ''] = elements(xml, 'Origins');
  const origins = elements(originsBlock, 'Origin').map((origin): RecordedOrigin => {
    // OriginAccessIdentity sits inside S3OriginConfig; no other element of an Origin has that name.
    const oac = firstText(origin, 'OriginAccessControlId');
    const oai = firstText(origin, 'OriginAccessIdentity');
    return {
      id: firstText(origin, 'Id') ?? '',
      domainName: firstText(origin, 'DomainName') ?? '',
      originPath: firstText(origin, 'OriginPath') ?? '',
      ...(oac !== undefined ? { originAccessControlId: oac } : {}),
      ...(oai !== undefined ? { originAccessIdentity: oai } : {}),
    };
  });
  const [aliasesBlock = ''] = elements(xml, 'Aliases');
  const aliases = elements(aliasesBlock, 'CNAME').map((a) => a.trim().toLowerCase());
  return { origins, aliases };
}

/** The certificate part of a `DistributionConfig` XML body (`ViewerCertificate`). */
export function parseViewerCertificate(xml: string): {
  readonly acmCertificateArn: string | undefined;
  readonly iamCertificateId: string | undefined;
} {
  const [block = ''] = elements(xml, 'ViewerCertificate');
  const text = (name: string): string | undefined => {
    const v = firstText(block, name);
    return v === undefined || v === '' ? undefined : v;
  };
  return { acmCertificateArn: text('ACMCertificateArn'), iamCertificateId: text('IAMCertificateId') };
}
