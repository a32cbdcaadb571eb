import { StsctlError } from './errors.js';
import { partitionForRegion } from './partitions.js';

/**
 * Issuer URLs.
 *
 * The issuer is what kube-apiserver writes into `iss`, what the Authentication CR names as
 * `serviceAccountIssuer`, and (without `https://`) the IAM OIDC provider's URL and the prefix of
 * the trust-policy condition keys. AWS compares it byte for byte (aws-sts-oidc.md §3.1), so one
 * canonical form is enforced: https, no port, no query or fragment, no trailing slash.
 */

/** The public S3 virtual-hosted URL of a bucket, as ccoctl's issuer: `https://<bucket>.s3.<region>.<suffix>`. */
export function publicS3IssuerUrl(bucket: string, region: string): string {
  // ccoctl resolves the regional endpoint for every region, us-east-1 included (ccoctl.md §3.1).
  return `https://${s3VirtualHost(bucket, region)}`;
}

/** `<bucket>.s3.<region>.<dnsSuffix>`: the host of a bucket's regional virtual-hosted endpoint. */
export function s3VirtualHost(bucket: string, region: string): string {
  return `${bucket}.s3.${region}.${partitionForRegion(region).dnsSuffix}`;
}

/**
 * Checks an issuer URL against AWS's rules and returns it unchanged.
 * @throws StsctlError `INVALID_ISSUER_URL` naming the rule broken.
 */
export function validateIssuerUrl(value: string, what = 'issuer URL'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new StsctlError('INVALID_ISSUER_URL', `${what} "${value}" is not a URL`, { cause });
  }
  const problems: string[] = [];
  if (url.protocol !== 'https:') problems.push('it must start with https:// (AWS rejects other schemes)');
  if (url.port !== '' || /^https:\/\/[^/]*:\d*(\/|$)/i.test(value))
    problems.push('it must not contain a port (AWS fetches the issuer on 443)');
  if (url.search !== '' || value.includes('?')) problems.push('it must not contain a query');
  if (url.hash !== '' || value.includes('#')) problems.push('it must not contain a fragment');
  if (url.username !== '' || url.password !== '') problems.push('it must not contain credentials');
  if (value.endsWith('/')) problems.push('it must not end with "/" (AWS compares the issuer byte for byte)');
  if (problems.length > 0) {
    throw new StsctlError('INVALID_ISSUER_URL', `${what} "${value}" is not valid: ${problems.join('; ')}`);
  }
  return value;
}

/** The issuer without `https://`: the IAM provider URL and condition-key prefix. */
export function issuerHostPath(issuer: string): string {
  return issuer.replace(/^https:\/\//, '');
}

/** The JWKS location ccoctl publishes: `<issuer>/keys.json`. */
export function jwksUri(issuer: string): string {
  return `${issuer}/keys.json`;
}

/** The discovery location STS fetches: `<issuer>/.well-known/openid-configuration`. */
export function discoveryUrl(issuer: string): string {
  return `${issuer}/.well-known/openid-configuration`;
}

/** S3 object keys of the two issuer documents (ccoctl.md §3.2). */
export const DISCOVERY_OBJECT_KEY = '.well-known/openid-configuration';
export const JWKS_OBJECT_KEY = 'keys.json';
