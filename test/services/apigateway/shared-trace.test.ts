import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Ids, randomIds } from '../../../src/lib/ids.js';
import { traceHeader } from '../../../src/services/apigateway/shared/trace.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const NEW = /^Root=1-([0-9a-f]{8})-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/;

describe('traceHeader', () => {
  test('without an incoming header, a new root stamped with the epoch seconds, not sampled', () => {
    const h = traceHeader(undefined, NOW, randomIds);
    const m = NEW.exec(h);
    assert.ok(m, h);
    assert.equal(parseInt(m[1]!, 16), NOW / 1000);
    assert.notEqual(traceHeader(undefined, NOW, randomIds), h);
  });

  test('a valid incoming Root is kept with its Sampled; Parent is new', () => {
    const incoming = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const h = traceHeader(incoming, NOW, randomIds);
    assert.match(h, /^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=1$/);
    assert.ok(!h.includes('53995c3f42cd8ad8'));
    assert.match(traceHeader('Root=1-5759e988-bd862e3fe1be46a994272793', NOW, randomIds), /^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=0$/);
    assert.match(traceHeader(' root=1-5759e988-bd862e3fe1be46a994272793 ; sampled=? ', NOW, randomIds), /^Root=1-5759e988-bd862e3fe1be46a994272793;.*Sampled=0$/);
  });

  test('an invalid incoming Root is replaced, and its Sampled ignored', () => {
    for (const bad of ['', 'garbage', 'Root=2-5759e988-bd862e3fe1be46a994272793', 'Root=1-5759e98-bd862e3fe1be46a994272793', 'Root=1-5759e988-bd862e3fe1be46a99427279z;Sampled=1', 'Parent=53995c3f42cd8ad8;Sampled=1', `Root=1-5759e988-bd862e3fe1be46a994272793${';x=y'.repeat(400)}`]) {
      const h = traceHeader(bad, NOW, randomIds);
      assert.match(h, NEW, bad);
      assert.ok(!h.includes('5759e988'), bad);
    }
  });

  test('ids come from the injected source, whatever its tokens look like', () => {
    let n = 0;
    const fixed: Ids = { uuid: () => 'u', token: () => `t${n++}` };
    const a = traceHeader(undefined, NOW, fixed);
    assert.match(a, NEW);
    n = 0;
    assert.equal(traceHeader(undefined, NOW, fixed), a);
  });
});
