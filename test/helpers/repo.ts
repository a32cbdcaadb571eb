import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shared reference folder beside the repository (`../shared`), or `STSCTL_SHARED_DIR`.
 * Golden comparisons read the ccoctl-derived fixtures and real CredentialsRequests from it.
 */
export const SHARED_DIR = process.env['STSCTL_SHARED_DIR'] ?? resolve(REPO_ROOT, '..', 'shared');

export const FIXTURES = join(SHARED_DIR, 'fixtures');
export const CCOCTL_DERIVED = join(FIXTURES, 'ccoctl-aws-derived');
export const CREDREQS = join(FIXTURES, 'credentials-requests');
export const TEST_PUBLIC_KEY = join(CCOCTL_DERIVED, 'input', 'test-public-key.pem');

/** The built CLI entry point (`npm test` builds first). */
export const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

if (!existsSync(FIXTURES)) {
  throw new Error(`fixtures not found at ${FIXTURES}; set STSCTL_SHARED_DIR to the shared/ folder`);
}
