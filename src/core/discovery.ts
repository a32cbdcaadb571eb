import { StsctlError } from './errors.js';
import { jwksUri } from './issuer.js';

/**
 * The OIDC discovery document ccoctl publishes at `<issuer>/.well-known/openid-configuration`.
 *
 * Byte-exact copy of ccoctl's `DiscoveryDocumentTemplate` (ccoctl.md §3.4): the first two field
 * lines are indented with a TAB and the rest with four spaces, "sub" is listed twice, and there is
 * no trailing newline. STS needs `issuer`, `jwks_uri`, `response_types_supported`,
 * `subject_types_supported` and `id_token_signing_alg_values_supported` (aws-sts-oidc.md §3.2).
 */
export function renderDiscoveryDocument(issuer: string): string {
  return [
    '{',
    `\t"issuer": "${issuer}",`,
    `\t"jwks_uri": "${jwksUri(issuer)}",`,
    '    "response_types_supported": [',
    '        "id_token"',
    '    ],',
    '    "subject_types_supported": [',
    '        "public"',
    '    ],',
    '    "id_token_signing_alg_values_supported": [',
    '        "RS256"',
    '    ],',
    '    "claims_supported": [',
    '        "aud",',
    '        "exp",',
    '        "sub",',
    '        "iat",',
    '        "iss",',
    '        "sub"',
    '    ]',
    '}',
  ].join('\n');
}

export interface DiscoveryDocument {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly response_types_supported?: readonly string[];
  readonly subject_types_supported?: readonly string[];
  readonly id_token_signing_alg_values_supported?: readonly string[];
  readonly claims_supported?: readonly string[];
  readonly [field: string]: unknown;
}

/** Fields OIDC Discovery makes REQUIRED and STS is observed to need (aws-sts-oidc.md §3.2). */
export const REQUIRED_DISCOVERY_FIELDS = [
  'issuer',
  'jwks_uri',
  'response_types_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
] as const;

/** Required fields missing from a parsed discovery document (an empty list when it is complete). */
export function missingDiscoveryFields(doc: Record<string, unknown>): string[] {
  return REQUIRED_DISCOVERY_FIELDS.filter((f) => doc[f] === undefined || doc[f] === null);
}

/** Parses a discovery document, checking the types of the fields stsctl reads. */
export function parseDiscoveryDocument(value: unknown, source?: string): DiscoveryDocument {
  const where = source === undefined ? {} : { file: source };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StsctlError('DISCOVERY_INVALID', 'a discovery document must be a JSON object', where);
  }
  const doc = value as Record<string, unknown>;
  for (const f of ['issuer', 'jwks_uri'] as const) {
    if (typeof doc[f] !== 'string')
      throw new StsctlError('DISCOVERY_INVALID', 'expected a string', { ...where, path: f });
  }
  for (const f of [
    'response_types_supported',
    'subject_types_supported',
    'id_token_signing_alg_values_supported',
    'claims_supported',
  ]) {
    const v = doc[f];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      throw new StsctlError('DISCOVERY_INVALID', 'expected a list of strings', { ...where, path: f });
    }
  }
  return doc as DiscoveryDocument;
}
