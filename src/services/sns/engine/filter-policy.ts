/**
 * Subscription filter policies (https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html),
 * compiled with the EventBridge-style matcher of lib/event-pattern.ts, whose operators SNS
 * shares: exact values, prefix, suffix, anything-but, numeric, exists, equals-ignore-case and
 * $or. SNS's own rules are checked here: no `wildcard` (nor `cidr`, not supported by Nimbus
 * yet), at most five keys, at most 150 combinations of values, and no nesting when the scope
 * is MessageAttributes.
 *
 * Under MessageAttributes scope the "event" is the message's attributes by name: String
 * values as strings, Number values as numbers, String.Array values as their JSON array;
 * Binary attributes take no part. Under MessageBody scope it is the message parsed as JSON;
 * a message that is not a JSON object matches no policy.
 */
import { compileEventPattern, EventPatternError, matchesEventPattern, type EventPattern } from '../../../lib/event-pattern.js';
import { invalidParameter } from '../errors.js';
import type { SnsMessageAttributes } from '../repo.js';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
const UNSUPPORTED = new Set(['wildcard', 'cidr']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses, checks and compiles a policy; throws InvalidParameter in SNS's words. */
export function compileFilterPolicy(text: string, scope: FilterPolicyScope): EventPattern {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidParameter('FilterPolicy: failed to parse JSON.');
  }
  if (!isObject(value)) throw invalidParameter('FilterPolicy: Filter policy must be a JSON object');
  const keys = countKeys(value, scope, 0);
  if (keys > MAX_KEYS) throw invalidParameter(`FilterPolicy: Filter policy can not have more than ${MAX_KEYS} keys`);
  if (combinations(value) > MAX_COMBINATIONS) throw invalidParameter(`FilterPolicy: Filter policy is too complex`);
  try {
    return compileEventPattern(value);
  } catch (e) {
    if (e instanceof EventPatternError) throw invalidParameter(`FilterPolicy: ${e.message}`);
    throw e;
  }
}

/** Leaf keys (those holding lists of rules), refusing operators SNS lacks and nesting where it is not allowed. */
function countKeys(node: Record<string, unknown>, scope: FilterPolicyScope, depth: number): number {
  let n = 0;
  for (const [key, v] of Object.entries(node)) {
    if (key === '$or') {
      if (Array.isArray(v)) for (const alt of v) if (isObject(alt)) n = Math.max(n, countKeys(alt, scope, depth));
      continue;
    }
    if (Array.isArray(v)) {
      for (const rule of v) {
        if (!isObject(rule)) continue;
        for (const op of Object.keys(rule)) if (UNSUPPORTED.has(op)) throw invalidParameter(`FilterPolicy: Unrecognized match type ${op}`);
      }
      n++;
    } else if (isObject(v)) {
      if (scope === 'MessageAttributes') throw invalidParameter('Filter policy scope MessageAttributes does not support nested filter policy');
      n += countKeys(v, scope, depth + 1);
    }
  }
  return n;
}

/** The product of the lengths of the policy's value lists (each `$or` branch counted as a sum). */
function combinations(node: Record<string, unknown>): number {
  let total = 1;
  for (const [key, v] of Object.entries(node)) {
    if (key === '$or' && Array.isArray(v)) total *= v.filter(isObject).reduce((sum, alt) => sum + combinations(alt), 0) || 1;
    else if (Array.isArray(v)) total *= Math.max(1, v.length);
    else if (isObject(v)) total *= combinations(v);
  }
  return total;
}

/** Whether a message passes a compiled policy under its scope. */
export function policyMatches(policy: EventPattern, scope: FilterPolicyScope, message: string, attributes: SnsMessageAttributes): boolean {
  if (scope === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(message);
    } catch {
      return false;
    }
    return isObject(body) && matchesEventPattern(policy, body);
  }
  return matchesEventPattern(policy, attributeEvent(attributes));
}

function attributeEvent(attributes: SnsMessageAttributes): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(attributes)) {
    const type = a.DataType.split('.', 1)[0];
    if (a.DataType === 'String.Array') {
      try {
        event[name] = JSON.parse(a.StringValue ?? '');
      } catch {
        // validated at publish; nothing to compare otherwise
      }
    } else if (type === 'Number') event[name] = Number(a.StringValue);
    else if (type === 'String') event[name] = a.StringValue;
  }
  return event;
}
