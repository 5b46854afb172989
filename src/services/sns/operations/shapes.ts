/** Wire shapes of SNS's inputs and outputs, named as in AWS's model (non-flattened lists and maps). */
import { blob, boolean, list, map, named, required, string, structure } from '../../../protocols/shapes.js';

/** Topic and subscription attributes: `Attributes.entry.N.key` / `.value`. */
export const attributeMap = map(string(), string());
/** `Tags.member.N.Key` / `.Value`. */
export const tagList = list(structure({ Key: required(string()), Value: required(string()) }));

export const messageAttributeMap = map(string(), structure({ DataType: required(string()), StringValue: string(), BinaryValue: blob() }), {
  keyName: 'Name',
  valueName: 'Value',
});

export const subscriptionList = list(
  structure({ SubscriptionArn: string(), Owner: string(), Protocol: string(), Endpoint: string(), TopicArn: string() }),
);

export const batchErrorList = list(structure({ Id: string(), Code: string(), Message: string(), SenderFault: boolean() }));

/** Tag lists as maps, and back. */
export const tagsToMap = (tags: { Key: string; Value: string }[] | undefined): Record<string, string> => Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]));
export const mapToTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export { blob, boolean, list, map, named, required, string, structure };
