import { StsctlError } from '../../core/errors.js';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY } from '../../core/issuer.js';
import { objectTagging } from '../../core/iam-documents.js';
import { AUTHENTICATION_MANIFEST_PATH, authenticationManifest } from '../../core/manifests.js';
import { oidcProviderArn, roleArn } from '../../core/partitions.js';
import { distributionConfig } from '../cloudfront-config.js';
import {
  FUNCTION_URL_AUTH_TYPE,
  FUNCTION_URL_CORS,
  ISSUER_BUCKET_VARIABLE,
  ISSUER_FUNCTION_HANDLER,
  ISSUER_FUNCTION_RUNTIME,
  PUBLIC_URL_STATEMENTS,
  issuerFunctionDescription,
  issuerFunctionName,
  issuerFunctionPolicy,
  issuerFunctionRoleDescription,
  issuerFunctionTrustPolicy,
} from '../issuer-function.js';
import { ownershipComment } from '../plan/distribution.js';
import type { Change, Plan } from '../plan/types.js';
import { comment, hereDocument, shellWord } from './shell.js';
import { changeRenderer, describeChange, type ExportOptions } from './common.js';
import { PLACEHOLDER, type ExportSubject } from './subject.js';

/**
 * `stsctl plan --export aws-cli`: the plan as a POSIX shell script of `aws` CLI commands that
 * makes exactly the planned changes, in the plan's (dependency) order. Every step can run again:
 * creates look the resource up first, puts replace the whole value, so a second run changes
 * nothing. Values known only after a create (a new CloudFront distribution's id, domain and ARN,
 * the origin access control's id) are captured with `--query … --output text` into shell
 * variables. The documents are here-documents written to a private temporary directory. The
 * private key is never part of it (the exporters are never given it). Pure.
 */

type Renderer = (s: ExportSubject, c: Change, o: ExportOptions) => string[];

const R = (args: readonly string[]): string => args.join(' ');

/** `--tags` value for IAM and S3 tagging APIs: a JSON list of `{Key, Value}`. */
function tagsJson(tags: readonly { Key: string; Value: string }[]): string {
  return shellWord(JSON.stringify(tags.map((t) => ({ Key: t.Key, Value: t.Value }))));
}

const bucket: Renderer = (s, c) => {
  const lines: string[] = [];
  if (c.action === 'create') {
    // us-east-1 takes no LocationConstraint (S3 API reference, CreateBucket).
    const location =
      s.region === 'us-east-1'
        ? []
        : ['--create-bucket-configuration', shellWord(`LocationConstraint=${s.region}`)];
    lines.push(
      `if ! aws s3api head-bucket --bucket ${shellWord(s.bucket)} >/dev/null 2>&1; then`,
      `  ${R(['aws s3api create-bucket --bucket', shellWord(s.bucket), ...location])} >/dev/null`,
      'fi',
    );
  }
  lines.push(
    `aws s3api put-bucket-tagging --bucket ${shellWord(s.bucket)} --tagging ${shellWord(
      JSON.stringify({ TagSet: s.tags.map((t) => ({ Key: t.Key, Value: t.Value })) }),
    )}`,
  );
  return lines;
};

const publicAccessBlock: Renderer = (s) => {
  const b = s.publicAccessBlock;
  return [
    `aws s3api put-public-access-block --bucket ${shellWord(s.bucket)} --public-access-block-configuration ${shellWord(
      `BlockPublicAcls=${b.BlockPublicAcls},IgnorePublicAcls=${b.IgnorePublicAcls},BlockPublicPolicy=${b.BlockPublicPolicy},RestrictPublicBuckets=${b.RestrictPublicBuckets}`,
    )}`,
  ];
};

