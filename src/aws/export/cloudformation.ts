import { StsctlError } from '../../core/errors.js';
import { CACHING_DISABLED_POLICY_ID } from '../../core/ccoctl-files.js';
import { objectTagging } from '../../core/iam-documents.js';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY, s3VirtualHost } from '../../core/issuer.js';
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
import { changeRenderer, describeChange, type ExportOptions } from './common.js';
import { hereDocument, shellWord } from './shell.js';
import { PLACEHOLDER, type ExportSubject } from './subject.js';

/**
 * `stsctl plan --export cloudformation`: one template for the desired state of everything the plan
 * names — the issuer bucket (tags, public-access block, policy), for CloudFront the origin access
 * control and distribution, the IAM OIDC provider, and one role per component with its inline
 * policy and tags — with `Outputs` (issuer URL, provider ARN, role ARNs) and `Parameters` for
 * what is the user's choice (thumbprints, permissions boundary, ACM certificate). CloudFormation
 * cannot write S3 objects, so the two issuer documents are uploaded by the commands in the
 * template's `Metadata` (`Stsctl::UploadIssuerDocuments`), run once the stack is created.
 * Values known once the stack creates them are CloudFormation references (`Ref`, `Fn::GetAtt`,
 * `Fn::Sub`). Pure.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Template {
  AWSTemplateFormatVersion: string;
  Description: string;
  Metadata: Record<string, Json>;
  Parameters: Record<string, Json>;
  Resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
  Outputs: Record<string, Json>;
}

type Contributor = (t: Template, s: ExportSubject, c: Change) => void;

const BUCKET = 'IssuerBucket';
const OAC = 'IssuerOriginAccessControl';
const DISTRIBUTION = 'IssuerDistribution';
const PROVIDER = 'OIDCProvider';
const FUNCTION_ROLE = 'IssuerFunctionRole';
const FUNCTION = 'IssuerFunction';
const FUNCTION_URL = 'IssuerFunctionUrl';
const CODE_BUCKET = 'FunctionCodeS3Bucket';
const CODE_KEY = 'FunctionCodeS3Key';

/**
 * The issuer host of a new function URL: Lambda's `FunctionUrl` is `https://<host>/`, so the
 * third `/`-separated part (https:, empty, host, empty).
 */
const FUNCTION_URL_HOST: Json = {
  'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [FUNCTION_URL, 'FunctionUrl'] }] }],
};

/** The issuer as CloudFormation knows it when the stack creates it (CloudFront or Lambda). */
function newIssuer(s: ExportSubject): Json {
  return s.hosting.kind === 'lambda'
    ? { 'Fn::Sub': ['https://${IssuerHost}', { IssuerHost: FUNCTION_URL_HOST }] }
    : { 'Fn::Sub': `https://\${${DISTRIBUTION}.DomainName}` };
}

/** The CloudFormation reference standing for each placeholder inside a `Fn::Sub` string. */
function subReference(s: ExportSubject): Record<string, string> {
  return {
    [PLACEHOLDER.issuerHost]:
      s.hosting.kind === 'lambda' ? '${IssuerHost}' : `\${${DISTRIBUTION}.DomainName}`,
    [PLACEHOLDER.providerArn]: `\${${PROVIDER}}`,
    [PLACEHOLDER.distributionArn]: `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${${DISTRIBUTION}}`,
    [PLACEHOLDER.originAccessControlId]: `\${${OAC}}`,
    [PLACEHOLDER.callerReference]: s.name,
  };
}

/**
 * A document as template data: parsed JSON when it holds no placeholder, else the JSON text in a
 * `Fn::Sub` (a literal `${` escaped as `${!`, CloudFormation's rule) with references in place.
 */
