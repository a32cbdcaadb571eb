/**
 * `stsctl serve`: a production-grade static HTTPS server for a self-hosted issuer's discovery
 * document and JWKS (docs/commands.md, `serve`).
 */
export {
  startIssuerServer,
  type IssuerServer,
  type IssuerServerOptions,
  type ServeLogger,
} from './server.js';
export {
  ACCESS_LOG_FORMATS,
  formatAccessLog,
  type AccessLogEntry,
  type AccessLogFormat,
} from './access-log.js';
export { deriveRoutes, type IssuerRoutes, type RouteOptions } from './routes.js';
export { normalizeRequestPath } from './request-path.js';
export { entityTag, ifNoneMatchMatches } from './etag.js';
export {
  respond,
  servedDocument,
  DOCUMENT_MAX_AGE_SECONDS,
  SECURITY_HEADERS,
  type HealthReport,
  type PlainResponse,
  type ResponderState,
  type ServedDocument,
} from './respond.js';
export {
  loadIssuerSnapshot,
  locateIssuerFiles,
  LAYOUT_FILES,
  type IssuerDirLayout,
  type IssuerFiles,
  type IssuerSnapshot,
} from './issuer-documents.js';
export { readTlsMaterial, type TlsMaterial } from './tls-files.js';
