/** Put/GetBucketNotificationConfiguration: which object events go to which SQS queues. */
import { defineOperation } from '../../../protocols/define-operation.js';
import { inPayload, inUri, list, string, structure, type ShapeType } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import type { Buckets } from '../engine/buckets.js';
import type { NotificationConfig, TargetConfig, Notifications } from '../engine/notifications.js';

// Event names and filter rule names are left as strings: S3 answers an unknown event with its
// own InvalidArgument (not MalformedXML) and takes rule names in any case; the engine checks both.
const filter = structure({
  Key: { shape: structure({ FilterRules: list(structure({ Name: string(), Value: string() }), { flattened: true, memberName: 'FilterRule' }) }), xmlName: 'S3Key' },
});
const common = { Id: string(), Events: list(string(), { flattened: true, memberName: 'Event' }), Filter: filter };
const config = structure({
  QueueConfigurations: list(structure({ ...common, Queue: string() }), { flattened: true, memberName: 'QueueConfiguration' }),
  TopicConfigurations: list(structure({ ...common, Topic: string() }), { flattened: true, memberName: 'TopicConfiguration' }),
  // The XML names the ARNs <Queue>, <Topic>, <CloudFunction>; the API names them QueueArn, ....
  LambdaFunctionConfigurations: list(structure({ ...common, CloudFunction: string() }), { flattened: true, memberName: 'CloudFunctionConfiguration' }),
});

type Wire = ShapeType<typeof config>;
const targetShape = structure(common);
type WireTarget = ShapeType<typeof targetShape>;

/** A target as the engine checks it: absent events and names are refused there, in S3's words. */
function target(t: WireTarget): TargetConfig {
  const key = t.Filter?.Key;
  const rules = key?.FilterRules?.map((r) => ({ Name: r.Name ?? '', Value: r.Value ?? '' }));
  return {
    ...(t.Id !== undefined ? { Id: t.Id } : {}),
    Events: t.Events ?? [],
    ...(t.Filter ? { Filter: key ? { Key: rules ? { FilterRules: rules } : {} } : {} } : {}),
  };
}

function fromWire(w: Wire): NotificationConfig {
  return {
    ...(w.QueueConfigurations ? { QueueConfigurations: w.QueueConfigurations.map((c) => ({ ...target(c), QueueArn: c.Queue ?? '' })) } : {}),
    ...(w.TopicConfigurations ? { TopicConfigurations: w.TopicConfigurations.map((c) => ({ ...target(c), TopicArn: c.Topic ?? '' })) } : {}),
    ...(w.LambdaFunctionConfigurations
      ? { LambdaFunctionConfigurations: w.LambdaFunctionConfigurations.map((c) => ({ ...target(c), LambdaFunctionArn: c.CloudFunction ?? '' })) }
      : {}),
  };
}

function toWire(c: NotificationConfig): Wire {
  return {
    QueueConfigurations: c.QueueConfigurations?.map(({ QueueArn, ...t }) => ({ ...t, Queue: QueueArn })),
    TopicConfigurations: c.TopicConfigurations?.map(({ TopicArn, ...t }) => ({ ...t, Topic: TopicArn })),
    LambdaFunctionConfigurations: c.LambdaFunctionConfigurations?.map(({ LambdaFunctionArn, ...t }) => ({ ...t, CloudFunction: LambdaFunctionArn })),
  };
}

export function notificationOperations(buckets: Buckets, notifications: Notifications): Record<string, Operation> {
  return {
    PutBucketNotificationConfiguration: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?notification' },
      input: structure({ Bucket: inUri('Bucket'), NotificationConfiguration: inPayload(config, 'NotificationConfiguration') }),
      handler: async (input, ctx) => {
        buckets.owned(ctx, input.Bucket);
        await notifications.put(input.Bucket, fromWire(input.NotificationConfiguration ?? {}), ctx.requestId, ctx.accountId);
      },
    }),
    GetBucketNotificationConfiguration: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?notification' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: config,
      outputRoot: 'NotificationConfiguration',
      handler: async (input, ctx) => {
        buckets.owned(ctx, input.Bucket);
        return toWire(await notifications.get(input.Bucket));
      },
    }),
  };
}
