import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AwsClients } from '../aws/clients.js';
import { observeBucket } from '../aws/observe.js';
import { putIssuerObject } from '../aws/operations.js';
import { StsctlError } from '../core/errors.js';
import { JWKS_OBJECT_KEY } from '../core/issuer.js';
import { buildJwks, mergeJwks, parseJwks, removeKeys, renderJwks, type Jwks } from '../core/jwks.js';
import {
  generateRsaKeyPair,
  publicKeyToPem,
  readPrivateKeyPem,
  readPublicKeyPem,
  type PublicKeyInfo,
} from '../core/keys.js';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, SIGNING_KEY_TLS_PATH } from '../core/manifests.js';
import { bucketName, validateName } from '../core/names.js';
import { validateRegion } from '../core/partitions.js';
import type { OutputFile } from '../core/output-layout.js';
import { readIfExists, writeOutputFiles, type WriteOutcome } from '../files/output-writer.js';
import { withCommandClients, type CommandDeps } from './command-clients.js';
import type { Reporter } from '../core/reporter.js';

/**
 * `stsctl rotate-keys`: the service-account signing key rotated with an overlap, as kops does it
 * and as OpenShift's manual procedure describes (ccoctl has only a `jq` merge, ccoctl.md §8).
 *
 * 1. `add`: a new key pair in `<output-dir>/next/` (or `--public-key-file`), published next to the
 *    current key in `keys.json` (merged by kid, never shrunk), and the Secret that hands it to the
 *    cluster: `openshift-kube-apiserver-operator/next-bound-service-account-signing-key`. Tokens
 *    signed by either key are accepted from then on.
 * 2. The cluster starts signing with the new key (`oc apply -f next/manifests/...`); tokens signed
 *    by the old key expire (an hour by default, plus STS's five-minute leeway).
 * 3. `retire --kid OLD`: the old key leaves `keys.json`. When the output directory's key is the one
 *    retired, the `next/` key is promoted into its place (the old files move to `retired/<kid>/`),
 *    so a later `create-all` re-run publishes the new key, not the old one again.
 */

export const NEXT_KEY_DIR = 'next';
export const RETIRED_KEY_DIR = 'retired';
export const NEXT_SIGNER_SECRET_PATH = 'manifests/next-bound-service-account-signing-key.yaml';

/** Stands for the key a dry run would generate. */
export const NEW_KEY = '(new key)';

const MODE_PRIVATE = 0o600;
const MODE_PUBLIC = 0o644;

export interface RotateCommon {
  readonly name: string;
  readonly region: string;
  readonly outputDir: string;
  readonly dryRun: boolean;
  readonly profile?: string | undefined;
}

export interface RotationResult {
  readonly bucket: string;
  /** kids published before and after, in keys.json order. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** keys.json was (or, with --dry-run, would be) uploaded. */
  readonly changed: boolean;
  readonly written: readonly WriteOutcome[];
  /** The new key's kid (`add`), or the promoted key's (`retire`). */
  readonly nextKid?: string;
  /** Where the output directory's retired key files went (`retire`). */
  readonly retiredTo?: string;
}

/** The Secret OpenShift's kube-apiserver-operator reads the next signing key from. */
export function nextSignerSecret(privateKeyPem: string, publicKeyPem: string): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: next-bound-service-account-signing-key',
    '  namespace: openshift-kube-apiserver-operator',
    'type: Opaque',
    'data:',
    `  service-account.key: ${b64(privateKeyPem)}`,
    `  service-account.pub: ${b64(publicKeyPem)}`,
    '',
  ].join('\n');
}

