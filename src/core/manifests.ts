import { parseDocument } from 'yaml';
import { parseArn } from './partitions.js';

/**
 * Cluster manifests, byte-compatible with ccoctl's templates (ccoctl.md §2.1, §2.2).
 */

/** Where OpenShift projects the service-account token for cloud credentials. */
export const OPENSHIFT_TOKEN_PATH = '/var/run/secrets/openshift/serviceaccount/token';
/** The line ccoctl appends to dry-run Secrets so they fail to apply until a role ARN is filled in. */
export const DRY_RUN_SECRET_MARKER = 'POPULATE ROLE ARN AND DELETE THIS LINE';

export const AUTHENTICATION_MANIFEST_PATH = 'manifests/cluster-authentication-02-config.yaml';
export const SIGNING_KEY_TLS_PATH = 'tls/bound-service-account-signing-key.key';
export const PRIVATE_KEY_FILE = 'serviceaccount-signer.private';
export const PUBLIC_KEY_FILE = 'serviceaccount-signer.public';

/** The cluster `Authentication` CR naming the service-account issuer. */
export function authenticationManifest(issuer: string): string {
  return [
    'apiVersion: config.openshift.io/v1',
    'kind: Authentication',
    'metadata:',
    '  name: cluster',
    'spec:',
    `  serviceAccountIssuer: ${issuer}`,
  ].join('\n');
}

/** The AWS shared-config INI a component reads: web identity through a regional STS endpoint. */
export function credentialsIni(roleArn: string, tokenPath: string = OPENSHIFT_TOKEN_PATH): string {
  return [
    '[default]',
    'sts_regional_endpoints = regional',
    `role_arn = ${roleArn}`,
    `web_identity_token_file = ${tokenPath}`,
  ].join('\n');
}

/** `manifests/<ns>-<name>-credentials.yaml`. */
export function secretManifestPath(namespace: string, name: string): string {
  return `manifests/${namespace}-${name}-credentials.yaml`;
}

/**
 * The Secret a component reads its credentials from. With `dryRun` and no role ARN, ccoctl leaves
 * `role_arn = ` empty and appends a marker line that makes the YAML invalid on purpose.
 */
export function secretManifest(options: {
  readonly namespace: string;
  readonly name: string;
  readonly roleArn: string;
  readonly dryRun?: boolean;
}): string {
  const ini = credentialsIni(options.roleArn)
    .split('\n')
    .map((l) => `    ${l}`);
  const body = [
    'apiVersion: v1',
    'stringData:',
    '  credentials: |-',
    ...ini,
    'kind: Secret',
    'metadata:',
    `  name: ${options.name}`,
    `  namespace: ${options.namespace}`,
    'type: Opaque',
  ].join('\n');
  return options.dryRun === true ? `${body}\n${DRY_RUN_SECRET_MARKER}` : body;
}

/**
 * The role ARN in a credentials Secret written by a real run, or undefined when `content` is not
 * one. A dry run's Secret never qualifies: ccoctl leaves `role_arn = ` empty and appends
 * {@link DRY_RUN_SECRET_MARKER}, which makes the YAML invalid on purpose (ccoctl.md §2.2); a real
 * run writes the role's ARN (`arn:<partition>:iam::<account>:role/<name>`).
 * A dry run must never replace such a Secret: the cluster would be installed with placeholders.
 */
export function roleArnOfRealSecret(content: string): string | undefined {
  if (content.includes(DRY_RUN_SECRET_MARKER)) return undefined;
  const doc = parseDocument(content, { prettyErrors: false });
  if (doc.errors.length > 0) return undefined;
  const value: unknown = doc.toJS();
  if (typeof value !== 'object' || value === null) return undefined;
  const secret = value as { kind?: unknown; stringData?: { credentials?: unknown } | null };
  const credentials = secret.stringData?.credentials;
  if (secret.kind !== 'Secret' || typeof credentials !== 'string') return undefined;
  const line = /^\s*role_arn\s*=\s*(\S+)\s*$/mu.exec(credentials);
  const arn = line?.[1];
  if (arn === undefined) return undefined;
  const parsed = parseArn(arn);
  return parsed?.service === 'iam' && parsed.resource.startsWith('role/') ? arn : undefined;
}
