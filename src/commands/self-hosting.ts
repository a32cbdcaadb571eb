import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObservedObject, SelfHostedDocuments } from '../aws/model.js';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY } from '../core/issuer.js';
import { MODE_PUBLIC } from '../core/output-layout.js';
import type { Reporter } from '../core/reporter.js';
import { writeOutputFiles } from '../files/output-writer.js';
import type { IssuerView } from '../webidentity/types.js';

/**
 * `--hosting self`: the operator serves the issuer at `--issuer-url` (their own web server, or
 * `stsctl serve`); stsctl writes the two documents for that server and registers the IAM OIDC
 * provider and roles.
 */

/** The directory under `--output-dir` that holds a self-hosted issuer's documents. */
export const SELF_HOSTED_DOCUMENTS_DIR = 'issuer';

/**
 * The documents of a self-hosted issuer in `dir`, in the issuer bucket's layout
 * (`.well-known/openid-configuration`, `keys.json`): the paths they are served at, and one of the
 * two layouts `stsctl serve --issuer-dir` reads (src/serve/issuer-documents.ts). Writes go through
 * the transactional output writer (both files or neither).
 *
 * A file carries no content type: the server decides it. The documents are reported as
 * `application/json`, which `stsctl serve` sends; the type of another server is the operator's to
 * set (the doctor checks what is really served).
 */
export function directoryDocuments(dir: string): SelfHostedDocuments {
  const read = async (key: string): Promise<ObservedObject | undefined> => {
    try {
      return { body: await readFile(join(dir, key), 'utf8'), contentType: 'application/json' };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  };
  return {
    location: dir,
    async read() {
      const [discovery, jwks] = await Promise.all([read(DISCOVERY_OBJECT_KEY), read(JWKS_OBJECT_KEY)]);
      return { discovery, jwks };
    },
    async write(documents) {
      const files = [
        ...(documents.discovery === undefined
          ? []
          : [{ path: DISCOVERY_OBJECT_KEY, content: documents.discovery, mode: MODE_PUBLIC }]),
        ...(documents.jwks === undefined
          ? []
          : [{ path: JWKS_OBJECT_KEY, content: documents.jwks, mode: MODE_PUBLIC }]),
      ];
      await writeOutputFiles(dir, files);
    },
  };
}

/** What the live chain of a self-hosted issuer asks the provider to hold. */
export type SelfHostedThumbprints =
  | {
      readonly via: 'ca-library';
      readonly thumbprints: readonly string[];
    }
  | {
      readonly via: 'pinned';
      readonly thumbprints: readonly string[];
      readonly subject: string;
    }
  | { readonly problem: string };

/**
 * Reads the issuer's TLS chain the way STS does and picks what the provider needs. Since 2024-08
 * STS first verifies the chain against its library of trusted root CAs and pins thumbprints only
 * when that fails (aws-sts-oidc.md §4, src/webidentity/tls.ts): a publicly trusted chain needs no
 * thumbprint; a private CA's needs the top CA certificate the server sends — the last one, as
 * IAM's documented `openssl s_client -showcerts` procedure takes it — and never the leaf, which
 * STS does not pin when a CA certificate follows it (`pinnableCertificates`). Any HTTP status will
 * do: the chain is what is read, so a server not yet serving the documents still answers.
 */
export async function selfHostedThumbprints(
  fetcher: IssuerView,
  issuer: string,
): Promise<SelfHostedThumbprints> {
  const seen = await fetcher.fetch(`${issuer}/.well-known/openid-configuration`);
  const tls = seen.tls;
  if (tls?.trustedByCaLibrary === true) return { via: 'ca-library', thumbprints: [] };
  const top = tls?.chain[tls.chain.length - 1];
  if (top !== undefined)
    return { via: 'pinned', thumbprints: [top.sha1.toUpperCase()], subject: top.subject };
  return { problem: seen.ok ? 'the server sent no certificate' : `${seen.error}: ${seen.message}` };
}

/** {@link selfHostedThumbprints} for apply: reports which was chosen, or why none could be. */
export async function reportSelfHostedThumbprints(
  fetcher: IssuerView,
  issuer: string,
  reporter: Reporter,
): Promise<readonly string[] | undefined> {
  const t = await selfHostedThumbprints(fetcher, issuer);
  if ('problem' in t) {
    reporter.emit('thumbprint.unavailable', { issuer, problem: t.problem });
    return undefined;
  }
  reporter.emit('thumbprint.selected', {
    issuer,
    via: t.via,
    thumbprint: t.thumbprints[0],
    subject: t.via === 'pinned' ? t.subject : undefined,
  });
  return t.thumbprints;
}
