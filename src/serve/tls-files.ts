import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { StsctlError } from '../core/errors.js';

/**
 * The server's certificate chain and key, read from `--cert-file` and `--key-file` and checked
 * before they are handed to TLS. The chain matters beyond the handshake: when the issuer's CA is not
 * one AWS trusts, IAM pins the thumbprint of a CA certificate *the server sends* (aws-sts-oidc.md §4,
 * src/webidentity/tls.ts), so the intermediates must be served, in order, after the leaf.
 */

/** A checked certificate chain and its key. */
export interface TlsMaterial {
  /** The PEM text of --cert-file: the leaf, then the intermediates. */
  readonly certPem: string;
  readonly keyPem: string;
  /** The certificates of the chain, leaf first. */
  readonly chain: readonly X509Certificate[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

async function readText(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new StsctlError('SERVE_TLS_FILES_INVALID', `cannot read ${flag} (${reason})`, { file, cause });
  }
}

/**
 * Reads and checks the certificate chain and the key: every PEM block of the certificate file
 * parses, the key is an unencrypted private key, it belongs to the first certificate (the leaf),
 * and each further certificate issued the one before it.
 * @throws StsctlError `SERVE_TLS_FILES_INVALID` naming the file and what is wrong. The key's text
 *   never appears in a message.
 */
export async function readTlsMaterial(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const certPem = await readText(certFile, '--cert-file');
  const keyPem = await readText(keyFile, '--key-file');
  const blocks = certPem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new StsctlError('SERVE_TLS_FILES_INVALID', 'holds no PEM certificate (BEGIN CERTIFICATE)', {
      file: certFile,
    });
  }
  const chain = blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (cause) {
      throw new StsctlError('SERVE_TLS_FILES_INVALID', `certificate ${index + 1} does not parse`, {
        file: certFile,
        cause,
      });
    }
  });
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (cause) {
    // The reason comes from OpenSSL and never quotes the key.
    throw new StsctlError(
      'SERVE_TLS_FILES_INVALID',
      `not an unencrypted PEM private key (${cause instanceof Error ? cause.message : String(cause)})`,
      { file: keyFile, cause },
    );
  }
  const leaf = chain[0];
  if (leaf === undefined || !leaf.checkPrivateKey(key)) {
    const keyAt = chain.findIndex((c) => c.checkPrivateKey(key));
    if (keyAt > 0) {
      throw new StsctlError(
        'SERVE_TLS_FILES_INVALID',
        `certificate ${keyAt + 1} is the key's own: the leaf comes first, then each issuer in turn`,
        { file: certFile },
      );
    }
    throw new StsctlError(
      'SERVE_TLS_FILES_INVALID',
      `the private key does not belong to the first certificate of --cert-file (${leaf === undefined ? '' : distinguishedName(leaf.subject)})`,
      { file: keyFile },
    );
  }
  for (let i = 1; i < chain.length; i++) {
    const child = chain[i - 1];
    const parent = chain[i];
    if (child !== undefined && parent !== undefined && !child.checkIssued(parent)) {
      throw new StsctlError(
        'SERVE_TLS_FILES_INVALID',
        `certificate ${i + 1} did not issue certificate ${i}: the leaf comes first, then each issuer in turn`,
        { file: certFile },
      );
    }
  }
  return { certPem, keyPem, chain };
}

/** `CN=…, O=…` from Node's newline-separated distinguished name. */
export function distinguishedName(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}
