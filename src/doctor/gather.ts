import { decodeJwt } from 'jose';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AWS_PROVIDER_SPEC_KIND } from '../core/credentials-requests.js';
import { StsctlError } from '../core/errors.js';
import {
  authenticationIssuer,
  countLogLines,
  credentialsMode,
  credentialsRequestFacts,
  irsaServiceAccountFacts,
  isRoleArn,
  isCredentialsRequest,
  objectKind,
  objectName,
  secretFacts,
  unwrapList,
  type CredentialsRequestFacts,
  type IrsaServiceAccountFacts,
} from './cluster-objects.js';
import { statusMessage, type KubeClient } from './kube/client.js';
import type { ComponentTarget, DoctorTarget, LogCount, SecretFacts, TokenInput } from './target.js';

/**
 * Gathering a cluster into a {@link DoctorTarget} before any check runs: live through the
 * Kubernetes API (the Authentication CR, the CloudCredential CR, every AWS CredentialsRequest, its
 * Secret, and one token per service account from the TokenRequest API with audience `openshift`;
 * on any Kubernetes, EKS included, every ServiceAccount annotated `eks.amazonaws.com/role-arn`
 * with one token of the audience the pod identity webhook would project), or from a directory of exported manifests (`oc get … -o yaml` output, a must-gather) with the
 * web-identity error lines of its logs counted.
 */

/** Audience OpenShift components' projected tokens carry. */
export const TOKEN_AUDIENCE = 'openshift';
/** Lifetime of the tokens the doctor requests: the shortest Kubernetes allows (10 minutes, §9). */
export const TOKEN_LIFETIME_SECONDS = 600;

function componentOf(
  cr: CredentialsRequestFacts,
  secret: SecretFacts | 'missing' | 'not-gathered',
  tokens: readonly TokenInput[],
): ComponentTarget {
  const ref = cr.secretRef;
  return {
    name: ref === undefined ? cr.name : `${ref.namespace}/${ref.name}`,
    ...(ref === undefined ? {} : { namespace: ref.namespace, secretRef: ref }),
    serviceAccounts: cr.serviceAccountNames,
    ...(typeof secret === 'object' && secret.roleArn !== undefined ? { roleArn: secret.roleArn } : {}),
    tokens,
    secret,
  };
}

const enc = encodeURIComponent;

