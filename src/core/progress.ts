/**
 * Progress events: what library operations tell their caller while they run, as data with a
 * stable `code` (e.g. `role.created`) and typed `data`, so a library caller reacts to
 * `{ code: 'role.created', data: { roleName, arn } }` instead of parsing prose. The human text is
 * derived from the event by {@link progressText} alone; the CLI prints exactly that text, which
 * keeps ccoctl's wording where ccoctl has one (ccoctl.md §3: "Identity Provider created with ARN").
 *
 * Events never carry secrets: paths and identifiers only, never key material or credentials.
 */

/** How loud an event is: `info` by default, `warn` always shown, `debug` only with `--verbose`. */
export type ProgressLevel = 'info' | 'warn' | 'debug';

/** Issuer hosting as the events name it. */
type Hosting = 'public' | 'cloudfront' | 'lambda';

/** Every event code and the data it carries. */
export interface ProgressEvents {
  // Local files and keys (create-key-pair, create-* dry runs, create-all).
  'key-pair.reused': { readonly path: string };
  'key-pair.generating': Record<string, never>;
  /** A `task`: key generation takes a few seconds. */
  'key-pair.generate': { readonly bits: number };
  'key-pair.private-written': { readonly path: string };
  'key-pair.public-written': { readonly path: string };
  'key-pair.signing-key-copied': Record<string, never>;
  'file.saving': { readonly file: string; readonly path: string };
  'file.written': { readonly action: string; readonly path: string; readonly mode: number };
  'credentials-request.skipped': {
    readonly file: string;
    readonly document: number;
    readonly item: number | undefined;
    readonly level: 'warning' | 'info' | 'debug';
    readonly message: string;
  };
  'credentials-request.feature-gated': {
    readonly namespace: string;
    readonly name: string;
    readonly featureGates: readonly string[];
  };
  'role.name-shortened': { readonly full: string; readonly roleName: string };
  'issuer.url': { readonly issuer: string };
  'credentials-secret.written': { readonly path: string };
  'authentication-manifest.written': { readonly path: string };
  'custom-domain.dns-needed': { readonly name: string; readonly type: string; readonly value: string };
  'thumbprint.unavailable': { readonly issuer: string; readonly problem: string };
  /**
   * A self-hosted issuer's TLS chain as read live: trusted by AWS's CA library (no thumbprint
   * needed), or not (the top CA certificate the server sends is pinned).
   */
  'thumbprint.selected': {
    readonly issuer: string;
    readonly via: 'ca-library' | 'pinned';
    readonly thumbprint: string | undefined;
    readonly subject: string | undefined;
  };

  // Provisioning (src/aws/apply).
  'bucket.created': { readonly bucket: string };
  'public-access-block.set': { readonly bucket: string; readonly hosting: Hosting };
  'bucket-policy.set': {
    readonly bucket: string;
    readonly hosting: Hosting;
    readonly distributionId: string | undefined;
  };
  'origin-access-control.created': { readonly id: string };
  'distribution.created': { readonly id: string };
  'distribution.updated': { readonly id: string; readonly fields: readonly string[] };
  'distribution.found': { readonly id: string; readonly bucket: string };
  /** A `task`, then progress events while CloudFront deploys. */
  'distribution.deploying': { readonly id: string };
  'distribution.still-deploying': { readonly id: string; readonly elapsedMs: number };
  'distribution.deployed': { readonly id: string };
  /** A part of `--hosting lambda` (function role, function, URL, resource policy) created or updated. */
  'issuer-function.applied': {
    readonly kind: string;
    readonly id: string;
    readonly action: 'created' | 'updated';
    readonly fields: readonly string[];
  };
  'discovery-document.uploaded': { readonly bucket: string; readonly key: string };
  /** A self-hosted issuer's documents written for the operator's server. */
  'issuer-documents.written': {
    readonly location: string;
    readonly documents: readonly string[];
    readonly notes: readonly string[];
  };
  'jwks.uploaded': { readonly bucket: string; readonly key: string; readonly notes: readonly string[] };
  'oidc-provider.created': { readonly arn: string };
  'oidc-provider.found': { readonly arn: string };
  'oidc-provider.updated': { readonly arn: string; readonly fields: readonly string[] };
  'role.created': { readonly roleName: string; readonly arn: string };
  'role.found': { readonly roleName: string; readonly arn: string };
  'role.updated': { readonly roleName: string; readonly arn: string; readonly fields: readonly string[] };

  // Deletion (src/aws/delete).
  'resource.deleted': { readonly kind: string; readonly id: string };
  'resource.not-deleted': { readonly kind: string; readonly id: string; readonly reason: string };
  'bucket.kept-foreign-objects': { readonly bucket: string; readonly keys: readonly string[] };
  'distribution.disabled': { readonly id: string };

