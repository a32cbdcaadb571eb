import {
  ERROR_CODES,
  errorDefinition,
  type ErrorCode,
  type ErrorDefinition,
  type ErrorKind,
  type KindOf,
  type UsageErrorCode,
} from './error-codes.js';

/**
 * One error family for stsctl, with stable string codes (see STYLE.md §3).
 *
 * Every code is registered in `ERROR_CODES` (src/core/error-codes.ts), which says who is at fault:
 * `usage` (bad flags or input the user can fix, exit 2) or `failure` (the world did not cooperate,
 * exit 1). Structured fields let findings and the CLI name the file, the document and the field
 * without parsing messages.
 */
export {
  ERROR_CODES,
  ERROR_CODE_LIST,
  ERROR_GROUPS,
  errorDefinition,
  KIND_EXIT_CODES,
  type ErrorCode,
  type ErrorDefinition,
  type ErrorGroup,
  type ErrorKind,
  type KindOf,
  type UsageErrorCode,
} from './error-codes.js';

export interface ErrorLocation {
  /** File the problem is in, as the user named it. */
  readonly file?: string;
  /** 0-based index of the YAML/JSON document inside the file. */
  readonly document?: number;
  /** Field path inside the document, e.g. `spec.providerSpec.statementEntries[2].action`. */
  readonly path?: string;
}

export interface StsctlErrorOptions<C extends ErrorCode = ErrorCode> extends ErrorLocation {
  /**
   * Redundant with the registry, which decides; accepted so that calls written before the
   * registry keep compiling. With a literal code, a kind the registry contradicts is a type error.
   */
  readonly kind?: KindOf<C>;
  readonly cause?: unknown;
  /** AWS request id, when the error comes from an AWS call. */
  readonly requestId?: string;
  /** AWS's error code (the SDK error's `name`, e.g. `AccessDenied`), when AWS answered with one. */
  readonly awsErrorCode?: string;
  /** A short hint telling the user what to do about it; the registry's hint when not given. */
  readonly hint?: string;
}

/**
 * Base class of every error stsctl raises on purpose.
 *
 * `kind` comes from the registry entry of `code`, never from the call: the exit code is a property
 * of the code, so two places raising the same code cannot exit differently. A call's explicit
 * `options.kind` that contradicts the registry is rejected by the type (the type parameter `C`
 * captures the literal code); when the code is only known as `ErrorCode` at compile time (an error
 * re-thrown with its code), the registry still decides at run time, rather than throwing from an
 * error's constructor, which would hide the error being reported.
 */
export class StsctlError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly file: string | undefined;
  readonly document: number | undefined;
  readonly path: string | undefined;
  readonly requestId: string | undefined;
  readonly awsErrorCode: string | undefined;
  readonly hint: string | undefined;

  constructor(code: C, message: string, options: StsctlErrorOptions<C> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StsctlError';
    this.code = code;
    // Only a caller without the types (plain JavaScript, a cast) can pass an unregistered code;
    // throwing here would hide the error being reported, so it becomes a failure without a hint.
    const definition: ErrorDefinition | undefined = Object.hasOwn(ERROR_CODES, code)
      ? errorDefinition(code)
      : undefined;
    this.kind = definition?.kind ?? 'failure';
    this.file = options.file;
    this.document = options.document;
    this.path = options.path;
    this.requestId = options.requestId;
    this.awsErrorCode = options.awsErrorCode;
    this.hint = options.hint ?? definition?.hint;
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

  /** Only a `usage` code fits: the problems are in the user's input. */
  constructor(code: UsageErrorCode, errors: readonly StsctlError[]) {
    super(code, `${errors.length} problem${errors.length === 1 ? '' : 's'} found`);
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
