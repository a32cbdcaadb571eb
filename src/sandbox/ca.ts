/**
 * Certificate authorities of the sandbox.
 *
 * Two authorities, each a self-signed root plus an intermediate that signs leaf certificates, so a
 * served chain looks like a real one (leaf + intermediate, root kept out of the handshake):
 * - the **sandbox CA** plays AWS's "library of trusted root CAs" (aws-sts-oidc.md §4): a chain that
 *   verifies against it is trusted and thumbprints are ignored;
 * - the **private CA** plays a self-signed / self-hosted issuer: STS does not trust it, so only a
 *   configured thumbprint lets a token through.
 *
 * Keys are ECDSA P-256: generation is fast (a test run issues dozens of leaves) and TLS clients
 * accept it as readily as RSA. Leaves are issued on demand and never persisted; the authorities
 * (certificates and intermediate keys) can be saved to a directory so several processes of one
 * `sandbox up` share them.
 */
import { createPrivateKey, webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';
import { StsctlError } from '../core/errors.js';

let x509Module: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509, loaded when the sandbox first makes or reads certificates, so that importing the
 * sandbox installs no global: 2.x resolves its services through tsyringe, which needs a Reflect
 * metadata polyfill loaded first (its README, "Reflect Polyfill Required"). Node's webcrypto is the
 * WebCrypto `Crypto` object it signs with.
 */
function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto);
    return x509;
  })();
  return x509Module;
}

const EC_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const EC_SIGN: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;

/** A leaf certificate with its private key, ready for `tls.createSecureContext`. */
export interface IssuedCertificate {
  /** PKCS#8 PEM private key of the leaf. */
  readonly keyPem: string;
  /** The leaf certificate alone (PEM). */
  readonly certPem: string;
  /** Leaf then intermediate (PEM): what a server sends. */
  readonly chainPem: string;
  /** Uppercase SHA-1 of each certificate of `chainPem`, leaf first (IAM thumbprint form). */
  readonly chainSha1: readonly string[];
}

/** Options for {@link CertificateAuthority.issueLeaf}. */
export interface LeafOptions {
  /** DNS names for the subjectAltName; wildcards like `*.s3.us-east-1.amazonaws.com` allowed. */
  readonly dnsNames: readonly string[];
  /** IP addresses for the subjectAltName, e.g. `127.0.0.1`. */
  readonly ipAddresses?: readonly string[];
  /** Issue a certificate whose validity ended yesterday (for doctor rehearsals). Default false. */
  readonly expired?: boolean;
  /** Validity in days from now when not expired. Default 90. */
  readonly validDays?: number;
}

/** One authority: a root and the intermediate that issues leaves. */
export interface CertificateAuthority {
  /** Display name used in subjects, e.g. `stsctl Sandbox`. */
  readonly name: string;
  /** Root certificate (PEM): what a client trusts. */
  readonly rootPem: string;
  /** Intermediate certificate (PEM): sent by servers after the leaf. */
  readonly intermediatePem: string;
  /** Uppercase SHA-1 of the root. */
  readonly rootSha1: string;
  /** Uppercase SHA-1 of the intermediate (the "last certificate the server sends", §4). */
  readonly intermediateSha1: string;
  /** Issues a leaf certificate signed by the intermediate. */
  issueLeaf(options: LeafOptions): Promise<IssuedCertificate>;
}

/** The two authorities of a sandbox. */
export interface SandboxCas {
  /** Plays AWS's trusted CA library (public S3, CloudFront, custom domains with ACM). */
  readonly sandbox: CertificateAuthority;
  /** Plays a self-signed / private issuer (thumbprints matter). */
  readonly private: CertificateAuthority;
}

interface AuthorityMaterial {
  readonly name: string;
  readonly rootPem: string;
  readonly intermediatePem: string;
  readonly intermediateKeyPem: string;
}

/** Uppercase hex SHA-1 of a PEM certificate (IAM thumbprint form, no colons). */
export function certificateSha1(pem: string): string {
  return new NodeX509Certificate(pem).fingerprint.replaceAll(':', '').toUpperCase();
}

function toPem(der: ArrayBuffer, label: string): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, EC_KEY, true, ['sign']);
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

function randomSerial(): string {
  // Positive 64-bit serial: leading byte below 0x80 keeps the DER INTEGER positive.
  const bytes = webcrypto.getRandomValues(new Uint8Array(8));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return Buffer.from(bytes).toString('hex');
}

