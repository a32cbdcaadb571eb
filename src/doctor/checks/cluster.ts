import type { TemplateVars } from '../findings/registry.js';
import { makeFinding, type CheckResult, type Finding } from '../report.js';
import type { ClusterFacts, ComponentTarget } from '../target.js';
import { couldNotCheck, passed, withFindings } from './check.js';

/**
 * The cluster side: the cloud-credential operator's mode, the Authentication CR's issuer (and
 * whether the IAM provider the roles trust names the same one), each CredentialsRequest's Secret,
 * and web-identity errors counted in gathered logs. On a cluster without OpenShift (EKS,
 * self-managed Kubernetes): the API server's issuer and the IRSA service accounts found.
 */

/** The operator mode and the Authentication CR. */
export function checkClusterConfig(
  facts: ClusterFacts,
  trustedProviderUrls: readonly string[],
  vars: TemplateVars,
): CheckResult[] {
  if (facts.openshift === false) return checkKubernetesConfig(facts, trustedProviderUrls, vars);
  const out: CheckResult[] = [];
  if (facts.credentialsMode === undefined) {
    out.push(
      couldNotCheck(
        'cluster.credentials-mode',
        'Cloud-credential operator mode',
        'credentials',
        'the CloudCredential CR was not read',
      ),
    );
  } else {
    const mode = facts.credentialsMode;
    out.push(
      withFindings(
        'cluster.credentials-mode',
        'Cloud-credential operator mode',
        'credentials',
        mode === 'Manual'
          ? []
          : [
              makeFinding(
                'CREDENTIALS_MODE_NOT_MANUAL',
                `spec.credentialsMode is ${mode ?? '"" (default)'}`,
                vars,
              ),
            ],
        'Manual',
      ),
    );
  }
  const title = 'Authentication CR issuer';
  if (facts.authenticationIssuer === undefined) {
    out.push(couldNotCheck('cluster.issuer', title, 'issuer', 'the Authentication CR was not read'));
  } else if (facts.authenticationIssuer === null) {
    out.push(
      withFindings(
        'cluster.issuer',
        title,
        'issuer',
        [
          makeFinding(
            'AUTHENTICATION_ISSUER_MISSING',
            'spec.serviceAccountIssuer is empty: tokens carry https://kubernetes.default.svc',
            { ...vars, iss: 'https://kubernetes.default.svc' },
          ),
        ],
        '',
      ),
    );
  } else {
    const issuer = facts.authenticationIssuer;
    const others = [...new Set(trustedProviderUrls.filter((u) => u !== issuer))];
    out.push(
      withFindings(
        'cluster.issuer',
        title,
        'issuer',
        others.length === 0
          ? []
          : [
              makeFinding(
                'ISSUER_MISMATCH',
                `the Authentication CR says ${issuer}; the roles trust the provider for ${others.join(', ')}`,
                { ...vars, iss: issuer, issuer: others[0] ?? '' },
              ),
            ],
        `spec.serviceAccountIssuer ${issuer}`,
      ),
    );
  }
  const counts = facts.logCounts ?? [];
  const noisy = counts.filter((c) => c.invalidIdentityToken + c.accessDenied + c.webIdentityErr > 0);
  if (facts.logCounts !== undefined) {
    out.push(
      withFindings(
        'cluster.logs',
        'Web-identity errors in gathered logs',
        'credentials',
        noisy.map((c) =>
          makeFinding(
            'OPERATOR_LOG_ERRORS',
            `${c.file}: InvalidIdentityToken ${c.invalidIdentityToken}, AccessDenied ${c.accessDenied}, WebIdentityErr ${c.webIdentityErr}`,
            vars,
          ),
        ),
        `${counts.length} log file(s), no web-identity errors`,
      ),
    );
  }
  return out;
}

/** The component's Secret: present, role ARN and token path, no static keys. */
export function checkSecret(component: ComponentTarget, vars: TemplateVars): CheckResult {
  const id = 'component.secret';
  const title = 'Credentials Secret';
  const ref = component.secretRef;
  const v: TemplateVars = {
    ...vars,
    ...(ref === undefined ? {} : { secretName: ref.name, secretNamespace: ref.namespace }),
  };
  const secret = component.secret;
  if (secret === undefined) return passed(id, title, 'credentials', 'no Secret expected (a token was given)');
  if (secret === 'not-gathered') {
    return couldNotCheck(
      id,
      title,
      'credentials',
      'Secrets were not gathered (a must-gather does not collect them)',
    );
  }
  if (secret === 'missing') {
    return withFindings(
      id,
      title,
      'credentials',
      [makeFinding('SECRET_MISSING', `Secret ${ref?.namespace ?? ''}/${ref?.name ?? ''} does not exist`, v)],
      '',
    );
  }
  const findings: Finding[] = [];
  if (secret.staticKeys) {
    findings.push(
      makeFinding(
        'SECRET_STATIC_KEYS',
        `Secret ${secret.namespace}/${secret.name} holds aws_access_key_id/aws_secret_access_key (keys: ${secret.keys.join(', ')})`,
        v,
      ),
    );
  }
  const lacking = [
    ...(secret.roleArn === undefined ? ['role_arn'] : []),
    ...(secret.webIdentityTokenFile === undefined ? ['web_identity_token_file'] : []),
  ];
  if (lacking.length > 0 && !(secret.staticKeys && lacking.length === 2)) {
    findings.push(
      makeFinding(
        'SECRET_INCOMPLETE',
        `Secret ${secret.namespace}/${secret.name} lacks ${lacking.join(' and ')}`,
        v,
      ),
    );
  }
  return withFindings(
    id,
    title,
    'credentials',
    findings,
    `${secret.namespace}/${secret.name}: role_arn ${secret.roleArn ?? ''}, token ${secret.webIdentityTokenFile ?? ''}`,
  );
}

/**
 * A cluster without the OpenShift APIs: the issuer its API server announces in
 * `/.well-known/openid-configuration` (the `--service-account-issuer` its tokens carry) against the
 * providers the roles trust, and whether any service account is annotated for IRSA.
 */
function checkKubernetesConfig(
  facts: ClusterFacts,
  trustedProviderUrls: readonly string[],
  vars: TemplateVars,
): CheckResult[] {
  const out: CheckResult[] = [];
  const title = 'API server issuer';
  const issuer = facts.apiserverIssuer;
  if (issuer === undefined) {
    out.push(
      couldNotCheck(
        'cluster.issuer',
        title,
        'issuer',
        'the API server did not serve /.well-known/openid-configuration',
      ),
    );
  } else {
    const others = [...new Set(trustedProviderUrls.filter((u) => u !== issuer))];
    out.push(
      withFindings(
        'cluster.issuer',
        title,
        'issuer',
        others.length === 0
          ? []
          : [
              makeFinding(
                'ISSUER_MISMATCH',
                `the API server's discovery document says ${issuer}; the roles trust the provider for ${others.join(', ')}`,
                { ...vars, iss: issuer, issuer: others[0] ?? '' },
              ),
            ],
        `issuer ${issuer}`,
      ),
    );
  }
  if (facts.irsaServiceAccounts !== undefined) {
    out.push(
      passed(
        'cluster.irsa',
        'IRSA service accounts',
        'credentials',
        facts.irsaServiceAccounts === 0
          ? 'no service account is annotated eks.amazonaws.com/role-arn: nothing uses web identity here'
          : `${facts.irsaServiceAccounts} service account(s) annotated eks.amazonaws.com/role-arn`,
      ),
    );
  }
  return out;
}