const originAccessControl: Renderer = (s) => {
  const config = {
    Name: s.bucket,
    Description: ownershipComment(s.name),
    SigningProtocol: 'sigv4',
    SigningBehavior: 'always',
    OriginAccessControlOriginType: 's3',
  };
  return [
    // OACs carry no tags: ours is the one named after the bucket (as create-all finds it).
    `OAC_ID=$(aws cloudfront list-origin-access-controls --query ${shellWord(
      `OriginAccessControlList.Items[?Name=='${s.bucket}'].Id | [0]`,
    )} --output text)`,
    'if [ -z "$OAC_ID" ] || [ "$OAC_ID" = None ]; then',
    `  OAC_ID=$(aws cloudfront create-origin-access-control --origin-access-control-config ${shellWord(
      JSON.stringify(config),
    )} --query OriginAccessControl.Id --output text)`,
    'fi',
  ];
};

/** The distribution config (with tags for a create), as a file in the documents directory. */
function distributionConfigFile(s: ExportSubject, withTags: boolean): string {
  if (s.hosting.kind !== 'cloudfront') return '';
  const config = distributionConfig({
    name: s.name,
    bucket: s.bucket,
    region: s.region,
    originAccessControlId: PLACEHOLDER.originAccessControlId,
    hosting: s.hosting,
    callerReference: PLACEHOLDER.callerReference,
  });
  const doc = withTags ? { DistributionConfig: config, Tags: { Items: s.tags } } : config;
  return hereDocument('"$DOCS/distribution-config.json"', JSON.stringify(doc, null, 2));
}

/** Reads what later steps need from the distribution: its ARN and (without a custom domain) its domain. */
function readDistribution(s: ExportSubject): string[] {
  const lines = [
    'aws cloudfront wait distribution-deployed --id "$DISTRIBUTION_ID"',
    'DISTRIBUTION_ARN=$(aws cloudfront get-distribution --id "$DISTRIBUTION_ID" --query Distribution.ARN --output text)',
  ];
  if (!s.issuerKnown)
    lines.push(
      'ISSUER_HOST=$(aws cloudfront get-distribution --id "$DISTRIBUTION_ID" --query Distribution.DomainName --output text)',
      `PROVIDER_ARN="arn:${s.partition}:iam::${s.accountId}:oidc-provider/\${ISSUER_HOST}"`,
    );
  return lines;
}

const distribution: Renderer = (s, c, o) => {
  if (s.hosting.kind !== 'cloudfront') return [];
  if (c.action === 'create') {
    return [
      // Ours carries the ownership Comment (as ccoctl's and create-all's do).
      `DISTRIBUTION_ID=$(aws cloudfront list-distributions --query ${shellWord(
        `DistributionList.Items[?Comment=='${ownershipComment(s.name)}'].Id | [0]`,
      )} --output text)`,
      'if [ -z "$DISTRIBUTION_ID" ] || [ "$DISTRIBUTION_ID" = None ]; then',
      // A caller reference of its own per plan: CloudFront refuses a second create with it.
      `  CALLER_REFERENCE=${shellWord(`${s.name}-${o.planHash.slice(7, 19)}`)}`,
      ...distributionConfigFile(s, true)
        .split('\n')
        .map((l, i) => (i === 0 ? `  ${l}` : l)),
      '  DISTRIBUTION_ID=$(aws cloudfront create-distribution-with-tags --distribution-config-with-tags "file://$DOCS/distribution-config.json" --query Distribution.Id --output text)',
      'fi',
      ...readDistribution(s),
    ];
  }
  const d = s.distribution;
  if (d === undefined) return [];
  const lines = [`DISTRIBUTION_ID=${shellWord(d.id)}`];
  const configChanged = c.fields.some((f) => f.attribute !== 'tags');
  if (configChanged) {
    // CloudFront replaces the whole config on update; it needs the current ETag and keeps its
    // CallerReference (CloudFront API reference, UpdateDistribution).
    lines.push(
      'ETAG=$(aws cloudfront get-distribution-config --id "$DISTRIBUTION_ID" --query ETag --output text)',
      'CALLER_REFERENCE=$(aws cloudfront get-distribution-config --id "$DISTRIBUTION_ID" --query DistributionConfig.CallerReference --output text)',
      distributionConfigFile(s, false),
      'aws cloudfront update-distribution --id "$DISTRIBUTION_ID" --if-match "$ETAG" --distribution-config "file://$DOCS/distribution-config.json" >/dev/null',
    );
  }
  if (c.fields.some((f) => f.attribute === 'tags'))
    lines.push(
      `aws cloudfront tag-resource --resource ${shellWord(d.arn)} --tags ${shellWord(
        JSON.stringify({ Items: s.tags }),
      )}`,
    );
  lines.push(...readDistribution(s));
  return lines;
};