async function createAuthorityMaterial(name: string): Promise<AuthorityMaterial> {
  const x509 = await loadX509();
  const now = Date.now();
  const rootKeys = await generateKeys();
  const rootName = `CN=${name} Root CA, O=stsctl sandbox`;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: rootName,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    signingAlgorithm: EC_SIGN,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediateKeys = await generateKeys();
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${name} Issuing CA 1, O=stsctl sandbox`,
    issuer: root.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 1825 * DAY_MS),
    signingAlgorithm: EC_SIGN,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  return {
    name,
    rootPem: root.toString('pem') + '\n',
    intermediatePem: intermediate.toString('pem') + '\n',
    intermediateKeyPem: await exportKeyPem(intermediateKeys.privateKey),
  };
}

async function authorityFromMaterial(material: AuthorityMaterial): Promise<CertificateAuthority> {
  const x509 = await loadX509();
  const signingKey = await importKeyPem(material.intermediateKeyPem);
  const intermediate = new x509.X509Certificate(material.intermediatePem);
  const intermediatePem = material.intermediatePem;
  return {
    name: material.name,
    rootPem: material.rootPem,
    intermediatePem,
    rootSha1: certificateSha1(material.rootPem),
    intermediateSha1: certificateSha1(intermediatePem),
    async issueLeaf(options: LeafOptions): Promise<IssuedCertificate> {
      const first = options.dnsNames[0] ?? options.ipAddresses?.[0];
      if (first === undefined)
        throw new StsctlError('SANDBOX_CERT_NO_NAMES', 'issueLeaf needs at least one DNS name or IP address');
      const now = Date.now();
      const notBefore =
        options.expired === true ? new Date(now - 90 * DAY_MS) : new Date(now - 60 * 60 * 1000);
      const notAfter =
        options.expired === true
          ? new Date(now - DAY_MS)
          : new Date(now + (options.validDays ?? 90) * DAY_MS);
      const keys = await generateKeys();
      const names: X509.JsonGeneralName[] = [
        ...options.dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ];
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerial(),
        subject: `CN=${first}`,
        issuer: intermediate.subject,
        notBefore,
        notAfter,
        signingAlgorithm: EC_SIGN,
        publicKey: keys.publicKey,
        signingKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(names),
          await x509.AuthorityKeyIdentifierExtension.create(intermediate.publicKey),
        ],
      });
      const certPem = leaf.toString('pem') + '\n';
      return {
        keyPem: await exportKeyPem(keys.privateKey),
        certPem,
        chainPem: certPem + intermediatePem,
        chainSha1: [certificateSha1(certPem), certificateSha1(intermediatePem)],
      };
    },
  };
}

const FILES = {
  root: 'root.pem',
  intermediate: 'intermediate.pem',
  key: 'intermediate.key',
  name: 'name.txt',
} as const;

const materials = new WeakMap<CertificateAuthority, AuthorityMaterial>();

async function trackedAuthority(material: AuthorityMaterial): Promise<CertificateAuthority> {
  const authority = await authorityFromMaterial(material);
  materials.set(authority, material);
  return authority;
}

/**
 * Creates both sandbox authorities (fresh keys every call); {@link saveSandboxCas} can persist them.
 * @see aws-sts-oidc.md §4 for why two authorities: CA-library trust vs. thumbprints.
 */
export async function createSandboxCas(): Promise<SandboxCas> {
  const [sandbox, priv] = await Promise.all([
    createAuthorityMaterial('stsctl Sandbox'),
    createAuthorityMaterial('stsctl Private Issuer'),
  ]);
  return { sandbox: await trackedAuthority(sandbox), private: await trackedAuthority(priv) };
}

/**
 * Writes the authorities to `dir/sandbox/` and `dir/private/` (PEM; the intermediate keys 0600).
 * Only authorities made by {@link createSandboxCas} or {@link loadSandboxCas} can be saved.
 */
export async function saveSandboxCas(cas: SandboxCas, dir: string): Promise<void> {
  for (const [sub, authority] of [
    ['sandbox', cas.sandbox],
    ['private', cas.private],
  ] as const) {
    const material = materials.get(authority);
    if (material === undefined) {
      throw new StsctlError(
        'SANDBOX_CA_NO_KEY',
        'these CAs carry no key material; create them with createSandboxCas()',
      );
    }
    const target = join(dir, sub);
    await mkdir(target, { recursive: true, mode: 0o700 });
    await writeFile(join(target, FILES.root), material.rootPem);
    await writeFile(join(target, FILES.intermediate), material.intermediatePem);
    await writeFile(join(target, FILES.key), material.intermediateKeyPem, { mode: 0o600 });
    await writeFile(join(target, FILES.name), material.name + '\n');
  }
}

/** Reads authorities written by {@link saveSandboxCas}. */
export async function loadSandboxCas(dir: string): Promise<SandboxCas> {
  const load = async (sub: string): Promise<CertificateAuthority> => {
    const base = join(dir, sub);
    const material: AuthorityMaterial = {
      name: (await readFile(join(base, FILES.name), 'utf8')).trim(),
      rootPem: await readFile(join(base, FILES.root), 'utf8'),
      intermediatePem: await readFile(join(base, FILES.intermediate), 'utf8'),
      intermediateKeyPem: await readFile(join(base, FILES.key), 'utf8'),
    };
    return trackedAuthority(material);
  };
  return { sandbox: await load('sandbox'), private: await load('private') };
}