function document(s: ExportSubject, text: string): Json {
  if (!/@@STSCTL_[A-Z_]+@@/.test(text)) return JSON.parse(text) as Json;
  const refs = subReference(s);
  const sub = text.replace(/\$\{/g, '${!').replace(/@@STSCTL_[A-Z_]+@@/g, (p) => refs[p] ?? p);
  const body = JSON.stringify(JSON.parse(sub.replace(/\n\s*/g, ' ')) as Json);
  // A Lambda issuer's host is an expression, not an attribute: a variable of the Fn::Sub.
  return s.hosting.kind === 'lambda' && text.includes(PLACEHOLDER.issuerHost)
    ? { 'Fn::Sub': [body, { IssuerHost: FUNCTION_URL_HOST }] }
    : { 'Fn::Sub': body };
}

function tags(list: readonly { Key: string; Value: string }[]): Json {
  return list.map((t) => ({ Key: t.Key, Value: t.Value }));
}

function bucketResource(t: Template, s: ExportSubject): Record<string, Json> {
  t.Resources[BUCKET] ??= {
    Type: 'AWS::S3::Bucket',
    Properties: { BucketName: s.bucket, Tags: tags(s.tags) },
  };
  return t.Resources[BUCKET].Properties;
}

const bucket: Contributor = (t, s) => {
  bucketResource(t, s);
};

const publicAccessBlock: Contributor = (t, s) => {
  const b = s.publicAccessBlock;
  bucketResource(t, s)['PublicAccessBlockConfiguration'] = {
    BlockPublicAcls: b.BlockPublicAcls,
    IgnorePublicAcls: b.IgnorePublicAcls,
    BlockPublicPolicy: b.BlockPublicPolicy,
    RestrictPublicBuckets: b.RestrictPublicBuckets,
  };
};

const originAccessControl: Contributor = (t, s) => {
  t.Resources[OAC] = {
    Type: 'AWS::CloudFront::OriginAccessControl',
    Properties: {
      OriginAccessControlConfig: {
        Name: s.bucket,
        Description: ownershipComment(s.name),
        SigningProtocol: 'sigv4',
        SigningBehavior: 'always',
        OriginAccessControlOriginType: 's3',
      },
    },
  };
};

/** The distribution of src/aws/cloudfront-config.ts in CloudFormation's shape. */
const distribution: Contributor = (t, s) => {
  if (s.hosting.kind !== 'cloudfront') return;
  const origin = s3VirtualHost(s.bucket, s.region);
  const domain = s.hosting.customDomain;
  if (domain !== undefined)
    t.Parameters['AcmCertificateArn'] = {
      Type: 'String',
      Description: `ACM certificate (us-east-1) CloudFront serves for ${domain}`,
      Default: s.hosting.acmCertificateArn ?? '',
    };
  t.Resources[DISTRIBUTION] = {
    Type: 'AWS::CloudFront::Distribution',
    Properties: {
      DistributionConfig: {
        Comment: ownershipComment(s.name),
        Enabled: true,
        ...(domain === undefined ? {} : { Aliases: [domain] }),
        Origins: [
          {
            Id: origin,
            DomainName: origin,
            S3OriginConfig: { OriginAccessIdentity: '' },
            OriginAccessControlId: { 'Fn::GetAtt': [OAC, 'Id'] },
            ConnectionAttempts: 3,
            ConnectionTimeout: 10,
          },
        ],
        DefaultCacheBehavior: {
          TargetOriginId: origin,
          ViewerProtocolPolicy: 'https-only',
          AllowedMethods: ['HEAD', 'GET'],
          CachedMethods: ['HEAD', 'GET'],
          Compress: false,
          CachePolicyId: CACHING_DISABLED_POLICY_ID,
        },
        PriceClass: 'PriceClass_All',
        ViewerCertificate:
          domain === undefined
            ? { CloudFrontDefaultCertificate: true }
            : {
                AcmCertificateArn: { Ref: 'AcmCertificateArn' },
                SslSupportMethod: 'sni-only',
                MinimumProtocolVersion: 'TLSv1.2_2021',
              },
      },
      Tags: tags(s.tags),
    },
  };
};

const bucketPolicy: Contributor = (t, s) => {
  t.Resources['IssuerBucketPolicy'] = {
    Type: 'AWS::S3::BucketPolicy',
    Properties: { Bucket: { Ref: BUCKET }, PolicyDocument: document(s, JSON.stringify(s.bucketPolicy)) },
  };
};

/** The documents are uploaded by the Metadata commands (CloudFormation writes no S3 objects). */
const issuerDocument: Contributor = () => undefined;

const oidcProvider: Contributor = (t, s) => {
  if (s.thumbprints.length > 0)
    t.Parameters['Thumbprints'] = {
      Type: 'CommaDelimitedList',
      Description: "SHA-1 thumbprints of the issuer's TLS chain, as stsctl plan observed them",
      Default: s.thumbprints.join(','),
    };
  t.Resources[PROVIDER] = {
    Type: 'AWS::IAM::OIDCProvider',
    Properties: {
      Url: s.issuerKnown ? s.issuer : newIssuer(s),
      ClientIdList: [...s.clientIds],
      ...(s.thumbprints.length > 0 ? { ThumbprintList: { Ref: 'Thumbprints' } } : {}),
      Tags: tags(s.tags),
    },
  };
};

/** `Role` + a CloudFormation-safe form of the role name (letters and digits only). */
function logicalId(prefix: string, name: string): string {
  return `${prefix}${name
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')}`.slice(0, 255);
}

const role: Contributor = (t, s, c) => {
  const r = s.roles.find((x) => x.name === c.id);
  if (r === undefined)
    throw new StsctlError(
      'EXPORT_UNKNOWN_KIND',
      `the plan holds role ${c.id}, which is not among the desired roles`,
      {
        kind: 'failure',
      },
    );
  if (r.permissionsBoundaryArn !== undefined)
    t.Parameters['PermissionsBoundaryArn'] = {
      Type: 'String',
      Description: 'IAM policy used as the permissions boundary of every role',
      Default: r.permissionsBoundaryArn,
    };
  const id = logicalId('Role', r.name);
  // The trust policy names the provider by reference (`${OIDCProvider}` in a Fn::Sub): the
  // provider is created first, as IAM resolves the principal when the role is created.
  const trust = r.trustPolicy.replaceAll(s.providerArn, PLACEHOLDER.providerArn);
  t.Resources[id] = {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: r.name,
      Description: r.description,
      AssumeRolePolicyDocument: document(s, trust),
      Policies: [{ PolicyName: r.name, PolicyDocument: document(s, r.inlinePolicy) }],
      ...(r.permissionsBoundaryArn === undefined
        ? {}
        : { PermissionsBoundary: { Ref: 'PermissionsBoundaryArn' } }),
      Tags: tags(r.tags),
    },
  };
  t.Outputs[`${id}Arn`.slice(0, 255)] = {
    Description: `Role for ${r.serves}`,
    Value: { 'Fn::GetAtt': [id, 'Arn'] },
  };
};