  // Key rotation (src/commands/rotate-keys).
  'rotation.next-key-reused': { readonly dir: string };
  'rotation.next-key-planned': { readonly dir: string };
  'rotation.key-published': {
    readonly kid: string;
    readonly alongside: readonly string[];
    readonly location: string;
  };
  'rotation.key-already-published': { readonly kid: string; readonly location: string };
  'rotation.keys-retired': {
    readonly kids: readonly string[];
    readonly published: readonly string[];
    readonly location: string;
  };
  'rotation.key-promoted': { readonly kid: string; readonly outputDir: string; readonly retiredTo: string };
}

export type ProgressCode = keyof ProgressEvents;

/** One event: its code and the data of that code. */
export type ProgressEvent = {
  readonly [C in ProgressCode]: { readonly code: C; readonly data: ProgressEvents[C] };
}[ProgressCode];

interface Rendering<C extends ProgressCode> {
  readonly level: ProgressLevel | ((data: ProgressEvents[C]) => ProgressLevel);
  readonly text: (data: ProgressEvents[C]) => string;
}

/** The one place each event becomes words. */
const RENDERING: { readonly [C in ProgressCode]: Rendering<C> } = {
  'key-pair.reused': { level: 'info', text: (d) => `Using existing RSA keypair found at ${d.path}` },
  'key-pair.generating': { level: 'info', text: () => 'Generating RSA keypair' },
  'key-pair.generate': { level: 'debug', text: (d) => `Generating a ${d.bits}-bit RSA key pair` },
  'key-pair.private-written': { level: 'info', text: (d) => `Writing private key to ${d.path}` },
  'key-pair.public-written': { level: 'info', text: (d) => `Writing public key to ${d.path}` },
  'key-pair.signing-key-copied': { level: 'info', text: () => 'Copying signing key for use by installer' },
  'file.saving': { level: 'info', text: (d) => `Saving ${d.file} locally at ${d.path}` },
  'file.written': { level: 'debug', text: (d) => `${d.action} ${d.path} (mode ${d.mode.toString(8)})` },
  'credentials-request.skipped': {
    level: (d) => (d.level === 'warning' ? 'warn' : d.level),
    text: (d) => {
      const where = `${d.file} document ${d.document}${d.item === undefined ? '' : ` item ${d.item}`}`;
      if (d.level === 'warning') return `${d.message} (${where})`;
      return d.level === 'info' ? d.message : `${where}: ${d.message}`;
    },
  },
  'credentials-request.feature-gated': {
    level: 'warn',
    text: (d) =>
      `CredentialsRequest ${d.namespace}/${d.name} is feature-gated (${d.featureGates.join(', ')}): processed like ccoctl does; its component runs only where those gates are enabled`,
  },
  'role.name-shortened': {
    level: 'info',
    text: (d) => `Role name ${d.full} is longer than 64 characters; using ${d.roleName}`,
  },
  'issuer.url': { level: 'info', text: (d) => `Issuer URL (serviceAccountIssuer) is ${d.issuer}` },
  'credentials-secret.written': {
    level: 'info',
    text: (d) => `Saved credentials configuration to: ${d.path}`,
  },
  'authentication-manifest.written': {
    level: 'info',
    text: (d) => `Wrote cluster authentication manifest at path ${d.path}`,
  },
  'custom-domain.dns-needed': {
    level: 'info',
    text: (d) =>
      `Custom domain: ${d.name} must resolve to the CloudFront distribution ${d.value} (DNS ${d.type} record, or a Route 53 alias record)`,
  },
  'thumbprint.unavailable': {
    level: 'warn',
    text: (d) =>
      `could not read the TLS chain of ${d.issuer} (${d.problem}); IAM will compute the thumbprint itself`,
  },
  'thumbprint.selected': {
    level: 'info',
    text: (d) =>
      d.via === 'ca-library'
        ? `The TLS chain of ${d.issuer} is trusted by the public CA library: no thumbprint is needed`
        : `The TLS chain of ${d.issuer} is not publicly trusted: pinning the thumbprint ${d.thumbprint ?? ''} of its top CA certificate (${d.subject ?? ''})`,
  },
  'issuer-documents.written': {
    level: 'info',
    text: (d) =>
      `Issuer documents (${d.documents.join(', ')}) written to ${d.location}: serve them at the issuer URL (stsctl serve --issuer-dir ${d.location})${d.notes.length > 0 ? `; ${d.notes.join('; ')}` : ''}`,
  },
  'bucket.created': { level: 'info', text: (d) => `Bucket ${d.bucket} created` },
  'public-access-block.set': {
    level: 'info',
    text: (d) =>
      d.hosting === 'public'
        ? `Blocked public ACLs for the bucket ${d.bucket}`
        : `Blocked public access for the bucket ${d.bucket}`,
  },
  'bucket-policy.set': {
    level: 'info',
    text: (d) =>
      d.hosting === 'public'
        ? `Bucket policy of ${d.bucket} allows anonymous reads of the two issuer documents only`
        : `Bucket policy of ${d.bucket} allows only CloudFront distribution ${d.distributionId ?? ''}`,
  },
  'origin-access-control.created': {
    level: 'info',
    text: (d) => `CloudFront origin access control created with ID ${d.id}`,
  },
  'distribution.created': { level: 'info', text: (d) => `CloudFront distribution created with ID ${d.id}` },
  'distribution.updated': {
    level: 'info',
    text: (d) => `CloudFront distribution ${d.id} updated: ${d.fields.join(', ')}`,
  },
  'distribution.found': {
    level: 'info',
    text: (d) => `Found existing CloudFront distribution ${d.id} for S3 bucket ${d.bucket}`,
  },
  'distribution.deploying': {
    level: 'debug',
    text: (d) => `Waiting for CloudFront distribution ${d.id} to deploy`,
  },
  'distribution.still-deploying': {
    level: 'debug',
    text: (d) => `CloudFront distribution ${d.id} is still deploying (${Math.round(d.elapsedMs / 1000)} s)`,
  },
  'distribution.deployed': {
    level: 'info',
    text: (d) => `CloudFront distribution with ID ${d.id} is successfully deployed`,
  },
  'issuer-function.applied': {
    level: 'info',
    text: (d) => `${d.kind} ${d.id} ${d.action}${d.fields.length > 0 ? `: ${d.fields.join(', ')}` : ''}`,
  },
  'discovery-document.uploaded': {
    level: 'info',
    text: (d) => `OpenID Connect discovery document in the S3 bucket ${d.bucket} at ${d.key} updated`,
  },
  'jwks.uploaded': {
    level: 'info',
    text: (d) =>
      `JSON web key set (JWKS) in the S3 bucket ${d.bucket} at ${d.key} updated${d.notes.length > 0 ? ` (${d.notes.join('; ')})` : ''}`,
  },
  'oidc-provider.created': { level: 'info', text: (d) => `Identity Provider created with ARN: ${d.arn}` },
  'oidc-provider.found': {
    level: 'info',
    text: (d) => `Existing Identity Provider found with ARN: ${d.arn}`,
  },
  'oidc-provider.updated': {
    level: 'info',
    text: (d) => `Identity Provider ${d.arn} updated: ${d.fields.join(', ')}`,
  },
  'role.created': { level: 'info', text: (d) => `Role ${d.roleName} created` },
  'role.found': { level: 'info', text: (d) => `Existing role ${d.roleName} found` },
  'role.updated': { level: 'info', text: (d) => `Role ${d.roleName} updated: ${d.fields.join(', ')}` },
  'resource.deleted': { level: 'info', text: (d) => `Deleted ${d.kind} ${d.id}` },
  'resource.not-deleted': { level: 'warn', text: (d) => d.reason },
  'bucket.kept-foreign-objects': {
    level: 'warn',
    text: (d) =>
      `bucket ${d.bucket} holds objects without the ownership tag (${d.keys.join(', ')}): left alone, so the bucket stays`,
  },
  'distribution.disabled': {
    level: 'info',
    text: (d) => `Disabled CloudFront distribution ${d.id}; waiting for it to deploy before deleting it`,
  },
  'rotation.next-key-reused': { level: 'info', text: (d) => `Using the next key pair already in ${d.dir}` },
  'rotation.next-key-planned': {
    level: 'info',
    text: (d) => `A new 4096-bit RSA key pair would be generated in ${d.dir} and published`,
  },
  'rotation.key-published': {
    level: 'info',
    text: (d) => `Published key ${d.kid} next to ${d.alongside.join(', ')} in ${d.location}`,
  },
  'rotation.key-already-published': {
    level: 'info',
    text: (d) => `Key ${d.kid} is already published in ${d.location}`,
  },
  'rotation.keys-retired': {
    level: 'info',
    text: (d) => `Retired ${d.kids.join(', ')} from ${d.location}; published: ${d.published.join(', ')}`,
  },
  'rotation.key-promoted': {
    level: 'info',
    text: (d) =>
      `Promoted the next key ${d.kid} into ${d.outputDir}; the retired key files are in ${d.retiredTo}`,
  },
};

function rendering(event: ProgressEvent): Rendering<ProgressCode> {
  // The table is indexed by the event's own code, so its functions accept the event's data; TypeScript
  // cannot correlate the two through a union, hence the widening.
  return RENDERING[event.code] as unknown as Rendering<ProgressCode>;
}

/** The words a person reads for `event` (the CLI prints exactly this). */
export function progressText(event: ProgressEvent): string {
  return rendering(event).text(event.data);
}

/** How loud `event` is: `warn` is always shown, `debug` only when verbose. */
export function progressLevel(event: ProgressEvent): ProgressLevel {
  const level = rendering(event).level;
  return typeof level === 'function' ? level(event.data) : level;
}

/** Builds an event, checking `data` against `code`. */
export function progressEvent<C extends ProgressCode>(code: C, data: ProgressEvents[C]): ProgressEvent {
  return { code, data } as ProgressEvent;
}
