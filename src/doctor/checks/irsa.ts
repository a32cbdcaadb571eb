import { parseArn } from '../../core/partitions.js';
import type { AwsBehaviour } from '../../webidentity/behaviour.js';
import { MIN_TOKEN_LENGTH, validateRequest } from '../../webidentity/request-validation.js';
import { StepLog } from '../../webidentity/steps.js';
import type { IamOidcProvider } from '../../webidentity/types.js';
import { IRSA, isRoleArn, type IrsaServiceAccountFacts } from '../cluster-objects.js';
import type { TemplateVars } from '../findings/registry.js';
import { makeFinding, type CheckResult, type Finding } from '../report.js';
import { withFindings } from './check.js';

/**
 * An IRSA service account against what the pod identity webhook does with it (aws-sts-oidc.md,
 * "EKS webhook defaults"; peers.md §2.2): the `eks.amazonaws.com/role-arn` annotation becomes
 * `AWS_ROLE_ARN` as written, so it must be a role ARN; STS looks the IAM OIDC provider up in the
 * role's own account and partition, so the role must live beside the provider that trusts the
 * cluster's issuer; and the projected token's audience (the annotation, else the webhook's default
 * `sts.amazonaws.com`) must be one of that provider's client IDs.
 */

/** Inputs of {@link checkIrsa}. */
export interface IrsaCheckInput {
  readonly facts: IrsaServiceAccountFacts;
  /** The IAM OIDC provider for the cluster's issuer, looked up across every listed account. */
  readonly provider: IamOidcProvider | undefined;
  readonly vars: TemplateVars;
  /** The token requested for the service account (the request STS would validate). */
  readonly token?: string;
  readonly sessionName: string;
  readonly behaviour?: AwsBehaviour;
}

/** Judges one IRSA service account's annotations. */
export function checkIrsa(input: IrsaCheckInput): CheckResult {
  const { facts, provider } = input;
  const vars: TemplateVars = {
    ...input.vars,
    namespace: facts.namespace,
    serviceAccount: facts.serviceAccount,
    clientId: facts.audience,
    ...(provider === undefined ? {} : { providerArn: provider.arn }),
  };
  const findings: Finding[] = [];
  const annotation = `${IRSA.roleArnAnnotation}: ${facts.roleArnAnnotation}`;
  // STS's own request validation of the RoleArn the SDK would send: a short value fails the
  // member constraints, a longer one `Request ARN is invalid` (request-validation.ts, §1.2, §2).
  const validated = validateRequest(
    {
      RoleArn: facts.roleArnAnnotation,
      RoleSessionName: input.sessionName,
      WebIdentityToken: input.token ?? 'x'.repeat(MIN_TOKEN_LENGTH),
    },
    new StepLog(),
    input.behaviour,
  );
  if (!validated.ok || !isRoleArn(facts.roleArnAnnotation)) {
    findings.push(
      makeFinding(
        'IRSA_ROLE_ARN_INVALID',
        `ServiceAccount ${facts.namespace}/${facts.serviceAccount} has ${annotation}: not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>); the webhook injects it as ${IRSA.env.roleArn} unchanged`,
        vars,
        validated.ok
          ? {}
          : {
              predictedError: {
                code: validated.error.code,
                status: validated.error.status,
                message: validated.error.message,
              },
            },
      ),
    );
  } else if (provider !== undefined) {
    const role = parseArn(facts.roleArnAnnotation);
    const owner = parseArn(provider.arn);
    if (
      role !== undefined &&
      owner !== undefined &&
      (role.account !== owner.account || role.partition !== owner.partition)
    ) {
      findings.push(
        makeFinding(
          'IRSA_ROLE_ACCOUNT_MISMATCH',
          `the role ${facts.roleArnAnnotation} is in ${role.partition} account ${role.account}; the IAM OIDC provider for the cluster's issuer is ${provider.arn} (${owner.partition} account ${owner.account}); STS looks the provider up in the role's account`,
          { ...vars, accountId: role.account, partition: role.partition },
        ),
      );
    }
  }
  if (provider !== undefined && !provider.clientIds.includes(facts.audience)) {
    const source = facts.audienceAnnotated
      ? `the ${IRSA.audienceAnnotation} annotation`
      : `the webhook's default (no ${IRSA.audienceAnnotation} annotation)`;
    findings.push(
      makeFinding(
        'IRSA_AUDIENCE_NOT_CLIENT_ID',
        `ServiceAccount ${facts.namespace}/${facts.serviceAccount}: the projected token's audience is ${facts.audience}, ${source}; the provider ${provider.arn} lists client IDs ${provider.clientIds.length === 0 ? '(none)' : provider.clientIds.join(', ')}`,
        vars,
      ),
    );
  }
  const expiration =
    facts.tokenExpirationInvalid === undefined
      ? `${facts.tokenExpirationSeconds}s`
      : `${facts.tokenExpirationSeconds}s (the annotation "${facts.tokenExpirationInvalid}" is not a number: the webhook's default applies)`;
  return withFindings(
    'irsa.annotations',
    'IRSA service account annotations',
    'credentials',
    findings,
    `${IRSA.env.roleArn}=${facts.roleArnAnnotation}, ${IRSA.env.tokenFile}=${IRSA.tokenPath}, audience ${facts.audience}, token lifetime ${expiration}`,
  );
}