async function publishedJwks(clients: AwsClients, name: string, bucket: string): Promise<Jwks> {
  const observed = await observeBucket(clients, bucket);
  if (observed.exists && observed.region !== undefined && observed.region !== clients.region) {
    // observe reads nothing more of a bucket in another region (S3 serves it only from there).
    throw new StsctlError(
      'BUCKET_REGION_MISMATCH',
      `the bucket ${bucket} exists in ${observed.region}, not in ${clients.region} (--region)`,
      { path: '--region', hint: `run with --region ${observed.region}` },
    );
  }
  if (!observed.exists || observed.jwks === undefined) {
    throw new StsctlError('NO_PUBLISHED_KEYS', `no ${JWKS_OBJECT_KEY} is published in the bucket ${bucket}`, {
      hint: `publish the issuer first: stsctl create-identity-provider --name ${name} --region <region>`,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(observed.jwks.body);
  } catch {
    throw new StsctlError('PUBLISHED_JWKS_INVALID', `the published ${JWKS_OBJECT_KEY} is not JSON`, {
      file: `s3://${bucket}/${JWKS_OBJECT_KEY}`,
      kind: 'failure',
    });
  }
  return parseJwks(parsed, `s3://${bucket}/${JWKS_OBJECT_KEY}`);
}

async function upload(clients: AwsClients, bucket: string, name: string, jwks: Jwks): Promise<void> {
  await putIssuerObject(clients, bucket, name, JWKS_OBJECT_KEY, renderJwks(jwks));
}

const kids = (j: Jwks): string[] => j.keys.map((k) => k.kid ?? '');

/** The next key: `--public-key-file`, the one already in `next/`, or a new RSA 4096 pair. */
async function nextKey(
  o: RotateCommon & { readonly publicKeyFile?: string | undefined },
  reporter: Reporter,
): Promise<{ publicKey: PublicKeyInfo | undefined; files: OutputFile[] }> {
  if (o.publicKeyFile !== undefined) {
    const pem = await readIfExists(o.publicKeyFile);
    if (pem === undefined)
      throw new StsctlError('PUBLIC_KEY_MISSING', 'the new public key file does not exist', {
        file: o.publicKeyFile,
      });
    return { publicKey: readPublicKeyPem(pem, o.publicKeyFile), files: [] };
  }
  const privatePath = join(o.outputDir, NEXT_KEY_DIR, PRIVATE_KEY_FILE);
  let privatePem = await readIfExists(privatePath);
  if (privatePem !== undefined) {
    reporter.emit('rotation.next-key-reused', { dir: join(o.outputDir, NEXT_KEY_DIR) });
  } else if (o.dryRun) {
    // Nothing is generated or written in a dry run.
    return { publicKey: undefined, files: [] };
  } else {
    privatePem = (await reporter.task('key-pair.generate', { bits: 4096 }, () => generateRsaKeyPair()))
      .privateKeyPem;
  }
  const info = readPrivateKeyPem(privatePem, privatePath);
  const publicPem = publicKeyToPem(info.publicKey.key);
  return {
    publicKey: info.publicKey,
    files: [
      { path: `${NEXT_KEY_DIR}/${PRIVATE_KEY_FILE}`, content: privatePem, mode: MODE_PRIVATE, secret: true },
      { path: `${NEXT_KEY_DIR}/${PUBLIC_KEY_FILE}`, content: publicPem, mode: MODE_PUBLIC },
      {
        path: `${NEXT_KEY_DIR}/${NEXT_SIGNER_SECRET_PATH}`,
        content: nextSignerSecret(privatePem, publicPem),
        mode: MODE_PRIVATE,
        secret: true,
      },
    ],
  };
}

/** Step 1: publish a new key next to the current ones. */
export async function addRotationKey(
  o: RotateCommon & { readonly publicKeyFile?: string | undefined },
  reporter: Reporter,
  deps: CommandDeps = {},
): Promise<RotationResult> {
  validateName(o.name);
  validateRegion(o.region);
  const bucket = bucketName(o.name);
  const next = await nextKey(o, reporter);
  return withCommandClients(o, deps, async (clients) => {
    const published = await publishedJwks(clients, o.name, bucket);
    if (next.publicKey === undefined) {
      reporter.emit('rotation.next-key-planned', { dir: join(o.outputDir, NEXT_KEY_DIR) });
      return {
        bucket,
        before: kids(published),
        after: [...kids(published), NEW_KEY],
        added: [NEW_KEY],
        removed: [],
        changed: true,
        written: [],
      };
    }
    const merged = mergeJwks(published, buildJwks([next.publicKey]));
    const changed = merged.added.length > 0;
    const written = o.dryRun ? [] : await writeOutputFiles(o.outputDir, next.files);
    if (changed && !o.dryRun) {
      await upload(clients, bucket, o.name, merged.jwks);
      reporter.emit('rotation.key-published', {
        kid: next.publicKey.kid,
        alongside: kids(published),
        location: `s3://${bucket}/${JWKS_OBJECT_KEY}`,
      });
    } else if (!changed) {
      reporter.emit('rotation.key-already-published', {
        kid: next.publicKey.kid,
        location: `s3://${bucket}/${JWKS_OBJECT_KEY}`,
      });
    }
    return {
      bucket,
      before: kids(published),
      after: kids(merged.jwks),
      added: merged.added,
      removed: [],
      changed,
      written,
      nextKid: next.publicKey.kid,
    };
  });
}

/** Step 3: unpublish old keys; promote `next/` when the output directory's key is retired. */
export async function retireRotationKeys(
  o: RotateCommon & { readonly kids: readonly string[] },
  reporter: Reporter,
  deps: CommandDeps = {},
): Promise<RotationResult> {
  validateName(o.name);
  validateRegion(o.region);
  if (o.kids.length === 0) throw new StsctlError('INVALID_FLAG', 'give at least one --kid to retire');
  const bucket = bucketName(o.name);

  // The output directory: its current key, and the next key that would replace it.
  const currentPublic = await readIfExists(join(o.outputDir, PUBLIC_KEY_FILE));
  const currentKid =
    currentPublic === undefined
      ? undefined
      : readPublicKeyPem(currentPublic, join(o.outputDir, PUBLIC_KEY_FILE)).kid;
  const nextPrivatePath = join(o.outputDir, NEXT_KEY_DIR, PRIVATE_KEY_FILE);
  const nextPrivate = await readIfExists(nextPrivatePath);
  const nextInfo = nextPrivate === undefined ? undefined : readPrivateKeyPem(nextPrivate, nextPrivatePath);
  const promote = currentKid !== undefined && o.kids.includes(currentKid);
  if (promote && nextInfo === undefined) {
    throw new StsctlError(
      'RETIRING_CURRENT_KEY',
      `the key in ${o.outputDir} (kid ${currentKid}) is the one being retired, and there is no next key in ${join(o.outputDir, NEXT_KEY_DIR)} to take its place`,
      {
        file: join(o.outputDir, PUBLIC_KEY_FILE),
        hint: 'a later create-all would publish the retired key again: run stsctl rotate-keys add first, or give the --output-dir that holds the new key',
      },
    );
  }

  return withCommandClients(o, deps, async (clients) => {
    const published = await publishedJwks(clients, o.name, bucket);
    const present = kids(published);
    const unknown = o.kids.filter((k) => !present.includes(k));
    if (unknown.length > 0) {
      throw new StsctlError(
        'KID_NOT_PUBLISHED',
        `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in s3://${bucket}/${JWKS_OBJECT_KEY} (published: ${present.join(', ')})`,
        { path: '--kid' },
      );
    }
    const remaining = removeKeys(published, o.kids);
    if (remaining.keys.length === 0) {
      throw new StsctlError(
        'RETIRING_EVERY_KEY',
        `retiring ${o.kids.join(', ')} would leave s3://${bucket}/${JWKS_OBJECT_KEY} without keys: every token would be refused`,
        { path: '--kid', hint: 'publish the new key first: stsctl rotate-keys add' },
      );
    }
    if (promote && nextInfo !== undefined && !kids(remaining).includes(nextInfo.publicKey.kid)) {
      throw new StsctlError(
        'NEXT_KEY_NOT_PUBLISHED',
        `the next key in ${join(o.outputDir, NEXT_KEY_DIR)} (kid ${nextInfo.publicKey.kid}) is not published; retiring ${currentKid} would leave the cluster's new tokens unverifiable`,
        { hint: 'run stsctl rotate-keys add first' },
      );
    }
    const result = {
      bucket,
      before: present,
      after: kids(remaining),
      added: [],
      removed: [...o.kids],
      changed: true,
      ...(promote && nextInfo !== undefined ? { nextKid: nextInfo.publicKey.kid } : {}),
    };
    if (o.dryRun) return { ...result, written: [] };
    await upload(clients, bucket, o.name, remaining);
    reporter.emit('rotation.keys-retired', {
      kids: o.kids,
      published: kids(remaining),
      location: `s3://${bucket}/${JWKS_OBJECT_KEY}`,
    });

    let retiredTo: string | undefined;
    const written: WriteOutcome[] = [];
    if (promote && nextInfo !== undefined && nextPrivate !== undefined) {
      retiredTo = join(o.outputDir, RETIRED_KEY_DIR, currentKid);
      await mkdir(join(retiredTo, 'tls'), { recursive: true, mode: 0o700 });
      for (const rel of [PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, SIGNING_KEY_TLS_PATH]) {
        const from = join(o.outputDir, rel);
        if ((await readIfExists(from)) !== undefined) await rename(from, join(retiredTo, rel));
      }
      const publicPem = publicKeyToPem(nextInfo.publicKey.key);
      written.push(
        ...(await writeOutputFiles(o.outputDir, [
          { path: PRIVATE_KEY_FILE, content: nextPrivate, mode: MODE_PRIVATE, secret: true },
          { path: PUBLIC_KEY_FILE, content: publicPem, mode: MODE_PUBLIC },
          { path: SIGNING_KEY_TLS_PATH, content: nextPrivate, mode: MODE_PRIVATE, secret: true },
        ])),
      );
      await rm(join(o.outputDir, NEXT_KEY_DIR), { recursive: true, force: true });
      reporter.emit('rotation.key-promoted', {
        kid: nextInfo.publicKey.kid,
        outputDir: o.outputDir,
        retiredTo,
      });
    }
    return { ...result, written, ...(retiredTo === undefined ? {} : { retiredTo }) };
  });
}