const bucketPolicy: Renderer = (s) => [
  hereDocument('"$DOCS/bucket-policy.json"', JSON.stringify(s.bucketPolicy, null, 2)),
  `aws s3api put-bucket-policy --bucket ${shellWord(s.bucket)} --policy "file://$DOCS/bucket-policy.json"`,
];

function putIssuerObject(s: ExportSubject, key: string, file: string, content: string): string[] {
  return [
    hereDocument(`"$DOCS/${file}"`, content),
    // The ownership tag marks the object for `stsctl delete`, as create-all sets it (ccoctl.md §3.2).
    `aws s3api put-object --bucket ${shellWord(s.bucket)} --key ${shellWord(key)} --body "$DOCS/${file}" --content-type application/json --tagging ${shellWord(
      objectTagging(s.name),
    )} >/dev/null`,
  ];
}

/**
 * A self-hosted issuer's documents are files for the operator's own server (`--hosting self`): the
 * change's id is the file, which `stsctl plan --export` writes as create-all would. No AWS call.
 */
function selfHostedDocument(c: Change): string[] {
  return [`# ${c.id}: a file for your issuer server, written by stsctl plan --export (no AWS change)`];
}

const discoveryDocument: Renderer = (s, c) =>
  s.hosting.kind === 'self'
    ? selfHostedDocument(c)
    : putIssuerObject(
        s,
        s.documentPrefix + DISCOVERY_OBJECT_KEY,
        'openid-configuration',
        s.discoveryDocument,
      );

const jwks: Renderer = (s, c) =>
  s.hosting.kind === 'self'
    ? selfHostedDocument(c)
    : putIssuerObject(s, s.documentPrefix + JWKS_OBJECT_KEY, 'keys.json', s.jwksDocument);

const oidcProvider: Renderer = (s, c) => {
  const arn = shellWord(s.providerArn);
  if (c.action === 'create') {
    const thumbs = s.thumbprints.length === 0 ? [] : ['--thumbprint-list', ...s.thumbprints.map(shellWord)];
    return [
      `if ! aws iam get-open-id-connect-provider --open-id-connect-provider-arn ${arn} >/dev/null 2>&1; then`,
      `  ${R([
        'aws iam create-open-id-connect-provider --url',
        shellWord(s.issuer),
        '--client-id-list',
        ...s.clientIds.map(shellWord),
        ...thumbs,
        '--tags',
        tagsJson(s.tags),
      ])} >/dev/null`,
      'fi',
    ];
  }
  const lines: string[] = [];
  if (c.fields.some((f) => f.attribute === 'clientIds'))
    // Adding a client ID the provider has already is a no-op (IAM API reference).
    for (const id of s.clientIds)
      lines.push(
        `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${arn} --client-id ${shellWord(id)}`,
      );
  if (c.fields.some((f) => f.attribute === 'thumbprints'))
    lines.push(
      R([
        'aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn',
        arn,
        '--thumbprint-list',
        ...s.thumbprints.map(shellWord),
      ]),
    );
  if (c.fields.some((f) => f.attribute === 'tags'))
    lines.push(
      `aws iam tag-open-id-connect-provider --open-id-connect-provider-arn ${arn} --tags ${tagsJson(s.tags)}`,
    );
  return lines;
};