async function requestToken(kube: KubeClient, ns: string, sa: string, audience: string): Promise<TokenInput> {
  const res = await kube.post(`/api/v1/namespaces/${enc(ns)}/serviceaccounts/${enc(sa)}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { audiences: [audience], expirationSeconds: TOKEN_LIFETIME_SECONDS },
  });
  const token = (res.body as { status?: { token?: unknown } } | undefined)?.status?.token;
  if (res.status === 201 || res.status === 200) {
    if (typeof token === 'string') return { serviceAccount: sa, token };
  }
  return {
    serviceAccount: sa,
    unavailable:
      res.status === 404
        ? `service account ${ns}/${sa} does not exist (the operator creates it when it runs)`
        : `TokenRequest for ${ns}/${sa}: ${statusMessage(res)}`,
  };
}

/**
 * One component per IRSA service account: the annotated role (when it is a role ARN) and one
 * token requested with the audience the webhook would project, so the token checks and STS's
 * verdict judge what the pods present.
 */
async function irsaComponent(kube: KubeClient, facts: IrsaServiceAccountFacts): Promise<ComponentTarget> {
  const token = await requestToken(kube, facts.namespace, facts.serviceAccount, facts.audience);
  return {
    name: `${facts.namespace}/${facts.serviceAccount}`,
    namespace: facts.namespace,
    serviceAccounts: [facts.serviceAccount],
    ...(isRoleArn(facts.roleArnAnnotation) ? { roleArn: facts.roleArnAnnotation } : {}),
    tokens: [token],
    audience: facts.audience,
    irsa: facts,
  };
}

/**
 * Reads a live cluster. `issuer` (from `--issuer`) wins over the Authentication CR's, which wins
 * over the API server's discovery document. A cluster without the OpenShift APIs (404 on the
 * CredentialsRequest list: EKS, self-managed Kubernetes) is read for IRSA service accounts only.
 */
export async function gatherCluster(
  kube: KubeClient,
  options: { readonly issuer?: string; readonly live?: boolean } = {},
): Promise<DoctorTarget> {
  const problems: string[] = [];
  const [auth, cco, crs, sas, discovery] = await Promise.all([
    kube.get('/apis/config.openshift.io/v1/authentications/cluster'),
    kube.get('/apis/operator.openshift.io/v1/cloudcredentials/cluster'),
    kube.get('/apis/cloudcredential.openshift.io/v1/credentialsrequests'),
    kube.get('/api/v1/serviceaccounts'),
    // Served to every authenticated user (ClusterRole system:service-account-issuer-discovery).
    kube.get('/.well-known/openid-configuration'),
  ]);
  // The API group is absent on a cluster without OpenShift: the list answers 404, not 403.
  const openshift = crs.status !== 404;
  let authIssuer: string | null | undefined;
  let mode: string | null | undefined;
  if (openshift) {
    if (auth.status === 200) authIssuer = authenticationIssuer(auth.body);
    else problems.push(`Authentication CR: ${statusMessage(auth)}`);
    if (cco.status === 200) mode = credentialsMode(cco.body);
    else problems.push(`CloudCredential CR: ${statusMessage(cco)}`);
    if (crs.status !== 200) {
      throw new StsctlError('KUBE_READ_FAILED', `cannot list CredentialsRequests: ${statusMessage(crs)}`, {
        kind: 'failure',
        hint: 'the doctor needs read access to credentialsrequests, secrets and create on serviceaccounts/token',
      });
    }
  }
  let irsa: IrsaServiceAccountFacts[] | undefined;
  if (sas.status === 200) {
    irsa = unwrapList(sas.body)
      .map(irsaServiceAccountFacts)
      .filter((f): f is IrsaServiceAccountFacts => f !== undefined);
  } else {
    problems.push(`ServiceAccounts (for IRSA annotations): ${statusMessage(sas)}`);
  }
  const discoveredIssuer =
    discovery.status === 200 &&
    typeof (discovery.body as { issuer?: unknown } | undefined)?.issuer === 'string'
      ? (discovery.body as { issuer: string }).issuer
      : undefined;
  const requests = openshift
    ? unwrapList(crs.body)
        .map(credentialsRequestFacts)
        .filter((cr) => cr.providerKind === AWS_PROVIDER_SPEC_KIND)
    : [];

  const components = await Promise.all(
    requests.map(async (cr): Promise<ComponentTarget> => {
      const ref = cr.secretRef;
      let secret: SecretFacts | 'missing' | 'not-gathered' = 'not-gathered';
      if (ref !== undefined) {
        const got = await kube.get(`/api/v1/namespaces/${enc(ref.namespace)}/secrets/${enc(ref.name)}`);
        if (got.status === 200) secret = secretFacts(got.body);
        else if (got.status === 404) secret = 'missing';
        else problems.push(`Secret ${ref.namespace}/${ref.name}: ${statusMessage(got)}`);
      }
      const ns = ref?.namespace;
      const tokens = await Promise.all(
        cr.serviceAccountNames.map((sa): Promise<TokenInput> =>
          ns === undefined
            ? Promise.resolve({
                serviceAccount: sa,
                unavailable: 'the CredentialsRequest has no secretRef namespace',
              })
            : requestToken(kube, ns, sa, TOKEN_AUDIENCE),
        ),
      );
      return componentOf(cr, secret, tokens);
    }),
  );
  const irsaComponents = await Promise.all((irsa ?? []).map((f) => irsaComponent(kube, f)));
  const tokenIssuers = irsaComponents
    .flatMap((c) => c.tokens)
    .map((t) => (t.token === undefined ? undefined : tokenIss(t.token)))
    .filter((i): i is string => i !== undefined);
  const issuer = options.issuer ?? authIssuer ?? discoveredIssuer ?? tokenIssuers[0];
  return {
    mode: 'cluster',
    ...(issuer === undefined ? {} : { issuer }),
    components: [...components, ...irsaComponents],
    cluster: {
      ...(authIssuer === undefined ? {} : { authenticationIssuer: authIssuer }),
      ...(mode === undefined ? {} : { credentialsMode: mode }),
      openshift,
      ...(discoveredIssuer === undefined ? {} : { apiserverIssuer: discoveredIssuer }),
      ...(irsa === undefined ? {} : { irsaServiceAccounts: irsa.length }),
      readProblems: problems,
    },
    ...(options.live === undefined ? {} : { live: options.live }),
  };
}

/** The `iss` of a compact JWT, without verifying it; undefined when it is not one. */
function tokenIss(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const LOG_FILE = /\.log$/i;
/** Files larger than this are skipped (a must-gather holds large binary captures). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

async function walk(dir: string, out: string[]): Promise<void> {
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
}

/** Reads a directory of exported manifests (and the logs of a must-gather). */
export async function gatherManifestsDir(
  dir: string,
  options: { readonly issuer?: string } = {},
): Promise<DoctorTarget> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (cause) {
    throw new StsctlError('MANIFESTS_DIR_UNREADABLE', `cannot read ${dir}: ${(cause as Error).message}`, {
      file: dir,
      cause,
    });
  }
  if (!isDirectory) {
    throw new StsctlError('MANIFESTS_DIR_UNREADABLE', `cannot read ${dir}: not a directory`, { file: dir });
  }
  const files: string[] = [];
  await walk(dir, files);
  let authIssuer: string | null | undefined;
  let mode: string | null | undefined;
  const requests: CredentialsRequestFacts[] = [];
  const secrets = new Map<string, SecretFacts>();
  const logCounts: LogCount[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const shown = relative(dir, file);
    const size = (await stat(file)).size;
    if (size > MAX_FILE_BYTES) continue;
    if (LOG_FILE.test(file)) {
      const counts = countLogLines(await readFile(file, 'utf8'));
      logCounts.push({ file: shown, ...counts });
      continue;
    }
    if (!MANIFEST_FILE.test(file)) continue;
    const docs = parseAllDocuments(await readFile(file, 'utf8'));
    for (const [i, doc] of (Array.isArray(docs) ? docs : []).entries()) {
      if (doc.errors.length > 0) {
        problems.push(`${shown}, document ${i}: not YAML (${doc.errors[0]?.message.split('\n')[0] ?? ''})`);
        continue;
      }
      for (const obj of unwrapList(doc.toJS({ maxAliasCount: 100 }) as unknown)) {
        const k = objectKind(obj);
        if (k === undefined) continue;
        if (
          k.kind === 'Authentication' &&
          k.group === 'config.openshift.io' &&
          objectName(obj).name === 'cluster'
        ) {
          authIssuer = authenticationIssuer(obj);
        } else if (k.kind === 'CloudCredential' && k.group === 'operator.openshift.io') {
          mode = credentialsMode(obj);
        } else if (isCredentialsRequest(obj)) {
          const cr = credentialsRequestFacts(obj);
          if (cr.providerKind === AWS_PROVIDER_SPEC_KIND) requests.push(cr);
        } else if (k.kind === 'Secret' && k.group === '') {
          const s = secretFacts(obj);
          secrets.set(`${s.namespace}/${s.name}`, s);
        }
      }
    }
  }
  // The same request exported twice (a List and single files) is one component.
  const unique = new Map<string, CredentialsRequestFacts>();
  for (const cr of requests) unique.set(`${cr.namespace ?? ''}/${cr.name}`, cr);
  const components = [...unique.values()].map((cr) => {
    const ref = cr.secretRef;
    const secret: SecretFacts | 'missing' | 'not-gathered' =
      secrets.size === 0
        ? 'not-gathered'
        : ref === undefined
          ? 'missing'
          : (secrets.get(`${ref.namespace}/${ref.name}`) ?? 'missing');
    return componentOf(cr, secret, [
      // No cluster to ask for tokens: the role's trust policy is evaluated per service account instead.
    ]);
  });
  const issuer = options.issuer ?? authIssuer ?? undefined;
  return {
    mode: 'manifests',
    ...(issuer === undefined ? {} : { issuer }),
    components,
    cluster: {
      ...(authIssuer === undefined ? {} : { authenticationIssuer: authIssuer }),
      ...(mode === undefined ? {} : { credentialsMode: mode }),
      logCounts,
      readProblems: problems,
    },
  };
}
