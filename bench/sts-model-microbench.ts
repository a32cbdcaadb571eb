/**
 * The web-identity model alone, in a tight loop: `evaluateWebIdentity` with warm, in-memory issuer
 * observations (discovery + JWKS of an RSA-4096 key) and IAM view, as the validating STS calls it
 * with warm caches. No HTTP, no server: tells what one validated request costs in the model, and
 * how much of that is the RSA-4096 signature check itself (`crypto.verify` on the same token).
 *
 *   npx tsx bench/sts-model-microbench.ts [--iterations 20000] [--concurrency 16] [--tokens 64]
 *
 * Add `node --cpu-prof --import tsx` to profile. Bounded: a fixed number of iterations.
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  buildJwks,
  generateRsaKeyPair,
  issuerHostPath,
  jwksUri,
  mintServiceAccountToken,
  oidcProviderArn,
  readPrivateKeyPem,
  renderDiscoveryDocument,
  renderJwks,
  renderPolicy,
  roleArn,
  trustPolicy,
} from '../src/core/index.js';
import {
  evaluateWebIdentity,
  type HttpObservation,
  type WebIdentityInput,
} from '../src/webidentity/index.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const ITERATIONS = flag('iterations', 20_000);
const CONCURRENCY = flag('concurrency', 16);
const TOKENS = flag('tokens', 64);

const ACCOUNT = '123456789012';
const ISSUER = 'https://bench-oidc.s3.us-east-1.amazonaws.com';
const HOST_PATH = issuerHostPath(ISSUER);
const PROVIDER_ARN = oidcProviderArn('aws', ACCOUNT, HOST_PATH);
const ROLE_NAME = 'bench-openshift-image-registry-installer-cloud-credentials';
const ROLE_ARN = roleArn('aws', ACCOUNT, ROLE_NAME);

const pair = await generateRsaKeyPair(4096);
const key = readPrivateKeyPem(pair.privateKeyPem);
const tls = { chain: [], trustedByCaLibrary: true } as const;
const ok = (url: string, body: string): HttpObservation => ({
  url,
  ok: true,
  status: 200,
  headers: { 'content-type': 'application/json' },
  body,
  latencyMs: 0,
  tls,
});
const observations = new Map<string, Promise<HttpObservation>>([
  [
    `${ISSUER}/.well-known/openid-configuration`,
    Promise.resolve(ok(`${ISSUER}/.well-known/openid-configuration`, renderDiscoveryDocument(ISSUER))),
  ],
  [jwksUri(ISSUER), Promise.resolve(ok(jwksUri(ISSUER), renderJwks(buildJwks([key.publicKey]))))],
]);
const issuer = {
  fetch: (url: string): Promise<HttpObservation> =>
    observations.get(url) ?? Promise.reject(new Error(`unexpected ${url}`)),
};
// Like the server's IAM cache: the same decoded role object on every request.
const iam = {
  providers: [{ arn: PROVIDER_ARN, url: HOST_PATH, clientIds: ['openshift'], thumbprints: [] }],
  role: {
    arn: ROLE_ARN,
    roleName: ROLE_NAME,
    roleId: 'AROAEXAMPLEROLEID0001',
    assumeRolePolicyDocument: renderPolicy(
      trustPolicy(PROVIDER_ARN, HOST_PATH, 'openshift-image-registry', ['registry']),
    ),
    maxSessionDuration: 3600,
  },
};
const tokens = await Promise.all(
  Array.from({ length: TOKENS }, () =>
    mintServiceAccountToken({
      issuer: ISSUER,
      namespace: 'openshift-image-registry',
      serviceAccount: 'registry',
      privateKey: key.key,
      kid: key.publicKey.kid,
      expirationSeconds: 3600,
    }),
  ),
);
const inputs: WebIdentityInput[] = tokens.map((token, i) => ({
  request: { RoleArn: ROLE_ARN, RoleSessionName: `bench-${i}`, WebIdentityToken: token },
  iam,
  issuer,
  now: new Date(),
}));

async function run(n: number, concurrency: number): Promise<{ wallMs: number; cpuUs: number }> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const result = await evaluateWebIdentity(inputs[i % inputs.length]!);
        if (!result.ok) throw new Error(`unexpected ${result.error.code} (${result.rule})`);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: performance.now() - t0, cpuUs: cpu.user + cpu.system };
}

// The signature alone, synchronously, with the same key and tokens.
const publicKey = createPublicKey({ key: pair.publicKeyPem, format: 'pem' });
const parts = tokens.map((t) => {
  const [h, p, s] = t.split('.');
  return { data: Buffer.from(`${h}.${p}`), sig: Buffer.from(s ?? '', 'base64url') };
});
function verifyOnly(n: number): number {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const part = parts[i % parts.length]!;
    if (!cryptoVerify('sha256', part.data, publicKey, part.sig)) throw new Error('verify failed');
  }
  const cpu = process.cpuUsage(cpu0);
  return cpu.user + cpu.system;
}

console.log(
  `node ${process.version}; iterations ${ITERATIONS}, concurrency ${CONCURRENCY}, tokens ${TOKENS}`,
);
await run(Math.min(2000, ITERATIONS), CONCURRENCY); // warm-up: JIT, imported-key memo
verifyOnly(500);
const sequential = await run(ITERATIONS, 1);
const parallel = await run(ITERATIONS, CONCURRENCY);
const verifyUs = verifyOnly(ITERATIONS);
const us = (x: number): string => (x / ITERATIONS).toFixed(1);
console.log(
  `model, sequential:       ${us(sequential.wallMs * 1000)} µs wall, ${us(sequential.cpuUs)} µs CPU per evaluation`,
);
console.log(
  `model, concurrency ${String(CONCURRENCY).padEnd(3)}:  ${us(parallel.wallMs * 1000)} µs wall, ${us(parallel.cpuUs)} µs CPU per evaluation (all threads)`,
);
console.log(`crypto.verify RS256 alone (sync): ${us(verifyUs)} µs CPU per verify`);
