import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { AwsError, InternalFailure } from '../../src/protocols/errors.js';
import { decodeQueryInput, encodeQueryError, encodeQueryResponse, parseForm } from '../../src/protocols/query.js';
import {
  blob,
  boolean,
  integer,
  list,
  map,
  named,
  required,
  string,
  structure,
  type StructureShape,
} from '../../src/protocols/shapes.js';
import { escapeXml } from '../../src/protocols/xml.js';

// ---- SQS shapes, mirroring botocore's sqs/2012-11-05 model ------------------------------

const NS = 'http://queue.amazonaws.com/doc/2012-11-05/';

const messageAttributeValue = structure({
  StringValue: string(),
  BinaryValue: blob(),
  StringListValues: named(list(string(), { memberName: 'StringListValue', flattened: true }), 'StringListValue'),
  BinaryListValues: named(list(blob(), { memberName: 'BinaryListValue', flattened: true }), 'BinaryListValue'),
  DataType: required(string()),
});
const messageBodyAttributeMap = map(string(), messageAttributeValue, { keyName: 'Name', valueName: 'Value', flattened: true });
const queueAttributeMap = map(string(), string(), { keyName: 'Name', valueName: 'Value', flattened: true });
const tagMap = map(string(), string(), { keyName: 'Key', valueName: 'Value', flattened: true });

const CreateQueueRequest = structure({
  QueueName: required(string()),
  Attributes: named(queueAttributeMap, 'Attribute'),
  tags: named(tagMap, 'Tag'),
});

const SendMessageRequest = structure({
  QueueUrl: required(string()),
  MessageBody: required(string()),
  DelaySeconds: integer(),
  MessageAttributes: named(messageBodyAttributeMap, 'MessageAttribute'),
  MessageSystemAttributes: named(messageBodyAttributeMap, 'MessageSystemAttribute'),
  MessageDeduplicationId: string(),
  MessageGroupId: string(),
});

const SendMessageBatchRequestEntry = structure({
  Id: required(string()),
  MessageBody: required(string()),
  DelaySeconds: integer(),
  MessageAttributes: named(messageBodyAttributeMap, 'MessageAttribute'),
  MessageDeduplicationId: string(),
  MessageGroupId: string(),
});
const SendMessageBatchRequest = structure({
  QueueUrl: required(string()),
  Entries: required(list(SendMessageBatchRequestEntry, { memberName: 'SendMessageBatchRequestEntry', flattened: true })),
});

const ReceiveMessageRequest = structure({
  QueueUrl: required(string()),
  AttributeNames: list(string(), { memberName: 'AttributeName', flattened: true }),
  MessageAttributeNames: list(string(), { memberName: 'MessageAttributeName', flattened: true }),
  MaxNumberOfMessages: integer(),
  VisibilityTimeout: integer(),
  WaitTimeSeconds: integer(),
  ReceiveRequestAttemptId: string(),
});

const Message = structure({
  MessageId: string(),
  ReceiptHandle: string(),
  MD5OfBody: string(),
  Body: string(),
  Attributes: named(queueAttributeMap, 'Attribute'),
  MD5OfMessageAttributes: string(),
  MessageAttributes: named(messageBodyAttributeMap, 'MessageAttribute'),
});
const ReceiveMessageResult = structure({
  Messages: list(Message, { memberName: 'Message', flattened: true }),
});

/** A non-SQS shape exercising the non-flattened forms and nested structures. */
const Misc = structure({
  Foo: list(string()),
  Items: list(structure({ Name: string(), Size: integer() }), { memberName: 'item' }),
  Tags: map(string(), string()),
  Pairs: map(string(), integer(), { keyName: 'K', valueName: 'V' }),
  Enabled: boolean(),
  Count: integer(),
  Data: blob(),
  Outer: named(structure({ Inner: structure({ Leaf: string() }), Flag: boolean() }), 'A'),
});

// ---- parseForm --------------------------------------------------------------------------

test('parseForm: decodes percent-encoding and +', () => {
  const p = parseForm('Action=SendMessage&MessageBody=hello+world%2B%C3%BC&a=1&empty=&flag&&x=%3D%26');
  assert.equal(p.get('Action'), 'SendMessage');
  assert.equal(p.get('MessageBody'), 'hello world+ü');
  assert.equal(p.get('a'), '1');
  assert.equal(p.get('empty'), '');
  assert.equal(p.get('flag'), '');
  assert.equal(p.get('x'), '=&');
  assert.equal(p.size, 6);
});

