import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainStsError } from '../../../src/doctor/explain.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import {
  CLI,
  CorpusBed,
  REPO,
  answerMatches,
  applyFixSteps,
  assumeWithAwsCli,
  reportFixSteps,
  loadCases,
  mintToken,
  runDoctor,
  runDoctorFix,
  tokenComponent,
  withoutTimes,
  type Built,
  type DoctorJson,
  type StsOutcome,
} from './harness.js';

/**
 * The real-world corpus (test/fixtures/corpus/cases.json, docs/corpus.md): failures people reported
 * in public issue trackers, each rebuilt in the sandbox without stsctl's provisioning code. Per case:
 * the validating STS (through the real aws CLI) answers what AWS answers today; `stsctl doctor`
 * names the thread's cause first and predicts that same answer; the doctor's fix, applied verbatim,
 * makes STS grant and the doctor report healthy; and, on the case rebuilt afresh, the built CLI's
 * `doctor --fix --yes` repairs it by itself (a cause outside AWS: nothing applied, the operator's
 * fix played by the harness). The harvested texts go through explainStsError too.
 *
 * Needs the built CLI (`npm run build`) and the aws CLI on PATH.
 */

const cases = loadCases();
/**
 * `CORPUS_ONLY=<id>,<id>` rebuilds only those cases (while adding one, docs/corpus.md); unset, the
 * whole corpus runs.
 */
const only = process.env['CORPUS_ONLY']?.split(',').filter((id) => id !== '');
const rebuilt = only === undefined ? cases : cases.filter((c) => only.includes(c.id));

/** An unfilled `<placeholder>` (the fix-step contract forbids them for what the doctor observed). */
const PLACEHOLDER = /<[A-Za-z][A-Za-z-]*>/;

/** A value the suite's `before` hook set (the hook failing fails every test that needs it). */
function ready<T>(value: T | undefined, what: string): T {
  assert.ok(value !== undefined, `${what} did not start`);
  return value;
}

describe('corpus data', () => {
  test('at least 25 distinct harvested cases, each with a source, a cause and an expected answer', () => {
    assert.ok(cases.length >= 25, `only ${cases.length} cases`);
    assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'case ids are unique');
    for (const c of cases) {
      assert.match(c.source, /^https:\/\/(github\.com|gitlab\.com)\/[^/]+\/[^/]+\/.+\/\d+$/, c.id);
      assert.match(c.date, /^\d{4}-\d{2}(-\d{2})?$/, c.id);
      assert.ok(c.symptom.length > 0 && c.cause.length > 0 && c.fix.length > 0, c.id);
    }
  });

  test('docs/corpus.md lists every case with its source and first finding', async () => {
    const doc = await readFile(join(REPO, 'docs', 'corpus.md'), 'utf8');
    for (const c of cases) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${c.id}\` |`));
      assert.ok(row !== undefined, `docs/corpus.md has no row for ${c.id}`);
      assert.ok(row.includes(`(${c.source})`), `${c.id}: source`);
      assert.ok(row.includes(`\`${c.expectedFinding}\``), `${c.id}: finding`);
    }
  });
});

describe('corpus: the harvested texts through explainStsError', () => {
  for (const c of cases) {
    const opts = c.symptomCode === null ? { skip: 'the report quotes no AWS error text' } : {};
    test(`${c.id}: recognises ${c.symptomCode ?? '-'} and lists ${c.expectedFinding}`, opts, () => {
      const e = explainStsError(c.symptom);
      assert.equal(e.recognised, true, `not recognised: ${c.symptom}`);
      assert.equal(e.awsCode, c.symptomCode);
      assert.ok(
        e.candidates.some((k) => k.code === c.expectedFinding),
        `${c.expectedFinding} not among ${e.candidates.map((k) => k.code).join(', ')}`,
      );
    });
  }
});

