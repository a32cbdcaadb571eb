import { stringLike } from '../webidentity/condition-operators.js';

/**
 * A structural reading of S3 bucket policies, to *explain* why the issuer is or is not readable:
 * which object keys a policy grants to anonymous readers, and whether it lets a CloudFront
 * distribution (origin access control) or an origin access identity read them. Whether the issuer
 * is actually reachable is never decided here but by the anonymous fetch the model judges.
 *
 * Hand-written because no library evaluates S3 bucket policies. Deliberately conservative: a
 * statement with any condition does not count as a public grant (a condition such as
 * `aws:SourceIp` or `aws:SourceVpce` makes a grant non-public, aws-sts-oidc.md §7); Deny
 * statements that cover a key remove it.
 */

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): readonly string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function statements(policy: string | undefined): Json[] {
  if (policy === undefined) return [];
  try {
    const doc = JSON.parse(policy) as unknown;
    if (!isRecord(doc)) return [];
    const s = doc['Statement'];
    return (Array.isArray(s) ? s : [s]).filter(isRecord);
  } catch {
    return [];
  }
}

function coversGetObject(statement: Json): boolean {
  return list(statement['Action']).some((a) => stringLike('s3:getobject', a.toLowerCase()));
}

function coversObject(statement: Json, partition: string, bucket: string, key: string): boolean {
  const arn = `arn:${partition}:s3:::${bucket}/${key}`;
  return list(statement['Resource']).some((r) => stringLike(arn, r));
}

function isAnonymous(principal: unknown): boolean {
  if (principal === '*') return true;
  return isRecord(principal) && list(principal['AWS']).includes('*');
}

/** Keys among `keys` that the policy lets anyone read (unconditional Allow, no Deny). */
export function publiclyReadableKeys(
  policy: string | undefined,
  partition: string,
  bucket: string,
  keys: readonly string[],
): string[] {
  const all = statements(policy);
  return keys.filter((key) => {
    const applies = (s: Json): boolean =>
      isAnonymous(s['Principal']) && coversGetObject(s) && coversObject(s, partition, bucket, key);
    const allowed = all.some((s) => s['Effect'] === 'Allow' && s['Condition'] === undefined && applies(s));
    const denied = all.some((s) => s['Effect'] === 'Deny' && applies(s));
    return allowed && !denied;
  });
}

/**
 * Whether the policy lets CloudFront read `key` for the distribution: the documented OAC grant
 * (`Service: cloudfront.amazonaws.com` with `AWS:SourceArn` = the distribution ARN, §8), or a
 * grant to the origin access identity `oaiId`.
 */
export function grantsCloudFront(
  policy: string | undefined,
  partition: string,
  bucket: string,
  key: string,
  distributionArn: string,
  oaiId: string | undefined,
): boolean {
  return statements(policy).some((s) => {
    if (s['Effect'] !== 'Allow' || !coversGetObject(s) || !coversObject(s, partition, bucket, key))
      return false;
    const principal = s['Principal'];
    if (!isRecord(principal)) return false;
    if (
      oaiId !== undefined &&
      list(principal['AWS']).some((p) => p.endsWith(`CloudFront Origin Access Identity ${oaiId}`))
    ) {
      return true;
    }
    if (!list(principal['Service']).includes('cloudfront.amazonaws.com')) return false;
    const condition = s['Condition'];
    if (!isRecord(condition)) return false;
    // The documented form uses StringEquals; ArnLike/ArnEquals/StringLike are equivalent here.
    return Object.entries(condition).some(
      ([operator, block]) =>
        /^(StringEquals|StringLike|ArnEquals|ArnLike)$/.test(operator) &&
        isRecord(block) &&
        Object.entries(block).some(
          ([k, values]) =>
            k.toLowerCase() === 'aws:sourcearn' && list(values).some((v) => stringLike(distributionArn, v)),
        ),
    );
  });
}
