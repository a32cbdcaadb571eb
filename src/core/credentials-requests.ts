import { LineCounter, parseAllDocuments } from 'yaml';
import { StsctlAggregateError, StsctlError } from './errors.js';
import { dns1123LabelProblems, dns1123SubdomainProblems } from './kubernetes-names.js';
import { quoteForMessage, terminalSafe } from './terminal-text.js';

/**
 * OpenShift `CredentialsRequest` manifests: reading, validating and filtering.
 *
 * Reads what both upstream component repositories and `oc adm release extract --credentials-requests`
 * produce: `.yaml`, `.yml` and `.json` files, many documents per file, `kind: List` wrappers.
 * Filtering follows ccoctl (ccoctl.md §3.6) where it is sound and fixes it where it is not:
 * non-AWS documents are skipped with a warning instead of aborting half-way; the
 * `release.openshift.io/feature-set` annotation is read as a comma list; feature-gated
 * requests are processed (as ccoctl does) but reported as such.
 */

export interface SourceRef {
  readonly file: string;
  /** 0-based document index inside the file. */
  readonly document: number;
  /** Index inside a `kind: List`, when the request came from one. */
  readonly item?: number;
}

export interface StatementEntry {
  readonly effect: string;
  readonly action: readonly string[];
  readonly resource: string;
  /** Operator → key → value; values keep their JSON types (strings, booleans, numbers, lists). */
  readonly policyCondition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface CredentialsRequest {
  readonly source: SourceRef;
  readonly name: string;
  readonly namespace: string | undefined;
  readonly secretRef: { readonly name: string; readonly namespace: string };
  readonly serviceAccountNames: readonly string[];
  readonly statementEntries: readonly StatementEntry[];
  /** Values of `release.openshift.io/feature-gate`, when present. */
  readonly featureGates: readonly string[];
  /** Values of `release.openshift.io/feature-set`, when present. */
  readonly featureSets: readonly string[];
  readonly annotations: Readonly<Record<string, string>>;
}

export type SkipReason =
  'empty' | 'not-a-credentials-request' | 'not-aws' | 'marked-for-deletion' | 'tech-preview' | 'feature-set';

export interface SkippedDocument {
  readonly source: SourceRef;
  readonly reason: SkipReason;
  /** `warning`: the user should know (another provider, another kind); `info`: ccoctl's own skip rules. */
  readonly level: 'warning' | 'info' | 'debug';
  readonly message: string;
}

export interface ReadResult {
  readonly requests: readonly CredentialsRequest[];
  readonly skipped: readonly SkippedDocument[];
}

export interface FilterOptions {
  /** Process requests for `TechPreviewNoUpgrade` (ccoctl's `--enable-tech-preview`). */
  readonly enableTechPreview?: boolean;
}

export interface InputFile {
  /** Path as shown to the user. */
  readonly name: string;
  readonly content: string;
}

export const ANNOTATION_DELETE = 'release.openshift.io/delete';
export const ANNOTATION_FEATURE_SET = 'release.openshift.io/feature-set';
export const ANNOTATION_FEATURE_GATE = 'release.openshift.io/feature-gate';
export const AWS_PROVIDER_SPEC_KIND = 'AWSProviderSpec';

/** Files stsctl reads from a CredentialsRequests directory (ccoctl reads only .yaml/.yml). */
export function isCredentialsRequestFileName(name: string): boolean {
  return /\.(ya?ml|json)$/i.test(name);
}

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeValue(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${terminalSafe(JSON.stringify(v))}`;
}

class DocContext {
  readonly errors: StsctlError[] = [];
  constructor(readonly source: SourceRef) {}

  fail(path: string, message: string): void {
    const prefix = this.source.item === undefined ? '' : `items[${this.source.item}].`;
    this.errors.push(
      new StsctlError('CREDREQ_INVALID', message, {
        file: this.source.file,
        document: this.source.document,
        path: prefix + path,
      }),
    );
  }

  string(obj: Record<string, Json>, key: string, path: string, required: boolean): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (required) this.fail(path, 'is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.fail(path, `expected a string, found ${describeValue(v)}`);
      return undefined;
    }
    if (required && v === '') this.fail(path, 'must not be empty');
    return v;
  }

  /**
   * Checks a Kubernetes name with the API server's rule (`label` or `subdomain`). These values
   * become file names (`manifests/<ns>-<name>-credentials.yaml`, ccoctl.md §2.2), IAM role names
   * (`<name>-<ns>-<secret>`, §3.7) and trust-policy values (`system:serviceaccount:<ns>:<sa>`), so
   * a value Kubernetes would refuse is refused here, before it can name a path or a role.
   */
  kubernetesName(value: string | undefined, path: string, rule: 'label' | 'subdomain', what: string): void {
    if (value === undefined || value === '') return;
    const problems = rule === 'label' ? dns1123LabelProblems(value) : dns1123SubdomainProblems(value);
    // A look-alike letter (Cyrillic "а" for Latin "a") reads as valid: name the code point.
    const foreign = /[\u{80}-\u{10FFFF}]/u.exec(value)?.[0];
    if (foreign !== undefined) {
      const cp = (foreign.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
      problems.push(`it holds the non-ASCII character U+${cp}`);
    }
    if (problems.length > 0) {
      this.fail(
        path,
        `${quoteForMessage(value)} is not a valid ${what} (Kubernetes DNS-1123 ${rule}): ${problems.join('; ')}`,
      );
    }
  }

  stringList(v: Json, path: string): string[] | undefined {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      this.fail(path, `expected a list of strings, found ${describeValue(v)}`);
      return undefined;
    }
    return v;
  }
}

function annotationsOf(meta: Record<string, Json>): Record<string, string> {
  const raw = meta['annotations'];
  const out: Record<string, string> = {};
  if (!isRecord(raw)) return out;
  for (const [k, v] of Object.entries(raw)) {
    // Annotation values are strings in Kubernetes; tolerate unquoted scalars (`true`, numbers).
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'boolean' || typeof v === 'number') out[k] = String(v);
  }
  return out;
}

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function parseStatement(ctx: DocContext, entry: Json, path: string): StatementEntry | undefined {
  if (!isRecord(entry)) {
    ctx.fail(path, `expected an object, found ${describeValue(entry)}`);
    return undefined;
  }
  const effect = ctx.string(entry, 'effect', `${path}.effect`, true);
  if (effect !== undefined && effect !== '' && effect !== 'Allow' && effect !== 'Deny') {
    ctx.fail(`${path}.effect`, `expected "Allow" or "Deny", found ${quoteForMessage(effect)}`);
  }
  const actionRaw = entry['action'];
  let action: string[] | undefined;
  if (actionRaw === undefined || actionRaw === null) ctx.fail(`${path}.action`, 'is required');
  else action = ctx.stringList(actionRaw, `${path}.action`);
  if (action?.length === 0) ctx.fail(`${path}.action`, 'must list at least one action');
  const resource = ctx.string(entry, 'resource', `${path}.resource`, true);
  const condRaw = entry['policyCondition'];
  let policyCondition: Record<string, Record<string, Json>> | undefined;
  if (condRaw !== undefined && condRaw !== null) {
    if (!isRecord(condRaw)) {
      ctx.fail(
        `${path}.policyCondition`,
        `expected an object of condition operators, found ${describeValue(condRaw)}`,
      );
    } else {
      policyCondition = {};
      for (const [op, body] of Object.entries(condRaw)) {
        if (!isRecord(body)) {
          ctx.fail(
            `${path}.policyCondition.${op}`,
            `expected an object of condition keys, found ${describeValue(body)}`,
          );
          continue;
        }
        policyCondition[op] = body;
      }
    }
  }
  if (effect === undefined || action === undefined || resource === undefined) return undefined;
  return policyCondition === undefined
    ? { effect, action, resource }
    : { effect, action, resource, policyCondition };
}

type DocOutcome = { request: CredentialsRequest } | { skipped: SkippedDocument } | { errors: StsctlError[] };

function processDocument(doc: Json, source: SourceRef, options: FilterOptions): DocOutcome[] {
  const ctx = new DocContext(source);
  const skip = (reason: SkipReason, level: SkippedDocument['level'], message: string): DocOutcome[] => [
    { skipped: { source, reason, level, message } },
  ];
  if (doc === null || doc === undefined) return skip('empty', 'debug', 'empty document');
  if (!isRecord(doc)) {
    ctx.fail('', `expected a Kubernetes object, found ${describeValue(doc)}`);
    return [{ errors: ctx.errors }];
  }
  if (doc['kind'] === 'List' || doc['kind'] === 'CredentialsRequestList') {
    const items = doc['items'];
    if (!Array.isArray(items)) {
      ctx.fail('items', 'expected a list');
      return [{ errors: ctx.errors }];
    }
    return items.flatMap((item: Json, i) => processDocument(item, { ...source, item: i }, options));
  }
  const kind = doc['kind'];
  const apiVersion = doc['apiVersion'];
  if (kind !== 'CredentialsRequest') {
    return skip(
      'not-a-credentials-request',
      'warning',
      `Skipping a ${typeof kind === 'string' ? terminalSafe(kind) : 'document without kind'}${typeof apiVersion === 'string' ? ` (${terminalSafe(apiVersion)})` : ''}: not a CredentialsRequest`,
    );
  }
  if (typeof apiVersion === 'string' && !apiVersion.startsWith('cloudcredential.openshift.io/')) {
    ctx.fail('apiVersion', `expected cloudcredential.openshift.io/v1, found ${quoteForMessage(apiVersion)}`);
  }
  const meta = isRecord(doc['metadata']) ? doc['metadata'] : {};
  if (!isRecord(doc['metadata'])) ctx.fail('metadata', 'is required');
  const name = ctx.string(meta, 'name', 'metadata.name', true) ?? '';
  const namespace = ctx.string(meta, 'namespace', 'metadata.namespace', false);
  ctx.kubernetesName(name, 'metadata.name', 'subdomain', 'CredentialsRequest name');
  ctx.kubernetesName(namespace, 'metadata.namespace', 'label', 'namespace name');
  // Shown in skip messages, which are printed even for documents whose names are not validated.
  const id = terminalSafe(`${namespace ?? ''}/${name}`);
  const annotations = annotationsOf(meta);

  // Skip rules in ccoctl's order (ccoctl.md §3.6), before looking at the spec: a request marked
  // for deletion may carry an empty spec.
  if (annotations[ANNOTATION_DELETE] === 'true') {
    return skip(
      'marked-for-deletion',
      'info',
      `Ignoring CredentialsRequest ${id} as it is marked for in-cluster deletion`,
    );
  }
  const featureSetValue = annotations[ANNOTATION_FEATURE_SET];
  const featureSets = featureSetValue === undefined ? [] : commaList(featureSetValue);
  if (featureSetValue !== undefined) {
    // library-go reads the annotation as a comma list; "" means the Default set.
    const inDefault = featureSets.length === 0 || featureSets.includes('Default');
    const inTechPreview = featureSets.includes('TechPreviewNoUpgrade');
    if (!inDefault) {
      if (!inTechPreview) {
        return skip(
          'feature-set',
          'info',
          `Ignoring CredentialsRequest ${id} with feature-set ${terminalSafe(featureSetValue)}: only Default and TechPreviewNoUpgrade requests are provisioned`,
        );
      }
      if (options.enableTechPreview !== true) {
        return skip('tech-preview', 'info', `Ignoring CredentialsRequest ${id} with tech-preview annotation`);
      }
    }
  }

  const spec = doc['spec'];
  if (!isRecord(spec)) {
    ctx.fail('spec', 'is required');
    return [{ errors: ctx.errors }];
  }
  const providerSpec = spec['providerSpec'];
  if (!isRecord(providerSpec)) {
    ctx.fail('spec.providerSpec', providerSpec === undefined ? 'is required' : 'expected an object');
    return [{ errors: ctx.errors }];
  }
  const providerKind = providerSpec['kind'];
  if (providerKind !== AWS_PROVIDER_SPEC_KIND) {
    return skip(
      'not-aws',
      'warning',
      `Skipping CredentialsRequest ${id}: spec.providerSpec.kind is ${typeof providerKind === 'string' ? terminalSafe(providerKind) : 'missing'}, not AWSProviderSpec`,
    );
  }

  let secretRef: { name: string; namespace: string } | undefined;
  const secretRefRaw = spec['secretRef'];
  if (!isRecord(secretRefRaw)) ctx.fail('spec.secretRef', 'is required');
  else {
    const sName = ctx.string(secretRefRaw, 'name', 'spec.secretRef.name', true);
    const sNs = ctx.string(secretRefRaw, 'namespace', 'spec.secretRef.namespace', true);
    // Kubernetes: ValidateSecretName is NameIsDNSSubdomain, ValidateNamespaceName is NameIsDNSLabel.
    ctx.kubernetesName(sName, 'spec.secretRef.name', 'subdomain', 'Secret name');
    ctx.kubernetesName(sNs, 'spec.secretRef.namespace', 'label', 'namespace name');
    if (sName !== undefined && sNs !== undefined) secretRef = { name: sName, namespace: sNs };
  }

  let serviceAccountNames: string[] | undefined;
  const saRaw = spec['serviceAccountNames'];
  if (saRaw === undefined || saRaw === null) {
    ctx.fail(
      'spec.serviceAccountNames',
      'is required: the role must trust named service accounts (an audience-only trust lets any service account in the cluster assume it)',
    );
  } else {
    serviceAccountNames = ctx.stringList(saRaw, 'spec.serviceAccountNames');
    if (serviceAccountNames?.length === 0)
      ctx.fail('spec.serviceAccountNames', 'must list at least one service account');
    // Kubernetes: ValidateServiceAccountName is NameIsDNSSubdomain. An empty entry is refused
    // too: it would trust `system:serviceaccount:<ns>:`, a subject no token carries.
    serviceAccountNames?.forEach((sa, i) => {
      if (sa === '') ctx.fail(`spec.serviceAccountNames[${i}]`, 'must not be empty');
      ctx.kubernetesName(sa, `spec.serviceAccountNames[${i}]`, 'subdomain', 'service account name');
    });
  }

  const entriesRaw = providerSpec['statementEntries'];
  const statementEntries: StatementEntry[] = [];
  if (entriesRaw === undefined || entriesRaw === null) {
    ctx.fail('spec.providerSpec.statementEntries', 'is required');
  } else if (!Array.isArray(entriesRaw)) {
    ctx.fail('spec.providerSpec.statementEntries', `expected a list, found ${describeValue(entriesRaw)}`);
  } else {
    entriesRaw.forEach((e: Json, i) => {
      const s = parseStatement(ctx, e, `spec.providerSpec.statementEntries[${i}]`);
      if (s !== undefined) statementEntries.push(s);
    });
  }

  if (ctx.errors.length > 0 || secretRef === undefined || serviceAccountNames === undefined) {
    return [{ errors: ctx.errors }];
  }
  const gate = annotations[ANNOTATION_FEATURE_GATE];
  return [
    {
      request: {
        source,
        name,
        namespace,
        secretRef,
        serviceAccountNames,
        statementEntries,
        featureGates: gate === undefined ? [] : commaList(gate),
        featureSets,
        annotations,
      },
    },
  ];
}

/**
 * Parses and filters the CredentialsRequests in the given files. Files are processed in the order
 * given (the caller sorts them by name, as ccoctl does), documents in file order.
 *
 * @throws StsctlAggregateError (`CREDREQ_INVALID`) listing every problem in every file, each with
 *   its file, document index and field path. Nothing is returned half-validated.
 */
export function readCredentialsRequests(
  files: readonly InputFile[],
  options: FilterOptions = {},
): ReadResult {
  const requests: CredentialsRequest[] = [];
  const skipped: SkippedDocument[] = [];
  const errors: StsctlError[] = [];
  for (const file of files) {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(file.content, { prettyErrors: false, lineCounter });
    const list = Array.isArray(docs) ? docs : [];
    list.forEach((doc, index) => {
      const yamlError = doc.errors[0];
      if (yamlError !== undefined) {
        const line = lineCounter.linePos(yamlError.pos[0]).line;
        errors.push(
          new StsctlError(
            'CREDREQ_MALFORMED',
            `malformed YAML at line ${line}: ${yamlError.message.split('\n')[0] ?? ''}`,
            { file: file.name, document: index },
          ),
        );
        return;
      }
      let value: Json;
      try {
        value = doc.toJS({ maxAliasCount: 100 }) as Json;
      } catch (cause) {
        errors.push(
          new StsctlError('CREDREQ_MALFORMED', `cannot read the document: ${(cause as Error).message}`, {
            file: file.name,
            document: index,
            cause,
          }),
        );
        return;
      }
      for (const outcome of processDocument(value, { file: file.name, document: index }, options)) {
        if ('request' in outcome) requests.push(outcome.request);
        else if ('skipped' in outcome) skipped.push(outcome.skipped);
        else errors.push(...outcome.errors);
      }
    });
  }
  if (errors.length === 1 && errors[0] !== undefined) throw errors[0];
  if (errors.length > 1) throw new StsctlAggregateError('CREDREQ_INVALID', errors);
  return { requests, skipped };
}
