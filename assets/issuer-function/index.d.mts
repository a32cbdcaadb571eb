/** Types of the issuer function (index.mjs), for stsctl's sandbox and tests. */

/** The parts of a function URL event (payload format 2.0) the function reads. */
export interface FunctionUrlEvent {
  readonly version?: string;
  readonly rawPath?: string;
  readonly rawQueryString?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly requestContext?: { readonly http?: { readonly method?: string; readonly path?: string } };
  readonly isBase64Encoded?: boolean;
  readonly body?: string;
}

/** What the function returns: Lambda turns it into the HTTP response. */
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type ReadObject = (key: string) => Promise<string | undefined>;

export declare const DOCUMENTS: Readonly<Record<string, string>>;
export declare const MAX_AGE_SECONDS: number;
export declare function createHandler(options: {
  readObject: ReadObject;
}): (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;
export declare function s3Reader(
  bucket: string,
  clientPromise: Promise<{
    client: {
      send(command: unknown): Promise<{ Body: { transformToString(encoding: string): Promise<string> } }>;
    };
    GetObjectCommand: new (input: { Bucket: string; Key: string }) => unknown;
  }>,
): ReadObject;
export declare function handler(event: FunctionUrlEvent): Promise<FunctionUrlResult>;
