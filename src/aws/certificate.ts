import { DescribeCertificateCommand, type ACMClient } from '@aws-sdk/client-acm';
import { certificateCovers } from '../core/certificate-names.js';
import { StsctlError } from '../core/errors.js';
import { awsFailure, isAwsError } from './errors.js';

/**
 * The ACM certificate of a custom issuer domain, checked before anything is created: CloudFront
 * refuses a distribution whose alias the certificate does not cover, or whose certificate is
 * missing, outside us-east-1 or not issued (`InvalidViewerCertificate`, aws-sts-oidc.md §8), and
 * by then the bucket would already exist. The ARN's form and region are checked earlier
 * (src/commands/provision.ts); this reads the certificate itself.
 */

export interface CustomDomainCertificate {
  readonly arn: string;
  readonly status: string;
  /** DomainName, then the SubjectAlternativeNames (ACM lists the DomainName there too). */
  readonly names: readonly string[];
  readonly notAfter: Date | undefined;
}

const STATUS_HINTS: Readonly<Record<string, string>> = {
  PENDING_VALIDATION:
    'complete its validation (create the DNS records ACM lists for it) and run the command again once it is ISSUED',
  EXPIRED: 'renew it, or import or request a new certificate for the domain',
  VALIDATION_TIMED_OUT: 'request a new certificate and complete its validation within 72 hours',
  FAILED: 'request a new certificate (ACM gives the reason in the certificate details)',
  REVOKED: 'request or import a new certificate',
  INACTIVE: 'request or import a new certificate',
};

/**
 * Reads `arn` from ACM (the client must be in us-east-1) and checks that it is ISSUED and covers
 * `domain` (exactly, or through a `*.` wildcard one label deep).
 * @throws StsctlError (usage) naming `--acm-certificate-arn` when it is missing, not issued or
 *   does not cover `--custom-domain`; (failure) when ACM cannot be read.
 */
export async function checkCustomDomainCertificate(
  acm: ACMClient,
  arn: string,
  domain: string,
): Promise<CustomDomainCertificate> {
  let detail;
  try {
    detail = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException', 'InvalidArnException')) {
      throw new StsctlError(
        'CERTIFICATE_NOT_FOUND',
        `--acm-certificate-arn ${arn} does not exist in ACM (us-east-1) of this account`,
        {
          cause: e,
          hint: 'request or import a certificate for the domain in us-east-1 (aws acm list-certificates --region us-east-1 lists them)',
        },
      );
    }
    const failure = awsFailure(`reading certificate ${arn} (acm:DescribeCertificate)`, e);
    throw new StsctlError(failure.code, failure.message, {
      kind: 'failure',
      cause: e,
      ...(failure.requestId === undefined ? {} : { requestId: failure.requestId }),
      hint: 'the caller needs acm:DescribeCertificate in us-east-1 to check the certificate of --custom-domain',
    });
  }
  const names = [
    ...new Set(
      [detail?.DomainName, ...(detail?.SubjectAlternativeNames ?? [])].filter(
        (n): n is string => n !== undefined && n !== '',
      ),
    ),
  ];
  const status = detail?.Status ?? 'UNKNOWN';
  if (status !== 'ISSUED') {
    throw new StsctlError(
      'CERTIFICATE_NOT_ISSUED',
      `--acm-certificate-arn ${arn} is ${status}, not ISSUED: CloudFront only serves issued certificates`,
      { hint: STATUS_HINTS[status] ?? 'use an ISSUED certificate' },
    );
  }
  if (!certificateCovers(names, domain)) {
    throw new StsctlError(
      'CERTIFICATE_DOES_NOT_COVER_DOMAIN',
      `--acm-certificate-arn ${arn} is for ${names.join(', ') || '(no names)'}, which does not cover --custom-domain ${domain}`,
      {
        hint: `use a certificate whose domain name or subject alternative names include ${domain} or *.${domain.slice(domain.indexOf('.') + 1)}`,
      },
    );
  }
  return { arn, status, names, notAfter: detail?.NotAfter };
}
