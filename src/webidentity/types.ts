/**
 * The contract of the web-identity model: what STS's `AssumeRoleWithWebIdentity` sees (request,
 * token, IAM view, issuer view, clock) and what it answers (credential claims, or an AWS error with
 * AWS's exact code, HTTP status and message). The validating STS server and `stsctl doctor` both
 * call the model through these types; neither re-implements a rule.
 *
 * Everything here is data: the issuer view is a lookup function over *observed* HTTP responses, so
 * the model stays free of sockets and the caller decides how (and from where) URLs are fetched.
 */

import type { AwsBehaviour } from './behaviour.js';

/** The Query-protocol parameters of `AssumeRoleWithWebIdentity` (aws-sts-oidc.md §1.2). */
export interface AssumeRoleWithWebIdentityRequest {
  readonly RoleArn?: string;
  readonly RoleSessionName?: string;
  readonly WebIdentityToken?: string;
  readonly DurationSeconds?: string;
  readonly Policy?: string;
  readonly PolicyArns?: readonly string[];
  readonly ProviderId?: string;
}

/** An IAM OIDC identity provider as IAM reports it. */
export interface IamOidcProvider {
  readonly arn: string;
  /** As `GetOpenIDConnectProvider` returns it: no scheme, e.g. `x-oidc.s3.us-east-1.amazonaws.com`. */
  readonly url: string;
  readonly clientIds: readonly string[];
  /** 40-hex SHA-1 thumbprints, any case. */
  readonly thumbprints: readonly string[];
}

/** An IAM role as IAM reports it. */
export interface IamRole {
  readonly arn: string;
  readonly roleName: string;
  readonly roleId: string;
  /** Decoded JSON text of the trust policy. */
  readonly assumeRolePolicyDocument: string;
  /** Seconds, 3600..43200. */
  readonly maxSessionDuration: number;
  readonly permissionsBoundaryArn?: string;
}

/** What the model may know of the account the role lives in. */
export interface IamView {
  /** The providers of the role's account. */
  readonly providers: readonly IamOidcProvider[];
  /** The role named by `RoleArn`, or undefined when it does not exist. */
  readonly role: IamRole | undefined;
}

/** A TLS certificate as observed on a connection. */
export interface ObservedCertificate {
  /** Uppercase hex SHA-1 of the DER certificate (IAM thumbprint form). */
  readonly sha1: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/** The TLS side of an HTTPS fetch. */
export interface ObservedTls {
  /** Certificates the server sent, leaf first. */
  readonly chain: readonly ObservedCertificate[];
  /**
   * True when the chain verifies against AWS's library of trusted root CAs (in the sandbox: the
   * sandbox CA) for the requested host name. Then thumbprints are ignored (aws-sts-oidc.md §4).
   */
  readonly trustedByCaLibrary: boolean;
  /** Why verification failed against the CA library, when it did (e.g. `self signed certificate`). */
  readonly verifyError?: string;
}

/** One HTTPS GET as observed from where STS stands (the public internet). */
export type HttpObservation =
  | {
      readonly url: string;
      readonly ok: true;
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      /** Time to the full response, in milliseconds. */
      readonly latencyMs: number;
      readonly tls: ObservedTls;
    }
  | {
      readonly url: string;
      readonly ok: false;
      /** `dns`, `connect`, `timeout`, `tls` (handshake failed), `protocol` (not https), `other`. */
      readonly error: 'dns' | 'connect' | 'timeout' | 'tls' | 'protocol' | 'other';
      readonly message: string;
      readonly latencyMs: number;
      /** What was seen of TLS before it failed, when anything was. */
      readonly tls?: ObservedTls;
    };

/** The issuer side: fetches a URL the way STS does (anonymous GET over HTTPS from the internet). */
export interface IssuerView {
  fetch(url: string): Promise<HttpObservation>;
}

/** An AWS error as STS returns it. */
export interface AwsError {
  readonly code: string;
  /** HTTP status. */
  readonly status: number;
  /** AWS's exact message text. */
  readonly message: string;
  /** `Sender` or `Receiver`, as in the Query error envelope. */
  readonly type: 'Sender' | 'Receiver';
}

/** What STS grants on success: everything but the secret material, which the server mints. */
export interface WebIdentityGrant {
  readonly roleArn: string;
  readonly roleId: string;
  readonly roleSessionName: string;
  /** `arn:<p>:sts::<account>:assumed-role/<role name>/<session>` (no role path). */
  readonly assumedRoleArn: string;
  /** `<role id>:<session>`. */
  readonly assumedRoleId: string;
  readonly durationSeconds: number;
  /** Provider ARN (what real responses carry in `Provider`). */
  readonly provider: string;
  /** Effective audience (`azp` when present, else the matching `aud`). */
  readonly audience: string;
  readonly subjectFromWebIdentityToken: string;
  readonly sourceIdentity?: string;
  readonly sessionTags?: Readonly<Record<string, string>>;
}

/** One step of the evaluation, for explanations (doctor) and debugging (server logs). */
export interface EvaluationStep {
  /** Stable rule id, e.g. `request.session-name`, `provider.lookup`, `jwks.kid`. */
  readonly rule: string;
  readonly outcome: 'pass' | 'fail' | 'skip';
  readonly detail: string;
}

export type WebIdentityResult =
  | { readonly ok: true; readonly grant: WebIdentityGrant; readonly steps: readonly EvaluationStep[] }
  | {
      readonly ok: false;
      readonly error: AwsError;
      readonly rule: string;
      readonly steps: readonly EvaluationStep[];
    };

export interface WebIdentityInput {
  readonly request: AssumeRoleWithWebIdentityRequest;
  /**
   * Which AWS to answer as (behaviour.ts): `'2026-11'` (default, AWS today) or `'2025-12'` (the
   * answers before the 2026 changes, e.g. `No OpenIDConnect provider found in your account for <iss>`).
   */
  readonly behaviour?: AwsBehaviour;
  readonly iam: IamView;
  readonly issuer: IssuerView;
  readonly now: Date;
  /** Budget for discovery + JWKS, ms; AWS's is about 5 s. */
  readonly fetchBudgetMs?: number;
}