const role: Renderer = (s, c) => {
  const r = s.roles.find((x) => x.name === c.id);
  if (r === undefined)
    throw new StsctlError(
      'EXPORT_UNKNOWN_KIND',
      `the plan holds role ${c.id}, which is not among the desired roles`,
      {
        kind: 'failure',
      },
    );
  const name = shellWord(r.name);
  const trustFile = `"$DOCS/${r.name}.trust.json"`;
  const policyFile = `"$DOCS/${r.name}.policy.json"`;
  const touched = (a: string): boolean => c.action === 'create' || c.fields.some((f) => f.attribute === a);
  const lines: string[] = [hereDocument(trustFile, r.trustPolicy)];
  if (touched('inlinePolicy')) lines.push(hereDocument(policyFile, r.inlinePolicy));
  if (c.action === 'create') {
    const boundary =
      r.permissionsBoundaryArn === undefined
        ? []
        : ['--permissions-boundary', shellWord(r.permissionsBoundaryArn)];
    lines.push(
      `if aws iam get-role --role-name ${name} >/dev/null 2>&1; then`,
      `  aws iam update-assume-role-policy --role-name ${name} --policy-document "file://${trustFile.slice(1, -1)}"`,
      'else',
      // IAM is eventually consistent: a provider created a moment ago may not resolve yet as a
      // principal (MalformedPolicyDocument), so the create is retried for a minute.
      `  retry ${R([
        'aws iam create-role --role-name',
        name,
        '--description',
        shellWord(r.description),
        '--assume-role-policy-document',
        `"file://${trustFile.slice(1, -1)}"`,
        ...boundary,
        '--tags',
        tagsJson(r.tags),
      ])} >/dev/null`,
      'fi',
    );
  } else if (touched('trustPolicy'))
    lines.push(
      `aws iam update-assume-role-policy --role-name ${name} --policy-document "file://${trustFile.slice(1, -1)}"`,
    );
  if (touched('inlinePolicy'))
    lines.push(
      `aws iam put-role-policy --role-name ${name} --policy-name ${name} --policy-document "file://${policyFile.slice(1, -1)}"`,
    );
  if (c.action === 'update') {
    if (touched('permissionsBoundary') && r.permissionsBoundaryArn !== undefined)
      lines.push(
        `aws iam put-role-permissions-boundary --role-name ${name} --permissions-boundary ${shellWord(r.permissionsBoundaryArn)}`,
      );
    if (touched('description'))
      lines.push(`aws iam update-role --role-name ${name} --description ${shellWord(r.description)}`);
    if (touched('tags')) lines.push(`aws iam tag-role --role-name ${name} --tags ${tagsJson(r.tags)}`);
  }
  return lines;
};

/** The issuer function's name, ARN and execution role's ARN (`--hosting lambda`). */
function lambdaNames(s: ExportSubject): { name: string; arn: string; roleArn: string } {
  const name = issuerFunctionName(s.bucket);
  return {
    name,
    arn: `arn:${s.partition}:lambda:${s.region}:${s.accountId}:function:${name}`,
    roleArn: roleArn(s.partition, s.accountId, name),
  };
}

/** `--tags` of the Lambda API: a JSON map. */
function tagMap(tags: readonly { Key: string; Value: string }[]): string {
  return shellWord(JSON.stringify(Object.fromEntries(tags.map((t) => [t.Key, t.Value]))));
}

