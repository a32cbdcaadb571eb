import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml } from '../../../src/doctor/render/html.js';
import { renderJson } from '../../../src/doctor/render/json.js';
import { renderText } from '../../../src/doctor/render/text.js';
import { REPO_ROOT } from '../../helpers/repo.js';
import { sampleReport } from './sample-report.js';

/** Golden files in test/golden/doctor; UPDATE_GOLDEN=1 rewrites them. */
const GOLDEN = join(REPO_ROOT, 'test', 'golden', 'doctor');

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs (UPDATE_GOLDEN=1 to accept)`);
}

test('text: grouped by component, the decisive finding first, with AWS error and fix', () => {
  const text = renderText(sampleReport());
  golden('report.txt', text);
  const registry = text.slice(text.indexOf('openshift-image-registry'));
  assert.match(
    registry,
    /^openshift-image-registry[^\n]*\n {2}STS answers \(registry\): InvalidIdentityToken \(400\)/,
  );
  assert.match(
    registry.split('\n')[2] ?? '',
    /ERROR ISSUER_PRIVATE_BUCKET .*\(as above, under issuer https:\/\/demo-oidc\./,
  );
  // The issuer fault is the cause of the component's verdict too; its fix is printed once.
  assert.equal(text.split('put-bucket-policy --bucket demo-oidc').length - 1, 1);
});

test('json: one document with schemaVersion', () => {
  const json = renderJson(sampleReport());
  golden('report.json', json);
  const parsed = JSON.parse(json) as { schemaVersion: number; summary: { errors: number } };
  assert.equal(parsed.schemaVersion, 1);
  assert.equal(parsed.summary.errors, 2);
});

test('html: self-contained, the broken hop marked in the diagram', () => {
  const html = renderHtml(sampleReport());
  golden('report.html', html);
  assert.doesNotMatch(html, /<script|src="http|href="http/);
  assert.match(html, /<g class="hop broken" data-hop="issuer" data-state="broken">/);
});
