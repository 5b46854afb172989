/** CloudWatch Logs members with the constraints its model declares. */
import { integer, list, map, string } from '../../../protocols/shapes.js';
import { GROUP_IDENTIFIER, GROUP_NAME, RESOURCE_ARN, STREAM_NAME, TAG_KEY, TAG_VALUE } from '../engine/validate.js';

export const logGroupName = string({ min: 1, max: 512, pattern: GROUP_NAME });
export const logStreamName = string({ min: 1, max: 512, pattern: STREAM_NAME });
export const logGroupIdentifier = string({ min: 1, max: 2048, pattern: GROUP_IDENTIFIER });
export const resourceArn = string({ min: 1, max: 1011, pattern: RESOURCE_ARN });
export const nextToken = string({ min: 1 });
export const tagKey = string({ min: 1, max: 128, pattern: TAG_KEY });
export const tagMap = map(tagKey, string({ max: 256, pattern: TAG_VALUE }), { min: 1, max: 50 });
export const tagKeys = list(tagKey, { min: 1, max: 50 });
export const limit = (max: number) => integer({ min: 1, max });
export const LOG_GROUP_CLASSES = ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'] as const;