/** The execution role of the issuer function: Lambda's trust, the least-privilege inline policy. */
const functionRole: Renderer = (s, c) => {
  const { name } = lambdaNames(s);
  const role = shellWord(name);
  const touched = (a: string): boolean => c.action === 'create' || c.fields.some((f) => f.attribute === a);
  const trustFile = `$DOCS/${name}.trust.json`;
  const policyFile = `$DOCS/${name}.policy.json`;
  const lines: string[] = [];
  if (touched('trustPolicy'))
    lines.push(hereDocument(`"${trustFile}"`, JSON.stringify(issuerFunctionTrustPolicy(), null, 2)));
  if (touched('inlinePolicy'))
    lines.push(
      hereDocument(
        `"${policyFile}"`,
        JSON.stringify(issuerFunctionPolicy(s.partition, s.region, s.accountId, s.bucket, name), null, 2),
      ),
    );
  if (c.action === 'create')
    lines.push(
      `if aws iam get-role --role-name ${role} >/dev/null 2>&1; then`,
      `  aws iam update-assume-role-policy --role-name ${role} --policy-document "file://${trustFile}"`,
      'else',
      `  ${R([
        'aws iam create-role --role-name',
        role,
        '--description',
        shellWord(issuerFunctionRoleDescription(s.name)),
        '--assume-role-policy-document',
        `"file://${trustFile}"`,
        '--tags',
        tagsJson(s.tags),
      ])} >/dev/null`,
      'fi',
    );
  else if (touched('trustPolicy'))
    lines.push(
      `aws iam update-assume-role-policy --role-name ${role} --policy-document "file://${trustFile}"`,
    );
  if (touched('inlinePolicy'))
    lines.push(
      `aws iam put-role-policy --role-name ${role} --policy-name ${role} --policy-document "file://${policyFile}"`,
    );
  if (c.action === 'update' && touched('tags'))
    lines.push(`aws iam tag-role --role-name ${role} --tags ${tagsJson(s.tags)}`);
  return lines;
};

/**
 * The deployment package, the same bytes create-all uploads, written from base64 (a zip is
 * binary; a here-document carries text only). `base64 -d` is POSIX-less but in GNU coreutils,
 * BusyBox and macOS alike.
 */
function functionZip(s: ExportSubject): string[] {
  if (s.hosting.kind !== 'lambda') return [];
  const b64 = s.hosting.code.zip.toString('base64').replace(/.{1,76}/g, '$&\n');
  return [`base64 -d > "$DOCS/function.zip" <<'STSCTL_EOF'\n${b64}STSCTL_EOF`];
}

/** The function's configuration arguments, as create-all sets them. */
function functionConfiguration(s: ExportSubject): string[] {
  const { roleArn: role } = lambdaNames(s);
  return [
    '--runtime',
    shellWord(ISSUER_FUNCTION_RUNTIME),
    '--handler',
    shellWord(ISSUER_FUNCTION_HANDLER),
    '--role',
    shellWord(role),
    '--environment',
    shellWord(JSON.stringify({ Variables: { [ISSUER_BUCKET_VARIABLE]: s.bucket } })),
  ];
}

const issuerFunction: Renderer = (s, c) => {
  const { name, arn } = lambdaNames(s);
  const fn = shellWord(name);
  const touched = (a: string): boolean => c.fields.some((f) => f.attribute === a);
  // Lambda refuses a change while the previous one is in progress (ResourceConflictException):
  // each change waits for the last (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html).
  const waitUpdated = `aws lambda wait function-updated-v2 --function-name ${fn}`;
  if (c.action === 'create')
    return [
      ...functionZip(s),
      `if ! aws lambda get-function --function-name ${fn} >/dev/null 2>&1; then`,
      // IAM is eventually consistent: a role created a moment ago may not be assumable by Lambda
      // yet (InvalidParameterValueException), so the create is retried for a minute.
      `  retry ${R([
        'aws lambda create-function --function-name',
        fn,
        '--description',
        shellWord(issuerFunctionDescription(s.name)),
        ...functionConfiguration(s),
        '--zip-file',
        'fileb://"$DOCS/function.zip"',
        '--tags',
        tagMap(s.tags),
      ])} >/dev/null`,
      'fi',
      `aws lambda wait function-active-v2 --function-name ${fn}`,
    ];
  const lines: string[] = [];
  if (touched('code'))
    lines.push(
      ...functionZip(s),
      waitUpdated,
      `aws lambda update-function-code --function-name ${fn} --zip-file fileb://"$DOCS/function.zip" >/dev/null`,
    );
  if (touched('configuration'))
    lines.push(
      waitUpdated,
      `${R(['aws lambda update-function-configuration --function-name', fn, ...functionConfiguration(s)])} >/dev/null`,
    );
  if (touched('tags'))
    lines.push(`aws lambda tag-resource --resource ${shellWord(arn)} --tags ${tagMap(s.tags)}`);
  lines.push(waitUpdated);
  return lines;
};

