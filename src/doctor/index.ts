/**
 * `stsctl doctor` as a library: gather a target (a token, an issuer, a cluster or exported
 * manifests), run the checks through an injected context, render the report. See docs/commands.md
 * (`doctor`) and docs/findings.md.
 */
export { runDoctor, DEFAULT_SESSION_NAME } from './run.js';
export { memoizeIssuerView, type DoctorContext } from './context.js';
export { gatherCluster, gatherManifestsDir } from './gather.js';
export { createKubeClient, type KubeClient } from './kube/client.js';
export { loadKubeconfig, parseKubeconfig, type KubeConnection } from './kube/kubeconfig.js';
export { renderText } from './render/text.js';
export { renderJson } from './render/json.js';
export { renderHtml } from './render/html.js';
export {
  FINDINGS,
  FINDING_CODES,
  HOPS,
  type FindingCode,
  type Hop,
  type Severity,
} from './findings/registry.js';
export type * from './report.js';
export type * from './target.js';
// The doctor fetches issuers the way STS does; callers give it (and the web-identity model) this view.
export { createIssuerFetcher, type IssuerFetcherOptions } from '../net/issuer-fetch.js';
export type * from './ports.js';
export type { Fix, FixStep, FixFile } from './fix.js';
export { stepShellLines, shellQuote } from './fix.js';
export { editTrustPolicy, retargetTrustPolicy, explainTrustDenial } from './trust-edit.js';
