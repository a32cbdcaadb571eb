import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from '../../../src/aws/clients.js';
import { buildJwks, renderJwks } from '../../../src/core/index.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { mint, rsaKey } from '../../helpers/web-identity.js';

/**
 * `iamPropagationMs` (`stsctl sandbox up --iam-propagation-ms`): IAM's eventual consistency
 * rehearsed on purpose. A provider and role created and used at once fail the way AWS answers a
 * provider it cannot see yet (aws-sts-2026.md §1: the 2026 generic message), and work once the
 * delay has passed.
 */

const PROPAGATION_MS = 2000;
const ISSUER_HOST = 'propagation.issuer.example';
const ISSUER = `https://${ISSUER_HOST}`;
let sb: Sandbox;
let aws: AwsClients;

before(async () => {
  sb = await startSandbox({ fetchBudgetMs: 30_000, iamPropagationMs: PROPAGATION_MS });
  aws = sb.clients();
});

after(async () => {
  await sb.stop();
});

test('with a 2000 ms propagation delay, the first assume fails as for an unknown provider and succeeds after', async () => {
  const key = rsaKey();
  sb.edge.setStaticSite({
    host: ISSUER_HOST,
    routes: {
      '/.well-known/openid-configuration': {
        body: JSON.stringify({
          issuer: ISSUER,
          jwks_uri: `${ISSUER}/keys.json`,
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
        headers: { 'content-type': 'application/json' },
      },
      '/keys.json': {
        body: renderJwks(buildJwks([key.publicKey])),
        headers: { 'content-type': 'application/json' },
      },
    },
  });
  const started = performance.now();
  const provider = await aws.iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: ISSUER,
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
    }),
  );
  const role = await aws.iam.send(
    new CreateRoleCommand({
      RoleName: 'propagation',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: provider.OpenIDConnectProviderArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${ISSUER_HOST}:sub`]: 'system:serviceaccount:team:app' } },
          },
        ],
      }),
    }),
  );
  const lastWrite = performance.now();
  const token = await mint(key, ISSUER, { audiences: ['sts.amazonaws.com'] });
  const assume = () =>
    aws.sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: role.Role?.Arn,
        RoleSessionName: 'propagation',
        WebIdentityToken: token,
      }),
    );
  await assert.rejects(assume(), (e: Error) => {
    assert.equal(e.name, 'InvalidIdentityTokenException');
    assert.equal(
      e.message,
      'The web identity token provided could not be validated. See the AssumeRoleWithWebIdentity documentation for requirements.',
    );
    return true;
  });
  // The failure came inside the delay, so it is the delay that hid the writes.
  assert.ok(performance.now() - started < PROPAGATION_MS, 'the first assume ran within the delay');
  await sleep(Math.max(0, lastWrite + PROPAGATION_MS + 100 - performance.now()));
  const out = await assume();
  assert.equal(out.Provider, provider.OpenIDConnectProviderArn);
  assert.equal(out.SubjectFromWebIdentityToken, 'system:serviceaccount:team:app');
});
