import type { JWTPayload } from 'jose';

/**
 * Session tags and source identity carried in the token (aws-sts-oidc.md §1.2, IAM
 * `id_session-tags.md`): they come from claims, not request parameters, and each needs its own
 * permission in the trust policy (`sts:TagSession`, `sts:SetSourceIdentity`).
 */

export const SESSION_TAGS_CLAIM = 'https://aws.amazon.com/tags';
export const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

/** What the token asks for beyond the role session itself. */
export interface SessionClaims {
  /** `principal_tags`, one value per key; undefined when the token carries none. */
  readonly tags: Readonly<Record<string, string>> | undefined;
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity: string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the session claims. AWS's examples give each tag value as a one-element list
 * (`"principal_tags": {"Project": ["Automation"]}`); a bare string is accepted too. Values of any
 * other shape are ignored.
 */
export function readSessionClaims(claims: JWTPayload): SessionClaims {
  const block = claims[SESSION_TAGS_CLAIM];
  const tags: Record<string, string> = {};
  let transitiveTagKeys: string[] = [];
  if (isRecord(block)) {
    const principalTags = block['principal_tags'];
    if (isRecord(principalTags)) {
      for (const [key, value] of Object.entries(principalTags)) {
        const first: unknown = Array.isArray(value) ? value[0] : value;
        if (typeof first === 'string') tags[key] = first;
      }
    }
    const transitive = block['transitive_tag_keys'];
    if (Array.isArray(transitive))
      transitiveTagKeys = transitive.filter((k): k is string => typeof k === 'string');
  }
  const source = claims[SOURCE_IDENTITY_CLAIM];
  return {
    tags: Object.keys(tags).length > 0 ? tags : undefined,
    transitiveTagKeys,
    sourceIdentity: typeof source === 'string' ? source : undefined,
  };
}
