/** Condition keys of several values (s3:RequestObjectTagKeys) and the ForAllValues / ForAnyValue qualifiers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conditionsHold } from '../../src/lib/policy-conditions.js';

describe('conditions on keys of several values', () => {
  const keys = { 's3:RequestObjectTagKeys': ['project', 'class'], 's3:prefix': 'docs/' };
  const none = { 's3:RequestObjectTagKeys': [] as string[] };

  test('ForAllValues: every value of the request among the policy\'s; holds for none and for a missing key', () => {
    assert.equal(conditionsHold({ 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['project', 'class', 'owner'] } }, keys), true);
    assert.equal(conditionsHold({ 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['project'] } }, keys), false);
    assert.equal(conditionsHold({ 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['project'] } }, none), true);
    assert.equal(conditionsHold({ 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['project'] } }, {}), true);
    assert.equal(conditionsHold({ 'ForAllValues:StringLike': { 's3:RequestObjectTagKeys': ['pro*', 'cl?ss'] } }, keys), true);
  });

  test('ForAnyValue (and no qualifier): one value matching is enough; none or a missing key does not hold', () => {
    assert.equal(conditionsHold({ 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': 'class' } }, keys), true);
    assert.equal(conditionsHold({ 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': 'owner' } }, keys), false);
    assert.equal(conditionsHold({ StringEquals: { 's3:RequestObjectTagKeys': 'project' } }, keys), true);
    assert.equal(conditionsHold({ 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': 'project' } }, none), false);
    assert.equal(conditionsHold({ 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': 'project' } }, {}), false);
  });

  test('Null on a key of several values tests whether there are any; single values keep their rules', () => {
    assert.equal(conditionsHold({ Null: { 's3:RequestObjectTagKeys': 'true' } }, none), true);
    assert.equal(conditionsHold({ Null: { 's3:RequestObjectTagKeys': 'false' } }, keys), true);
    assert.equal(conditionsHold({ StringLikeIfExists: { 's3:prefix': 'docs/*' } }, keys), true);
    assert.equal(conditionsHold({ StringEqualsIfExists: { 's3:x-amz-acl': 'private' } }, keys), true);
    assert.equal(conditionsHold({ StringEquals: { 's3:x-amz-acl': 'private' } }, keys), false);
  });
});