const functionUrl: Renderer = (s, c) => {
  const fn = shellWord(lambdaNames(s).name);
  const config = `--auth-type ${FUNCTION_URL_AUTH_TYPE} --cors ${shellWord(
    JSON.stringify({
      AllowMethods: [...FUNCTION_URL_CORS.AllowMethods],
      AllowOrigins: [...FUNCTION_URL_CORS.AllowOrigins],
    }),
  )}`;
  const update = `aws lambda update-function-url-config --function-name ${fn} ${config} >/dev/null`;
  if (c.action !== 'create') return [update];
  return [
    `if FUNCTION_URL=$(aws lambda get-function-url-config --function-name ${fn} --query FunctionUrl --output text 2>/dev/null); then`,
    `  ${update}`,
    'else',
    `  FUNCTION_URL=$(aws lambda create-function-url-config --function-name ${fn} ${config} --query FunctionUrl --output text)`,
    'fi',
    // Lambda answers https://<url-id>.lambda-url.<region>.on.aws/: the issuer is that without the slash.
    'ISSUER_HOST=${FUNCTION_URL#https://}',
    'ISSUER_HOST=${ISSUER_HOST%/}',
    `PROVIDER_ARN="arn:${s.partition}:iam::${s.accountId}:oidc-provider/\${ISSUER_HOST}"`,
  ];
};

/**
 * One statement of the resource policy that opens the URL. A statement cannot be edited: a
 * differing one is removed and added again; a create adds it unless it is there (a second run).
 */
const functionPermission: Renderer = (s, c) => {
  const { name } = lambdaNames(s);
  const fn = shellWord(name);
  const sid = c.id.slice(name.length + 1);
  const want = PUBLIC_URL_STATEMENTS.find((x) => x.sid === sid);
  if (want === undefined)
    throw new StsctlError(
      'EXPORT_UNKNOWN_KIND',
      `the plan holds statement ${c.id}, which stsctl does not make`,
      {
        kind: 'failure',
      },
    );
  const add = `${R([
    'aws lambda add-permission --function-name',
    fn,
    '--statement-id',
    shellWord(want.sid),
    '--action',
    shellWord(want.action),
    '--principal',
    shellWord(want.principal),
    ...(want.functionUrlAuthType === undefined
      ? []
      : ['--function-url-auth-type', shellWord(want.functionUrlAuthType)]),
    ...(want.invokedViaFunctionUrl === undefined ? [] : ['--invoked-via-function-url']),
  ])} >/dev/null`;
  if (c.action === 'update')
    return [`aws lambda remove-permission --function-name ${fn} --statement-id ${shellWord(want.sid)}`, add];
  return [
    `if ! aws lambda get-policy --function-name ${fn} --query Policy --output text 2>/dev/null | grep -q ${shellWord(
      `"${want.sid}"`,
    )}; then`,
    `  ${add}`,
    'fi',
  ];
};

/** One renderer per resource kind: a new kind is one new function here (and a type error until then). */
const RENDERERS: Readonly<Record<Change['kind'], Renderer>> = {
  bucket,
  'public-access-block': publicAccessBlock,
  'origin-access-control': originAccessControl,
  distribution,
  'bucket-policy': bucketPolicy,
  'discovery-document': discoveryDocument,
  jwks,
  'oidc-provider': oidcProvider,
  role,
  'function-role': functionRole,
  function: issuerFunction,
  'function-url': functionUrl,
  'function-permission': functionPermission,
};

