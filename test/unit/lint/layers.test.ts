import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { REPO_ROOT } from '../../helpers/repo.js';

/**
 * The layer picture of docs/architecture.md is a lint rule (eslint.config.js, `layers`): these
 * cases lint source text as if it were a file of the named layer and check what the rule says.
 */

// The repository's own configuration, with the type-checked rules off: the probes are text for files
// that do not exist, which the TypeScript project cannot type (the layer rules need no types).
const eslint = new ESLint({
  cwd: REPO_ROOT,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      ...tseslint.configs.disableTypeChecked,
      languageOptions: { parserOptions: { projectService: false, project: null } },
    },
  ],
});

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result !== undefined);
  return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const wrongWay: [string, string, string][] = [
  ['src/core/layer-probe.ts', "export type { Plan } from '../aws/plan.js';", 'core → aws'],
  ['src/webidentity/layer-probe.ts', "export type { Plan } from '../aws/plan.js';", 'webidentity → aws'],
  ['src/aws/layer-probe.ts', "export type { RunOptions } from '../cli/program.js';", 'aws → cli'],
  ['src/aws/layer-probe.ts', "export { startStsServer } from '../sts/server.js';", 'aws → sts (same layer)'],
  ['src/sts/layer-probe.ts', "export { runDoctor } from '../doctor/run.js';", 'sts → doctor'],
  [
    'src/doctor/layer-probe.ts',
    "export { startSandbox } from '../sandbox/lifecycle.js';",
    'doctor → sandbox',
  ],
  ['src/doctor/checks/layer-probe.ts', "export type { Plan } from '../../aws/plan.js';", 'doctor → aws'],
  ['src/net/layer-probe.ts', "export { createAll } from '../commands/create.js';", 'net → commands'],
];

for (const [file, code, what] of wrongWay) {
  test(`a wrong-way import fails lint: ${what}`, async () => {
    assert.ok((await ruleIds(file, code)).includes('import-x/no-restricted-paths'));
  });
}

const rightWay: [string, string, string][] = [
  ['src/webidentity/layer-probe.ts', "export { kidFromSpki } from '../core/keys.js';", 'webidentity → core'],
  ['src/sandbox/layer-probe.ts', "export { startStsServer } from '../sts/server.js';", 'sandbox → sts'],
  ['src/cli/layer-probe.ts', "export { runDoctor } from '../doctor/run.js';", 'cli → doctor'],
];

for (const [file, code, what] of rightWay) {
  test(`an import down the layers passes: ${what}`, async () => {
    assert.deepEqual(await ruleIds(file, code), []);
  });
}

test('core and webidentity stay pure: no node:fs, no AWS SDK', async () => {
  assert.ok(
    (await ruleIds('src/core/layer-probe.ts', "export { readFile } from 'node:fs/promises';")).includes(
      'no-restricted-imports',
    ),
  );
  assert.ok(
    (
      await ruleIds('src/webidentity/layer-probe.ts', "export { S3Client } from '@aws-sdk/client-s3';")
    ).includes('no-restricted-imports'),
  );
});

test('only src/aws, src/sts and src/sandbox import the AWS SDK', async () => {
  assert.ok(
    (await ruleIds('src/commands/layer-probe.ts', "export { S3Client } from '@aws-sdk/client-s3';")).includes(
      'no-restricted-imports',
    ),
  );
});