test('parseForm: a name given twice is refused, however it is spelled or valued', () => {
  for (const form of ['Action=GetQueueAttributes&Action=DeleteQueue', 'a=1&a=1', 'flag&flag=', 'Queue%4EamePrefix=x&QueueNamePrefix=y']) {
    assert.throws(
      () => parseForm(form),
      (e: unknown) => e instanceof AwsError && e.code === 'ConflictingQueryParameter' && e.status === 400 && /^The query parameter '\w+' is invalid\. Its structure conflicts with that of another parameter\.$/.test(e.message),
      form,
    );
  }
});

test('parseForm: accepts a URL query string with its ?, encoded names, empty input', () => {
  const p = parseForm('?Action=ListQueues&Queue%2ENamePrefix=a+b');
  assert.deepEqual([...p], [
    ['Action', 'ListQueues'],
    ['Queue.NamePrefix', 'a b'],
  ]);
  assert.equal(parseForm('').size, 0);
  assert.equal(parseForm('?').size, 0);
});

test('parseForm: invalid percent-encoding is MalformedQueryString', () => {
  for (const bad of ['a=%', 'a=%zz', 'a%2=1', 'a=%C3', 'a=%FF']) {
    assert.throws(
      () => parseForm(bad),
      (e: unknown) => e instanceof AwsError && e.code === 'MalformedQueryString' && e.queryCode === 'MalformedQueryString',
      bad,
    );
  }
});

// ---- decodeQueryInput -------------------------------------------------------------------
// The bodies below are exactly what botocore's QuerySerializer (the AWS CLI) sends.

test('decode CreateQueue: flattened Attribute and Tag maps', () => {
  const params = parseForm(
    'Action=CreateQueue&Version=2012-11-05&QueueName=q1&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5' +
      '&Attribute.2.Name=RedrivePolicy&Attribute.2.Value=%7B%22a%22%3A1%7D&Tag.1.Key=env&Tag.1.Value=dev+%26+test' +
      '&Tag.2.Key=team&Tag.2.Value=x',
  );
  const { value, violations } = decodeQueryInput(CreateQueueRequest, params);
  assert.deepEqual(violations, []);
  assert.deepEqual(value, {
    QueueName: 'q1',
    Attributes: { DelaySeconds: '5', RedrivePolicy: '{"a":1}' },
    tags: { env: 'dev & test', team: 'x' },
  });
});

test('decode SendMessage: message attributes with string and binary values', () => {
  const params = parseForm(
    'Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1' +
      '&MessageBody=hello+world%2B%C3%BC&DelaySeconds=3&MessageAttribute.1.Name=color' +
      '&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=red' +
      '&MessageAttribute.2.Name=bin&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAH%2F',
  );
  const { value, violations } = decodeQueryInput(SendMessageRequest, params);
  assert.deepEqual(violations, []);
  assert.deepEqual(value, {
    QueueUrl: 'http://localhost:4566/000000000000/q1',
    MessageBody: 'hello world+ü',
    DelaySeconds: 3,
    MessageAttributes: {
      color: { DataType: 'String', StringValue: 'red' },
      bin: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 255]) },
    },
  });
  assert.ok(Buffer.isBuffer((value.MessageAttributes as any).bin.BinaryValue));
});

test('decode SendMessage: flattened StringListValue inside a map value', () => {
  const params = parseForm(
    'Action=SendMessage&Version=2012-11-05&QueueUrl=u&MessageBody=x&MessageAttribute.1.Name=l' +
      '&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringListValue.1=a' +
      '&MessageAttribute.1.Value.StringListValue.2=b',
  );
  const { value, violations } = decodeQueryInput(SendMessageRequest, params);
  assert.deepEqual(violations, []);
  assert.deepEqual(value.MessageAttributes, { l: { DataType: 'String', StringListValues: ['a', 'b'] } });
});

