import { createHash } from 'node:crypto';
import { StsctlError } from './errors.js';

/**
 * Resource names, compatible with ccoctl (ccoctl.md §3.7, §9): bucket `<name>-oidc`, role
 * `<name>-<ns>-<secret>`. ccoctl cuts role names at 64 characters with no check, which makes two
 * CredentialsRequests share (and overwrite) one role for names of 45 characters or more. stsctl
 * keeps the full name when it fits and otherwise appends a hash of the full name, so distinct
 * requests never share a role.
 */

/** IAM's limit on role (and inline policy) names. */
export const MAX_ROLE_NAME_LENGTH = 64;
/** S3's limit on bucket names. */
export const MAX_BUCKET_NAME_LENGTH = 63;
export const BUCKET_SUFFIX = '-oidc';
/** The longest `--name` whose bucket `<name>-oidc` still fits S3's limit. */
export const MAX_NAME_LENGTH = MAX_BUCKET_NAME_LENGTH - BUCKET_SUFFIX.length;

const DNS_LABEL_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * Checks `--name`: a lowercase DNS label (letters, digits, `-`; no dots, because S3's wildcard
 * certificate does not cover dotted bucket names) short enough for `<name>-oidc` to be a bucket name.
 */
export function validateName(name: string, flag = '--name'): string {
  if (name === '') throw new StsctlError('INVALID_NAME', `${flag} must not be empty`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new StsctlError(
      'INVALID_NAME',
      `${flag} "${name}" is ${name.length} characters; at most ${MAX_NAME_LENGTH} fit, because the bucket "${name}${BUCKET_SUFFIX}" must be at most ${MAX_BUCKET_NAME_LENGTH}`,
    );
  }
  if (!DNS_LABEL_RE.test(name)) {
    throw new StsctlError(
      'INVALID_NAME',
      `${flag} "${name}" must be a lowercase DNS label: a-z, 0-9 and "-", starting and ending with a letter or digit`,
    );
  }
  return name;
}

/** `<name>-oidc`. */
export function bucketName(name: string): string {
  return `${name}${BUCKET_SUFFIX}`;
}

/** How to shorten role names over 64 characters. */
export type RoleNameMode = 'hash' | 'ccoctl';

/** Length of the hex hash suffix appended to shortened role names. */
export const ROLE_NAME_HASH_LENGTH = 8;

export interface RoleName {
  /** `<name>-<ns>-<secret>`, uncut; used in dry-run file names, like ccoctl. */
  readonly full: string;
  /** The IAM role (and inline policy) name. */
  readonly name: string;
  /** True when `name` differs from `full`. */
  readonly shortened: boolean;
}

/**
 * The role name for one CredentialsRequest.
 *
 * `hash` (default): names of at most 64 characters are kept; longer ones become the first
 * 55 characters, `-`, and the first 8 hex digits of SHA-256 over the full name. Deterministic, so
 * re-runs and other machines find the same role. `ccoctl`: the plain 64-character cut ccoctl
 * makes, for adopting roles ccoctl created (collisions are then caught by {@link assertUniqueRoleNames}).
 */
export function roleName(
  name: string,
  namespace: string,
  secretName: string,
  mode: RoleNameMode = 'hash',
): RoleName {
  const full = `${name}-${namespace}-${secretName}`;
  if (full.length <= MAX_ROLE_NAME_LENGTH) return { full, name: full, shortened: false };
  if (mode === 'ccoctl') return { full, name: full.slice(0, MAX_ROLE_NAME_LENGTH), shortened: true };
  const hash = createHash('sha256').update(full).digest('hex').slice(0, ROLE_NAME_HASH_LENGTH);
  const keep = MAX_ROLE_NAME_LENGTH - ROLE_NAME_HASH_LENGTH - 1;
  // Never end the kept part with "-", so the result has no "--" before the hash.
  const head = full.slice(0, keep).replace(/-+$/, '');
  return { full, name: `${head}-${hash}`, shortened: true };
}

/**
 * Fails when two different requests would get the same role: with ccoctl's cut the second would
 * silently overwrite the first role's inline policy (ccoctl.md §3.7).
 */
export function assertUniqueRoleNames(
  entries: readonly { readonly role: RoleName; readonly source: string }[],
): void {
  const seen = new Map<string, { role: RoleName; source: string }>();
  const problems: string[] = [];
  for (const entry of entries) {
    const other = seen.get(entry.role.name);
    if (other !== undefined && other.role.full !== entry.role.full) {
      problems.push(
        `role "${entry.role.name}" would serve both ${other.source} (${other.role.full}) and ${entry.source} (${entry.role.full})`,
      );
    } else if (other !== undefined) {
      problems.push(
        `${other.source} and ${entry.source} name the same Secret and so the same role "${entry.role.name}"`,
      );
    } else {
      seen.set(entry.role.name, entry);
    }
  }
  if (problems.length > 0) {
    throw new StsctlError('ROLE_NAME_COLLISION', `role names collide: ${problems.join('; ')}`, {
      hint: 'use a shorter --name, or the default --role-name-mode hash',
    });
  }
}
