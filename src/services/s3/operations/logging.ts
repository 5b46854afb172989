/** Server access logging: PutBucketLogging and GetBucketLogging (records delivered by engine/logging.ts). */
import { defineOperation } from '../../../protocols/define-operation.js';
import { inPayload, inUri, string, structure } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import type { BucketLogging } from '../engine/logging.js';
import { MalformedXML } from '../errors.js';
import { RawXml } from '../../../protocols/rest-xml.js';
import { escapeXml } from '../../../protocols/xml.js';
import { S3_NS } from './buckets.js';

const loggingEnabled = structure({ TargetBucket: string(), TargetPrefix: string() });

export function loggingOperations(logging: BucketLogging): Record<string, Operation> {
  return {
    PutBucketLogging: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?logging' },
      input: structure({
        Bucket: inUri('Bucket'),
        BucketLoggingStatus: inPayload(structure({ LoggingEnabled: loggingEnabled }), 'BucketLoggingStatus'),
      }),
      handler: async (input, ctx) => {
        const status = input.BucketLoggingStatus;
        if (status === undefined) throw MalformedXML();
        const enabled = status.LoggingEnabled;
        // An empty BucketLoggingStatus turns logging off; LoggingEnabled needs its target bucket.
        if (enabled !== undefined && !enabled.TargetBucket) throw MalformedXML();
        await logging.put(ctx, input.Bucket, enabled && { TargetBucket: enabled.TargetBucket!, TargetPrefix: enabled.TargetPrefix ?? '' });
      },
    }),
    GetBucketLogging: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?logging' },
      input: structure({ Bucket: inUri('Bucket') }),
      // Written out: with logging off, S3 still answers an (empty) BucketLoggingStatus element.
      handler: (input, ctx) => {
        const c = logging.get(ctx, input.Bucket);
        const inner = c
          ? `<LoggingEnabled><TargetBucket>${escapeXml(c.TargetBucket)}</TargetBucket><TargetPrefix>${escapeXml(c.TargetPrefix)}</TargetPrefix></LoggingEnabled>`
          : '';
        return new RawXml(`<BucketLoggingStatus xmlns="${S3_NS}">${inner}</BucketLoggingStatus>`);
      },
    }),
  };
}