test('decode SendMessageBatch: flattened entry list with nested message attributes', () => {
  const params = parseForm(
    'Action=SendMessageBatch&Version=2012-11-05&QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a' +
      '&SendMessageBatchRequestEntry.1.MessageBody=b1&SendMessageBatchRequestEntry.2.Id=b' +
      '&SendMessageBatchRequestEntry.2.MessageBody=b2&SendMessageBatchRequestEntry.2.DelaySeconds=1' +
      '&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=n' +
      '&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=Number' +
      '&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=42',
  );
  const { value, violations } = decodeQueryInput(SendMessageBatchRequest, params);
  assert.deepEqual(violations, []);
  assert.deepEqual(value, {
    QueueUrl: 'u',
    Entries: [
      { Id: 'a', MessageBody: 'b1' },
      { Id: 'b', MessageBody: 'b2', DelaySeconds: 1, MessageAttributes: { n: { DataType: 'Number', StringValue: '42' } } },
    ],
  });
});

test('decode SendMessageBatch: missing members inside entries and map values', () => {
  const params = parseForm(
    'QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.2.MessageBody=b2' +
      '&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=n' +
      '&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=42',
  );
  const { violations } = decodeQueryInput(SendMessageBatchRequest, params);
  assert.deepEqual(violations, [
    { kind: 'missing', path: 'Entries.1.MessageBody', member: 'MessageBody' },
    { kind: 'missing', path: 'Entries.2.MessageAttributes.n.DataType', member: 'DataType' },
  ]);
});

test('decode ReceiveMessage: flattened AttributeName list and integers', () => {
  const params = parseForm(
    'Action=ReceiveMessage&Version=2012-11-05&QueueUrl=u&AttributeName.1=All&AttributeName.2=SentTimestamp' +
      '&MessageAttributeName.1=.%2A&MaxNumberOfMessages=10&WaitTimeSeconds=20',
  );
  const { value, violations } = decodeQueryInput(ReceiveMessageRequest, params);
  assert.deepEqual(violations, []);
  assert.deepEqual(value, {
    QueueUrl: 'u',
    AttributeNames: ['All', 'SentTimestamp'],
    MessageAttributeNames: ['.*'],
    MaxNumberOfMessages: 10,
    WaitTimeSeconds: 20,
  });
});

test('decode: an empty list is sent as `Name=`', () => {
  // botocore: ReceiveMessage(AttributeNames=[]) -> AttributeNames=
  const { value } = decodeQueryInput(ReceiveMessageRequest, parseForm('QueueUrl=u&AttributeNames='));
  assert.deepEqual(value, { QueueUrl: 'u', AttributeNames: [] });
  const misc = decodeQueryInput(Misc, parseForm('Foo='));
  assert.deepEqual(misc.value, { Foo: [] });
});

test('decode: sparse and unordered indices are taken in numeric order', () => {
  const params = parseForm(
    'QueueUrl=u&AttributeName.10=ten&AttributeName.2=two&AttributeName.07=seven&AttributeName.0=zero' +
      '&AttributeName.x=ignored&AttributeName.-1=ignored',
  );
  const { value, violations } = decodeQueryInput(ReceiveMessageRequest, params);
  assert.deepEqual(violations, []);
  assert.deepEqual(value.AttributeNames, ['two', 'seven', 'ten']);

  const attrs = decodeQueryInput(
    CreateQueueRequest,
    parseForm('QueueName=q&Attribute.3.Name=C&Attribute.3.Value=3&Attribute.1.Name=A&Attribute.1.Value=1'),
  );
  assert.deepEqual(Object.entries(attrs.value.Attributes as object), [
    ['A', '1'],
    ['C', '3'],
  ]);
});

test('decode: non-flattened lists and maps, nested structures, booleans, blobs', () => {
  const params = parseForm(
    'Foo.member.2=b&Foo.member.1=a&Items.item.1.Name=x&Items.item.1.Size=3&Items.item.2.Name=y' +
      '&Tags.entry.1.key=k1&Tags.entry.1.value=v1&Tags.entry.2.key=k2&Tags.entry.2.value=v2' +
      '&Pairs.entry.1.K=one&Pairs.entry.1.V=1&Enabled=TRUE&Count=-4&Data=aGk%3D' +
      '&A.Inner.Leaf=leaf&A.Flag=False&Unknown=1&Foo.1=ignored',
  );
  const { value, violations } = decodeQueryInput(Misc, params);
  assert.deepEqual(violations, []);
  assert.deepEqual(value, {
    Foo: ['a', 'b'],
    Items: [{ Name: 'x', Size: 3 }, { Name: 'y' }],
    Tags: { k1: 'v1', k2: 'v2' },
    Pairs: { one: 1 },
    Enabled: true,
    Count: -4,
    Data: Buffer.from('hi'),
    Outer: { Inner: { Leaf: 'leaf' }, Flag: false },
  });
});

