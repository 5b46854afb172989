/** CloudFront test helpers: an SDK client on a test Nimbus, and minimal valid configs. */
import { CloudFrontClient, type DistributionConfig } from '@aws-sdk/client-cloudfront';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';

export function cloudfrontClient(endpoint: string, opts: { credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): CloudFrontClient {
  return new CloudFrontClient({ endpoint, region: 'us-east-1', credentials: opts.credentials ?? TEST_CREDENTIALS, maxAttempts: 1 });
}

/** A distribution in front of one S3 bucket with the managed CachingOptimized policy. */
export function s3DistributionConfig(ref: string, overrides: Partial<DistributionConfig> = {}): DistributionConfig {
  return {
    CallerReference: ref,
    Comment: `distribution ${ref}`,
    Enabled: true,
    Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: 'assets.s3.us-east-1.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } }] },
    DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
    ...overrides,
  };
}

export const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
export const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
export const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3';
