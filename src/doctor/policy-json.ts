/**
 * Reading IAM policy documents as the doctor's checks and fixes need them: tolerant of any JSON
 * (a document IAM stored is valid, but a `--manifests-dir` file or a test fixture may not be), and
 * written once so every reader treats a single statement or value the way IAM does — a value that
 * is not a list stands for a list of one (IAM policy grammar).
 */

/** A JSON object of a policy document. */
export type Json = Record<string, unknown>;

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The strings of a value IAM writes as one string or a list of strings. */
export function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** One value or a list, the way IAM writes them. */
export function compact(values: readonly string[]): string | string[] {
  return values.length === 1 ? (values[0] as string) : [...values];
}

/**
 * The statements of a policy document in their order (`Statement` as one object or a list;
 * entries that are not objects left out), or `[]` for text that is not a JSON object.
 */
export function policyStatements(policy: string): Json[] {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return [];
  }
  if (!isRecord(doc)) return [];
  const raw = doc['Statement'];
  return (Array.isArray(raw) ? raw : [raw]).filter(isRecord);
}
