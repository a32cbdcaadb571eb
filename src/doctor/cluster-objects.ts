import type { SecretFacts } from './target.js';

/**
 * Reading the Kubernetes objects the doctor needs from `unknown` JSON (the API server's answers or
 * exported YAML): the `Authentication` CR, the `CloudCredential` CR, CredentialsRequests and their
 * Secrets. Pure; shared by the live reader (kube/cluster-reader.ts) and directory mode.
 */

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(value: unknown, ...path: string[]): unknown {
  let cur = value;
  for (const p of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `kind: List` (and `*List` kinds the API returns) unwrapped into their items; other objects as is. */
export function unwrapList(value: unknown): unknown[] {
  if (!isRecord(value)) return [];
  const kind = str(value['kind']);
  if (kind !== undefined && kind.endsWith('List') && Array.isArray(value['items'])) {
    return (value['items'] as unknown[]).flatMap(unwrapList);
  }
  return [value];
}

/** `kind` and `apiVersion` group of an object. */
export function objectKind(value: unknown): { kind: string; group: string } | undefined {
  const kind = str(at(value, 'kind'));
  const apiVersion = str(at(value, 'apiVersion'));
  if (kind === undefined || apiVersion === undefined) return undefined;
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
  return { kind, group };
}

/** `metadata.name` / `metadata.namespace`. */
export function objectName(value: unknown): { name: string; namespace: string | undefined } {
  return {
    name: str(at(value, 'metadata', 'name')) ?? '',
    namespace: str(at(value, 'metadata', 'namespace')),
  };
}

/** The cluster `Authentication` CR's `spec.serviceAccountIssuer`; null when empty or unset. */
export function authenticationIssuer(value: unknown): string | null {
  const issuer = str(at(value, 'spec', 'serviceAccountIssuer'));
  return issuer === undefined || issuer === '' ? null : issuer;
}

/**
 * The `CloudCredential` CR's `spec.credentialsMode`: `Manual`, `Mint`, `Passthrough`, or null for
 * the empty default (the operator picks a mode from the root credentials it finds).
 */
export function credentialsMode(value: unknown): string | null {
  const mode = str(at(value, 'spec', 'credentialsMode'));
  return mode === undefined || mode === '' ? null : mode;
}

/** What the doctor reads of a CredentialsRequest. */
export interface CredentialsRequestFacts {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly secretRef: { readonly namespace: string; readonly name: string } | undefined;
  readonly serviceAccountNames: readonly string[];
  /** `spec.providerSpec.kind`, e.g. `AWSProviderSpec`. */
  readonly providerKind: string | undefined;
}

/** Reads a CredentialsRequest object. */
export function credentialsRequestFacts(value: unknown): CredentialsRequestFacts {
  const { name, namespace } = objectName(value);
  const secretName = str(at(value, 'spec', 'secretRef', 'name'));
  const secretNamespace = str(at(value, 'spec', 'secretRef', 'namespace'));
  const sas = at(value, 'spec', 'serviceAccountNames');
  return {
    name,
    namespace,
    secretRef:
      secretName === undefined || secretNamespace === undefined
        ? undefined
        : { name: secretName, namespace: secretNamespace },
    serviceAccountNames: Array.isArray(sas) ? sas.filter((s): s is string => typeof s === 'string') : [],
    providerKind: str(at(value, 'spec', 'providerSpec', 'kind')),
  };
}

/** Whether an object is a CredentialsRequest (group `cloudcredential.openshift.io`). */
export function isCredentialsRequest(value: unknown): boolean {
  const k = objectKind(value);
  return k?.kind === 'CredentialsRequest' && k.group === 'cloudcredential.openshift.io';
}

/** `key = value` lines of an AWS shared-config INI (comments and sections skipped). */
export function parseIni(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    out[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return out;
}

const STATIC_KEY_NAMES = ['aws_access_key_id', 'aws_secret_access_key'];

/**
 * Reduces a Secret to facts: `data` (base64) and `stringData` (plain, as in manifests) are both
 * read; the `credentials` key is an INI file (what ccoctl and stsctl write, core/manifests.ts).
 * Only the role ARN and token path are kept as values; static keys are noted, never kept.
 */
export function secretFacts(value: unknown): SecretFacts {
  const { name, namespace } = objectName(value);
  const entries = new Map<string, string>();
  const data = at(value, 'data');
  if (isRecord(data)) {
    for (const [k, v] of Object.entries(data)) {
      if (typeof v === 'string') entries.set(k, Buffer.from(v, 'base64').toString('utf8'));
    }
  }
  const stringData = at(value, 'stringData');
  if (isRecord(stringData)) {
    for (const [k, v] of Object.entries(stringData)) if (typeof v === 'string') entries.set(k, v);
  }
  const settings: Record<string, string> = {};
  const ini = entries.get('credentials');
  if (ini !== undefined) Object.assign(settings, parseIni(ini));
  for (const [k, v] of entries) if (k !== 'credentials') settings[k.toLowerCase()] = v.trim();
  const roleArn = settings['role_arn'];
  const tokenFile = settings['web_identity_token_file'];
  return {
    namespace: namespace ?? '',
    name,
    keys: [...entries.keys()].sort(),
    ...(roleArn === undefined || roleArn === '' ? {} : { roleArn }),
    ...(tokenFile === undefined || tokenFile === '' ? {} : { webIdentityTokenFile: tokenFile }),
    staticKeys: STATIC_KEY_NAMES.some((k) => settings[k] !== undefined && settings[k] !== ''),
  };
}

/** The patterns counted in gathered logs (aws-sts-oidc.md §2: how SDKs surface the errors). */
export const LOG_PATTERNS = {
  invalidIdentityToken: /InvalidIdentityToken/,
  accessDenied: /AccessDenied/,
  webIdentityErr: /WebIdentityErr/,
} as const;

/** Counts matching lines of one log file's text. */
export function countLogLines(text: string): {
  invalidIdentityToken: number;
  accessDenied: number;
  webIdentityErr: number;
} {
  const counts = { invalidIdentityToken: 0, accessDenied: 0, webIdentityErr: 0 };
  for (const line of text.split('\n')) {
    if (LOG_PATTERNS.invalidIdentityToken.test(line)) counts.invalidIdentityToken++;
    if (LOG_PATTERNS.accessDenied.test(line)) counts.accessDenied++;
    if (LOG_PATTERNS.webIdentityErr.test(line)) counts.webIdentityErr++;
  }
  return counts;
}
