import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFindingsDoc } from '../../../src/doctor/findings/doc.js';
import { FINDINGS, FINDING_CODES, fillTemplate } from '../../../src/doctor/findings/registry.js';
import { codeForRule } from '../../../src/doctor/findings/rule-map.js';
import { RULES } from '../../../src/webidentity/rules.js';
import { REPO_ROOT } from '../../helpers/repo.js';

test('docs/findings.md is generated from the registry and up to date (npm run docs:findings)', () => {
  const committed = readFileSync(join(REPO_ROOT, 'docs', 'findings.md'), 'utf8');
  assert.equal(committed, renderFindingsDoc(), 'docs/findings.md is stale: run npm run docs:findings');
});

test('codes are stable SCREAMING_SNAKE names, each with a title, a reason and a fix', () => {
  for (const code of FINDING_CODES) {
    assert.match(code, /^[A-Z][A-Z0-9_]+$/);
    const def = FINDINGS[code];
    assert.ok(def.title.length > 0 && def.why.length > 0 && def.fix.length > 0, code);
  }
});

test('every web-identity rule that can fail is named by a finding code', () => {
  for (const rule of Object.keys(RULES)) {
    if (rule === 'grant') continue;
    const code = codeForRule(rule);
    assert.ok(code in FINDINGS, rule);
    assert.notEqual(code, 'LIVE_MISMATCH', `${rule} has no finding`);
  }
});

test('errors predicted by the registry are the catalogue texts, byte for byte', () => {
  const e = FINDINGS.ISSUER_PRIVATE_BUCKET.predicts();
  assert.equal(
    e.message,
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  );
  assert.equal(
    FINDINGS.PROVIDER_MISSING.predicts({ iss: 'https://x/' }, '2025-12').message,
    'No OpenIDConnect provider found in your account for https://x/',
  );
  // Today's profile (the default): the generic 2026 text (aws-sts-2026.md §1).
  assert.equal(
    FINDINGS.PROVIDER_MISSING.predicts({ iss: 'https://x/' }).message,
    'The web identity token provided could not be validated. See the AssumeRoleWithWebIdentity documentation for requirements.',
  );
  assert.equal(
    FINDINGS.TOKEN_EXPIRED.predicts({ now: '1700000400', exp: '1700000000' }).message,
    'Token expired: current date/time 1700000400 must be before the expiration date/time 1700000000',
  );
});

test("templates fill the user's names and mark unknown ones, leaving JSON alone", () => {
  assert.equal(
    fillTemplate(`--bucket {bucket} --policy '{"Resource":"arn:{partition}:s3:::{bucket}/*"}' {roleName}`, {
      bucket: 'demo-oidc',
      partition: 'aws-us-gov',
    }),
    `--bucket demo-oidc --policy '{"Resource":"arn:aws-us-gov:s3:::demo-oidc/*"}' <roleName>`,
  );
});
