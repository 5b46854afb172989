/**
 * A request's ExpressionAttributeNames and ExpressionAttributeValues, shared by all the
 * expressions of the request. DynamoDB refuses a request that defines a #name or :value none of
 * its expressions uses, so the context records what each parse resolved; the caller asks for the
 * verdict once every expression of the request is parsed.
 */
import { ValidationException } from '../../errors.js';
import type { AttributeValue } from '../types.js';

export interface ExpressionInput {
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
}

export class ExpressionContext {
  private readonly names: Record<string, string>;
  private readonly values: Record<string, AttributeValue>;
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  constructor(input: ExpressionInput) {
    this.names = input.names ?? {};
    this.values = input.values ?? {};
  }

  /** The attribute name `#ref` stands for, marking it used; undefined when not defined. */
  resolveName(ref: string): string | undefined {
    if (!Object.hasOwn(this.names, ref)) return undefined;
    this.usedNames.add(ref);
    return this.names[ref];
  }

  /** The value `:ref` stands for, marking it used; undefined when not defined. */
  resolveValue(ref: string): AttributeValue | undefined {
    if (!Object.hasOwn(this.values, ref)) return undefined;
    this.usedValues.add(ref);
    return this.values[ref];
  }

  /**
   * Refuses names, then values, that no expression used, listing them in the order the request
   * gave them: "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"
   * (wording from DynamoDB, as recorded by the dynamodb-conformance suite; names are checked
   * before values, as dynalite found).
   */
  assertAllUsed(): void {
    const unusedNames = Object.keys(this.names).filter((k) => !this.usedNames.has(k));
    if (unusedNames.length) {
      throw new ValidationException(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
    }
    const unusedValues = Object.keys(this.values).filter((k) => !this.usedValues.has(k));
    if (unusedValues.length) {
      throw new ValidationException(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
    }
  }
}
