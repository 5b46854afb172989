/**
 * PartiQL literals and `?` parameters as AttributeValues: 'text' is S, numbers are N (normalized
 * exactly, never through floats), TRUE/FALSE are BOOL, NULL is NULL, [..] is L, {'k': v} is M and
 * a bag <<..>> is a string or number set, by its first element. Binaries only arrive as
 * parameters. A number out of DynamoDB's range is refused with the engine's number message plus
 * where it sits in the literal ("... under root.m[1]"), as AWS words it.
 */
import { ValidationException } from '../../errors.js';
import { normalizeNumber } from '../numbers.js';
import { typeOf, type AttributeValue, type Item } from '../types.js';
import { validateAttributeValue } from '../values.js';
import { describe, type Expr } from './ast.js';
import { invalid, MSG } from './errors.js';

/** Validates the request's Parameters (AttributeValues as the wire gives them). */
export function checkParameters(raw: unknown): AttributeValue[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalid(`1 validation error detected: Value '${String(raw)}' at 'parameters' failed to satisfy constraint: Member must be a list`);
  if (raw.length === 0) {
    throw invalid(`1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  }
  return raw.map((v) => validateAttributeValue(v));
}

/** The Ion type PartiQL would name a literal by in "Actual type: ..." messages. */
function ionType(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return /[eE]/.test(e.text) ? 'FLOAT' : e.text.includes('.') ? 'DECIMAL' : 'INT';
    case 'bool':
      return 'BOOL';
    case 'null':
      return 'NULL';
    case 'path':
      return 'VariableReference';
    case 'param':
      return 'Parameter';
    case 'struct':
      return 'Struct';
    case 'list':
    case 'bag':
      return 'Seq';
    default:
      return 'NAry';
  }
}

/** Turns value expressions into AttributeValues, reading `?` from the statement's parameters. */
export class Binder {
  constructor(private readonly params: AttributeValue[]) {}

  value(e: Expr, at = 'root'): AttributeValue {
    switch (e.kind) {
      case 'string':
        return { S: e.value };
      case 'number':
        return { N: number(e.text, at) };
      case 'bool':
        return { BOOL: e.value };
      case 'null':
        return { NULL: true };
      case 'param':
        return this.params[e.index]!;
      case 'list':
        return { L: e.items.map((item, i) => this.value(item, `${at}[${i}]`)) };
      case 'struct':
        return { M: this.struct(e, at) };
      case 'bag':
        return this.bag(e.items, at);
      case 'missing':
        throw invalid(MSG.missingLiteral);
      default:
        throw invalid(`Unsupported data type: ${describe(e)} under key ${at}`);
    }
  }

  /** A {...} literal as an item or map: string keys only, each once. */
  struct(e: Expr, at = 'root'): Item {
    if (e.kind !== 'struct') throw invalid(MSG.itemFormat);
    const out: Item = {};
    for (const { key, value } of e.fields) {
      if (key.kind !== 'string') throw invalid(`Tuple keys must be of type String. Actual type: ${ionType(key)} under ${at}`);
      if (key.value === '') throw invalid(MSG.emptyPathComponent);
      if (Object.hasOwn(out, key.value)) throw invalid(`Duplicate keys in tuple. Key: ${key.value} under ${at}`);
      out[key.value] = this.value(value, `${at}.${key.value}`);
    }
    return out;
  }

  /** <<..>>: a set whose type is its first element's; elements of another type are refused. */
  private bag(items: Expr[], at: string): AttributeValue {
    if (!items.length) throw invalid(MSG.emptyBag);
    const members = items.map((item) => {
      if (item.kind === 'string' || item.kind === 'number' || item.kind === 'param') return this.value(item, at);
      throw invalid(MSG.bagType);
    });
    const type = typeOf(members[0]!);
    if (!['S', 'N', 'B'].includes(type) || members.some((m) => typeOf(m) !== type)) throw invalid(MSG.bagType);
    const set: AttributeValue =
      type === 'S'
        ? { SS: members.map((m) => (m as { S: string }).S) }
        : type === 'N'
          ? { NS: members.map((m) => (m as { N: string }).N) }
          : { BS: members.map((m) => (m as { B: string }).B) };
    return validateAttributeValue(set);
  }
}

/** A numeric literal, normalized, or refused with its position in the literal. */
function number(text: string, at: string): string {
  if (text.startsWith('-') && text.includes('.') && !/[1-9eE]/.test(text)) {
    throw invalid(`Negative zero decimal is not supported under key ${at}`);
  }
  try {
    return normalizeNumber(text, 'current');
  } catch (e) {
    if (e instanceof ValidationException) throw new ValidationException(`${e.message} under ${at}`);
    throw e;
  }
}
