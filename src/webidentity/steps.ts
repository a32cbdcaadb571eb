import type { RuleId } from './rules.js';
import type { AwsError, EvaluationStep } from './types.js';

/** A rule failed: the AWS error STS answers and the rule that decided it. */
export interface Failure {
  readonly ok: false;
  readonly rule: RuleId;
  readonly error: AwsError;
}

/** A check's value, or the failure that stops the evaluation. */
export type Checked<T> = { readonly ok: true; readonly value: T } | Failure;

/** Wraps a value as a passed check. */
export function passed<T>(value: T): Checked<T> {
  return { ok: true, value };
}

/**
 * The record of one evaluation: every rule that ran, in order, with its outcome. The doctor shows
 * it as an explanation; the STS server logs the failing rule.
 */
export class StepLog {
  readonly #steps: EvaluationStep[] = [];

  /** The steps so far (a copy). */
  get steps(): readonly EvaluationStep[] {
    return [...this.#steps];
  }

  pass(rule: RuleId, detail: string): void {
    this.#steps.push({ rule, outcome: 'pass', detail });
  }

  skip(rule: RuleId, detail: string): void {
    this.#steps.push({ rule, outcome: 'skip', detail });
  }

  /** Records a failed rule and returns the failure to hand up. */
  fail(rule: RuleId, detail: string, error: AwsError): Failure {
    this.#steps.push({ rule, outcome: 'fail', detail });
    return { ok: false, rule, error };
  }
}
