import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderMappingTemplate, renderTemplate, TemplateError, type TemplateVars } from '../../../src/services/apigateway/shared/vtl.js';
import { escapeJavaScript, evalJsonPath, urlDecode, urlEncode } from '../../../src/services/apigateway/shared/vtl-input.js';

const PETS = '[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}]';

function vars(body = '', over: Partial<TemplateVars> = {}): TemplateVars {
  return {
    body,
    params: { path: { petId: '42' }, querystring: { type: 'dog', petId: 'from-query' }, header: { 'Content-Type': 'application/json', Accept: '*/*' } },
    context: { requestId: 'abcdefg-000-000-0000-abcdefg', stage: 'prod', apiId: 'abcd1234', httpMethod: 'GET', resourcePath: '/', resourceId: 'efg567', identity: { sourceIp: '192.0.2.1', userAgent: 'curl/8', accountId: '', apiKey: '', caller: '', user: '', userArn: '' } },
    stageVariables: { url: 'example.com', env: 'dev' },
    ...over,
  };
}

function rejects(fn: () => unknown, kind: TemplateError['kind'], message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TemplateError, String(err));
    assert.equal(err.kind, kind, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('renderTemplate: AWS documented examples', () => {
  test('the PetStore mapping template (models-mappings)', () => {
    const template = `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "description" : "Item $elem.id is a $elem.type.",
    "askingPrice" : $elem.price
  }#if($foreach.hasNext),#end

#end
]`;
    assert.deepEqual(JSON.parse(renderTemplate(template, vars(PETS))), [
      { description: 'Item 1 is a dog.', askingPrice: 249.99 },
      { description: 'Item 2 is a cat.', askingPrice: 124.99 },
      { description: 'Item 3 is a fish.', askingPrice: 0.99 },
    ]);
  });

  test('a condition on the price and a count (complex template)', () => {
    const template = `#set($inputRoot = $input.path('$'))
{ "count": $inputRoot.size(), "pets": [
#foreach($elem in $inputRoot)
  { "type": "$elem.type", "bargain": #if($elem.price < 100)true#{else}false#end }#if($foreach.hasNext),#end
#end
]}`;
    assert.deepEqual(JSON.parse(renderTemplate(template, vars(PETS))), {
      count: 3,
      pets: [
        { type: 'dog', bargain: false },
        { type: 'cat', bargain: false },
        { type: 'fish', bargain: true },
      ],
    });
  });

  test('$context variables passed on (mapping variable examples, example 1)', () => {
    const template = `{
    "stage" : "$context.stage",
    "request_id" : "$context.requestId",
    "api_id" : "$context.apiId",
    "resource_path" : "$context.resourcePath",
    "resource_id" : "$context.resourceId",
    "http_method" : "$context.httpMethod",
    "source_ip" : "$context.identity.sourceIp",
    "user-agent" : "$context.identity.userAgent",
    "account_id" : "$context.identity.accountId",
    "api_key" : "$context.identity.apiKey",
    "caller" : "$context.identity.caller",
    "user" : "$context.identity.user",
    "user_arn" : "$context.identity.userArn"
}`;
    assert.deepEqual(JSON.parse(renderTemplate(template, vars())), {
      stage: 'prod',
      request_id: 'abcdefg-000-000-0000-abcdefg',
      api_id: 'abcd1234',
      resource_path: '/',
      resource_id: 'efg567',
      http_method: 'GET',
      source_ip: '192.0.2.1',
      'user-agent': 'curl/8',
      account_id: '',
      api_key: '',
      caller: '',
      user: '',
      user_arn: '',
    });
  });

  test('all parameters through $input.params() (the reference\'s "params" example)', () => {
    const template = `#set($allParams = $input.params())
{
"params" : {
#foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
"$type" : {
    #foreach($paramName in $params.keySet())
    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
        #if($foreach.hasNext),#end
    #end
}
    #if($foreach.hasNext),#end
#end
}
}`;
    assert.deepEqual(JSON.parse(renderTemplate(template, vars())), {
      params: {
        path: { petId: '42' },
        querystring: { type: 'dog', petId: 'from-query' },
        header: { 'Content-Type': 'application/json', Accept: '*/*' },
      },
    });
  });

  test('$input.path keys with $input.json per key (the reference\'s "things" example)', () => {
    const template = `#set($inputRoot = $input.path('$'))
{
#foreach($elem in $inputRoot.things.keySet())
    "$elem": $input.json("$.things['$elem']")#if($foreach.hasNext),#end
#end
}`;
    const body = '{"things": {"1": {}, "2": {}, "3": {"name": "three"}}}';
    assert.deepEqual(JSON.parse(renderTemplate(template, vars(body))), { 1: {}, 2: {}, 3: { name: 'three' } });
  });

  test('the passthrough-style template: name from the params, body as JSON', () => {
    const out = renderTemplate(`{ "name" : "$input.params('petId')", "body" : $input.json('$') }`, vars('{"a": [1, {"b": null}]}'));
    assert.deepEqual(JSON.parse(out), { name: '42', body: { a: [1, { b: null }] } });
  });

  test('$util.parseJson on a string holding JSON (the reference\'s parseJson example)', () => {
    const body = JSON.stringify({ input: JSON.stringify({ id: '1', name: 'nimbus', tags: ['a', 'b'] }) });
    const template = `#set ($obj = $util.parseJson($input.path('$.input')))
{ "id": "$obj.id", "name": "$obj.name", "tags": $obj.tags, "count": $obj.tags.size() }`;
    assert.deepEqual(JSON.parse(renderTemplate(template, vars(body))), { id: '1', name: 'nimbus', tags: ['a', 'b'], count: 2 });
  });
});

describe('renderTemplate: variables', () => {
  test('$input.json answers JSON text; $input.path the value', () => {
    const r = (t: string, body = PETS) => renderTemplate(t, vars(body));
    assert.equal(r(`$input.json('$[0]')`), '{"id":1,"type":"dog","price":249.99}');
    assert.equal(r(`$input.json('$[1].type')`), '"cat"');
    assert.equal(r(`$input.json("$[2]['price']")`), '0.99');
    assert.equal(r(`$input.json('$[*].id')`), '[1,2,3]');
    assert.equal(r(`$input.json('$[9]')`), '""');
    assert.equal(r(`$input.path('$[1].type')`), 'cat');
    assert.equal(r(`[$input.path('$[9].type')]`), '[]');
    assert.equal(r(`$input.path('$').size()`), '3');
    assert.equal(r(`$input.json('$')`, ''), '{}');
    assert.equal(r(`$input.body`, '{"raw": true}'), '{"raw": true}');
    assert.equal(r(`$input.body`, ''), '{}');
  });

  test('JSON values print as AWS prints them: lists as JSON, maps as Java maps', () => {
    assert.equal(renderTemplate(`$input.path('$')`, vars('{"a": 1, "b": [{"c": 5}]}')), '{a=1, b=[{"c":5}]}');
    assert.equal(renderTemplate(`$input.path('$.b')`, vars('{"a": 1, "b": [{"c": 5}]}')), '[{"c":5}]');
  });

  test('$input.params(x) looks in path, then querystring, then headers', () => {
    const r = (t: string) => renderTemplate(t, vars());
    assert.equal(r(`$input.params('petId')`), '42');
    assert.equal(r(`$input.params('type')`), 'dog');
    assert.equal(r(`$input.params('Accept')`), '*/*');
    assert.equal(r(`$input.params('content-type')`), 'application/json');
    assert.equal(r(`[$input.params('missing')]`), '[]');
    assert.equal(r(`$input.params().querystring.type $input.params().path.petId`), 'dog 42');
  });

  test('$context and $stageVariables; references to nothing render as nothing', () => {
    assert.equal(renderTemplate('$stageVariables.url/$context.identity.sourceIp [$stageVariables.nope] [$context.authorizer.claims.sub] [$undefined] [$!quiet]', vars()), 'example.com/192.0.2.1 [] [] [] []');
  });

  test('a template setting into $context does not change the caller\'s object', () => {
    const v = vars();
    assert.equal(renderTemplate('#set($context.stage = "changed")$context.stage', v), 'changed');
    assert.equal(v.context.stage, 'prod');
  });

  test('request and response overrides set by the template come back (AWS\'s override variables)', () => {
    const template = `#set($context.requestOverride.header.oHeader = "1header")
#set($context.requestOverride.header.multivalue = ["1header", "2header"])
#set($context.requestOverride.path.proxy = "proxy")
#set($context.requestOverride.querystring.query = $input.params('petId'))
#set($context.responseOverride.status = 400)
#set($context.responseOverride.header.RetryAfter = 5)
done`;
    const out = renderMappingTemplate(template, vars());
    assert.equal(out.body.trim(), 'done');
    assert.deepEqual(out.requestOverride, { header: { oHeader: '1header', multivalue: ['1header', '2header'] }, path: { proxy: 'proxy' }, querystring: { query: '42' } });
    assert.deepEqual(out.responseOverride, { header: { RetryAfter: '5' }, status: 400 });
    assert.equal(renderMappingTemplate('no overrides', vars()).responseOverride.status, undefined);
    assert.deepEqual(renderMappingTemplate('x', vars()).requestOverride, { header: {}, path: {}, querystring: {} });
  });

  test('a context holding functions or deep nesting is copied safely', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 100; i++) deep = { next: deep };
    const v = vars('', { context: { requestId: 'r', fn: () => 'secret', deep } });
    assert.equal(renderTemplate('$context.requestId [$context.fn] [$context.deep.next.next.leaf]', v), 'r [] []');
  });

  test('$util functions', () => {
    const r = (t: string) => renderTemplate(t, vars());
    assert.equal(r(`$util.escapeJavaScript("it's a \\"quote\\" / é")`), `it\\'s a \\"quote\\" \\/ \\u00E9`);
    assert.equal(r(`$util.urlEncode('a b&c=d*~é')`), 'a+b%26c%3Dd*%7E%C3%A9');
    assert.equal(r(`$util.urlDecode('a+b%26c%3Dd')`), 'a b&c=d');
    assert.equal(r(`$util.base64Encode('nimbus ☁')`), Buffer.from('nimbus ☁').toString('base64'));
    assert.equal(r(`$util.base64Decode('bmltYnVz')`), 'nimbus');
    assert.equal(r(`#set($o = $util.parseJson('{"a":{"b":[1,2]}}'))$o.a.b.get(1)`), '2');
    assert.equal(escapeJavaScript('\n\t\u0001\\'), '\\n\\t\\u0001\\\\');
    assert.equal(urlEncode("!'()"), '%21%27%28%29');
    assert.throws(() => urlDecode('%zz'), TemplateError);
  });

  test('Java string, list and map methods', () => {
    const r = (t: string) => renderTemplate(t, vars('{"m": {"k": "v"}, "l": ["x", "y"]}'));
    assert.equal(r(`#set($s = "Hello World")$s.length() $s.contains('World') $s.isEmpty() $s.equals("Hello World") $s.equalsIgnoreCase('hello world')`), '11 true false true true');
    assert.equal(r(`#set($s = "Hello World")$s.replace('l', 'L') $s.replaceAll('o(.)', '0$1') $s.replaceFirst('l', '_') $s.substring(6) $s.toLowerCase() $s.indexOf('o') $s.charAt(4)`), 'HeLLo WorLd Hell0 W0rld He_lo World World hello world 4 o');
    assert.equal(r(`#set($s = "a,b,,c,,")$s.split(',').size() $s.split(',', -1).size() $s.matches('[a-c,]+') $s.matches('(?i)[A-C,]+')`), '4 6 true true');
    assert.equal(r(`#set($l = $input.path('$.l'))$l.contains('y') $l.isEmpty() $l.indexOf('y') $l.get(0)`), 'true false 1 x');
    assert.equal(r(`#set($m = $input.path('$.m'))$m.containsKey('k') $m.containsKey('z') $m.get('k') $m.isEmpty()`), 'true false v false');
    // JavaScript-only methods are not there.
    assert.equal(r(`#set($s = "ab")[$s.repeat(3)][$s.padStart(10)][$s.constructor]`), '[][][]');
  });
});

