/**
 * One error family for stsctl, with stable string codes (see STYLE.md §3).
 *
 * `kind` says who is at fault: `usage` (bad flags or input the user can fix, exit 2) or
 * `failure` (the world did not cooperate, exit 1). Structured fields let findings and the CLI
 * name the file, the document and the field without parsing messages.
 */
export type ErrorKind = 'usage' | 'failure';

export interface ErrorLocation {
  /** File the problem is in, as the user named it. */
  readonly file?: string;
  /** 0-based index of the YAML/JSON document inside the file. */
  readonly document?: number;
  /** Field path inside the document, e.g. `spec.providerSpec.statementEntries[2].action`. */
  readonly path?: string;
}

export interface StsctlErrorOptions extends ErrorLocation {
  readonly kind?: ErrorKind;
  readonly cause?: unknown;
  /** AWS request id, when the error comes from an AWS call. */
  readonly requestId?: string;
  /** A short hint telling the user what to do about it. */
  readonly hint?: string;
}

/** Base class of every error stsctl raises on purpose. */
export class StsctlError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly file: string | undefined;
  readonly document: number | undefined;
  readonly path: string | undefined;
  readonly requestId: string | undefined;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: StsctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StsctlError';
    this.code = code;
    this.kind = options.kind ?? 'usage';
    this.file = options.file;
    this.document = options.document;
    this.path = options.path;
    this.requestId = options.requestId;
    this.hint = options.hint;
  }

  /** `file, document N, field path: message` — the form every input error is shown in. */
  describe(): string {
    const where: string[] = [];
    if (this.file !== undefined) where.push(this.file);
    if (this.document !== undefined) where.push(`document ${this.document}`);
    if (this.path !== undefined && this.path !== '') where.push(this.path);
    const head = where.length > 0 ? `${where.join(', ')}: ` : '';
    return `${head}${this.message}`;
  }
}

/** Several input errors found in one validation pass, reported together. */
export class StsctlAggregateError extends StsctlError {
  readonly errors: readonly StsctlError[];

  constructor(code: string, errors: readonly StsctlError[]) {
    super(code, `${errors.length} problem${errors.length === 1 ? '' : 's'} found`, { kind: 'usage' });
    this.name = 'StsctlAggregateError';
    this.errors = errors;
  }

  override describe(): string {
    return [this.message + ':', ...this.errors.map((e) => `  - ${e.describe()}`)].join('\n');
  }
}

/** Narrowing helper for `catch (e: unknown)`. */
export function isStsctlError(e: unknown): e is StsctlError {
  return e instanceof StsctlError;
}
