import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { certificateCovers } from '../core/certificate-names.js';
import {
  parseDistributionConfig,
  parseViewerCertificate,
  type RecordedDistribution,
} from './distribution-config.js';

const ALIAS_REQUIREMENTS =
  'For more details, see: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html#alternate-domain-names-requirements';

/** CloudFront's answers to a distribution config whose aliases it refuses (observed messages). */
const VIEWER_CERTIFICATE_ERRORS = {
  noCertificate: `To add an alternate domain name (CNAME) to a CloudFront distribution, you must attach a trusted certificate that validates your authorization to use the domain name. ${ALIAS_REQUIREMENTS}`,
  invalid:
    "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain.",
  notCovered: `The certificate that is attached to your distribution doesn't cover the alternate domain name (CNAME) that you're trying to add. ${ALIAS_REQUIREMENTS}`,
  cnameTaken: 'One or more of the CNAMEs you provided are already associated with a different resource.',
} as const;

/** A CloudFront error answer: HTTP status, code and message. */
export interface AliasProblem {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * What CloudFront answers instead of accepting a DistributionConfig with aliases: an issued ACM
 * certificate from us-east-1 must cover every alias, and no other distribution may use one.
 * IAM server certificates (`IAMCertificateId`) are not emulated and pass unchecked.
 */
export async function aliasProblem(
  acm: ACMClient,
  records: readonly RecordedDistribution[],
  configXml: string,
  selfId: string | undefined,
): Promise<AliasProblem | undefined> {
  const { aliases } = parseDistributionConfig(configXml);
  if (aliases.length === 0) return undefined;
  const viewer = parseViewerCertificate(configXml);
  if (viewer.iamCertificateId === undefined) {
    const arn = viewer.acmCertificateArn;
    if (arn === undefined)
      return {
        status: 400,
        code: 'InvalidViewerCertificate',
        message: VIEWER_CERTIFICATE_ERRORS.noCertificate,
      };
    const cert =
      arn.split(':')[3] === 'us-east-1'
        ? await acm.send(new DescribeCertificateCommand({ CertificateArn: arn })).then(
            (r) => r.Certificate,
            () => undefined,
          )
        : undefined;
    if (cert?.Status !== 'ISSUED')
      return { status: 400, code: 'InvalidViewerCertificate', message: VIEWER_CERTIFICATE_ERRORS.invalid };
    const names = [cert.DomainName ?? '', ...(cert.SubjectAlternativeNames ?? [])];
    if (!aliases.every((a) => certificateCovers(names, a)))
      return {
        status: 400,
        code: 'InvalidViewerCertificate',
        message: VIEWER_CERTIFICATE_ERRORS.notCovered,
      };
  }
  for (const rec of records) {
    if (rec.id !== selfId && rec.aliases.some((a) => aliases.includes(a)))
      return { status: 409, code: 'CNAMEAlreadyExists', message: VIEWER_CERTIFICATE_ERRORS.cnameTaken };
  }
  return undefined;
}