test('decode: unparsable integers, booleans and blobs are type violations', () => {
  const params = parseForm(
    'QueueUrl=u&MaxNumberOfMessages=ten&VisibilityTimeout=1.5&WaitTimeSeconds=&ReceiveRequestAttemptId=ok',
  );
  const { value, violations } = decodeQueryInput(ReceiveMessageRequest, params);
  assert.deepEqual(value, { QueueUrl: 'u', ReceiveRequestAttemptId: 'ok' });
  assert.deepEqual(violations, [
    { kind: 'type', path: 'MaxNumberOfMessages', member: 'MaxNumberOfMessages', expected: 'integer', value: 'ten' },
    { kind: 'type', path: 'VisibilityTimeout', member: 'VisibilityTimeout', expected: 'integer', value: '1.5' },
    { kind: 'type', path: 'WaitTimeSeconds', member: 'WaitTimeSeconds', expected: 'integer', value: '' },
  ]);

  const misc = decodeQueryInput(
    Misc,
    parseForm('Enabled=yes&Count=%2012&Data=not%20base64!&Items.item.1.Size=9999999999999999999&Pairs.entry.1.K=a&Pairs.entry.1.V=x'),
  );
  assert.deepEqual(misc.violations, [
    { kind: 'type', path: 'Items.1.Size', member: 'Size', expected: 'integer', value: '9999999999999999999' },
    { kind: 'type', path: 'Pairs.a', member: 'Pairs', expected: 'integer', value: 'x' },
    { kind: 'type', path: 'Enabled', member: 'Enabled', expected: 'boolean', value: 'yes' },
    { kind: 'type', path: 'Count', member: 'Count', expected: 'integer', value: ' 12' },
    { kind: 'type', path: 'Data', member: 'Data', expected: 'blob', value: 'not base64!' },
  ]);
});

test('decode: missing required members', () => {
  const send = decodeQueryInput(SendMessageRequest, parseForm('Action=SendMessage&QueueUrl=u'));
  assert.deepEqual(send.violations, [{ kind: 'missing', path: 'MessageBody', member: 'MessageBody' }]);
  assert.deepEqual(send.value, { QueueUrl: 'u' });

  const batch = decodeQueryInput(SendMessageBatchRequest, parseForm('QueueUrl=u'));
  assert.deepEqual(batch.violations, [{ kind: 'missing', path: 'Entries', member: 'Entries' }]);

  // A present but empty string is present.
  const empty = decodeQueryInput(SendMessageRequest, parseForm('QueueUrl=u&MessageBody='));
  assert.deepEqual(empty.violations, []);
  assert.equal(empty.value.MessageBody, '');
});

test('decode: map entries without their key or value', () => {
  const { value, violations } = decodeQueryInput(
    CreateQueueRequest,
    parseForm('QueueName=q&Attribute.1.Value=5&Attribute.2.Name=VisibilityTimeout&Attribute.3.Name=DelaySeconds&Attribute.3.Value=1'),
  );
  assert.deepEqual(value, { QueueName: 'q', Attributes: { DelaySeconds: '1' } });
  assert.deepEqual(violations, [
    { kind: 'missing', path: 'Attributes.1.Name', member: 'Name' },
    { kind: 'missing', path: 'Attributes.VisibilityTimeout', member: 'Value' },
  ]);
});

test('decode: map key __proto__ becomes an own property', () => {
  const { value } = decodeQueryInput(
    CreateQueueRequest,
    parseForm('QueueName=q&Attribute.1.Name=__proto__&Attribute.1.Value=x'),
  );
  const attrs = value.Attributes as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(attrs), Object.prototype);
  assert.deepEqual(Object.keys(attrs), ['__proto__']);
  assert.equal(Object.getOwnPropertyDescriptor(attrs, '__proto__')?.value, 'x');
});

