// Writes docs/findings.md from the doctor's findings registry.
// Usage: npm run docs:findings   (a unit test fails when the committed file is stale)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderFindingsDoc } from '../src/doctor/findings/doc.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'findings.md');
writeFileSync(target, renderFindingsDoc());
process.stdout.write(`wrote ${target}\n`);
