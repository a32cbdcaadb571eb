/**
 * Kubernetes' object-name rules, as the API server applies them, so a name stsctl accepts from a
 * CredentialsRequest is one Kubernetes would accept too — and, by the same token, one that cannot
 * climb out of a directory (no `/`, no `..` segment, no NUL, no uppercase or look-alike letters).
 *
 * Source: k8s.io/apimachinery/pkg/util/validation/validation.go
 * - `IsDNS1123Label`: at most 63 characters (`DNS1123LabelMaxLength`), regex
 *   `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
 * - `IsDNS1123Subdomain`: at most 253 characters (`DNS1123SubdomainMaxLength`), regex
 *   `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`.
 * Which rule applies to which object (k8s.io/kubernetes/pkg/apis/core/validation/validation.go):
 * `ValidateServiceAccountName` and `ValidateSecretName` are `apimachineryvalidation.NameIsDNSSubdomain`;
 * `ValidateNamespaceName` is `NameIsDNSLabel`. Custom resources such as CredentialsRequest get
 * `NameIsDNSSubdomain` for `metadata.name` (apiextensions-apiserver's default object-meta validation).
 */

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL}$`);
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);

/**
 * Problems with `value` as a DNS-1123 label (Kubernetes `IsDNS1123Label`): an empty list when it
 * is valid; otherwise messages worded like the API server's.
 */
export function dns1123LabelProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) {
    problems.push(`must be no more than ${DNS1123_LABEL_MAX_LENGTH} characters (it has ${value.length})`);
  }
  if (!DNS1123_LABEL_RE.test(value)) {
    problems.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

/**
 * Problems with `value` as a DNS-1123 subdomain (Kubernetes `IsDNS1123Subdomain`): an empty list
 * when it is valid; otherwise messages worded like the API server's.
 */
export function dns1123SubdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) {
    problems.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX_LENGTH} characters (it has ${value.length})`);
  }
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    problems.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}