/** Values a later step reads from a resource the plan leaves unchanged. */
function knownValues(s: ExportSubject, p: Plan): string[] {
  const lines: string[] = [];
  if (s.originAccessControlId !== undefined) lines.push(`OAC_ID=${shellWord(s.originAccessControlId)}`);
  if (s.distribution !== undefined)
    lines.push(
      `DISTRIBUTION_ID=${shellWord(s.distribution.id)}`,
      `DISTRIBUTION_ARN=${shellWord(s.distribution.arn)}`,
    );
  if (s.issuerKnown) {
    const host = s.issuer.replace(/^https:\/\//, '');
    lines.push(
      `ISSUER_HOST=${shellWord(host)}`,
      `PROVIDER_ARN=${shellWord(p.providerArn ?? oidcProviderArn(s.partition, s.accountId, host))}`,
    );
  }
  return lines;
}

/** The script. Throws EXPORT_UNKNOWN_KIND for a resource kind it cannot render. */
export function renderAwsCliScript(s: ExportSubject, p: Plan, o: ExportOptions): string {
  const pending = p.changes.filter((c) => c.action !== 'unchanged');
  const steps = pending.map((c) => ({ c, render: changeRenderer(RENDERERS, c, 'aws-cli') }));
  const out: string[] = [
    '#!/bin/sh',
    comment(
      [
        `stsctl plan --export aws-cli: the reviewed plan for "${s.name}" as aws CLI commands.`,
        `Account ${s.accountId}, region ${s.region}, cluster name "${s.name}".`,
        `Issuer: ${
          s.issuerKnown
            ? s.issuer
            : s.hosting.kind === 'lambda'
              ? 'the new Lambda function URL (https://<its host>)'
              : 'the new CloudFront distribution (https://<its domain>)'
        }`,
        `Plan ${o.planHash} (sha256 of the canonical JSON of \`stsctl plan --output json\`).`,
        `Made by stsctl ${o.version}. It changes (in this order):`,
        ...(pending.length === 0 ? ['  nothing: every resource is up to date'] : pending.map(describeChange)),
        'Every step may run again: a second run changes nothing. No secret is in this file (the',
        'private key stays where stsctl wrote it; keys.json holds public keys only).',
      ].join('\n'),
    ),
    'set -eu',
    '',
    `REGION=${shellWord(s.region)}`,
    'export AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION"',
    // The plan was made for one account: running it with another account's credentials stops here.
    'ACCOUNT=$(aws sts get-caller-identity --query Account --output text)',
    `if [ "$ACCOUNT" != ${shellWord(s.accountId)} ]; then`,
    `  echo "this script was planned for account ${s.accountId}; the credentials are for account $ACCOUNT" >&2`,
    '  exit 2',
    'fi',
    'DOCS=$(mktemp -d "${TMPDIR:-/tmp}/stsctl-export.XXXXXX")',
    'trap \'rm -rf "$DOCS"\' EXIT',
    'retry() {',
    '  n=0',
    '  until "$@"; do',
    '    n=$((n + 1))',
    '    if [ "$n" -ge 12 ]; then return 1; fi',
    '    echo "retrying in 5 s: $1 $2 $3" >&2',
    '    sleep 5',
    '  done',
    '}',
    ...knownValues(s, p),
  ];
  for (const { c, render } of steps) {
    out.push('', comment(describeChange(c).trim()), `echo ${shellWord(describeChange(c).trim())} >&2`);
    out.push(...render(s, c, o));
  }
  out.push('', 'echo "Issuer: https://${ISSUER_HOST}"');
  if (!s.issuerKnown) {
    // Only now is the issuer known: the cluster's Authentication manifest is written here
    // (stsctl wrote the Secrets, which name roles only).
    out.push(
      'mkdir -p "${STSCTL_OUTPUT_DIR:-.}/manifests"',
      hereDocument(
        `"\${STSCTL_OUTPUT_DIR:-.}/${AUTHENTICATION_MANIFEST_PATH}"`,
        authenticationManifest(`https://${PLACEHOLDER.issuerHost}`),
      ),
      `echo "Wrote \${STSCTL_OUTPUT_DIR:-.}/${AUTHENTICATION_MANIFEST_PATH}" >&2`,
    );
  }
  return `${out.join('\n')}\n`;
}
