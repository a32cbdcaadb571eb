import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The test fixtures, carried by the repository (test/fixtures/README.md says where each came from):
 * ccoctl-derived expected outputs and real CredentialsRequests from OpenShift component repositories.
 */
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
export const CCOCTL_DERIVED = join(FIXTURES, 'ccoctl-aws-derived');
export const CREDREQS = join(FIXTURES, 'credentials-requests');
export const TEST_PUBLIC_KEY = join(CCOCTL_DERIVED, 'input', 'test-public-key.pem');

/** The built CLI entry point (`npm test` builds first). */
export const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
