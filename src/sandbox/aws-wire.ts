import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { escapeXml } from './xml-text.js';

/** The service of a SigV4 `Authorization` header (`Credential=AK/date/region/service/aws4_request`). */
export function sigV4Service(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth === undefined) return undefined;
  const m = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  return m?.[1];
}

/** An AWS request id lookalike (moto's are 52 alphanumerics; AWS's are UUIDs for Query/REST-XML). */
export function awsRequestId(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * An AWS-shaped error document for a service: S3's bare `<Error>`, or the `<ErrorResponse>`
 * envelope of the Query (IAM, STS) and REST-XML (CloudFront) protocols (aws-sts-oidc.md §1.4, §8).
 */
export function awsErrorBody(service: string | undefined, code: string, message: string): string {
  const id = awsRequestId();
  if (service === 's3') {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><RequestId>${id}</RequestId></Error>`;
  }
  const ns =
    service === 'cloudfront'
      ? ' xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"'
      : service === 'iam'
        ? ' xmlns="https://iam.amazonaws.com/doc/2010-05-08/"'
        : service === 'sts'
          ? ' xmlns="https://sts.amazonaws.com/doc/2011-06-15/"'
          : '';
  return `<ErrorResponse${ns}><Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`;
}