/** The issuer function's execution role: Lambda's trust, the least-privilege inline policy. */
const functionRole: Contributor = (t, s) => {
  const name = issuerFunctionName(s.bucket);
  t.Resources[FUNCTION_ROLE] = {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: name,
      Description: issuerFunctionRoleDescription(s.name),
      AssumeRolePolicyDocument: issuerFunctionTrustPolicy() as Json,
      Policies: [
        {
          PolicyName: name,
          PolicyDocument: issuerFunctionPolicy(s.partition, s.region, s.accountId, s.bucket, name) as Json,
        },
      ],
      Tags: tags(s.tags),
    },
  };
};

/**
 * The function. Its code comes from an S3 object, not inline `ZipFile`: "When you specify source
 * code inline for a Node.js function, the index file that CloudFormation creates uses the
 * extension .js. This means that Node.js treats the file as a CommonJS module"
 * (AWS::Lambda::Function Code), and the shipped handler is an ES module, `index.mjs`. The object
 * is the package create-all uploads, put by the commands in Metadata `Stsctl::UploadFunctionCode`
 * before the stack is created (the issuer bucket does not exist until then, so the package goes
 * to a bucket of the operator's, a parameter). Its key names the package's SHA-256: "Changes to
 * a deployment package in Amazon S3 ... are not detected automatically during stack updates. To
 * update the function code, change the object key" (same page).
 */