// ---- encodeQueryResponse ----------------------------------------------------------------

test('encode ReceiveMessage result: flattened Message list with Attribute and MessageAttribute maps', () => {
  const xml = encodeQueryResponse(
    'ReceiveMessage',
    {
      Messages: [
        {
          MessageId: 'm-1',
          ReceiptHandle: 'rh1',
          MD5OfBody: 'abc',
          Body: 'a < b & "c"',
          Attributes: { SentTimestamp: '1700000000000', ApproximateReceiveCount: '1' },
          MD5OfMessageAttributes: 'def',
          MessageAttributes: {
            color: { StringValue: 'red', DataType: 'String' },
            bin: { BinaryValue: Buffer.from([0, 1, 255]), DataType: 'Binary' },
            list: { StringListValues: [], DataType: 'String' },
          },
        },
        { MessageId: 'm-2', ReceiptHandle: 'rh2', MD5OfBody: 'ghi', Body: 'plain', Attributes: undefined, MessageAttributes: null },
      ],
    },
    ReceiveMessageResult,
    NS,
    'req-1',
  );
  const expected =
    `<ReceiveMessageResponse xmlns="${NS}"><ReceiveMessageResult>` +
    '<Message><MessageId>m-1</MessageId><ReceiptHandle>rh1</ReceiptHandle><MD5OfBody>abc</MD5OfBody>' +
    '<Body>a &lt; b &amp; &quot;c&quot;</Body>' +
    '<Attribute><Name>SentTimestamp</Name><Value>1700000000000</Value></Attribute>' +
    '<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>' +
    '<MD5OfMessageAttributes>def</MD5OfMessageAttributes>' +
    '<MessageAttribute><Name>color</Name><Value><StringValue>red</StringValue><DataType>String</DataType></Value></MessageAttribute>' +
    '<MessageAttribute><Name>bin</Name><Value><BinaryValue>AAH/</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>' +
    '<MessageAttribute><Name>list</Name><Value><DataType>String</DataType></Value></MessageAttribute>' +
    '</Message>' +
    '<Message><MessageId>m-2</MessageId><ReceiptHandle>rh2</ReceiptHandle><MD5OfBody>ghi</MD5OfBody><Body>plain</Body></Message>' +
    '</ReceiveMessageResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ReceiveMessageResponse>';
  assert.equal(xml, expected);
});

test('encode: empty results, operations without output, member order from the shape', () => {
  assert.equal(
    encodeQueryResponse('ReceiveMessage', { Messages: [] }, ReceiveMessageResult, NS, 'r'),
    `<ReceiveMessageResponse xmlns="${NS}"><ReceiveMessageResult/><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ReceiveMessageResponse>`,
  );
  assert.equal(
    encodeQueryResponse('DeleteMessage', undefined, undefined, NS, 'r'),
    `<DeleteMessageResponse xmlns="${NS}"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteMessageResponse>`,
  );
  const shape = structure({ QueueUrls: list(string(), { memberName: 'QueueUrl', flattened: true }), NextToken: string() });
  assert.equal(
    encodeQueryResponse('ListQueues', { NextToken: 't', QueueUrls: ['u1', 'u2'], Extra: 'x' }, shape, NS, 'r'),
    `<ListQueuesResponse xmlns="${NS}"><ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>` +
      '<NextToken>t</NextToken></ListQueuesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListQueuesResponse>',
  );
});

test('encode: non-flattened lists and maps, nested structures, scalars', () => {
  const xml = encodeQueryResponse(
    'Misc',
    {
      Foo: ['a', 'b'],
      Items: [{ Name: 'x', Size: 3 }],
      Tags: new Map([['k', 'v']]),
      Pairs: { one: 1, none: undefined },
      Enabled: false,
      Count: 0,
      Data: new Uint8Array([104, 105]),
      Outer: { Inner: {}, Flag: true },
    },
    Misc,
    'urn:x',
    'r',
  );
  assert.equal(
    xml,
    '<MiscResponse xmlns="urn:x"><MiscResult>' +
      '<Foo><member>a</member><member>b</member></Foo>' +
      '<Items><item><Name>x</Name><Size>3</Size></item></Items>' +
      '<Tags><entry><key>k</key><value>v</value></entry></Tags>' +
      '<Pairs><entry><K>one</K><V>1</V></entry></Pairs>' +
      '<Enabled>false</Enabled><Count>0</Count><Data>aGk=</Data>' +
      '<A><Inner/><Flag>true</Flag></A>' +
      '</MiscResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></MiscResponse>',
  );
  // Empty non-flattened containers are still present.
  assert.match(encodeQueryResponse('Misc', { Foo: [], Tags: {} }, Misc, 'urn:x', 'r'), /<MiscResult><Foo\/><Tags\/><\/MiscResult>/);
});

