import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan } from '../../../src/aws/plan.js';
import { exportSubject, renderAwsCliScript, renderCloudFormation } from '../../../src/aws/export/index.js';
import { functionPackage } from '../../../src/aws/issuer-function.js';
import type { ObservedIssuerFunction } from '../../../src/aws/model.js';
import { lambdaDesired, lambdaObserved } from './plan-fixtures.js';

/** `--hosting lambda` in manual mode: the aws-cli script and the CloudFormation template. */

const OPTIONS = { planHash: `sha256:${'cd'.repeat(32)}`, version: '0.0.0-test' };
const ACCOUNT = '123456789012';
// Bytes no text encoding would carry unchanged (a zip is binary).
const code = functionPackage(Buffer.from('export const handler = () => "\u00ff\u0000\u0001";'));
const desired = lambdaDesired(code);
const observed = lambdaObserved;

/** Every `aws <service> <operation>` the script runs, in order (comments left out). */
function commands(script: string): string[] {
  return script
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .flatMap((l) => [...l.matchAll(/\baws (iam|lambda|s3api|sts) [a-z0-9-]+/g)].map((m) => m[0]));
}

describe('--export aws-cli with --hosting lambda', () => {
  it('an empty account gets the role, the function, its URL and both statements before the documents', () => {
    const o = observed();
    const p = plan(desired, o);
    const script = renderAwsCliScript(exportSubject(desired, o, p), p, OPTIONS);
    const lambda = commands(script).filter((c) => c.startsWith('aws lambda') || c.startsWith('aws iam'));
    assert.deepEqual(lambda, [
      'aws iam get-role',
      'aws iam update-assume-role-policy',
      'aws iam create-role',
      'aws iam put-role-policy',
      'aws lambda get-function',
      'aws lambda create-function',
      'aws lambda wait',
      'aws lambda get-function-url-config',
      'aws lambda update-function-url-config',
      'aws lambda create-function-url-config',
      'aws lambda get-policy',
      'aws lambda add-permission',
      'aws lambda get-policy',
      'aws lambda add-permission',
      'aws iam get-open-id-connect-provider',
      'aws iam create-open-id-connect-provider',
    ]);
    assert.ok(
      script.indexOf('create-function-url-config') <
        script.indexOf("--key '.well-known/openid-configuration'"),
    );
    assert.match(script, /aws lambda wait function-active-v2 --function-name 'c-oidc'/);
    assert.match(
      script,
      /create-function --function-name 'c-oidc' .*--runtime 'nodejs22\.x' --handler 'index\.handler' --role 'arn:aws:iam::123456789012:role\/c-oidc' --environment '\{"Variables":\{"ISSUER_BUCKET":"c-oidc"\}\}' --zip-file fileb:\/\/"\$DOCS\/function\.zip"/,
    );
    assert.match(
      script,
      /FUNCTION_URL=\$\(aws lambda create-function-url-config --function-name 'c-oidc' --auth-type NONE --cors '\{"AllowMethods":\["GET"\],"AllowOrigins":\["\*"\]\}' --query FunctionUrl --output text\)/,
    );
    assert.match(
      script,
      /add-permission --function-name 'c-oidc' --statement-id 'FunctionURLAllowPublicAccess' --action 'lambda:InvokeFunctionUrl' --principal '\*' --function-url-auth-type 'NONE'/,
    );
    assert.match(
      script,
      /add-permission --function-name 'c-oidc' --statement-id 'FunctionURLInvokeAllowPublicAccess' --action 'lambda:InvokeFunction' --principal '\*' --invoked-via-function-url/,
    );
    // The issuer documents and the provider use the URL the script captured.
    assert.match(script, /"issuer": "https:\/\/\$\{ISSUER_HOST\}"/);
    assert.ok(!script.includes('@@STSCTL_'), 'no placeholder is left in the script');
    assert.match(script, /# Issuer: the new Lambda function URL/);
  });

  it('the function package the script writes is byte for byte the one create-all uploads', () => {
    const o = observed();
    const p = plan(desired, o);
    const script = renderAwsCliScript(exportSubject(desired, o, p), p, OPTIONS);
    const start = script.indexOf('base64 -d > "$DOCS/function.zip"');
    const end = script.indexOf('\nSTSCTL_EOF', start) + '\nSTSCTL_EOF'.length;
    assert.ok(start > 0 && end > start);
    const dir = mkdtempSync(join(tmpdir(), 'stsctl-zip-'));
    try {
      execFileSync('sh', ['-c', script.slice(start, end)], {
        env: { PATH: process.env['PATH'] ?? '', DOCS: dir },
      });
      assert.deepEqual(readFileSync(join(dir, 'function.zip')), code.zip);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drift is repaired by exactly the calls it needs: new code, the URL config, a statement re-added', () => {
    const fnArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:c-oidc`;
    const o = observed({
      role: {
        name: 'c-oidc',
        arn: `arn:aws:iam::${ACCOUNT}:role/c-oidc`,
        trustPolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
        inlinePolicy: undefined,
        tags: desired.tags,
      } as unknown as NonNullable<ObservedIssuerFunction['role']>,
      function: {
        arn: fnArn,
        role: `arn:aws:iam::${ACCOUNT}:role/c-oidc`,
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        codeSha256: 'other',
        environment: { ISSUER_BUCKET: 'c-oidc' },
        tags: desired.tags,
      },
      url: {
        url: 'https://u1.lambda-url.us-east-1.on.aws/',
        authType: 'AWS_IAM',
        allowMethods: ['GET'],
        allowOrigins: ['*'],
      },
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'FunctionURLAllowPublicAccess',
            Effect: 'Allow',
            Principal: '*',
            Action: 'lambda:InvokeFunctionUrl',
            Resource: fnArn,
            Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
          },
        ],
      }),
    });
    const p = plan(desired, o);
    const script = renderAwsCliScript(exportSubject(desired, o, p), p, OPTIONS);
    const lambda = commands(script).filter((c) => c.startsWith('aws lambda') || c.startsWith('aws iam'));
    assert.deepEqual(lambda, [
      'aws iam put-role-policy',
      'aws lambda wait',
      'aws lambda update-function-code',
      'aws lambda wait',
      'aws lambda update-function-url-config',
      'aws lambda remove-permission',
      'aws lambda add-permission',
      'aws lambda get-policy',
      'aws lambda add-permission',
      'aws iam get-open-id-connect-provider',
      'aws iam create-open-id-connect-provider',
    ]);
    assert.match(
      script,
      /aws lambda wait function-updated-v2 --function-name 'c-oidc'\naws lambda update-function-code/,
    );
    // The URL is known: the issuer is a value, not captured.
    assert.match(script, /ISSUER_HOST='u1\.lambda-url\.us-east-1\.on\.aws'/);
    assert.ok(!script.includes('FUNCTION_URL='));
  });
});

describe('--export cloudformation with --hosting lambda', () => {
  const o = observed();
  const p = plan(desired, o);
  const t = renderCloudFormation(exportSubject(desired, o, p), p, OPTIONS);

  it('holds the role, the function from an S3 package, its URL and both permissions', () => {
    for (const want of [
      'IssuerFunctionRole:\n    Type: "AWS::IAM::Role"',
      'IssuerFunction:\n    Type: "AWS::Lambda::Function"',
      'IssuerFunctionUrl:\n    Type: "AWS::Lambda::Url"',
      'PermissionFunctionURLAllowPublicAccess:\n    Type: "AWS::Lambda::Permission"',
      'PermissionFunctionURLInvokeAllowPublicAccess:\n    Type: "AWS::Lambda::Permission"',
      'FunctionUrlAuthType: "NONE"',
      'InvokedViaFunctionUrl: true',
      'Runtime: "nodejs22.x"',
      'Handler: "index.handler"',
      'ISSUER_BUCKET: "c-oidc"',
      'Ref: "FunctionCodeS3Bucket"',
      'AuthType: "NONE"',
    ])
      assert.ok(t.includes(want), want);
    // Never inline: CloudFormation would write the ES module as index.js (CommonJS).
    assert.ok(!t.includes('ZipFile'));
    assert.ok(!t.includes('Lambda function URL hosting'), 'nothing is refused');
  });

  it('the issuer URL is the function URL host, and the package upload writes the bytes create-all uploads', () => {
    assert.match(
      t,
      /IssuerURL:\n(?:.*\n){2}\s+Fn::Sub:\n\s+- "https:\/\/\$\{IssuerHost\}"\n\s+- IssuerHost:\n\s+Fn::Select:\n\s+- 2/,
    );
    const hex = Buffer.from(code.sha256, 'base64').toString('hex');
    assert.ok(t.includes(`Default: "stsctl/issuer-function-${hex}.zip"`));
    // The Metadata commands, as YAML's literal block: un-indent and run the base64 part.
    const block = /Stsctl::UploadFunctionCode:\n.*\n\s+Commands: \|\n((?: {6}.*\n)+)/.exec(t)?.[1] ?? '';
    const commands = block.replace(/^ {6}/gm, '');
    const start = commands.indexOf('base64 -d');
    const end = commands.indexOf('\nSTSCTL_EOF', start) + '\nSTSCTL_EOF'.length;
    assert.ok(start >= 0 && end > start, commands);
    const dir = mkdtempSync(join(tmpdir(), 'stsctl-zip-'));
    try {
      execFileSync('sh', ['-c', commands.slice(start, end)], {
        env: { PATH: process.env['PATH'] ?? '', DOCS: dir },
      });
      assert.deepEqual(readFileSync(join(dir, 'function.zip')), code.zip);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.match(commands, new RegExp(`--key 'stsctl/issuer-function-${hex}\\.zip'`));
  });
});