describe('renderTemplate: errors and bounds', () => {
  test('a body that is not JSON is a body error once the template reads it as JSON', () => {
    rejects(() => renderTemplate(`$input.json('$')`, vars('{not json')), 'body', /Could not parse request body into json/);
    assert.equal(renderTemplate('$input.body', vars('{not json')), '{not json');
  });

  test('template syntax errors and unsupported JSONPath', () => {
    rejects(() => renderTemplate('#foreach($x in', vars()), 'template');
    rejects(() => renderTemplate(`$input.json('$..deep')`, vars('{}')), 'template', /deep scan/);
    rejects(() => renderTemplate(`$input.json('a.b')`, vars('{}')), 'template', /Invalid JSONPath/);
  });

  test('a huge range is refused before it is built', () => {
    rejects(() => renderTemplate('#foreach($i in [1..100000000])x#end', vars()), 'limit', /Range/);
    rejects(() => renderTemplate('#set($n = 2000000)#foreach($i in [0..$n])x#end', vars()), 'limit', /Range/);
  });

  test('nested loops stop at the step limit', () => {
    rejects(() => renderTemplate('#foreach($i in [1..100000])#foreach($j in [1..100000])#end#end', vars(), { maxSteps: 100_000, maxTimeMs: 60_000 }), 'limit', /100000 steps/);
  });

  test('a render stops at its time limit', () => {
    const started = performance.now();
    rejects(() => renderTemplate('#foreach($i in [1..100000])#foreach($j in [1..100000])$i#end#end', vars(), { maxTimeMs: 20, maxSteps: 1e12 }), 'limit', /ms/);
    assert.ok(performance.now() - started < 2000);
  });

  test('a string doubled in a loop stops at the size limit', () => {
    rejects(() => renderTemplate('#set($s = "ab")#foreach($i in [1..100])#set($s = "$s$s")#end', vars()), 'limit');
    rejects(() => renderTemplate('#set($s = "ab")#foreach($i in [1..100])#set($s = $s + $s)#end', vars()), 'limit');
    rejects(() => renderTemplate('#set($s = "ab")#foreach($i in [1..100])#set($s = $s.concat($s))#end', vars()), 'limit');
  });

  test('output, body and template sizes are bounded', () => {
    rejects(() => renderTemplate('#foreach($i in [1..1000])0123456789#end', vars(), { maxOutputChars: 5000 }), 'limit', /output/);
    rejects(() => renderTemplate('$input.body', vars('x'.repeat(101)), { maxBodyChars: 100 }), 'limit', /body/);
    rejects(() => renderTemplate('x'.repeat(301 * 1024), vars()), 'limit', /template/i);
  });

  test('a recursive macro ends in an error, not a crash', () => {
    rejects(() => renderTemplate('#macro(f)#f()#end#f()', vars()), 'limit');
  });

  test('regular expressions that could backtrack without end are refused', () => {
    rejects(() => renderTemplate(`#set($s = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")$s.matches('(a+)+b')`, vars()), 'template', /refused/);
    rejects(() => renderTemplate(`#set($s = "aaaa")$s.replaceAll('(a*)*', 'x')`, vars()), 'template', /refused/);
    rejects(() => renderTemplate(`#set($s = "abab")$s.replaceAll('(ab)\\1', 'x')`, vars()), 'template', /refused/);
    assert.equal(renderTemplate(`#set($s = "a1b22c333")$s.replaceAll('[0-9]+', '#')`, vars()), 'a#b#c#');
  });
});

test('evalJsonPath subset', () => {
  const doc = { a: { b: [10, 20, { c: 'x' }] }, 'odd key': 1 };
  assert.deepEqual(evalJsonPath(doc, '$'), doc);
  assert.equal(evalJsonPath(doc, '$.a.b[1]'), 20);
  assert.equal(evalJsonPath(doc, '$.a.b[-1].c'), 'x');
  assert.equal(evalJsonPath(doc, "$['odd key']"), 1);
  assert.equal(evalJsonPath(doc, '$["a"]["b"][0]'), 10);
  assert.deepEqual(evalJsonPath(doc, '$.a.b[*]'), [10, 20, { c: 'x' }]);
  assert.equal(evalJsonPath(doc, '$.a.nope.deeper'), undefined);
  assert.equal(evalJsonPath(doc, '$.toString'), undefined);
});
