/** Helpers for the CloudFront data-plane tests: a Nimbus with CloudFront and S3 clients, an origin server, distributions in one call. */
import { CloudFrontClient, CreateDistributionCommand, type DistributionConfig } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestNimbus, TEST_CREDENTIALS, type TestNimbus, type TestNimbusOptions } from '../../helpers/nimbus.js';

export const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
export const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

export interface EdgeNimbus {
  t: TestNimbus;
  cf: CloudFrontClient;
  s3: S3Client;
  stop(): Promise<void>;
}

export async function startEdge(opts: TestNimbusOptions = {}): Promise<EdgeNimbus> {
  const t = await startTestNimbus(opts);
  const cf = new CloudFrontClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const s3 = new S3Client({ endpoint: t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true, maxAttempts: 1 });
  return {
    t,
    cf,
    s3,
    async stop() {
      cf.destroy();
      s3.destroy();
      await t.stop();
    },
  };
}

/** An HTTP origin on loopback whose handler the test writes; it counts requests by path. */
export interface TestOrigin {
  port: number;
  hits: Map<string, number>;
  requests: IncomingMessage[];
  count(path: string): number;
  close(): Promise<void>;
}

export async function startOrigin(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<TestOrigin> {
  const hits = new Map<string, number>();
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    requests.push(req);
    void Promise.resolve(handler(req, res)).catch((e) => {
      res.statusCode = 500;
      res.end(String(e));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    requests,
    count: (p) => hits.get(p) ?? 0,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** A custom origin on the test origin's port (http-only). */
export function customOrigin(id: string, port: number, originPath = '') {
  return { Id: id, DomainName: 'localhost', OriginPath: originPath, CustomOriginConfig: { HTTPPort: port, HTTPSPort: 443, OriginProtocolPolicy: 'http-only' as const } };
}

let ref = 0;

/** Creates a distribution from the parts given (a default behavior to the first origin, CachingOptimized, compression on). */
export async function createDistribution(cf: CloudFrontClient, parts: Partial<DistributionConfig> & { Origins: DistributionConfig['Origins'] }): Promise<{ id: string; arn: string; domainName: string }> {
  const firstOrigin = parts.Origins!.Items![0]!.Id!;
  const config: DistributionConfig = {
    CallerReference: `edge-test-${process.pid}-${ref++}`,
    Comment: '',
    Enabled: true,
    DefaultCacheBehavior: { TargetOriginId: firstOrigin, ViewerProtocolPolicy: 'allow-all', CachePolicyId: CACHING_OPTIMIZED, Compress: true },
    ...parts,
  };
  const out = await cf.send(new CreateDistributionCommand({ DistributionConfig: config }));
  return { id: out.Distribution!.Id!, arn: out.Distribution!.ARN!, domainName: out.Distribution!.DomainName! };
}

/** A viewer request through a distribution (path-style form). */
export async function view(t: TestNimbus, id: string, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: string; bytes: Buffer }> {
  const res = await fetch(`${t.endpoint}/_nimbus/cloudfront/${id}${path}`, init);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: bytes.toString(), bytes };
}
