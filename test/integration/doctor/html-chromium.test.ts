import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { renderHtml } from '../../../src/doctor/render/html.js';
import { REPO_ROOT } from '../../helpers/repo.js';
import { sampleReport } from '../../unit/doctor/sample-report.js';

/**
 * The HTML report in headless Chromium (the Debian package; .ci/run installs it): it renders with
 * no network and no script, the diagram marks the broken hop, and a screenshot is saved under
 * test-output/ for people to look at.
 */

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: apt-get install -y chromium (CI installs it)`;

let profile: string | undefined;
let browser: BrowserContext | undefined;

before(async () => {
  if (skip !== false) return;
  const dir = await mkdtemp(join(tmpdir(), 'stsctl-chromium-'));
  profile = dir;
  browser = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await browser?.close();
  if (profile !== undefined) await rm(profile, { recursive: true, force: true });
});

test('the report renders in Chromium with the broken hop marked; screenshot saved', { skip }, async () => {
  const page = await browser!.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.setContent(renderHtml(sampleReport()), { waitUntil: 'load' });

  assert.equal(await page.title(), 'stsctl doctor — https://demo-oidc.s3.us-east-1.amazonaws.com');
  const broken = page.locator(
    'section[data-group="openshift-image-registry/installer-cloud-credentials"] g.hop.broken',
  );
  assert.equal(await broken.count(), 1);
  assert.equal(await broken.getAttribute('data-hop'), 'issuer');
  const box = await broken.locator('rect').boundingBox();
  assert.ok(box !== null && box.width > 50 && box.height > 20, 'the broken hop is drawn');
  // Typed by hand: this project's TypeScript has no DOM library.
  const fill = await broken
    .locator('rect')
    .evaluate(
      (el: unknown) =>
        (globalThis as unknown as { getComputedStyle(e: unknown): { fill: string } }).getComputedStyle(el)
          .fill,
    );
  assert.equal(fill, 'rgb(198, 40, 40)', 'the broken hop is painted red');
  const after = page.locator(
    'section[data-group="openshift-image-registry/installer-cloud-credentials"] g.hop.after',
  );
  assert.equal(await after.count(), 5, 'the hops after the break are shown as not reached');
  const healthy = page.locator(
    'section[data-group="openshift-ingress-operator/cloud-credentials"] g.hop.broken',
  );
  assert.equal(await healthy.count(), 0);
  const decisive = page.locator('li.finding.decisive');
  assert.equal(await decisive.first().getAttribute('data-code'), 'ISSUER_PRIVATE_BUCKET');
  assert.ok(await decisive.first().isVisible());
  assert.match(await page.locator('p.summary').innerText(), /^Broken: 2 error\(s\)/);
  assert.deepEqual(requests, [], 'self-contained: no requests');
  assert.deepEqual(errors, []);

  const out = join(REPO_ROOT, 'test-output');
  await mkdir(out, { recursive: true });
  const shot = join(out, 'doctor-report.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok((await stat(shot)).size > 10_000);
});
