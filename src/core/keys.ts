import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { StsctlError } from './errors.js';

/**
 * RSA signing keys for service-account tokens.
 *
 * ccoctl generates RSA 4096 and writes the private key as PKCS#1 (`RSA PRIVATE KEY`) and the
 * public key as SPKI (`PUBLIC KEY`) (ccoctl.md §1.1). We read PKCS#1, PKCS#8 and SPKI PEM (and
 * PKCS#1 `RSA PUBLIC KEY`), and refuse non-RSA keys and keys under 2048 bits.
 */

export const DEFAULT_KEY_BITS = 4096;
export const MIN_KEY_BITS = 2048;

export interface PublicKeyInfo {
  readonly key: KeyObject;
  /** DER SubjectPublicKeyInfo. */
  readonly spkiDer: Buffer;
  /** `kid` as kube-apiserver computes it. */
  readonly kid: string;
  readonly modulusBits: number;
}

export interface GeneratedKeyPair {
  /** PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), like ccoctl. Secret: never log it. */
  readonly privateKeyPem: string;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly publicKeyPem: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** Generates an RSA key pair (4096 bits, e = 65537 unless told otherwise). */
export async function generateRsaKeyPair(bits: number = DEFAULT_KEY_BITS): Promise<GeneratedKeyPair> {
  if (bits < MIN_KEY_BITS) {
    throw new StsctlError(
      'KEY_TOO_SHORT',
      `RSA keys must be at least ${MIN_KEY_BITS} bits (asked for ${bits})`,
    );
  }
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
  });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * `kid` = unpadded base64url of SHA-256 over the DER SubjectPublicKeyInfo, as kube-apiserver's
 * `keyIDFromPublicKey` (kubernetes `pkg/serviceaccount/jwt.go`) and ccoctl compute it.
 * It is NOT the RFC 7638 thumbprint: a JWKS keyed by that would match no cluster-issued token.
 */
export function kidFromSpki(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('base64url');
}

function describeSource(source: string | undefined): { file?: string } {
  return source === undefined ? {} : { file: source };
}

function assertRsa(key: KeyObject, source: string | undefined): number {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new StsctlError(
      'KEY_NOT_RSA',
      `public key is not of type RSA (found ${key.asymmetricKeyType ?? 'unknown'}); service-account signing keys for AWS STS must be RSA here`,
      describeSource(source),
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_KEY_BITS) {
    throw new StsctlError(
      'KEY_TOO_SHORT',
      `RSA key is ${bits} bits; at least ${MIN_KEY_BITS} are required (stsctl generates ${DEFAULT_KEY_BITS})`,
      describeSource(source),
    );
  }
  return bits;
}

function publicInfo(key: KeyObject, source: string | undefined): PublicKeyInfo {
  const modulusBits = assertRsa(key, source);
  const spkiDer = key.export({ type: 'spki', format: 'der' });
  return { key, spkiDer, kid: kidFromSpki(spkiDer), modulusBits };
}

/**
 * Reads an RSA public key from PEM: SPKI (`PUBLIC KEY`), PKCS#1 (`RSA PUBLIC KEY`), or a private
 * key / certificate from which the public half is taken.
 * @param source file name used in error messages.
 */
export function readPublicKeyPem(pem: string, source?: string): PublicKeyInfo {
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(pem)) {
    throw new StsctlError(
      'KEY_NOT_PEM',
      'no PEM block found (expected -----BEGIN PUBLIC KEY-----)',
      describeSource(source),
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (cause) {
    throw new StsctlError('KEY_UNREADABLE', `cannot read the public key: ${(cause as Error).message}`, {
      ...describeSource(source),
      cause,
    });
  }
  return publicInfo(key, source);
}

export interface PrivateKeyInfo {
  /** Secret: never log it. */
  readonly key: KeyObject;
  readonly publicKey: PublicKeyInfo;
}

/** Reads an RSA private key from PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`) PEM. */
export function readPrivateKeyPem(pem: string, source?: string): PrivateKeyInfo {
  if (!/-----BEGIN (RSA |ENCRYPTED |EC )?PRIVATE KEY-----/.test(pem)) {
    throw new StsctlError(
      'KEY_NOT_PEM',
      'no private key PEM block found (expected -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)',
      describeSource(source),
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (cause) {
    // Never echo the key material itself in the message.
    throw new StsctlError('KEY_UNREADABLE', 'cannot read the private key (is it encrypted or damaged?)', {
      ...describeSource(source),
      cause: new Error((cause as Error).message),
    });
  }
  const publicKey = publicInfo(createPublicKey(key), source);
  return { key, publicKey };
}

/** SPKI PEM of a public key, the form ccoctl writes to `serviceaccount-signer.public`. */
export function publicKeyToPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** True when both keys are the same public key. */
export function samePublicKey(a: PublicKeyInfo, b: PublicKeyInfo): boolean {
  return a.spkiDer.equals(b.spkiDer);
}
