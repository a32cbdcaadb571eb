import { MOTO_ARN_RE, type CloudFrontOp } from './cloudfront-operations.js';
import { parseDistributionConfig, type RecordedDistribution } from './distribution-config.js';
import { elements, firstText } from './xml-text.js';

/**
 * What the gateway remembers of each distribution, and the repairs it makes to moto's CloudFront
 * answers from it (docs/sandbox.md, "Differences from AWS"):
 * - moto drops `OriginAccessControlId` and `S3OriginConfig` from stored origins: they are recorded
 *   from the DistributionConfig bodies the client sent and put back into what moto returns;
 * - moto's ARNs lack the empty region field; AWS's form is restored;
 * - moto reports `Deployed` at once; with `inProgressMs` a changed distribution reads `InProgress`.
 */
export class DistributionRecords {
  readonly #records = new Map<string, RecordedDistribution>();
  /** Report `InProgress` for this long after a create/update, ms (0: moto's behaviour). */
  inProgressMs: number;

  constructor(inProgressMs: number) {
    this.inProgressMs = inProgressMs;
  }

  /** The record of a distribution, by Id. */
  get(id: string): RecordedDistribution | undefined {
    return this.#records.get(id);
  }

  /** Every record. */
  all(): RecordedDistribution[] {
    return [...this.#records.values()];
  }

  /** Whether an origin of any distribution uses the OAI `id`. */
  usesOai(id: string): boolean {
    const oai = `origin-access-identity/cloudfront/${id}`;
    return this.all().some((r) => r.origins.some((o) => o.originAccessIdentity === oai));
  }

  /** Records the config of a successful create/update; forgets a deleted distribution. */
  record(op: CloudFrontOp, requestBody: string, responseBody: string): void {
    if (op.kind === 'delete') {
      this.#records.delete(op.id);
      return;
    }
    if (op.kind !== 'create' && op.kind !== 'update') return;
    // CreateDistributionWithTags wraps the config in <DistributionConfigWithTags>; elements() finds it either way.
    const [config] = elements(requestBody, 'DistributionConfig');
    if (config === undefined) return;
    const id = op.kind === 'update' ? op.id : firstText(responseBody, 'Id');
    if (id === undefined) return;
    // The config's own Comment: a direct child of DistributionConfig (the only Comment in it).
    const comment = /<Comment>([\s\S]*?)<\/Comment>/.exec(config)?.[1];
    this.#records.set(id, { id, ...parseDistributionConfig(config), comment, changedAt: Date.now() });
  }

  /** `InProgress` while a distribution is within `inProgressMs` of its last change. */
  statusFor(id: string): 'InProgress' | undefined {
    const rec = this.#records.get(id);
    return rec !== undefined && Date.now() - rec.changedAt < this.inProgressMs ? 'InProgress' : undefined;
  }

  /**
   * Puts back into a distribution's origins what moto dropped (the OAC id, the OAI), from the
   * recorded config, so clients reading the distribution see what they wrote (as on AWS).
   */
  restoreOrigins(id: string, body: string): string {
    const rec = this.#records.get(id);
    if (rec === undefined) return body;
    return body.replace(/<Origin>([\s\S]*?)<\/Origin>/g, (block: string, inner: string) => {
      const originId = firstText(inner, 'Id');
      const origin = rec.origins.find((o) => o.id === originId);
      if (origin === undefined) return block;
      let out = inner;
      const oac = origin.originAccessControlId ?? '';
      if (/<OriginAccessControlId>[\s\S]*?<\/OriginAccessControlId>|<OriginAccessControlId\/>/.test(out)) {
        out = out.replace(
          /<OriginAccessControlId>[\s\S]*?<\/OriginAccessControlId>|<OriginAccessControlId\/>/,
          `<OriginAccessControlId>${oac}</OriginAccessControlId>`,
        );
      } else if (oac !== '') {
        out = `${out}<OriginAccessControlId>${oac}</OriginAccessControlId>`;
      }
      const oai = origin.originAccessIdentity;
      if (oai !== undefined) {
        const filled = `<S3OriginConfig><OriginAccessIdentity>${oai}</OriginAccessIdentity></S3OriginConfig>`;
        if (/<S3OriginConfig>[\s\S]*?<\/S3OriginConfig>|<S3OriginConfig\/>/.test(out)) {
          out = out.replace(/<S3OriginConfig>[\s\S]*?<\/S3OriginConfig>|<S3OriginConfig\/>/, filled);
        } else {
          out = `${out}${filled}`;
        }
      }
      return `<Origin>${out}</Origin>`;
    });
  }

  private restoreSummaryComments(body: string): string {
    return body.replace(/<DistributionSummary>[\s\S]*?<\/DistributionSummary>/g, (summary) => {
      const id = firstText(summary, 'Id');
      const comment = id === undefined ? undefined : this.#records.get(id)?.comment;
      if (comment === undefined) return summary;
      if (/<Comment>[\s\S]*?<\/Comment>|<Comment\/>/.test(summary))
        return summary.replace(/<Comment>[\s\S]*?<\/Comment>|<Comment\/>/, `<Comment>${comment}</Comment>`);
      return summary.replace('</DistributionSummary>', `<Comment>${comment}</Comment></DistributionSummary>`);
    });
  }

  /** Rewrites a buffered CloudFront response: AWS-form ARNs, restored origins, simulated deployment status. */
  rewrite(op: CloudFrontOp, body: string): string {
    let out = body.replace(MOTO_ARN_RE, 'arn:$1:cloudfront::$2:');
    if (op.kind === 'get' || op.kind === 'update') out = this.restoreOrigins(op.id, out);
    if (op.kind === 'create') {
      const created = firstText(out, 'Id');
      if (created !== undefined) out = this.restoreOrigins(created, out);
    }
    // moto's ListDistributions summaries carry no Comment (AWS's DistributionSummary does, and
    // tools find their distribution by it: ccoctl, and stsctl's exported scripts).
    if (op.kind === 'list') out = this.restoreSummaryComments(out);
    if (this.inProgressMs > 0) {
      if (op.kind === 'get' || op.kind === 'update') {
        if (this.statusFor(op.id) !== undefined)
          out = out.replace('<Status>Deployed</Status>', '<Status>InProgress</Status>');
      } else if (op.kind === 'list') {
        out = out.replace(/<DistributionSummary>[\s\S]*?<\/DistributionSummary>/g, (summary) => {
          const id = firstText(summary, 'Id');
          return id !== undefined && this.statusFor(id) !== undefined
            ? summary.replace('<Status>Deployed</Status>', '<Status>InProgress</Status>')
            : summary;
        });
      }
    }
    return out;
  }
}
