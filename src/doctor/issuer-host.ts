/**
 * What kind of host an issuer URL names: one of S3's public endpoint forms (with bucket and
 * region), a CloudFront distribution domain, or anything else (a custom domain or a self-hosted
 * issuer). Pure; the hosting checks and the issuer-form check read it.
 *
 * Forms (aws-sts-oidc.md §7, docs/sandbox.md "Host forms"): virtual-hosted
 * `<bucket>.s3.<region>.amazonaws.com` (`.amazonaws.com.cn` in China, `us-gov-*` regions in
 * GovCloud), the FIPS variant `<bucket>.s3-fips.<region>.amazonaws.com`, legacy dash
 * `<bucket>.s3-<region>.amazonaws.com`, legacy global `<bucket>.s3.amazonaws.com` (us-east-1), and
 * path style `s3[.-]<region>.amazonaws.com/<bucket>` or `s3.amazonaws.com/<bucket>`.
 */

const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';
const SUFFIX = 'amazonaws\\.com(?:\\.cn)?';

const VIRTUAL = new RegExp(`^(.+)\\.s3(-fips)?\\.(${REGION})\\.(${SUFFIX})$`);
const DASH = new RegExp(`^(.+)\\.s3-(${REGION})\\.(amazonaws\\.com)$`);
const GLOBAL = /^(.+)\.s3\.amazonaws\.com$/;
const PATH_REGIONAL = new RegExp(`^s3(-fips)?[.-](${REGION})\\.(${SUFFIX})$`);
const CLOUDFRONT = /^[a-z0-9]+\.cloudfront\.net$/;

/** The form of an S3 issuer host. */
export type S3Style = 'virtual' | 'virtual-fips' | 'dash' | 'global' | 'path';

/** A classified issuer host. */
export type IssuerHost =
  | {
      readonly kind: 's3';
      readonly style: S3Style;
      readonly bucket: string;
      readonly region: string;
      readonly dnsSuffix: string;
    }
  | { readonly kind: 'cloudfront'; readonly host: string }
  | { readonly kind: 'other'; readonly host: string };

/** Classifies an issuer URL; undefined when it is not a URL. */
export function classifyIssuerHost(issuer: string): IssuerHost | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  const firstSegment = url.pathname.split('/').filter((s) => s !== '')[0];
  let m: RegExpExecArray | null;
  if ((m = PATH_REGIONAL.exec(host)) !== null && firstSegment !== undefined) {
    return { kind: 's3', style: 'path', bucket: firstSegment, region: m[2] ?? '', dnsSuffix: m[3] ?? '' };
  }
  if (host === 's3.amazonaws.com' && firstSegment !== undefined) {
    return {
      kind: 's3',
      style: 'path',
      bucket: firstSegment,
      region: 'us-east-1',
      dnsSuffix: 'amazonaws.com',
    };
  }
  if ((m = VIRTUAL.exec(host)) !== null) {
    return {
      kind: 's3',
      style: m[2] === undefined ? 'virtual' : 'virtual-fips',
      bucket: m[1] ?? '',
      region: m[3] ?? '',
      dnsSuffix: m[4] ?? '',
    };
  }
  if ((m = DASH.exec(host)) !== null) {
    return { kind: 's3', style: 'dash', bucket: m[1] ?? '', region: m[2] ?? '', dnsSuffix: m[3] ?? '' };
  }
  if ((m = GLOBAL.exec(host)) !== null) {
    return {
      kind: 's3',
      style: 'global',
      bucket: m[1] ?? '',
      region: 'us-east-1',
      dnsSuffix: 'amazonaws.com',
    };
  }
  if (CLOUDFRONT.test(host)) return { kind: 'cloudfront', host };
  return { kind: 'other', host };
}

/** Two issuer URLs that name the same S3 bucket (in any forms). */
export function sameS3Bucket(a: string, b: string): boolean {
  const x = classifyIssuerHost(a);
  const y = classifyIssuerHost(b);
  return x?.kind === 's3' && y?.kind === 's3' && x.bucket === y.bucket;
}
