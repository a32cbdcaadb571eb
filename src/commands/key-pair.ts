import { join } from 'node:path';
import { StsctlError } from '../core/errors.js';
import {
  generateRsaKeyPair,
  publicKeyToPem,
  readPrivateKeyPem,
  readPublicKeyPem,
  type PublicKeyInfo,
} from '../core/keys.js';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, SIGNING_KEY_TLS_PATH } from '../core/manifests.js';
import { keyPairFiles, type OutputFile } from '../core/output-layout.js';
import { readIfExists } from '../files/output-writer.js';
import type { Reporter } from '../core/reporter.js';

export interface KeyPairPlan {
  readonly files: readonly OutputFile[];
  readonly publicKey: PublicKeyInfo;
  readonly reused: boolean;
}

/**
 * Decides the key-pair files for `outputDir`: reuse `serviceaccount-signer.private` when present
 * (as ccoctl does), otherwise generate RSA 4096. Checks that an existing public key and `tls/` copy
 * belong to that private key; never plans to overwrite a different key.
 */
export async function planKeyPair(outputDir: string, reporter: Reporter): Promise<KeyPairPlan> {
  const privatePath = join(outputDir, PRIVATE_KEY_FILE);
  const publicPath = join(outputDir, PUBLIC_KEY_FILE);
  const tlsPath = join(outputDir, SIGNING_KEY_TLS_PATH);
  const existingPrivate = await readIfExists(privatePath);
  let privatePem: string;
  let reused = false;
  if (existingPrivate !== undefined) {
    readPrivateKeyPem(existingPrivate, privatePath); // validates: RSA, >= 2048 bits
    privatePem = existingPrivate;
    reused = true;
    reporter.emit('key-pair.reused', { path: privatePath });
  } else {
    reporter.emit('key-pair.generating', {});
    privatePem = (await reporter.task('key-pair.generate', { bits: 4096 }, () => generateRsaKeyPair()))
      .privateKeyPem;
  }
  const privateInfo = readPrivateKeyPem(privatePem, privatePath);
  const publicPem = publicKeyToPem(privateInfo.publicKey.key);

  const existingPublic = await readIfExists(publicPath);
  if (existingPublic !== undefined) {
    const existing = readPublicKeyPem(existingPublic, publicPath);
    if (existing.kid !== privateInfo.publicKey.kid) {
      throw new StsctlError(
        'KEY_PAIR_MISMATCH',
        `the public key does not belong to ${privatePath} (kid ${existing.kid}, expected ${privateInfo.publicKey.kid})`,
        { file: publicPath, hint: 'remove the stale public key; stsctl derives it from the private key' },
      );
    }
  }
  const existingTls = await readIfExists(tlsPath);
  if (existingTls !== undefined && existingTls !== privatePem) {
    throw new StsctlError(
      'KEY_EXISTS_DIFFERENT',
      `the installer's signing key differs from ${privatePath}; refusing to overwrite it`,
      { file: tlsPath },
    );
  }
  // Keep an existing public file byte for byte when it holds the same key (it may be PKCS#1 or differ in line breaks).
  const files = keyPairFiles(privatePem, existingPublic ?? publicPem);
  if (!reused) {
    reporter.emit('key-pair.private-written', { path: privatePath });
    reporter.emit('key-pair.public-written', { path: publicPath });
  }
  reporter.emit('key-pair.signing-key-copied', {});
  return { files, publicKey: privateInfo.publicKey, reused };
}

/** Reads the public key given by `--public-key-file` (or the default path) with a helpful error when it is missing. */
export async function loadPublicKey(path: string, isDefault: boolean): Promise<PublicKeyInfo> {
  const pem = await readIfExists(path);
  if (pem === undefined) {
    throw new StsctlError(
      'PUBLIC_KEY_MISSING',
      isDefault
        ? 'no public key found; run `stsctl create-key-pair` first or pass --public-key-file'
        : 'the public key file does not exist',
      { file: path },
    );
  }
  return readPublicKeyPem(pem, path);
}
