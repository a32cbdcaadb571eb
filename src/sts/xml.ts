import type { AwsError, WebIdentityGrant } from '../webidentity/types.js';
import type { IssuedCredentials } from './credentials.js';

/**
 * The STS Query-protocol response bodies, byte for byte in AWS's element order.
 *
 * Written by hand rather than with an XML library: the documents are tiny and fixed, and what
 * matters is the exact element order of real responses (aws-sts-oidc.md §1.3, §1.4), which a
 * generic serializer would not guarantee.
 */

/** The STS XML namespace (aws-sts-oidc.md §1.1, botocore `metadata.xmlNamespace`). */
export const STS_XML_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/**
 * The namespace of the generic fault envelope STS uses for a request without `Version`
 * (aws-sts-2026.md §4, probe).
 */
export const AWS_FAULT_NAMESPACE = 'http://webservices.amazon.com/AWSFault/2005-15-09';

/**
 * Characters XML 1.0 cannot carry at all, not even as a character reference (XML 1.0 §2.2
 * `Char`): C0 controls other than tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
 */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Everything {@link escapeXml} changes; most text has none of it and is returned as is. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPING = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  // A raw CR would reach the reader as LF (XML 1.0 §2.11, end-of-line handling); a reference keeps it.
  '\r': '&#13;',
};

/**
 * Escapes text for an XML element body. Quotes stay as they are: AWS's raw bytes carry
 * `Couldn't retrieve…` with a plain apostrophe (aws-sts-oidc.md §1.4), not `&apos;`.
 *
 * Characters XML 1.0 cannot carry (a control character in a token's `iss`, echoed in "No
 * OpenIDConnect provider found in your account for <iss>") are **replaced** by U+FFFD, the
 * Unicode replacement character: escaping is impossible (`&#1;` is itself not well-formed in XML
 * 1.0), and dropping them silently would make two different values look equal. The document
 * stays well-formed, so every client can still read the error code and the rest of the message.
 */
export function escapeXml(text: string): string {
  if (!NEEDS_ESCAPING.test(text)) return text;
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>\r]/g, (c) => XML_ESCAPES[c] ?? c);
}

function element(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/**
 * An element whose text this server generated from a fixed alphabet (credentials: base32,
 * base64, digits; request ids: a UUID), which needs no escaping. Skipping the scan of the
 * 900-character session token saves measurable time on every grant.
 */
function ownElement(name: string, text: string): string {
  return `<${name}>${text}</${name}>`;
}

/**
 * The `AssumeRoleWithWebIdentity` success body. Order as in a real response (aws-sts-oidc.md
 * §1.3): Audience, AssumedRoleUser{Arn, AssumedRoleId}, Provider, Credentials{AccessKeyId,
 * SecretAccessKey, SessionToken, Expiration}, SubjectFromWebIdentityToken, then SourceIdentity.
 * `PackedPolicySize` appears only when a session policy was passed (`packedPolicySize` defined);
 * where AWS puts it relative to SourceIdentity is not captured, we follow the model's member order.
 */
export function renderAssumeRoleWithWebIdentityResponse(
  grant: WebIdentityGrant,
  credentials: IssuedCredentials,
  requestId: string,
  packedPolicySize?: number,
): string {
  const parts = [
    `<AssumeRoleWithWebIdentityResponse xmlns="${STS_XML_NAMESPACE}">\n`,
    '  <AssumeRoleWithWebIdentityResult>\n',
    `    ${element('Audience', grant.audience)}\n`,
    '    <AssumedRoleUser>\n',
    `      ${element('Arn', grant.assumedRoleArn)}\n`,
    `      ${element('AssumedRoleId', grant.assumedRoleId)}\n`,
    '    </AssumedRoleUser>\n',
    `    ${element('Provider', grant.provider)}\n`,
    '    <Credentials>\n',
    `      ${ownElement('AccessKeyId', credentials.accessKeyId)}\n`,
    `      ${ownElement('SecretAccessKey', credentials.secretAccessKey)}\n`,
    `      ${ownElement('SessionToken', credentials.sessionToken)}\n`,
    `      ${ownElement('Expiration', credentials.expiration)}\n`,
    '    </Credentials>\n',
    `    ${element('SubjectFromWebIdentityToken', grant.subjectFromWebIdentityToken)}\n`,
  ];
  if (packedPolicySize !== undefined) {
    parts.push(`    ${element('PackedPolicySize', String(packedPolicySize))}\n`);
  }
  if (grant.sourceIdentity !== undefined) {
    parts.push(`    ${element('SourceIdentity', grant.sourceIdentity)}\n`);
  }
  parts.push(
    '  </AssumeRoleWithWebIdentityResult>\n',
    '  <ResponseMetadata>\n',
    `    ${ownElement('RequestId', requestId)}\n`,
    '  </ResponseMetadata>\n',
    '</AssumeRoleWithWebIdentityResponse>\n',
  );
  return parts.join('');
}

/**
 * The Query error envelope: `RequestId` is a sibling of `Error`, not inside `ResponseMetadata`
 * (aws-sts-oidc.md §1.4, raw bytes from aws-sdk-rust#827). `namespace` is STS's unless the
 * front end answers with the generic fault namespace (a request without `Version`, §4).
 */
export function renderErrorResponse(
  error: AwsError,
  requestId: string,
  namespace: string = STS_XML_NAMESPACE,
): string {
  return [
    `<ErrorResponse xmlns="${namespace}">\n`,
    '  <Error>\n',
    `    ${element('Type', error.type)}\n`,
    `    ${element('Code', error.code)}\n`,
    `    ${element('Message', error.message)}\n`,
    '  </Error>\n',
    `  ${ownElement('RequestId', requestId)}\n`,
    '</ErrorResponse>\n',
  ].join('');
}

/** The identity `GetCallerIdentity` reports for a session. */
export interface CallerIdentity {
  readonly arn: string;
  readonly userId: string;
  readonly account: string;
}

/**
 * The `GetCallerIdentity` success body, in the order of AWS's API reference example
 * (Arn, UserId, Account).
 */
export function renderGetCallerIdentityResponse(identity: CallerIdentity, requestId: string): string {
  return [
    `<GetCallerIdentityResponse xmlns="${STS_XML_NAMESPACE}">\n`,
    '  <GetCallerIdentityResult>\n',
    `    ${element('Arn', identity.arn)}\n`,
    `    ${element('UserId', identity.userId)}\n`,
    `    ${element('Account', identity.account)}\n`,
    '  </GetCallerIdentityResult>\n',
    '  <ResponseMetadata>\n',
    `    ${ownElement('RequestId', requestId)}\n`,
    '  </ResponseMetadata>\n',
    '</GetCallerIdentityResponse>\n',
  ].join('');
}
