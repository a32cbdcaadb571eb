import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AwsClients } from '../aws/clients.js';
import { observeBucket } from '../aws/observe.js';
import { putIssuerObject } from '../aws/operations.js';
import { FLEET_TAG_KEY, isFleetTagged } from '../aws/plan/fleet.js';
import { StsctlError } from '../core/errors.js';
import { parseDiscoveryDocument } from '../core/discovery.js';
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
import { SELF_HOSTED_DOCUMENTS_DIR, directoryDocuments } from './self-hosting.js';

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
 *
 * Where `keys.json` is rewritten follows the hosting: `<name>-oidc/keys.json` (public S3,
 * CloudFront, Lambda: the function serves from that bucket); `<fleet>-oidc/<name>/keys.json` for
 * a fleet member (`--shared-issuer`), never another member's object; `<output-dir>/issuer/keys.json`
 * for a self-hosted issuer (`--hosting self`), which the operator's server publishes —
 * `stsctl serve --issuer-dir` re-reads its files on change (src/serve/server.ts polls them).
 */

export const NEXT_KEY_DIR = 'next';
export const RETIRED_KEY_DIR = 'retired';
export const NEXT_SIGNER_SECRET_PATH = 'manifests/next-bound-service-account-signing-key.yaml';

/** Stands for the key a dry run would generate. */
export const NEW_KEY = '(new key)';

const MODE_PRIVATE = 0o600;
const MODE_PUBLIC = 0o644;

/**
 * `--hosting` of the issuer whose key rotates. `public`, `cloudfront` and `lambda` all publish
 * `keys.json` in the bucket `<name>-oidc` (the Lambda function serves from that bucket, the
 * distribution reads it through OAC), so they rotate alike; `self` rotates the file the operator's
 * server serves.
 */
export type RotationHosting = 'public' | 'cloudfront' | 'lambda' | 'self';

export interface RotateCommon {
  readonly name: string;
  /** The issuer bucket's region; a self-hosted issuer needs none (its rotation calls no AWS API). */
  readonly region?: string | undefined;
  readonly outputDir: string;
  readonly dryRun: boolean;
  readonly profile?: string | undefined;
  /** Default `public` (any bucket hosting). */
  readonly hosting?: RotationHosting | undefined;
  /** `--shared-issuer <fleet>`: the cluster is a member of that fleet issuer (src/aws/plan/fleet.ts). */
  readonly sharedIssuer?: string | undefined;
}

export interface RotationResult {
  /** The issuer bucket (absent for a self-hosted issuer). */
  readonly bucket?: string;
  /** Where `keys.json` is published: `s3://<bucket>/<key>`, or the self-hosted file's path. */
  readonly location: string;
  /** Self-hosted: the URL the operator's server serves the file at (the discovery document's `jwks_uri`). */
  readonly publishAt?: string;
  /** kids published before and after, in keys.json order. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** keys.json was (or, with --dry-run, would be) rewritten. */
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

/** Where the cluster's `keys.json` lives. */
type JwksTarget =
  | {
      readonly kind: 's3';
      readonly region: string;
      readonly bucket: string;
      /** `keys.json`, or `<cluster>/keys.json` in a fleet's bucket. */
      readonly key: string;
      readonly fleet?: string;
      readonly location: string;
    }
  | { readonly kind: 'file'; readonly dir: string; readonly location: string };

/** The self-hosted `keys.json`, relative to the output directory (`/`-separated, as the writer takes it). */
const SELF_HOSTED_JWKS_PATH = `${SELF_HOSTED_DOCUMENTS_DIR}/${JWKS_OBJECT_KEY}`;

/**
 * The `keys.json` the flags designate, or a usage error for flags that do not go together. Pure.
 * A fleet is CloudFront-hosted only and its members' names differ from the fleet's (the same rules
 * as `create-all --shared-issuer`, src/commands/provision.ts).
 */
function jwksTarget(o: RotateCommon): JwksTarget {
  validateName(o.name);
  if (o.region !== undefined) validateRegion(o.region);
  const hosting = o.hosting ?? (o.sharedIssuer === undefined ? 'public' : 'cloudfront');
  if (o.sharedIssuer !== undefined) {
    if (hosting !== 'cloudfront') {
      throw new StsctlError(
        'INVALID_HOSTING',
        `--shared-issuer needs --hosting cloudfront (a fleet's documents are served by its one distribution); got --hosting ${hosting}`,
        { path: '--shared-issuer' },
      );
    }
    validateName(o.sharedIssuer, '--shared-issuer');
    if (o.sharedIssuer === o.name) {
      throw new StsctlError(
        'INVALID_SHARED_ISSUER',
        `--name "${o.name}" is the fleet's own name; give the name of the member cluster whose key rotates`,
        { path: '--name' },
      );
    }
  }
  if (hosting === 'self') {
    const dir = join(o.outputDir, SELF_HOSTED_DOCUMENTS_DIR);
    return { kind: 'file', dir, location: join(dir, JWKS_OBJECT_KEY) };
  }
  if (o.region === undefined) {
    throw new StsctlError('MISSING_FLAG', '--region is required (the region of the issuer bucket)', {
      path: '--region',
      hint: 'give the --region the issuer was created in; only --hosting self needs none',
    });
  }
  const fleet = o.sharedIssuer;
  const bucket = bucketName(fleet ?? o.name);
  // A fleet member's documents live under its own prefix (src/aws/plan/fleet.ts documentPrefix).
  const key = fleet === undefined ? JWKS_OBJECT_KEY : `${o.name}/${JWKS_OBJECT_KEY}`;
  return {
    kind: 's3',
    region: o.region,
    bucket,
    key,
    ...(fleet === undefined ? {} : { fleet }),
    location: `s3://${bucket}/${key}`,
  };
}

/** The published keys and how to rewrite them. */
interface Published {
  readonly target: JwksTarget;
  readonly jwks: Jwks;
  readonly publishAt?: string;
  /**
   * Rewrites `keys.json` with `jwks`, after writing `files` to the output directory. A self-hosted
   * `keys.json` is a file of the output directory too: it goes in the same transactional write
   * (all the files or none, src/files/output-writer.ts).
   */
  publish(jwks: Jwks, files: readonly OutputFile[]): Promise<WriteOutcome[]>;
}

function parsePublished(body: string, source: string): Jwks {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new StsctlError('PUBLISHED_JWKS_INVALID', `the published ${JWKS_OBJECT_KEY} is not JSON`, {
      file: source,
    });
  }
  return parseJwks(parsed, source);
}

