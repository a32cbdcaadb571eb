/**
 * The `Condition` element of bucket policies: the operators S3 requests are judged with, and the
 * request context keys an S3 request carries.
 *
 * String operators and `Null` are IAM's, shared with the web-identity model
 * (`../condition-operators.ts`); this file adds the ARN, `Bool` and IP operators, with the same
 * key-presence and set semantics (`evaluateConditionWith`), per IAM's
 * `reference_policies_elements_condition_operators.md` (iam-user-guide, archived 2023-06):
 * - `ArnEquals`/`ArnLike` (and `Not…`): "Case-sensitive matching of the ARN. Each of the six
 *   colon-delimited components of the ARN is checked separately and each can include multi-character
 *   match wildcards (*) or single-character match wildcards (?)". Both names behave alike.
 * - `Bool`: "Boolean matching"; policy values `true`/`false`.
 * - `IpAddress`/`NotIpAddress`: the request's address is in (not in) one of the CIDR ranges.
 * - A key missing from the request: "the values do not match and the condition is false"; a negated
 *   operator is then true; `…IfExists` is true; `Null` tests presence (aws-sts-oidc.md §6).
 * Condition key names are case-insensitive (same doc), so the context is keyed in lower case.
 * Other operators (`Numeric…`, `Date…`, `BinaryEquals`) are not evaluated: the caller is told.
 */
import {
  evaluateCondition,
  evaluateConditionWith,
  type OperatorShape,
  parseOperator,
  stringLike,
} from '../condition-operators.js';
import type { BucketPolicyCondition } from './policy.js';
import type { S3AccessInput } from './types.js';

/** The request context: lower-case key → values. */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

/**
 * The context keys S3 puts in a request (IAM's `reference_policies_condition-keys.md`, global keys,
 * and S3's keys in the Service Authorization Reference):
 * - `aws:SecureTransport` always (true over TLS);
 * - `aws:SourceIp` when the caller knows it;
 * - a service principal: `aws:PrincipalServiceName`, and when the service sends them on the
 *   customer's behalf, `aws:SourceArn` and `aws:SourceAccount` (CloudFront with OAC does, §8);
 * - an IAM principal: `aws:PrincipalArn`, `aws:PrincipalAccount`;
 * - anonymous requests carry no principal keys;
 * - anything in `input.context` (e.g. `s3:prefix` for ListBucket, `aws:Referer`).
 */
export function requestContext(input: S3AccessInput): RequestContext {
  const ctx = new Map<string, readonly string[]>();
  const set = (key: string, value: string | readonly string[] | undefined): void => {
    if (value === undefined) return;
    ctx.set(key.toLowerCase(), typeof value === 'string' ? [value] : value);
  };
  set('aws:SecureTransport', String(input.secureTransport ?? true));
  set('aws:SourceIp', input.sourceIp);
  const r = input.requester;
  if (r.kind === 'service') {
    set('aws:PrincipalServiceName', r.service);
    set('aws:SourceArn', r.sourceArn);
    set('aws:SourceAccount', r.sourceAccount);
  } else if (r.kind === 'iam') {
    set('aws:PrincipalArn', r.arn);
    set('aws:PrincipalAccount', r.accountId);
  }
  for (const [key, value] of Object.entries(input.context ?? {})) set(key, value);
  return ctx;
}

const SHAPE = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/;
const ARN_BASES = new Set(['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike']);

/**
 * Evaluates one condition entry; `undefined` when the operator is not one the evaluator knows.
 */
export function evaluateS3Condition(
  condition: BucketPolicyCondition,
  ctx: RequestContext,
): boolean | undefined {
  const requestValues = ctx.get(condition.key.toLowerCase());
  const stringOp = parseOperator(condition.operator);
  if (stringOp !== undefined) return evaluateCondition(stringOp, condition.values, requestValues);
  const m = SHAPE.exec(condition.operator);
  if (m === null) return undefined;
  const [, qualifierRaw, base = '', ifExists] = m;
  const qualifier =
    qualifierRaw === 'ForAnyValue' || qualifierRaw === 'ForAllValues' ? qualifierRaw : undefined;
  const shape = (negated: boolean): OperatorShape => ({
    qualifier,
    ifExists: ifExists !== undefined,
    negated,
  });
  if (ARN_BASES.has(base)) {
    return evaluateConditionWith(shape(base.startsWith('ArnNot')), condition.values, requestValues, arnLike);
  }
  if (base === 'Bool') {
    return evaluateConditionWith(
      shape(false),
      condition.values,
      requestValues,
      (value, policyValue) => value.toLowerCase() === policyValue.toLowerCase(),
    );
  }
  if (base === 'IpAddress' || base === 'NotIpAddress') {
    return evaluateConditionWith(
      shape(base === 'NotIpAddress'),
      condition.values,
      requestValues,
      (value, cidr) => ipInCidr(value, cidr),
    );
  }
  // `NullIfExists` is not an operator (parseOperator refused it above), nor are Numeric…/Date….
  return undefined;
}

/** `ArnLike`: six colon-separated components, each matched with `*`/`?`, case-sensitively. */
function arnLike(value: string, pattern: string): boolean {
  const v = arnParts(value);
  const p = arnParts(pattern);
  if (v === undefined || p === undefined) return false;
  return v.every((part, i) => stringLike(part, p[i] ?? ''));
}

function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  // The resource part (the sixth) may itself contain colons.
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** An address as a bit string (32 bits for IPv4, 128 for IPv6); undefined when unparseable. */
export function ipBits(address: string): string | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
    const octets = address.split('.').map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    return octets.map((o) => o.toString(2).padStart(8, '0')).join('');
  }
  if (!/^[0-9a-fA-F:.]+$/.test(address) || !address.includes(':')) return undefined;
  let text = address;
  // An IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4?.[1] !== undefined) {
    const bits = ipBits(v4[1]);
    if (bits === undefined) return undefined;
    const hex = parseInt(bits, 2).toString(16).padStart(8, '0');
    text = `${text.slice(0, -v4[1].length)}${hex.slice(0, 4)}:${hex.slice(4)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' || halves[0] === undefined ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' && halves[1] !== undefined ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}

/** A CIDR (`203.0.113.0/24`, `2001:db8::/32`, or one address) as its prefix bits. */
export function cidrPrefix(
  cidr: string,
): { readonly bits: string; readonly length: number; readonly v6: boolean } | undefined {
  const [address = '', lengthText] = cidr.split('/');
  const bits = ipBits(address);
  if (bits === undefined) return undefined;
  const length =
    lengthText === undefined ? bits.length : /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(length >= 0 && length <= bits.length)) return undefined;
  return { bits: bits.slice(0, length), length, v6: bits.length === 128 };
}

function ipInCidr(address: string, cidr: string): boolean {
  const a = ipBits(address);
  const c = cidrPrefix(cidr);
  if (a === undefined || c === undefined || (a.length === 128) !== c.v6) return false;
  return a.startsWith(c.bits);
}
