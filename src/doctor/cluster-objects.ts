import { parseArn } from '../core/partitions.js';
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

/**
 * The pod identity webhook's conventions (amazon-eks-pod-identity-webhook, `pkg/constants.go`;
 * aws-sts-oidc.md "EKS webhook defaults"): the annotations it reads on a ServiceAccount, the
 * audience and lifetime of the token it projects, where it mounts it and the env it injects.
 */
export const IRSA = {
  roleArnAnnotation: 'eks.amazonaws.com/role-arn',
  audienceAnnotation: 'eks.amazonaws.com/audience',
  tokenExpirationAnnotation: 'eks.amazonaws.com/token-expiration',
  defaultAudience: 'sts.amazonaws.com',
  defaultTokenExpirationSeconds: 86400,
  /** The webhook clamps the annotation into [600, 86400] (`MinTokenExpiration`, `MaxTokenExpiration`). */
  minTokenExpirationSeconds: 600,
  maxTokenExpirationSeconds: 86400,
  tokenPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  env: { roleArn: 'AWS_ROLE_ARN', tokenFile: 'AWS_WEB_IDENTITY_TOKEN_FILE' },
} as const;

/** A ServiceAccount annotated for IRSA, as the webhook would read it. */
export interface IrsaServiceAccountFacts {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The `eks.amazonaws.com/role-arn` value as written (possibly not an ARN at all). */
  readonly roleArnAnnotation: string;
  /** `eks.amazonaws.com/audience`, else the webhook's default `sts.amazonaws.com`. */
  readonly audience: string;
  readonly audienceAnnotated: boolean;
  /** The lifetime the webhook projects: the annotation clamped into [600, 86400], default 86400. */
  readonly tokenExpirationSeconds: number;
  /** The `eks.amazonaws.com/token-expiration` value when it is not a whole number of seconds. */
  readonly tokenExpirationInvalid?: string;
}

/**
 * Reads a ServiceAccount object; undefined when it carries no `eks.amazonaws.com/role-arn`
 * annotation (the webhook leaves its pods alone).
 */
export function irsaServiceAccountFacts(value: unknown): IrsaServiceAccountFacts | undefined {
  const annotations = at(value, 'metadata', 'annotations');
  if (!isRecord(annotations)) return undefined;
  const roleArn = str(annotations[IRSA.roleArnAnnotation]);
  if (roleArn === undefined) return undefined;
  const { name, namespace } = objectName(value);
  const audience = str(annotations[IRSA.audienceAnnotation])?.trim();
  const rawExpiration = str(annotations[IRSA.tokenExpirationAnnotation])?.trim();
  let tokenExpirationSeconds: number = IRSA.defaultTokenExpirationSeconds;
  let tokenExpirationInvalid: string | undefined;
  if (rawExpiration !== undefined) {
    if (/^\d+$/.test(rawExpiration)) {
      tokenExpirationSeconds = Math.min(
        IRSA.maxTokenExpirationSeconds,
        Math.max(IRSA.minTokenExpirationSeconds, Number(rawExpiration)),
      );
    } else {
      // The webhook ignores a value it cannot parse and projects its default.
      tokenExpirationInvalid = rawExpiration;
    }
  }
  return {
    namespace: namespace ?? '',
    serviceAccount: name,
    roleArnAnnotation: roleArn.trim(),
    audience: audience === undefined || audience === '' ? IRSA.defaultAudience : audience,
    audienceAnnotated: audience !== undefined && audience !== '',
    tokenExpirationSeconds,
    ...(tokenExpirationInvalid === undefined ? {} : { tokenExpirationInvalid }),
  };
}

/** Whether a string is an IAM role ARN STS accepts as `RoleArn` (`arn:<partition>:iam::<12 digits>:role/<path+name>`). */
export function isRoleArn(value: string): boolean {
  const p = parseArn(value);
  return (
    p !== undefined &&
    p.service === 'iam' &&
    p.region === '' &&
    /^\d{12}$/.test(p.account) &&
    /^role\/[\w+=,.@/-]+$/.test(p.resource)
  );
}
