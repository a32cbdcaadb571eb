import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { createAwsClients } from '../../../src/aws/clients.js';
import { liveThumbprints } from '../../../src/net/environment.js';
import { createIssuerFetcher } from '../../../src/net/issuer-fetch.js';
import { proxyForUrl } from '../../../src/net/proxy.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { startConnectProxy, type ConnectProxy } from '../../helpers/connect-proxy.js';
import { publicIssuer, REGION, rsaKey, type Issuer } from '../../helpers/web-identity.js';

// Behind a corporate proxy stsctl must still read the issuer's own TLS chain for the IAM
// thumbprint (a CONNECT tunnel, TLS end to end) and reach the AWS APIs (the SDK does not read
// HTTPS_PROXY by itself). The test proxy plays the corporate proxy and the DNS behind it: public
// names on 443 go to the sandbox's HTTPS edge.

let work: string;
let sb: Sandbox;
let proxy: ConnectProxy;
let issuer: Issuer;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'stsctl-proxy-'));
  sb = await startSandbox({ region: REGION, stateDir: join(work, 'sandbox') });
  const edge = sb.endpoints.edgePort;
  proxy = await startConnectProxy({
    route: (host, port) => (port === 443 ? { host: '127.0.0.1', port: edge } : { host, port }),
    credentials: 'corp:s3cret pass',
  });
  const aws = sb.clients(REGION);
  issuer = await publicIssuer(aws, rsaKey(), 'viaproxy');
});

after(async () => {
  await proxy.stop();
  await sb.stop();
  rmSync(work, { recursive: true, force: true });
});

const proxyUrl = (): string => proxy.url.replace('http://', 'http://corp:s3cret%20pass@');

describe('through an HTTPS_PROXY', () => {
  test("the issuer fetch tunnels with CONNECT and sees the issuer's own chain (same thumbprint as direct)", async () => {
    const env = { HTTPS_PROXY: proxyUrl() };
    const viaProxy = createIssuerFetcher({
      trustedCaPems: [sb.cas.sandbox.rootPem],
      proxy: (u) => proxyForUrl(u, env),
    });
    const before = proxy.connects.length;
    const proxied = await liveThumbprints(viaProxy, issuer.url);
    const direct = await liveThumbprints(sb.issuerFetcher, issuer.url);
    assert.ok('thumbprints' in proxied, JSON.stringify(proxied));
    assert.deepEqual(proxied, direct);
    const host = new URL(issuer.url).host;
    const seen = proxy.connects.slice(before);
    // One tunnel per handshake (the GET, and the empty-store handshake that reads the chain).
    assert.deepEqual(
      seen.map((c) => c.authority),
      [`${host}:443`, `${host}:443`],
    );
    assert.equal(seen[0]?.authorization, `Basic ${Buffer.from('corp:s3cret pass').toString('base64')}`);

    const answer = await viaProxy.fetch(`${issuer.url}/keys.json`);
    assert.ok(answer.ok, JSON.stringify(answer));
    assert.equal(answer.status, 200);
    assert.equal(answer.tls.trustedByCaLibrary, true);
  });

  test('a proxy that refuses the tunnel is a connect failure naming the proxy, never its password', async () => {
    const env = { HTTPS_PROXY: proxy.url.replace('http://', 'http://corp:wrong@') };
    const fetcher = createIssuerFetcher({
      trustedCaPems: [sb.cas.sandbox.rootPem],
      proxy: (u) => proxyForUrl(u, env),
    });
    const answer = await fetcher.fetch(`${issuer.url}/.well-known/openid-configuration`);
    assert.equal(answer.ok, false);
    assert.ok(!answer.ok);
    assert.equal(answer.error, 'connect');
    assert.match(answer.message, new RegExp(`proxy ${proxy.url} refused CONNECT .*:443: HTTP 407`));
    assert.doesNotMatch(answer.message, /wrong|corp/);
    const thumbs = await liveThumbprints(fetcher, issuer.url);
    assert.ok('problem' in thumbs);
    assert.match(thumbs.problem, /407/);
  });

  test('NO_PROXY sends matching hosts directly', async () => {
    const env = { HTTPS_PROXY: proxyUrl(), NO_PROXY: 'localhost,.amazonaws.com' };
    const fetcher = createIssuerFetcher({
      trustedCaPems: [sb.cas.sandbox.rootPem],
      // Direct connections still need the sandbox's resolver; the proxy is bypassed.
      connectTo: (_h, port) =>
        port === 443 ? { host: '127.0.0.1', port: sb.endpoints.edgePort } : undefined,
      proxy: (u) => proxyForUrl(u, env),
    });
    const before = proxy.connects.length;
    const answer = await fetcher.fetch(`${issuer.url}/keys.json`);
    assert.ok(answer.ok && answer.status === 200);
    assert.equal(proxy.connects.length, before);
  });

  test('AWS SDK clients go through the proxy too, and around it under NO_PROXY', async () => {
    const aws = new URL(sb.endpoints.aws);
    const proxied = createAwsClients(
      { region: REGION, endpoint: sb.endpoints.aws, credentials: sb.credentials, maxAttempts: 1 },
      { HTTP_PROXY: proxyUrl() },
    );
    try {
      const before = proxy.connects.length;
      const roles = await proxied.iam.send(new ListRolesCommand({}));
      assert.ok((roles.Roles ?? []).some((r) => r.Arn === issuer.roleArn));
      assert.ok(
        proxy.connects.slice(before).some((c) => c.authority === `${aws.hostname}:${aws.port}`),
        JSON.stringify(proxy.connects.slice(before)),
      );
    } finally {
      proxied.destroy();
    }
    const bypass = createAwsClients(
      { region: REGION, endpoint: sb.endpoints.aws, credentials: sb.credentials, maxAttempts: 1 },
      { HTTP_PROXY: proxyUrl(), no_proxy: '127.0.0.1' },
    );
    try {
      const before = proxy.connects.length;
      await bypass.iam.send(new ListRolesCommand({}));
      assert.equal(proxy.connects.length, before);
    } finally {
      bypass.destroy();
    }
  });
});
