import { Command, Option } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StsctlError } from '../core/errors.js';
import { validateIssuerUrl } from '../core/issuer.js';
import { readPrivateKeyPem } from '../core/keys.js';
import type { TokenInspection } from '../core/tokens.js';

/** Token decoding and signing (jose), loaded when a token command runs. */
const tokens = () => import('../core/tokens.js');
import { SCHEMA_VERSION, readAll, type CliIo } from './io.js';

/** `stsctl token inspect` and `stsctl token mint`. */

function renderInspection(t: TokenInspection): string {
  const lines: string[] = [];
  lines.push('Header:');
  for (const [k, v] of Object.entries(t.header)) lines.push(`  ${k}: ${JSON.stringify(v)}`);
  lines.push('Claims:');
  for (const [k, v] of Object.entries(t.claims)) lines.push(`  ${k}: ${JSON.stringify(v)}`);
  if (t.times.length > 0) {
    lines.push('Times:');
    for (const time of t.times) lines.push(`  ${time.claim.padEnd(9)} ${time.iso}  (${time.relative})`);
  }
  if (t.serviceAccount !== undefined) {
    lines.push(`Service account: ${t.serviceAccount.namespace}/${t.serviceAccount.name}`);
  }
  if (t.audiences.length > 0) lines.push(`Audiences: ${t.audiences.join(', ')}`);
  if (t.expiresInSeconds === undefined)
    lines.push('Status: no exp claim (AWS STS rejects tokens without one)');
  else lines.push(`Status: ${t.expired ? 'EXPIRED' : 'valid for now'} (signature not verified)`);
  return `${lines.join('\n')}\n`;
}

export function addTokenCommands(program: Command, io: CliIo, now: () => Date): void {
  const token = program.command('token').summary('Inspect and mint service-account tokens');

  token
    .command('inspect')
    .summary('Decode a token: header, claims, times in human form, expired or not')
    .argument('[file]', 'token file, or - for standard input', '-')
    .addOption(
      new Option('--output <format>', 'Result format on stdout').choices(['text', 'json']).default('text'),
    )
    .action(async (file: string, opts: { output: string }) => {
      let text: string;
      if (file === '-') text = await readAll(io.stdin);
      else {
        try {
          text = await readFile(resolve(io.cwd, file), 'utf8');
        } catch (e) {
          throw new StsctlError('TOKEN_FILE_UNREADABLE', `cannot read the token: ${(e as Error).message}`, {
            file,
          });
        }
      }
      let inspection: TokenInspection;
      try {
        const { inspectToken } = await tokens();
        inspection = inspectToken(text, now());
      } catch (e) {
        if (e instanceof StsctlError && file !== '-') {
          throw new StsctlError(e.code, e.message, { file, cause: e });
        }
        throw e;
      }
      if (opts.output === 'json') {
        io.stdout.write(
          `${JSON.stringify(
            {
              schemaVersion: SCHEMA_VERSION,
              header: inspection.header,
              claims: inspection.claims,
              times: inspection.times,
              expired: inspection.expired,
              expiresInSeconds: inspection.expiresInSeconds ?? null,
              serviceAccount: inspection.serviceAccount ?? null,
              audiences: inspection.audiences,
              signatureVerified: false,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        io.stdout.write(renderInspection(inspection));
      }
    });

  token
    .command('mint')
    .summary('Sign a service-account token the way kube-apiserver does')
    .requiredOption(
      '--private-key-file <file>',
      'RSA private key (PKCS#1 or PKCS#8 PEM), e.g. serviceaccount-signer.private',
    )
    .requiredOption('--issuer <url>', "iss claim: the cluster's serviceAccountIssuer")
    .requiredOption('--namespace <ns>', 'service account namespace')
    .requiredOption('--service-account <name>', 'service account name')
    .option(
      '--audience <aud>',
      'aud claim, repeatable (default: openshift)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--expiration-seconds <n>', 'lifetime in seconds', '3600')
    .option('--output-file <file>', 'write the token to this file (mode 0600) instead of standard output')
    .action(
      async (opts: {
        privateKeyFile: string;
        issuer: string;
        namespace: string;
        serviceAccount: string;
        audience?: string[];
        expirationSeconds: string;
        outputFile?: string;
      }) => {
        const keyPath = resolve(io.cwd, opts.privateKeyFile);
        let pem: string;
        try {
          pem = await readFile(keyPath, 'utf8');
        } catch (e) {
          throw new StsctlError('KEY_UNREADABLE', `cannot read the private key: ${(e as Error).message}`, {
            file: keyPath,
          });
        }
        const key = readPrivateKeyPem(pem, keyPath);
        validateIssuerUrl(opts.issuer, '--issuer');
        const lifetime = Number(opts.expirationSeconds);
        if (!Number.isInteger(lifetime) || lifetime <= 0) {
          throw new StsctlError(
            'TOKEN_INVALID_OPTION',
            `--expiration-seconds must be a positive integer (got "${opts.expirationSeconds}")`,
          );
        }
        const { mintServiceAccountToken } = await tokens();
        const jwt = await mintServiceAccountToken({
          issuer: opts.issuer,
          namespace: opts.namespace,
          serviceAccount: opts.serviceAccount,
          audiences: opts.audience ?? ['openshift'],
          expirationSeconds: lifetime,
          now: now(),
          privateKey: key.key,
          kid: key.publicKey.kid,
        });
        if (opts.outputFile !== undefined) {
          await writeFile(resolve(io.cwd, opts.outputFile), jwt, { mode: 0o600 });
        } else {
          io.stdout.write(`${jwt}\n`);
        }
      },
    );
}
