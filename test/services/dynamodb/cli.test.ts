/**
 * DynamoDB through the AWS CLI (Debian's v2, JSON protocol): the commands a developer types,
 * including the CLI's own waiter and its automatic Scan pagination.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { awsJson, awsCli, cliSkip, removeCliHome } from '../../helpers/aws-cli.js';
import { startTestNimbus } from '../../helpers/nimbus.js';

describe('DynamoDB through the AWS CLI', { skip: cliSkip }, () => {
  after(() => removeCliHome());

  it('create-table, wait, put-item, get-item, query, paginated scan, update-item, delete-table', async () => {
    const t = await startTestNimbus({ clock: 'system' });
    const ddb = (args: string[]) => awsJson(t.endpoint, 'dynamodb', args);
    try {
      const created = await ddb([
        'create-table',
        '--table-name', 'cli-table',
        '--attribute-definitions', 'AttributeName=pk,AttributeType=S', 'AttributeName=sk,AttributeType=N',
        '--key-schema', 'AttributeName=pk,KeyType=HASH', 'AttributeName=sk,KeyType=RANGE',
        '--billing-mode', 'PAY_PER_REQUEST',
      ]);
      assert.equal(created.TableDescription.TableName, 'cli-table');
      await ddb(['wait', 'table-exists', '--table-name', 'cli-table']);
      for (let i = 0; i < 12; i++) {
        await ddb(['put-item', '--table-name', 'cli-table', '--item', JSON.stringify({ pk: { S: 'p' }, sk: { N: String(i) }, v: { S: `v${i}` } })]);
      }
      const got = await ddb(['get-item', '--table-name', 'cli-table', '--key', JSON.stringify({ pk: { S: 'p' }, sk: { N: '3' } })]);
      assert.deepEqual(got.Item, { pk: { S: 'p' }, sk: { N: '3' }, v: { S: 'v3' } });
      const q = await ddb([
        'query', '--table-name', 'cli-table',
        '--key-condition-expression', 'pk = :p AND sk >= :s',
        '--expression-attribute-values', JSON.stringify({ ':p': { S: 'p' }, ':s': { N: '10' } }),
      ]);
      assert.deepEqual(q.Items.map((i: any) => i.sk.N), ['10', '11']);
      // The CLI follows LastEvaluatedKey itself: --page-size 5 takes three requests.
      const scanned = await ddb(['scan', '--table-name', 'cli-table', '--page-size', '5']);
      assert.equal(scanned.Count, 12);
      const updated = await ddb([
        'update-item', '--table-name', 'cli-table', '--key', JSON.stringify({ pk: { S: 'p' }, sk: { N: '0' } }),
        '--update-expression', 'ADD n :one', '--expression-attribute-values', JSON.stringify({ ':one': { N: '1' } }),
        '--return-values', 'ALL_NEW',
      ]);
      assert.equal(updated.Attributes.n.N, '1');
      const refused = await awsCli(t.endpoint, 'dynamodb', ['get-item', '--table-name', 'no-such-table', '--key', JSON.stringify({ pk: { S: 'p' } })]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /ResourceNotFoundException/);
      await ddb(['delete-table', '--table-name', 'cli-table']);
      const listed = await ddb(['list-tables']);
      assert.deepEqual(listed.TableNames, []);
    } finally {
      await t.stop();
    }
  });

  it('keeps attributes named like what every object inherits (__proto__, constructor)', async () => {
    // Through the CLI: the JavaScript SDK's own unmarshalling drops a __proto__ member.
    const t = await startTestNimbus({ clock: 'system' });
    const ddb = (args: string[]) => awsJson(t.endpoint, 'dynamodb', args);
    try {
      await ddb(['create-table', '--table-name', 'odd-names', '--attribute-definitions', 'AttributeName=pk,AttributeType=S', '--key-schema', 'AttributeName=pk,KeyType=HASH', '--billing-mode', 'PAY_PER_REQUEST']);
      await ddb(['put-item', '--table-name', 'odd-names', '--item', '{"pk":{"S":"a"},"__proto__":{"S":"x"},"m":{"M":{"__proto__":{"N":"1"},"toString":{"S":"t"}}}}']);
      await ddb([
        'update-item', '--table-name', 'odd-names', '--key', '{"pk":{"S":"a"}}',
        '--update-expression', 'SET #c = :v, m.#p = :n',
        '--expression-attribute-names', '{"#c":"constructor","#p":"__proto__"}',
        '--expression-attribute-values', '{":v":{"S":"c"},":n":{"N":"2"}}',
      ]);
      const got = await ddb(['get-item', '--table-name', 'odd-names', '--key', '{"pk":{"S":"a"}}']);
      assert.equal(JSON.stringify(got.Item), '{"pk":{"S":"a"},"__proto__":{"S":"x"},"m":{"M":{"__proto__":{"N":"2"},"toString":{"S":"t"}}},"constructor":{"S":"c"}}');
      const projected = await ddb(['get-item', '--table-name', 'odd-names', '--key', '{"pk":{"S":"a"}}', '--projection-expression', '#p, m.#p', '--expression-attribute-names', '{"#p":"__proto__"}']);
      assert.equal(JSON.stringify(projected.Item), '{"__proto__":{"S":"x"},"m":{"M":{"__proto__":{"N":"2"}}}}');
    } finally {
      await t.stop();
    }
  });
});
