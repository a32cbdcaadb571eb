// Writes docs/errors.md from the error-code registry (src/core/error-codes.ts).
// Usage: npm run docs:errors   (a unit test fails when the committed file is stale)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderErrorsDoc } from '../src/core/errors-doc.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'errors.md');
writeFileSync(target, renderErrorsDoc());
process.stdout.write(`wrote ${target}\n`);
