/**
 * The public host names the edge answers for, and the certificate names AWS serves on them.
 *
 * Facts (aws-sts-oidc.md §7, §4, §8): S3 virtual-hosted `<bucket>.s3.<region>.amazonaws.com`
 * (`.amazonaws.com.cn` in China), legacy global `<bucket>.s3.amazonaws.com` (us-east-1), legacy
 * dash form `<bucket>.s3-<region>.amazonaws.com`, path style `s3.<region>.amazonaws.com/<bucket>/…`;
 * S3 serves a wildcard certificate (`*.s3.<region>.amazonaws.com`), which is why bucket names with
 * dots break TLS on virtual-hosted URLs; CloudFront serves `*.cloudfront.net`.
 */

const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';
const SUFFIX = 'amazonaws\\.com(?:\\.cn)?';

/** Where a host name sends a request, when it is an S3 endpoint. */
export interface S3HostRoute {
  readonly kind: 's3';
  readonly style: 'virtual' | 'legacy-global' | 'dash' | 'path';
  /** The bucket named by the host; undefined for path style (the bucket is the first path segment). */
  readonly bucket?: string;
  readonly region: string;
  readonly dnsSuffix: string;
  /** The names on the certificate AWS serves for this host. */
  readonly certificateNames: readonly string[];
}

/** A `*.cloudfront.net` distribution domain. */
export interface CloudFrontHostRoute {
  readonly kind: 'cloudfront';
  readonly certificateNames: readonly string[];
}

const PATH_REGIONAL = new RegExp(`^s3\\.(${REGION})\\.(${SUFFIX})$`);
const PATH_DASH = new RegExp(`^s3-(${REGION})\\.(amazonaws\\.com)$`);
const VIRTUAL = new RegExp(`^(.+)\\.s3\\.(${REGION})\\.(${SUFFIX})$`);
const DASH = new RegExp(`^(.+)\\.s3-(${REGION})\\.(amazonaws\\.com)$`);
const LEGACY = /^(.+)\.s3\.amazonaws\.com$/;
const CLOUDFRONT = /^[a-z0-9]+\.cloudfront\.net$/;

/** Lower-cases a Host header value and strips the port. */
export function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** Parses an S3 endpoint host name (any of AWS's public forms); undefined when it is not one. */
export function parseS3Host(host: string): S3HostRoute | undefined {
  const h = normalizeHost(host);
  let m: RegExpExecArray | null;
  if (h === 's3.amazonaws.com') {
    return {
      kind: 's3',
      style: 'path',
      region: 'us-east-1',
      dnsSuffix: 'amazonaws.com',
      certificateNames: ['s3.amazonaws.com', '*.s3.amazonaws.com'],
    };
  }
  if ((m = PATH_REGIONAL.exec(h)) !== null) {
    const [, region = '', suffix = ''] = m;
    return {
      kind: 's3',
      style: 'path',
      region,
      dnsSuffix: suffix,
      certificateNames: [`s3.${region}.${suffix}`, `*.s3.${region}.${suffix}`],
    };
  }
  if ((m = PATH_DASH.exec(h)) !== null) {
    const [, region = '', suffix = ''] = m;
    return {
      kind: 's3',
      style: 'path',
      region,
      dnsSuffix: suffix,
      certificateNames: [`s3-${region}.${suffix}`, `*.s3-${region}.${suffix}`],
    };
  }
  if ((m = VIRTUAL.exec(h)) !== null) {
    const [, bucket = '', region = '', suffix = ''] = m;
    return {
      kind: 's3',
      style: 'virtual',
      bucket,
      region,
      dnsSuffix: suffix,
      certificateNames: [`*.s3.${region}.${suffix}`, `s3.${region}.${suffix}`],
    };
  }
  if ((m = DASH.exec(h)) !== null) {
    const [, bucket = '', region = '', suffix = ''] = m;
    return {
      kind: 's3',
      style: 'dash',
      bucket,
      region,
      dnsSuffix: suffix,
      certificateNames: [`*.s3-${region}.${suffix}`, `s3-${region}.${suffix}`],
    };
  }
  if ((m = LEGACY.exec(h)) !== null) {
    const [, bucket = ''] = m;
    return {
      kind: 's3',
      style: 'legacy-global',
      bucket,
      region: 'us-east-1',
      dnsSuffix: 'amazonaws.com',
      certificateNames: ['*.s3.amazonaws.com', 's3.amazonaws.com'],
    };
  }
  return undefined;
}

/** Recognises a distribution domain like `d111111abcdef8.cloudfront.net`. */
export function parseCloudFrontHost(host: string): CloudFrontHostRoute | undefined {
  return CLOUDFRONT.test(normalizeHost(host))
    ? { kind: 'cloudfront', certificateNames: ['*.cloudfront.net', 'cloudfront.net'] }
    : undefined;
}

/** The virtual-hosted name S3 would redirect to for a bucket in `region`. */
export function s3RegionalHost(bucket: string, region: string): string {
  return `${bucket}.s3.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}
