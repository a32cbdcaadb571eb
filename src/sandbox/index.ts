/**
 * The sandbox: AWS and the public internet on one machine (docs/sandbox.md).
 * moto_server (child process) ← gateway (AWS_ENDPOINT_URL) ; HTTPS edge + resolver + CAs for
 * everything STS fetches from "the internet".
 */
export { startMoto, freePort, type MotoServer, type StartMotoOptions } from './moto.js';
export {
  createSandboxCas,
  saveSandboxCas,
  loadSandboxCas,
  certificateSha1,
  type CertificateAuthority,
  type IssuedCertificate,
  type LeafOptions,
  type SandboxCas,
} from './ca.js';
export {
  startGateway,
  throttlingFault,
  serverErrorFault,
  awsErrorBody,
  parseDistributionConfig,
  sigV4Service,
  type Gateway,
  type GatewayRequestInfo,
  type FaultAction,
  type FaultInjector,
  type CountedFaultOptions,
  type RecordedDistribution,
  type RecordedOrigin,
  type StartGatewayOptions,
} from './gateway.js';
export { startEdge, type Edge, type StartEdgeOptions, type StaticSite, type StaticRoute } from './edge.js';
export { createSandboxResolver, createSandboxAgent, type SandboxResolver } from './resolver.js';
export { parseS3Host, parseCloudFrontHost, type S3HostRoute, type CloudFrontHostRoute } from './hosts.js';
export {
  startSandbox,
  sandboxEnvironment,
  SANDBOX_ACCOUNT_ID,
  SANDBOX_CREDENTIALS,
  type Sandbox,
  type SandboxOptions,
  type SandboxEndpoints,
} from './lifecycle.js';
