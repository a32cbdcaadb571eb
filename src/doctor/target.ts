import type { IrsaServiceAccountFacts } from './cluster-objects.js';

/**
 * What the doctor diagnoses, as plain data gathered before any check runs: a token and role, an
 * issuer alone, or a cluster (live through the Kubernetes API, or exported manifests). Secrets are
 * reduced to what the checks need (key names, role ARN, token path): their values are never kept.
 */

/** A token to evaluate, or why none could be had. */
export interface TokenInput {
  readonly serviceAccount?: string;
  /** The compact JWT. Never printed: reports show its claims only. */
  readonly token?: string;
  /** Why no token could be created (TokenRequest refused, no access). */
  readonly unavailable?: string;
}

/** A Secret as the checks see it (no secret values). */
export interface SecretFacts {
  readonly namespace: string;
  readonly name: string;
  /** Data keys present (`credentials`, `role_arn`, …). */
  readonly keys: readonly string[];
  readonly roleArn?: string;
  readonly webIdentityTokenFile?: string;
  /** `aws_access_key_id` / `aws_secret_access_key` present, as keys or in the credentials INI. */
  readonly staticKeys: boolean;
}

/** One cluster component (a CredentialsRequest), or the one token of `--token`. */
export interface ComponentTarget {
  /** `<secret namespace>/<secret name>`, or `token`. */
  readonly name: string;
  /** Namespace of the service accounts (the CredentialsRequest's `spec.secretRef.namespace`). */
  readonly namespace?: string;
  readonly serviceAccounts: readonly string[];
  readonly secretRef?: { readonly namespace: string; readonly name: string };
  /** Role to assume: `--role-arn`, or the Secret's `role_arn`. */
  readonly roleArn?: string;
  readonly tokens: readonly TokenInput[];
  /**
   * The Secret: facts, `missing` (Secrets were read and this one is not there), or `not-gathered`
   * (no Secrets could be read: a must-gather does not collect them).
   */
  readonly secret?: SecretFacts | 'missing' | 'not-gathered';
  /** Audience of the component's tokens; undefined = OpenShift's `openshift`. */
  readonly audience?: string;
  /** An IRSA service account (annotated `eks.amazonaws.com/role-arn`): what the webhook reads. */
  readonly irsa?: IrsaServiceAccountFacts;
}

/** Lines of gathered logs matching a web-identity error. */
export interface LogCount {
  readonly file: string;
  readonly invalidIdentityToken: number;
  readonly accessDenied: number;
  readonly webIdentityErr: number;
}

/** Cluster-wide facts. `null` = read and absent; `undefined` = not read. */
export interface ClusterFacts {
  readonly authenticationIssuer?: string | null;
  readonly credentialsMode?: string | null;
  readonly logCounts?: readonly LogCount[];
  /** Problems met while reading the cluster (shown as could-not-check). */
  readonly readProblems?: readonly string[];
  /** false when the cluster serves no OpenShift APIs (EKS, self-managed Kubernetes). */
  readonly openshift?: boolean;
  /** `issuer` of the API server's `/.well-known/openid-configuration`. */
  readonly apiserverIssuer?: string;
  /** Service accounts annotated `eks.amazonaws.com/role-arn` (undefined = not listed). */
  readonly irsaServiceAccounts?: number;
}

/** The whole input of a run. */
export interface DoctorTarget {
  readonly mode: 'token' | 'issuer' | 'cluster' | 'manifests';
  /** The issuer under test: `--issuer`, else the Authentication CR's, else the token's `iss`. */
  readonly issuer?: string;
  readonly components: readonly ComponentTarget[];
  readonly cluster?: ClusterFacts;
  /** Also call the real `AssumeRoleWithWebIdentity` and compare. */
  readonly live?: boolean;
  /** RoleSessionName of the evaluated (and live) calls; default `stsctl-doctor`. */
  readonly sessionName?: string;
  readonly durationSeconds?: string;
}