describe('corpus: rebuilt independently in the sandbox', () => {
  let sb: Sandbox | undefined;
  let bed: CorpusBed | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    assert.ok(existsSync(CLI), `the corpus spawns the built CLI: run npm run build first (${CLI})`);
    dir = await mkdtemp(join(tmpdir(), 'stsctl-corpus-'));
    // A generous fetch budget: these cases are about causes, not about STS's 5 s limit, and the
    // machine running the suite may be loaded.
    sb = await startSandbox({ region: 'us-east-1', stateDir: dir, fetchBudgetMs: 20_000 });
    bed = new CorpusBed(sb);
    env = {
      PATH: process.env['PATH'],
      ...sb.env(),
      HOME: dir,
      // Nothing of the machine's AWS configuration may leak in.
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      NO_COLOR: '1',
    };
  });

  after(async () => {
    bed?.destroy();
    await sb?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const c of rebuilt) {
    describe(c.id, () => {
      let built: Built | undefined;
      let sts: StsOutcome;
      let report: DoctorJson;
      const duration = c.rebuild.request?.durationSeconds;

      before(async () => {
        built = await ready(bed, 'the corpus bed').build(c);
        const token = mintToken(c.rebuild.token, built.issuerUrl, ready(bed, 'the corpus bed').keys);
        const tokenFile = join(dir, `${c.id}.token`);
        await writeFile(tokenFile, token);
        sts = await assumeWithAwsCli(env, built.roleArn, token, duration);
        report = (await runDoctor(env, tokenFile, built.roleArn, duration)).report;
      });

      after(async () => {
        if (built !== undefined) await bed?.cleanup(built);
      });

      // A case the sandbox cannot reproduce yet stays visible as todo, with what the sandbox lacks.
      const gap = c.sandboxGap === undefined ? {} : { todo: `sandbox gap: ${c.sandboxGap}` };

      test(`STS answers ${c.expected.code}: ${c.expected.message.slice(0, 60)}`, gap, () => {
        assert.equal(sts.ok, false, 'the broken setup must fail');
        assert.ok(
          answerMatches(sts, c.expected),
          `STS answered ${sts.code}: ${sts.message}\nexpected ${c.expected.code}: ${c.expected.message}`,
        );
      });

      test(`doctor names ${c.expectedFinding} first and predicts STS's answer`, gap, () => {
        const component = tokenComponent(report);
        const first = component?.findings[0];
        assert.equal(
          first?.code,
          c.expectedFinding,
          `findings: ${component?.findings.map((f) => f.code).join(', ')}`,
        );
        assert.ok(!sts.ok);
        assert.deepEqual(
          first.predictedError === undefined
            ? undefined
            : { code: first.predictedError.code, message: withoutTimes(first.predictedError.message) },
          { code: sts.code, message: withoutTimes(sts.message) },
        );
      });

      test(
        'the printed fix, applied verbatim, makes STS grant and the doctor report healthy',
        gap,
        async () => {
          const steps = reportFixSteps(report);
          assert.ok(steps !== undefined, 'the report carries no fix as data');
          // Only a cause outside AWS has no AWS step; its repair is the case's afterFix.
          if (c.rebuild.afterFix === undefined) assert.ok(steps.length > 0, 'the fix has no steps');
          const placeholders = steps
            .flatMap((s) => [...s.argv, ...(s.files ?? []).map((f) => f.content)])
            .filter((text) => PLACEHOLDER.test(text));
          assert.deepEqual(placeholders, [], 'a fix step names a <placeholder>');
          assert.ok(built !== undefined);
          await applyFixSteps(steps, env, join(dir, `${c.id}-fix`));
          // A cause outside AWS (steps: []) is fixed where the issuer is run, as afterFix describes.
          ready(bed, 'the corpus bed').applyOperatorFix(c);
          ready(sb, 'the sandbox').sts.invalidateCaches();
          const token = mintToken(
            { ...c.rebuild.token, ...c.rebuild.afterFix?.token },
            built.issuerUrl,
            ready(bed, 'the corpus bed').keys,
          );
          const tokenFile = join(dir, `${c.id}.fixed.token`);
          await writeFile(tokenFile, token);
          const granted = await assumeWithAwsCli(env, built.roleArn, token, duration);
          assert.equal(granted.ok, true, JSON.stringify(granted));
          const after = await runDoctor(env, tokenFile, built.roleArn, duration);
          assert.equal(after.report.summary.healthy, true, after.result.stdout);
        },
      );

      test(
        'doctor --fix --yes on the case rebuilt afresh repairs it: STS grants and the re-diagnosis is healthy',
        gap,
        async () => {
          const b = ready(bed, 'the corpus bed');
          assert.ok(built !== undefined);
          // The first build carries the fix applied above: the case is built again from its recipe.
          await b.cleanup(built);
          built = undefined;
          const fresh = await b.build(c);
          built = fresh;
          const token = mintToken(c.rebuild.token, fresh.issuerUrl, b.keys);
          const tokenFile = join(dir, `${c.id}.refix.token`);
          await writeFile(tokenFile, token);
          const { result, outcome } = await runDoctorFix(
            env,
            tokenFile,
            fresh.roleArn,
            join(dir, `${c.id}-doctor-fix`),
            duration,
          );
          const diagnosed = tokenComponent(outcome.before);
          assert.equal(
            diagnosed?.findings[0]?.code,
            c.expectedFinding,
            `the rebuilt case is not the broken one: ${result.stderr}`,
          );
          const ran = outcome.fixes.flatMap((f) => f.steps);
          if (c.rebuild.afterFix === undefined) {
            // The CLI applied the steps itself and its own second diagnosis is healthy.
            assert.ok(ran.length > 0, 'doctor --fix applied no step');
            assert.ok(
              ran.every((s) => s.exitCode === 0),
              JSON.stringify(ran.map((s) => [s.argv, s.exitCode])),
            );
            assert.equal(outcome.after.summary.healthy, true, `${result.stdout}\n${result.stderr}`);
            assert.equal(result.code, 0, result.stderr);
          } else {
            // Nothing in AWS to change: --fix applies nothing and says so; the operator fixes the cause.
            assert.deepEqual(ran, []);
            assert.notEqual(result.code, 0, 'an unrepaired case must not exit 0');
            b.applyOperatorFix(c);
          }
          ready(sb, 'the sandbox').sts.invalidateCaches();
          const fixedToken = mintToken(
            { ...c.rebuild.token, ...c.rebuild.afterFix?.token },
            fresh.issuerUrl,
            b.keys,
          );
          const granted = await assumeWithAwsCli(env, fresh.roleArn, fixedToken, duration);
          assert.equal(granted.ok, true, JSON.stringify(granted));
          if (c.rebuild.afterFix !== undefined) {
            const fixedFile = join(dir, `${c.id}.refixed.token`);
            await writeFile(fixedFile, fixedToken);
            const again = await runDoctor(env, fixedFile, fresh.roleArn, duration);
            assert.equal(again.report.summary.healthy, true, again.result.stdout);
          }
        },
      );
    });
  }

  // The fix runner itself, on a fix written by hand in the contract's shape (aws CLI argv plus a
  // file it reads), so the path above is known to work before the doctor emits fixes as data.
  describe('the fix-step runner', () => {
    const c = cases.find((k) => k.id === 'kes-aud-key-for-sub');
    let built: Built | undefined;

    after(async () => {
      if (built !== undefined) await bed?.cleanup(built);
    });

    test('a contract-shaped fix applied verbatim makes STS grant and the doctor report healthy', async () => {
      assert.ok(c !== undefined);
      const b = ready(bed, 'the corpus bed');
      built = await b.build(c);
      const token = mintToken(c.rebuild.token, built.issuerUrl, b.keys);
      assert.equal((await assumeWithAwsCli(env, built.roleArn, token)).ok, false);
      const host = built.issuerUrl.replace(/^https:\/\//, '');
      const trust = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: built.intendedProviderArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { [`${host}:sub`]: c.rebuild.token.sub, [`${host}:aud`]: 'sts.amazonaws.com' },
            },
          },
        ],
      };
      // The fix as the doctor's JSON report will carry it: on the first finding of a component
      // (the issuer component repeats it; the runner applies it once).
      const fix = {
        summary: 'test the subject under :sub',
        steps: [
          {
            kind: 'aws-cli',
            argv: [
              'aws',
              'iam',
              'update-assume-role-policy',
              '--role-name',
              built.roleName,
              '--policy-document',
              'file://trust-policy.json',
            ],
            files: [{ name: 'trust-policy.json', content: JSON.stringify(trust, null, 2) }],
            description: 'test the subject under :sub',
          },
        ],
      };
      const steps = reportFixSteps({
        summary: { healthy: false },
        components: [
          { name: 'issuer', findings: [{ code: 'TRUST_POLICY_DENIES', remedy: fix, fix: [] }] },
          { name: 'token', findings: [{ code: 'TRUST_POLICY_DENIES', remedy: fix, fix: [] }] },
        ],
      });
      assert.equal(steps?.length, 1);
      await applyFixSteps(steps, env, join(dir, 'runner-fix'));
      ready(sb, 'the sandbox').sts.invalidateCaches();
      const granted = await assumeWithAwsCli(env, built.roleArn, token);
      assert.equal(granted.ok, true, JSON.stringify(granted));
      const tokenFile = join(dir, 'runner.token');
      await writeFile(tokenFile, token);
      const doctor = await runDoctor(env, tokenFile, built.roleArn);
      assert.equal(doctor.report.summary.healthy, true, doctor.result.stdout);
    });
  });
});
