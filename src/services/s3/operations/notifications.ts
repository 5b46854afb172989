/** Put/GetBucketNotificationConfiguration: which object events go to which SQS queues. */
import { inPayload, inUri, list, string, structure } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import type { Buckets } from '../engine/buckets.js';
import type { NotificationConfig, Notifications } from '../engine/notifications.js';

const filter = structure({
  Key: { shape: structure({ FilterRules: list(structure({ Name: string(), Value: string() }), { flattened: true, memberName: 'FilterRule' }) }), xmlName: 'S3Key' },
});
const target = (arnMember: string) =>
  structure({ Id: string(), [arnMember]: string(), Events: list(string(), { flattened: true, memberName: 'Event' }), Filter: filter });
const config = structure({
  QueueConfigurations: list(target('Queue'), { flattened: true, memberName: 'QueueConfiguration' }),
  TopicConfigurations: list(target('Topic'), { flattened: true, memberName: 'TopicConfiguration' }),
  LambdaFunctionConfigurations: list(target('CloudFunction'), { flattened: true, memberName: 'CloudFunctionConfiguration' }),
});

type Wire = Record<string, Array<Record<string, unknown>> | undefined>;

/** The XML names the ARNs <Queue>, <Topic>, <CloudFunction>; the API names them QueueArn, .... */
function fromWire(w: Wire): NotificationConfig {
  const rename = (list: Array<Record<string, unknown>> | undefined, from: string, to: string) =>
    list?.map(({ [from]: arn, ...rest }) => ({ ...rest, [to]: arn })) as never;
  return {
    QueueConfigurations: rename(w.QueueConfigurations, 'Queue', 'QueueArn'),
    TopicConfigurations: rename(w.TopicConfigurations, 'Topic', 'TopicArn'),
    LambdaFunctionConfigurations: rename(w.LambdaFunctionConfigurations, 'CloudFunction', 'LambdaFunctionArn'),
  };
}

function toWire(c: NotificationConfig): Wire {
  const rename = (list: Array<Record<string, unknown>> | undefined, from: string, to: string) =>
    list?.map(({ [from]: arn, ...rest }) => ({ ...rest, [to]: arn }));
  return {
    QueueConfigurations: rename(c.QueueConfigurations as never, 'QueueArn', 'Queue'),
    TopicConfigurations: rename(c.TopicConfigurations as never, 'TopicArn', 'Topic'),
    LambdaFunctionConfigurations: rename(c.LambdaFunctionConfigurations as never, 'LambdaFunctionArn', 'CloudFunction'),
  };
}

export function notificationOperations(buckets: Buckets, notifications: Notifications): Record<string, Operation> {
  return {
    PutBucketNotificationConfiguration: {
      http: { method: 'PUT', uri: '/{Bucket}?notification' },
      input: structure({ Bucket: inUri('Bucket'), NotificationConfiguration: inPayload(config, 'NotificationConfiguration') }),
      handler: async (input: { Bucket: string; NotificationConfiguration?: Wire }, ctx) => {
        buckets.owned(ctx, input.Bucket);
        await notifications.put(input.Bucket, fromWire(input.NotificationConfiguration ?? {}), ctx.requestId, ctx.accountId);
      },
    },
    GetBucketNotificationConfiguration: {
      http: { method: 'GET', uri: '/{Bucket}?notification' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: config,
      outputRoot: 'NotificationConfiguration',
      handler: async (input: { Bucket: string }, ctx) => {
        buckets.owned(ctx, input.Bucket);
        return toWire(await notifications.get(input.Bucket));
      },
    },
  };
}
