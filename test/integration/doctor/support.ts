import assert from 'node:assert/strict';
import { createIdentityObserver, type IdentityObserver } from '../../../src/aws/observe-identity.js';
import type { Sandbox } from '../../../src/sandbox/lifecycle.js';
import { ownerCheckOf, type DoctorReport, type Finding } from '../../../src/doctor/report.js';
import { REGION, type StsAnswer } from '../../helpers/web-identity.js';

/** The doctor's sandbox set-ups and assertions; the web-identity ones are shared with the STS suites. */

export * from '../../helpers/web-identity.js';

/** The doctor's AWS observer on the sandbox. */
export function sandboxObserver(sb: Sandbox): IdentityObserver {
  return createIdentityObserver(
    {
      region: REGION,
      endpoints: {
        s3: sb.endpoints.aws,
        iam: sb.endpoints.aws,
        cloudfront: sb.endpoints.aws,
        lambda: sb.endpoints.aws,
        sts: sb.endpoints.sts,
      },
      credentials: sb.credentials,
      s3ControlEndpoint: sb.endpoints.aws,
    },
    {},
  );
}

/** The first finding of the group named `name`. */
export function firstFinding(report: DoctorReport, name: string): Finding | undefined {
  return report.components.find((c) => c.name === name)?.findings[0];
}

/**
 * The doctor's first finding for the component has `code`, is decisive, and predicts exactly what
 * the validating STS answered; the model's verdict says the same.
 */
export function expectSameAnswer(
  report: DoctorReport,
  component: string,
  code: string,
  sts: StsAnswer,
): void {
  const group = report.components.find((c) => c.name === component);
  assert.ok(group !== undefined, `no group ${component}`);
  const first = group.findings[0];
  assert.ok(first !== undefined, `no findings for ${component}`);
  assert.equal(
    first.code,
    code,
    JSON.stringify(
      group.findings.map((f) => [f.code, f.detail]),
      null,
      1,
    ),
  );
  assert.equal(first.decisive, true, 'the first finding explains the verdict');
  assert.notEqual(sts.status, 200, sts.body);
  assert.deepEqual(first.predictedError, { code: sts.code, status: sts.status, message: sts.message });
  const verdict = group.verdicts[0];
  assert.ok(verdict !== undefined && !verdict.ok);
  assert.deepEqual(verdict.error, first.predictedError);
}

/** Healthy: STS grants, and the doctor reports no error finding anywhere. */
export function expectHealthy(report: DoctorReport, sts: StsAnswer): void {
  assert.equal(sts.status, 200, sts.body);
  const errors = report.components.flatMap((c) => c.findings.filter((f) => f.severity === 'error'));
  assert.deepEqual(errors, []);
  assert.equal(report.summary.healthy, true);
  for (const c of report.components) for (const v of c.verdicts) assert.equal(v.ok, true);
}

/**
 * No finding contradicts a check shown as passing in the same group: an error whose owning check
 * (role.trust for a trust denial, provider for a missing provider…) says "pass" is a report that
 * says two things at once.
 */
export function expectNoContradiction(report: DoctorReport): void {
  for (const c of report.components) {
    for (const f of c.findings.filter((x) => x.severity === 'error')) {
      const owner = ownerCheckOf(f.code);
      const check = c.checks.find((k) => k.id === owner);
      assert.notEqual(
        check?.outcome.status,
        'pass',
        `${c.name}: ${f.code} next to a passing ${owner ?? ''} check (${JSON.stringify(check)})`,
      );
    }
  }
}
