import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  ERROR_CODES,
  ERROR_CODE_LIST,
  ERROR_GROUPS,
  KIND_EXIT_CODES,
  StsctlAggregateError,
  StsctlError,
  type ErrorCode,
} from '../../../src/core/errors.js';
import { renderErrorsDoc } from '../../../src/core/errors-doc.js';
import { awsFailure } from '../../../src/aws/errors.js';
import { EXIT } from '../../../src/cli/io.js';
import { REPO_ROOT } from '../../helpers/repo.js';

const SRC = join(REPO_ROOT, 'src');
const REGISTRY = join(SRC, 'core', 'error-codes.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sourceFiles(path);
      return name.endsWith('.ts') ? [path] : [];
    });
}

/** Every `src/**\/*.ts` file but the registry itself, with its text. */
const sources = sourceFiles(SRC)
  .filter((file) => file !== REGISTRY)
  .map((file) => ({ file: relative(REPO_ROOT, file), text: readFileSync(file, 'utf8') }));

test('docs/errors.md is generated from the registry and up to date (npm run docs:errors)', () => {
  const committed = readFileSync(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
  assert.equal(committed, renderErrorsDoc(), 'docs/errors.md is stale: run npm run docs:errors');
});

test('docs/errors.md lists every code with the exit code of its kind', () => {
  const doc = renderErrorsDoc();
  for (const code of ERROR_CODE_LIST) {
    const exit = KIND_EXIT_CODES[ERROR_CODES[code].kind];
    assert.match(doc, new RegExp(`^\\| \`${code}\` \\| ${exit} \\|`, 'm'), code);
  }
});

test('codes are stable SCREAMING_SNAKE names, each with a kind, a group, a title and a message', () => {
  assert.ok(ERROR_CODE_LIST.length > 0);
  for (const code of ERROR_CODE_LIST) {
    assert.match(code, /^[A-Z][A-Z0-9_]+$/);
    const def = ERROR_CODES[code];
    assert.ok(Object.hasOwn(KIND_EXIT_CODES, def.kind), code);
    assert.ok(def.group in ERROR_GROUPS, code);
    assert.ok(def.title.length > 0 && def.message.length > 0, code);
    if ('hint' in def) assert.ok(def.hint.length > 0, code);
  }
  for (const group of Object.keys(ERROR_GROUPS)) {
    assert.ok(
      ERROR_CODE_LIST.some((code) => ERROR_CODES[code].group === group),
      `group ${group} has no code`,
    );
  }
});

test("the kinds' exit codes are the CLI's: usage exits 2, failure exits 1", () => {
  assert.equal(KIND_EXIT_CODES.usage, EXIT.usage);
  assert.equal(KIND_EXIT_CODES.failure, EXIT.failure);
  assert.equal(EXIT.usage, 2);
  assert.equal(EXIT.failure, 1);
});

test('an error takes its kind from the registry, whatever the call says', () => {
  assert.equal(new StsctlError('MISSING_FLAG', '--region is required').kind, 'usage');
  assert.equal(new StsctlError('AWS_FAILURE', 'reading bucket b: boom').kind, 'failure');
  assert.equal(new StsctlError('OUTPUT_WRITE_FAILED', 'disk full', { kind: 'failure' }).kind, 'failure');
  // A code known only as ErrorCode (an error re-thrown with its code) cannot be checked by the type;
  // the registry still decides.
  const code = ['OUTPUT_WRITE_FAILED'][0] as ErrorCode;
  assert.equal(new StsctlError(code, 'disk full', { kind: 'usage' }).kind, 'failure');
});

test('a kind that contradicts the registry, or an unregistered code, fails typecheck', () => {
  // These lines are checked by `tsc` (npm run typecheck): each @ts-expect-error fails the build
  // if the line below it stops being a type error.
  // @ts-expect-error AWS_FAILURE is a failure: the world did not cooperate.
  const contradicted = new StsctlError('AWS_FAILURE', 'x', { kind: 'usage' });
  // @ts-expect-error NOT_A_CODE is not in ERROR_CODES.
  const unregistered = new StsctlError('NOT_A_CODE', 'x');
  // @ts-expect-error an aggregate of input problems only takes a usage code.
  const aggregate = new StsctlAggregateError('AWS_FAILURE', []);
  assert.equal(contradicted.kind, 'failure');
  // Untyped callers can still pass one; the error is then a failure (exit 1), not a crash.
  assert.equal(unregistered.kind, 'failure');
  assert.equal(unregistered.message, 'x');
  assert.equal(aggregate.kind, 'failure');
});

test("the registry's hint is the error's hint unless the call gives one", () => {
  assert.equal(new StsctlError('KEY_TOO_SHORT', 'RSA key is 1024 bits').hint, ERROR_CODES.KEY_TOO_SHORT.hint);
  assert.equal(
    new StsctlError('KEY_TOO_SHORT', 'short', { hint: 'use another key' }).hint,
    'use another key',
  );
  assert.equal(new StsctlError('MISSING_FLAG', '--region is required').hint, undefined);
});

test("an AWS error is AWS_FAILURE (exit 1) with AWS's code and request id as data", () => {
  const sdkError = Object.assign(new Error('User: arn:aws:iam::123456789012:user/x is not authorized'), {
    name: 'AccessDenied',
    $metadata: { requestId: 'req-1', httpStatusCode: 403 },
  });
  const e = awsFailure('creating role r', sdkError);
  assert.equal(e.code, 'AWS_FAILURE');
  assert.equal(e.kind, 'failure');
  assert.equal(e.awsErrorCode, 'AccessDenied');
  assert.equal(e.requestId, 'req-1');
  assert.equal(
    e.message,
    'creating role r: AccessDenied: User: arn:aws:iam::123456789012:user/x is not authorized',
  );
  assert.equal(e.hint, ERROR_CODES.AWS_FAILURE.hint);
  // A plain Error's name is no AWS error code.
  assert.equal(awsFailure('reading role r', new Error('no ARN returned')).awsErrorCode, undefined);
});

test('an error stsctl raised keeps its code, message and hint when an AWS step wraps it', () => {
  const inner = new StsctlError('DISTRIBUTION_DEPLOY_TIMEOUT', 'distribution E1 still InProgress');
  const e = awsFailure('deleting CloudFront distribution E1', inner);
  assert.equal(e.code, 'DISTRIBUTION_DEPLOY_TIMEOUT');
  assert.equal(e.kind, 'failure');
  assert.equal(e.message, 'distribution E1 still InProgress');
  assert.equal(e.hint, ERROR_CODES.DISTRIBUTION_DEPLOY_TIMEOUT.hint);
});

test('an aggregate of input errors is a usage error listing each problem with its place', () => {
  const e = new StsctlAggregateError('CREDREQ_INVALID', [
    new StsctlError('CREDREQ_INVALID', 'expected a string', { file: 'a.yaml', document: 1, path: 'spec.x' }),
    new StsctlError('CREDREQ_MALFORMED', 'malformed YAML at line 3: bad', { file: 'b.yaml' }),
  ]);
  assert.equal(e.kind, 'usage');
  assert.equal(
    e.describe(),
    '2 problems found:\n  - a.yaml, document 1, spec.x: expected a string\n  - b.yaml: malformed YAML at line 3: bad',
  );
});

test('src/ throws no bare Error: every error it raises on purpose has a registered code', () => {
  const offenders = sources.flatMap(({ file, text }) =>
    text
      .split('\n')
      .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
      .filter(({ line }) => /\bthrow\s+new\s+Error\s*\(/.test(line))
      .map(({ at }) => at),
  );
  assert.deepEqual(
    offenders,
    [],
    'use new StsctlError(code, message) with a code from src/core/error-codes.ts',
  );
});

/** The codes written as the first argument of `new StsctlError(...)` / `new StsctlAggregateError(...)`. */
const raised = sources.flatMap(({ file, text }) =>
  [...text.matchAll(/new\s+Stsctl(?:Aggregate)?Error\(\s*'([^']+)'/g)].map((m) => ({
    file,
    code: m[1] ?? '',
  })),
);

test('every registered code is raised somewhere in src/ (no dead entries)', () => {
  // Raised directly (`new StsctlError('CODE', …)`) or handed to a helper typed `ErrorCode` (the
  // output writer collects problems with `problems.add('CODE', …)`): a quoted code outside the
  // registry itself.
  const quoted = sources.flatMap(({ text }) =>
    [...text.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] ?? ''),
  );
  const seen = new Set([...raised.map((r) => r.code), ...quoted]);
  const unused = ERROR_CODE_LIST.filter((code) => !seen.has(code));
  assert.deepEqual(unused, [], 'remove these from the registry, or raise them');
});

test('every code written in src/ as the first argument of an error is registered', () => {
  const registered = new Set<string>(ERROR_CODE_LIST);
  assert.ok(raised.length > 50, `found only ${raised.length} error sites: the scan is broken`);
  assert.deepEqual(
    raised.filter(({ code }) => !registered.has(code)),
    [],
  );
});