test('encode: the XML is well-formed and round-trips through an XML parser', () => {
  const body = 'line1\r\nline2\rline3\n\ttab <tag attr="v"> & \'q\' ünïcødé 😀';
  const xml = encodeQueryResponse(
    'ReceiveMessage',
    {
      Messages: [
        {
          MessageId: 'id',
          Body: body,
          Attributes: { SenderId: 'AIDA&<>' },
          MessageAttributes: { 'a"b': { DataType: 'String', StringValue: '<x/>' } },
        },
        { MessageId: 'id2', Body: 'second' },
      ],
    },
    ReceiveMessageResult,
    NS,
    'req-2',
  );
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false, htmlEntities: true });
  const doc = parser.parse(xml, true);
  const resp = doc.ReceiveMessageResponse;
  assert.equal(resp['@_xmlns'], NS);
  assert.equal(resp.ResponseMetadata.RequestId, 'req-2');
  const messages = resp.ReceiveMessageResult.Message;
  assert.equal(messages.length, 2);
  assert.equal(messages[0].Body, body);
  assert.deepEqual(messages[0].Attribute, { Name: 'SenderId', Value: 'AIDA&<>' });
  assert.deepEqual(messages[0].MessageAttribute, { Name: 'a"b', Value: { DataType: 'String', StringValue: '<x/>' } });
  assert.equal(messages[1].Body, 'second');
});

// ---- escapeXml --------------------------------------------------------------------------

test('escapeXml: markup characters, CR and controls; unicode untouched; fast path returns the input', () => {
  assert.equal(escapeXml(`<a href="x">Tom & 'Jerry'</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;');
  assert.equal(escapeXml('a\r\nb\rc'), 'a&#xD;\nb&#xD;c');
  assert.equal(escapeXml('tab\tnl\n'), 'tab\tnl\n');
  assert.equal(escapeXml('\u0000\u0001\u001f'), '&#x0;&#x1;&#x1F;');
  const unicode = 'ünïcødé – 日本語 😀 \u2028 \u0085 ?=@[]';
  assert.equal(escapeXml(unicode), unicode);
  assert.equal(escapeXml(''), '');
  assert.equal(escapeXml('&'), '&amp;');
  assert.equal(escapeXml('x&'), 'x&amp;');
  assert.equal(escapeXml('&x'), '&amp;x');
});

// ---- encodeQueryError -------------------------------------------------------------------

test('encodeQueryError: SQS ErrorResponse with the query code, fault type and escaped message', () => {
  const err = new AwsError('QueueDoesNotExist', 'The specified queue does not exist.', {
    queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
  });
  assert.equal(
    encodeQueryError(err, NS, 'req-3'),
    `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type>` +
      '<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message>' +
      '<Detail/></Error><RequestId>req-3</RequestId></ErrorResponse>',
  );
  const internal = new InternalFailure('Value <x> & "y" failed');
  assert.equal(
    encodeQueryError(internal, NS, 'req-4'),
    `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Receiver</Type>` +
      '<Code>InternalFailure</Code><Message>Value &lt;x&gt; &amp; &quot;y&quot; failed</Message>' +
      '<Detail/></Error><RequestId>req-4</RequestId></ErrorResponse>',
  );
});

test('decode shapes are not mutated and repeated decodes are independent', () => {
  const shapeCopy: StructureShape = JSON.parse(JSON.stringify(SendMessageRequest));
  const params = parseForm('QueueUrl=u&MessageBody=b');
  const a = decodeQueryInput(SendMessageRequest, params);
  const b = decodeQueryInput(SendMessageRequest, params);
  assert.notEqual(a.value, b.value);
  assert.deepEqual(JSON.parse(JSON.stringify(SendMessageRequest)), shapeCopy);
});