/** `create-identity-provider` with the flags of this rotation: what publishes the issuer. */
function publishCommand(o: RotateCommon, region: string): string {
  const fleet = o.sharedIssuer === undefined ? '' : ` --hosting cloudfront --shared-issuer ${o.sharedIssuer}`;
  const hosting = o.sharedIssuer === undefined && o.hosting !== undefined ? ` --hosting ${o.hosting}` : '';
  return `stsctl create-identity-provider --name ${o.name} --region ${region}${hosting}${fleet}`;
}

async function bucketKeys(
  o: RotateCommon,
  t: Extract<JwksTarget, { kind: 's3' }>,
  clients: AwsClients,
): Promise<Published> {
  const prefix = t.fleet === undefined ? '' : `${o.name}/`;
  const observed = await observeBucket(clients, t.bucket, prefix);
  if (observed.exists && observed.region !== undefined && observed.region !== clients.region) {
    // observe reads nothing more of a bucket in another region (S3 serves it only from there).
    throw new StsctlError(
      'BUCKET_REGION_MISMATCH',
      `the bucket ${t.bucket} exists in ${observed.region}, not in ${clients.region} (--region)`,
      { path: '--region', hint: `run with --region ${observed.region}` },
    );
  }
  // A fleet's bucket carries the fleet's tag (src/aws/plan/fleet.ts fleetTags): without it the
  // bucket is not that fleet's, and its `<name>/keys.json` is nobody's to rotate.
  if (t.fleet !== undefined && (!observed.exists || !isFleetTagged(observed.tags, t.fleet))) {
    throw new StsctlError(
      'FLEET_NOT_FOUND',
      `no fleet issuer "${t.fleet}" in ${t.region}: the bucket ${t.bucket} does not exist or is not tagged ${FLEET_TAG_KEY}=${t.fleet}`,
      { path: '--shared-issuer' },
    );
  }
  if (!observed.exists || observed.jwks === undefined) {
    // An output directory with a self-hosted issuer's documents says what was meant.
    const selfHosted = await readIfExists(join(o.outputDir, SELF_HOSTED_DOCUMENTS_DIR, JWKS_OBJECT_KEY));
    throw new StsctlError('NO_PUBLISHED_KEYS', `no ${t.key} is published in the bucket ${t.bucket}`, {
      hint:
        selfHosted !== undefined && o.hosting === undefined && t.fleet === undefined
          ? `${o.outputDir} holds the documents of a self-hosted issuer (${SELF_HOSTED_JWKS_PATH}): run with --hosting self`
          : `publish the issuer first: ${publishCommand(o, t.region)}`,
    });
  }
  return {
    target: t,
    jwks: parsePublished(observed.jwks.body, t.location),
    async publish(jwks, files) {
      const written = files.length === 0 ? [] : await writeOutputFiles(o.outputDir, files);
      // The object as create-all and the fleet applier write it (src/aws/apply/documents.ts):
      // `application/json` and the cluster's own ownership tag, also in a fleet's bucket.
      await putIssuerObject(clients, t.bucket, o.name, t.key, renderJwks(jwks));
      return written;
    },
  };
}

