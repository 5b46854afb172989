/**
 * The cross-account matrix is complete: every operation of every service a started Nimbus
 * answers has a row (in its service's cross-account-<service>.test.ts, listed in COVERAGE) or
 * an exemption with a reason, so a new service, or a new operation, fails here until it adds
 * its rows. Exemptions must name operations that exist, so the list cannot rot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestNimbus } from '../helpers/nimbus.js';
import { COVERAGE, startMatrixNimbus } from './cross-account-helpers.js';

describe('cross-account matrix completeness', () => {
  let t: TestNimbus;
  before(async () => {
    t = await startMatrixNimbus();
  });
  after(async () => {
    await t.stop();
  });

  test('every operation of every service has a row or an exemption with its reason', () => {
    const missing: string[] = [];
    for (const s of t.nimbus.services) {
      const c = COVERAGE[s.name];
      for (const op of Object.keys(s.operations)) {
        if (c && (c.rows.includes(op) || op in c.exempt)) continue;
        missing.push(`${s.name}.${op}`);
      }
    }
    assert.deepEqual(
      missing,
      [],
      `These operations have no cross-account row. For each: add a row (the intruder's call by every identifier form, AWS's refusal) ` +
        `to test/security/cross-account-<service>.test.ts (a new service copies cross-account-sqs.test.ts: runMatrix with its rows and a snapshot ` +
        `of the owner's state) and list the operation in COVERAGE['<service>'].rows in test/security/cross-account-helpers.ts; or, when it takes ` +
        `no identifier of a resource another account could own, add it to COVERAGE['<service>'].exempt with the reason.`,
    );
  });

  test('every exemption and every listed row names an operation Nimbus has', () => {
    const ops = new Map(t.nimbus.services.map((s) => [s.name, new Set(Object.keys(s.operations))]));
    const stale: string[] = [];
    for (const [service, c] of Object.entries(COVERAGE)) {
      for (const op of [...c.rows, ...Object.keys(c.exempt)]) if (!ops.get(service)?.has(op)) stale.push(`${service}.${op}`);
    }
    assert.deepEqual(stale, [], 'COVERAGE in test/security/cross-account-helpers.ts names operations Nimbus does not have: remove them or fix their service');
  });

  test('no operation is both given rows and exempt', () => {
    const both = Object.entries(COVERAGE).flatMap(([service, c]) => c.rows.filter((op) => op in c.exempt).map((op) => `${service}.${op}`));
    assert.deepEqual(both, []);
  });

  test('every exemption says why', () => {
    for (const [service, c] of Object.entries(COVERAGE)) {
      for (const [op, reason] of Object.entries(c.exempt)) assert.ok(reason.trim().length > 20, `${service}.${op}: an exemption needs its reason`);
    }
  });
});
