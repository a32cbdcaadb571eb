/** Which CloudFront API call a gateway request is, as far as the gateway repairs moto's answer. */

/** Path prefix of the CloudFront API version the SDK speaks. */
export const CLOUDFRONT_PREFIX = '/2020-05-31/';
/** moto's distribution ARNs lack the empty region field (aws-sts-oidc.md §8). */
export const MOTO_ARN_RE = /arn:(aws[a-z-]*):cloudfront:(\d{12}):/g;
/** AWS's form, `arn:aws:cloudfront::<acct>:distribution/<id>`. */
export const AWS_ARN_RE = /arn:(aws[a-z-]*):cloudfront::(\d{12}):/g;

/** A CloudFront distribution operation the gateway records or rewrites. */
export type CloudFrontOp =
  | { kind: 'create' }
  | { kind: 'update'; id: string }
  | { kind: 'get'; id: string }
  | { kind: 'delete'; id: string }
  | { kind: 'list' }
  | { kind: 'other' };

/** Classifies a CloudFront REST request by method and path. */
export function classifyCloudFront(method: string, pathname: string): CloudFrontOp {
  const rest = pathname.slice(CLOUDFRONT_PREFIX.length);
  if (rest === 'distribution') return method === 'POST' ? { kind: 'create' } : { kind: 'list' };
  const m = /^distribution\/([^/]+)(\/config)?$/.exec(rest);
  if (m?.[1] !== undefined) {
    const id = decodeURIComponent(m[1]);
    if (m[2] !== undefined) return method === 'PUT' ? { kind: 'update', id } : { kind: 'other' };
    if (method === 'GET') return { kind: 'get', id };
    if (method === 'DELETE') return { kind: 'delete', id };
  }
  return { kind: 'other' };
}
