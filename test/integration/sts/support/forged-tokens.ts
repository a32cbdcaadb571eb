import { createHmac, createPublicKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * Tokens an attacker could send in place of a valid one, each derived from a valid token so that
 * every claim the trust policy checks is right and only the proof of origin is wrong.
 */

function b64(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function rs256(key: KeyObject, input: string): string {
  return createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
}

/** A named forged token. */
export interface ForgedToken {
  readonly name: string;
  readonly token: string;
}

/**
 * `alg: none`; HS256 keyed with the issuer's public key (the algorithm-confusion attack); a key
 * the JWKS does not have, under an unknown kid and under the real kid; a tampered payload with the
 * original signature; a tampered signature.
 */
export function forgeTokens(valid: string, signingKey: KeyObject): ForgedToken[] {
  const [headerSegment = '', payloadSegment = '', signatureSegment = ''] = valid.split('.');
  const header = decodeSegment(headerSegment);
  const payload = decodeSegment(payloadSegment);
  const publicPem = createPublicKey(signingKey).export({ type: 'spki', format: 'pem' }).toString();
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const withHeader = (h: Record<string, unknown>, p: Record<string, unknown> = payload): string =>
    `${b64(JSON.stringify(h))}.${b64(JSON.stringify(p))}`;

  const noneInput = withHeader({ ...header, alg: 'none' });
  const hsInput = withHeader({ ...header, alg: 'HS256' });
  const unknownKidInput = withHeader({ ...header, kid: 'not-in-the-jwks' });
  const sameKidInput = withHeader(header);
  const tamperedPayload = b64(JSON.stringify({ ...payload, exp: Number(payload.exp) + 86_400 }));
  const signature = Buffer.from(signatureSegment, 'base64url');
  signature[10] = (signature[10] ?? 0) ^ 0x01;
  return [
    { name: 'alg none, empty signature', token: `${noneInput}.` },
    { name: 'alg none, original signature', token: `${noneInput}.${signatureSegment}` },
    {
      name: 'HS256 keyed with the public key',
      token: `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`,
    },
    { name: 'another key, unknown kid', token: `${unknownKidInput}.${rs256(stranger, unknownKidInput)}` },
    { name: 'another key, the real kid', token: `${sameKidInput}.${rs256(stranger, sameKidInput)}` },
    { name: 'tampered payload', token: `${headerSegment}.${tamperedPayload}.${signatureSegment}` },
    {
      name: 'tampered signature',
      token: `${headerSegment}.${payloadSegment}.${signature.toString('base64url')}`,
    },
  ];
}