const issuerFunction: Contributor = (t, s) => {
  if (s.hosting.kind !== 'lambda') return;
  const hex = Buffer.from(s.hosting.code.sha256, 'base64').toString('hex');
  t.Parameters[CODE_BUCKET] = {
    Type: 'String',
    Description: `An S3 bucket of yours in ${s.region} holding the issuer function's package (see Metadata Stsctl::UploadFunctionCode)`,
    MinLength: 3,
  };
  t.Parameters[CODE_KEY] = {
    Type: 'String',
    Description: "The key of the issuer function's package in that bucket",
    Default: `stsctl/issuer-function-${hex}.zip`,
  };
  t.Resources[FUNCTION] = {
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: issuerFunctionName(s.bucket),
      Description: issuerFunctionDescription(s.name),
      Runtime: ISSUER_FUNCTION_RUNTIME,
      Handler: ISSUER_FUNCTION_HANDLER,
      Role: { 'Fn::GetAtt': [FUNCTION_ROLE, 'Arn'] },
      Code: { S3Bucket: { Ref: CODE_BUCKET }, S3Key: { Ref: CODE_KEY } },
      Environment: { Variables: { [ISSUER_BUCKET_VARIABLE]: s.bucket } },
      Tags: tags(s.tags),
    },
  };
  t.Metadata['Stsctl::UploadFunctionCode'] = {
    Description: `Before creating the stack, run these commands (sh, with CODE_BUCKET set to the bucket you pass as ${CODE_BUCKET}) to upload the issuer function's package: the same bytes create-all uploads.`,
    Commands: [
      'set -eu',
      'DOCS=$(mktemp -d "${TMPDIR:-/tmp}/stsctl-function.XXXXXX")',
      `base64 -d > "$DOCS/function.zip" <<'STSCTL_EOF'\n${s.hosting.code.zip.toString('base64').replace(/.{1,76}/g, '$&\n')}STSCTL_EOF`,
      `aws s3api put-object --bucket "$CODE_BUCKET" --key ${shellWord(`stsctl/issuer-function-${hex}.zip`)} --body "$DOCS/function.zip" >/dev/null`,
      'rm -rf "$DOCS"',
    ].join('\n'),
  };
};

const functionUrl: Contributor = (t) => {
  t.Resources[FUNCTION_URL] = {
    Type: 'AWS::Lambda::Url',
    Properties: {
      TargetFunctionArn: { 'Fn::GetAtt': [FUNCTION, 'Arn'] },
      AuthType: FUNCTION_URL_AUTH_TYPE,
      Cors: {
        AllowMethods: [...FUNCTION_URL_CORS.AllowMethods],
        AllowOrigins: [...FUNCTION_URL_CORS.AllowOrigins],
      },
    },
  };
};

/**
 * The two statements that open the URL to everyone. CloudFormation names a permission's
 * statement itself (AWS::Lambda::Permission has no statement id), so `stsctl plan` on a stack
 * made from this template finds its own statement ids missing (see docs/commands.md).
 */
const functionPermission: Contributor = (t, s, c) => {
  const sid = c.id.slice(issuerFunctionName(s.bucket).length + 1);
  const want = PUBLIC_URL_STATEMENTS.find((x) => x.sid === sid);
  if (want === undefined)
    throw new StsctlError(
      'EXPORT_UNKNOWN_KIND',
      `the plan holds statement ${c.id}, which stsctl does not make`,
      {
        kind: 'failure',
      },
    );
  t.Resources[logicalId('Permission', want.sid)] = {
    Type: 'AWS::Lambda::Permission',
    Properties: {
      FunctionName: { Ref: FUNCTION },
      Action: want.action,
      Principal: want.principal,
      ...(want.functionUrlAuthType === undefined ? {} : { FunctionUrlAuthType: want.functionUrlAuthType }),
      ...(want.invokedViaFunctionUrl === undefined ? {} : { InvokedViaFunctionUrl: true }),
    },
  };
};

const CONTRIBUTORS: Readonly<Record<Change['kind'], Contributor>> = {
  bucket,
  'public-access-block': publicAccessBlock,
  'origin-access-control': originAccessControl,
  distribution,
  'bucket-policy': bucketPolicy,
  'discovery-document': issuerDocument,
  jwks: issuerDocument,
  'oidc-provider': oidcProvider,
  role,
  'function-role': functionRole,
  function: issuerFunction,
  'function-url': functionUrl,
  'function-permission': functionPermission,
};

/** The commands that upload the two issuer documents once the stack exists (STACK = its name). */
export function uploadCommands(s: ExportSubject): string {
  const put = (key: string, file: string): string =>
    `aws s3api put-object --bucket ${shellWord(s.bucket)} --key ${shellWord(key)} --body "$DOCS/${file}" --content-type application/json --tagging ${shellWord(objectTagging(s.name))} >/dev/null`;
  return [
    'set -eu',
    'DOCS=$(mktemp -d "${TMPDIR:-/tmp}/stsctl-issuer.XXXXXX")',
    ...(s.issuerKnown
      ? []
      : [
          `ISSUER_HOST=$(aws cloudformation describe-stacks --stack-name "$STACK" --region ${shellWord(s.region)} --query "Stacks[0].Outputs[?OutputKey=='IssuerURL'].OutputValue" --output text | sed 's|^https://||')`,
        ]),
    hereDocument('"$DOCS/openid-configuration"', s.discoveryDocument),
    hereDocument('"$DOCS/keys.json"', s.jwksDocument),
    put(s.documentPrefix + DISCOVERY_OBJECT_KEY, 'openid-configuration'),
    put(s.documentPrefix + JWKS_OBJECT_KEY, 'keys.json'),
    'rm -rf "$DOCS"',
  ].join('\n');
}

