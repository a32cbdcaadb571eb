import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import type { CertificateAuthority } from '../../src/sandbox/ca.js';

/**
 * Imports into the sandbox's ACM (moto, through `endpoint`) a certificate for `names` issued by
 * `ca` — in the sandbox the CA that plays the public CAs ACM certificates chain to. Returns its ARN.
 */
export async function importSandboxCertificate(options: {
  readonly ca: CertificateAuthority;
  readonly endpoint: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly names: readonly string[];
  readonly region?: string;
}): Promise<string> {
  const leaf = await options.ca.issueLeaf({ dnsNames: [...options.names] });
  const acm = new ACMClient({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    credentials: options.credentials,
  });
  try {
    const r = await acm.send(
      new ImportCertificateCommand({
        Certificate: Buffer.from(leaf.certPem),
        PrivateKey: Buffer.from(leaf.keyPem),
        CertificateChain: Buffer.from(options.ca.intermediatePem),
      }),
    );
    return r.CertificateArn ?? '';
  } finally {
    acm.destroy();
  }
}