async function fileKeys(o: RotateCommon, t: Extract<JwksTarget, { kind: 'file' }>): Promise<Published> {
  const documents = await directoryDocuments(t.dir).read();
  if (documents.jwks === undefined) {
    throw new StsctlError('NO_SELF_HOSTED_KEYS', `no ${JWKS_OBJECT_KEY} in ${t.dir}`, {
      file: t.location,
      hint: `give the --output-dir that create-all --hosting self wrote to, or write the documents first: stsctl create-identity-provider --name ${o.name} --hosting self --issuer-url … --output-dir ${o.outputDir}`,
    });
  }
  let publishAt: string | undefined;
  if (documents.discovery !== undefined) {
    try {
      publishAt = parseDiscoveryDocument(JSON.parse(documents.discovery.body)).jwks_uri;
    } catch {
      // Only used to tell the operator where the file is served; the doctor judges the document.
      publishAt = undefined;
    }
  }
  return {
    target: t,
    jwks: parsePublished(documents.jwks.body, t.location),
    ...(publishAt === undefined ? {} : { publishAt }),
    async publish(jwks, files) {
      return writeOutputFiles(o.outputDir, [
        ...files,
        { path: SELF_HOSTED_JWKS_PATH, content: renderJwks(jwks), mode: MODE_PUBLIC },
      ]);
    },
  };
}

/**
 * Runs `work` with the cluster's published keys: read from the bucket (AWS clients built for it)
 * or, self-hosted, from the output directory (no AWS call at all).
 */
async function withPublishedKeys<T>(
  o: RotateCommon,
  target: JwksTarget,
  deps: CommandDeps,
  work: (published: Published) => Promise<T>,
): Promise<T> {
  if (target.kind === 'file') return work(await fileKeys(o, target));
  return withCommandClients({ region: target.region, profile: o.profile }, deps, async (clients) =>
    work(await bucketKeys(o, target, clients)),
  );
}

/** The result's fields that say where the keys are. */
function whereOf(p: Published): Pick<RotationResult, 'bucket' | 'location' | 'publishAt'> {
  return {
    ...(p.target.kind === 's3' ? { bucket: p.target.bucket } : {}),
    location: p.target.location,
    ...(p.publishAt === undefined ? {} : { publishAt: p.publishAt }),
  };
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
  const target = jwksTarget(o);
  const next = await nextKey(o, reporter);
  return withPublishedKeys(o, target, deps, async (published) => {
    const where = whereOf(published);
    const before = kids(published.jwks);
    if (next.publicKey === undefined) {
      reporter.emit('rotation.next-key-planned', { dir: join(o.outputDir, NEXT_KEY_DIR) });
      return {
        ...where,
        before,
        after: [...before, NEW_KEY],
        added: [NEW_KEY],
        removed: [],
        changed: true,
        written: [],
      };
    }
    const merged = mergeJwks(published.jwks, buildJwks([next.publicKey]));
    const changed = merged.added.length > 0;
    let written: WriteOutcome[] = [];
    if (changed && !o.dryRun) {
      written = await published.publish(merged.jwks, next.files);
      reporter.emit('rotation.key-published', {
        kid: next.publicKey.kid,
        alongside: before,
        location: where.location,
      });
    } else if (!o.dryRun) {
      written = await writeOutputFiles(o.outputDir, next.files);
    }
    if (!changed) {
      reporter.emit('rotation.key-already-published', { kid: next.publicKey.kid, location: where.location });
    }
    return {
      ...where,
      before,
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
  const target = jwksTarget(o);
  if (o.kids.length === 0) throw new StsctlError('INVALID_FLAG', 'give at least one --kid to retire');

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

  return withPublishedKeys(o, target, deps, async (published) => {
    const where = whereOf(published);
    const present = kids(published.jwks);
    const unknown = o.kids.filter((k) => !present.includes(k));
    if (unknown.length > 0) {
      throw new StsctlError(
        'KID_NOT_PUBLISHED',
        `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in ${where.location} (published: ${present.join(', ')})`,
        { path: '--kid' },
      );
    }
    const remaining = removeKeys(published.jwks, o.kids);
    if (remaining.keys.length === 0) {
      throw new StsctlError(
        'RETIRING_EVERY_KEY',
        `retiring ${o.kids.join(', ')} would leave ${where.location} without keys: every token would be refused`,
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
      ...where,
      before: present,
      after: kids(remaining),
      added: [],
      removed: [...o.kids],
      changed: true,
      ...(promote && nextInfo !== undefined ? { nextKid: nextInfo.publicKey.kid } : {}),
    };
    if (o.dryRun) return { ...result, written: [] };
    const written = await published.publish(remaining, []);
    reporter.emit('rotation.keys-retired', {
      kids: o.kids,
      published: kids(remaining),
      location: where.location,
    });

    let retiredTo: string | undefined;
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
