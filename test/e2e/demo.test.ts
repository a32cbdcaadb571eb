import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNodeScript } from '../helpers/cli.js';

// The README's first quick-start command ends in `node scripts/demo.mjs` (after the build that
// `npm test` has already run). This runs that script as a user would and checks what it claims.
const root = fileURLToPath(new URL('../..', import.meta.url));

test('npm run demo: provisions behind CloudFront, every component assumes, the private-bucket break is named', async () => {
  const { code, stdout, stderr } = await runNodeScript(join(root, 'scripts', 'demo.mjs'), [], { cwd: root });
  assert.equal(code, 0, `demo failed:\n${stdout}\n${stderr}`);
  assert.doesNotMatch(stderr, /NodeVersionSupportWarning/);
  assert.match(stdout, /issuer https:\/\/[a-z0-9]+\.cloudfront\.net/);
  // The 7 example requests name 9 service accounts; each must assume its role (and the public-bucket cluster once).
  assert.equal((stdout.match(/^ {3}✓ /gm) ?? []).length, 10, stdout);
  assert.doesNotMatch(stdout, /^ {3}✗ openshift-/m);
  assert.match(
    stdout,
    /openshift-ingress-operator\/router\) on the ingress role: HTTP 403 AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
  );
  assert.match(
    stdout,
    /HTTP 400 InvalidIdentityToken: Couldn't retrieve verification key from your identity provider, {2}please reference AssumeRoleWithWebIdentity documentation for requirements/,
  );
  assert.match(stdout, /ERROR ISSUER_PRIVATE_BUCKET/);
  // Secrets never reach stdout.
  assert.doesNotMatch(stdout + stderr, /BEGIN (RSA )?PRIVATE KEY|aws_secret_access_key/i);
});