function yamlScalar(v: string | number | boolean | null): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/** YAML of JSON data (strings double-quoted, JSON's escapes being YAML's); multi-line strings as `|` blocks. */
function yaml(v: Json, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${pad}[]`];
    return v.flatMap((item) => {
      const lines = yaml(item, indent + 2);
      const first = lines[0] ?? '';
      return [`${pad}- ${first.trimStart()}`, ...lines.slice(1)];
    });
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([k, item]) => {
      const key = /^[A-Za-z0-9_:.-]+$/.test(k) ? k : JSON.stringify(k);
      if (typeof item === 'string' && item.includes('\n'))
        return [`${pad}${key}: |`, ...item.split('\n').map((l) => (l === '' ? '' : `${pad}  ${l}`))];
      if (
        item !== null &&
        typeof item === 'object' &&
        (Array.isArray(item) ? item.length > 0 : Object.keys(item).length > 0)
      )
        return [`${pad}${key}:`, ...yaml(item, indent + 2)];
      if (item !== null && typeof item === 'object')
        return [`${pad}${key}: ${Array.isArray(item) ? '[]' : '{}'}`];
      return [`${pad}${key}: ${yamlScalar(item)}`];
    });
  }
  return [`${pad}${yamlScalar(v)}`];
}

/** The template (YAML). Throws EXPORT_UNKNOWN_KIND for a resource kind it has no contributor for. */
export function renderCloudFormation(s: ExportSubject, p: Plan, o: ExportOptions): string {
  const t: Template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      `stsctl: OIDC issuer, IAM OIDC provider and component roles of "${s.name}" (account ${s.accountId}, ${s.region}; plan ${o.planHash}). ${s.hosting.kind === 'self' ? 'Serve the files in Metadata Stsctl::IssuerDocuments at the issuer URL.' : 'After creating the stack, run the commands in Metadata Stsctl::UploadIssuerDocuments.'}`.slice(
        0,
        1024,
      ),
    Metadata: {},
    Parameters: {},
    Resources: {},
    Outputs: {},
  };
  // Every change, unchanged ones too: the template is the whole desired state.
  for (const c of p.changes) changeRenderer(CONTRIBUTORS, c, 'cloudformation')(t, s, c);
  t.Outputs['IssuerURL'] = {
    Description: 'The service-account issuer (Authentication serviceAccountIssuer)',
    Value: s.issuerKnown ? s.issuer : newIssuer(s),
  };
  if (t.Resources[PROVIDER] !== undefined)
    t.Outputs['ProviderArn'] = { Description: 'The IAM OIDC provider', Value: { Ref: PROVIDER } };
  t.Metadata['Stsctl::Plan'] = {
    Account: s.accountId,
    Region: s.region,
    Cluster: s.name,
    PlanHash: o.planHash,
    Changes: p.changes.map((c) => describeChange(c).trim()),
  };
  const documents = p.changes.filter((c) => c.kind === 'discovery-document' || c.kind === 'jwks');
  if (s.hosting.kind === 'self' && documents.length > 0)
    // A self-hosted issuer's documents are files for the operator's server, not S3 objects.
    t.Metadata['Stsctl::IssuerDocuments'] = {
      Description:
        'The issuer is self-hosted: stsctl plan --export wrote these files; serve them at the issuer URL (for example with stsctl serve --issuer-dir).',
      Files: documents.map((c) => c.id),
    };
  else if (documents.length > 0)
    t.Metadata['Stsctl::UploadIssuerDocuments'] = {
      Description:
        'CloudFormation cannot write S3 objects: once the stack is created, run these commands (sh, with STACK set to the stack name) to upload the discovery document and keys.json.',
      Commands: uploadCommands(s),
    };
  const json = t as unknown as Json;
  return `${[`# stsctl ${o.version} plan --export cloudformation (plan ${o.planHash})`, ...yaml(json, 0)].join('\n')}\n`;
}
