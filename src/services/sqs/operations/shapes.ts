/** Wire shapes of SQS's inputs and outputs, named as in AWS's model (query names in xmlName). */
import { blob, boolean, integer, list, map, named, required, string, structure } from '../../../protocols/shapes.js';

export const queueUrl = required(string());

export const attributeMap = map(string(), string(), { keyName: 'Name', valueName: 'Value', flattened: true });
export const tagMap = map(string(), string(), { keyName: 'Key', valueName: 'Value', flattened: true });

export const messageAttributeValue = structure({
  StringValue: string(),
  BinaryValue: blob(),
  StringListValues: named(list(string(), { memberName: 'StringListValue', flattened: true }), 'StringListValue'),
  BinaryListValues: named(list(blob(), { memberName: 'BinaryListValue', flattened: true }), 'BinaryListValue'),
  DataType: required(string()),
});
export const messageAttributeMap = map(string(), messageAttributeValue, { keyName: 'Name', valueName: 'Value', flattened: true });

export const sendFields = {
  MessageBody: required(string()),
  DelaySeconds: integer(),
  MessageAttributes: named(messageAttributeMap, 'MessageAttribute'),
  MessageSystemAttributes: named(messageAttributeMap, 'MessageSystemAttribute'),
  MessageDeduplicationId: string(),
  MessageGroupId: string(),
};

export const sendResultFields = {
  MD5OfMessageBody: string(),
  MD5OfMessageAttributes: string(),
  MD5OfMessageSystemAttributes: string(),
  MessageId: string(),
  SequenceNumber: string(),
};

export const message = structure({
  MessageId: string(),
  ReceiptHandle: string(),
  MD5OfBody: string(),
  Body: string(),
  Attributes: named(map(string(), string(), { keyName: 'Name', valueName: 'Value', flattened: true }), 'Attribute'),
  MD5OfMessageAttributes: string(),
  MessageAttributes: named(messageAttributeMap, 'MessageAttribute'),
});

export const batchErrorEntry = structure({
  Id: string(),
  SenderFault: boolean(),
  Code: string(),
  Message: string(),
});

export const failedList = list(batchErrorEntry, { memberName: 'BatchResultErrorEntry', flattened: true });

export { blob, boolean, integer, list, map, named, required, string, structure };
