// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Modules that make `core` and `webidentity` impure; they must stay out of those folders. */
const ioModules = [
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:http2',
  'node:tls',
  'node:dns',
  'node:child_process',
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'tls',
  'dns',
  'child_process',
];

/**
 * The layers of src/ and what each may import (docs/architecture.md, "Components"):
 * core → webidentity → aws / sts / net (and files) → doctor / sandbox / commands → cli.
 * Lower layers never import higher ones; parts of one layer do not import each other, except where
 * listed (the sandbox runs the validating STS and talks to moto through the aws clients; commands
 * run the doctor).
 */
const layers = {
  core: [],
  webidentity: ['core'],
  net: ['core', 'webidentity'],
  files: ['core'],
  aws: ['core', 'webidentity', 'net'],
  sts: ['core', 'webidentity', 'net'],
  doctor: ['core', 'webidentity', 'net'],
  sandbox: ['core', 'webidentity', 'net', 'aws', 'sts'],
  commands: ['core', 'webidentity', 'net', 'files', 'aws', 'doctor'],
  serve: ['core', 'webidentity', 'net'],
  cli: ['core', 'webidentity', 'net', 'files', 'aws', 'sts', 'doctor', 'sandbox', 'commands', 'serve'],
};
const layerZones = Object.entries(layers)
  .map(([layer, allowed]) => ({
    target: `./src/${layer}`,
    from: Object.keys(layers)
      .filter((other) => other !== layer && !allowed.includes(other))
      .map((other) => `./src/${other}`),
    message: `src/${layer} may import only ${allowed.length === 0 ? 'itself' : allowed.map((a) => `src/${a}`).join(', ')} (docs/architecture.md).`,
  }))
  .filter((zone) => zone.from.length > 0);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-output/**', 'demo-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/webidentity/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({ name, message: 'core and webidentity are pure: pass I/O in.' })),
          patterns: [
            { group: ['@aws-sdk/*', '@smithy/*'], message: 'Only src/aws and src/sandbox talk to AWS.' },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/doctor/**/*.ts',
      'src/cli/**/*.ts',
      'src/commands/**/*.ts',
      'src/files/**/*.ts',
      'src/net/**/*.ts',
      'src/serve/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*'], message: 'AWS SDK imports live in src/aws (and src/sandbox).' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  prettier,
);
