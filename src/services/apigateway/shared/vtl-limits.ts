/**
 * What one mapping template render may do. A template is the API owner's code running inside
 * Nimbus on every request, synchronously: a loop over a huge range, a string doubled in a
 * loop or a recursive macro must end in an error for that request, not stall or exhaust the
 * process. The render counts its steps (each rendered node, method call and loop pass), the
 * characters it produces, and checks a wall-clock budget every so many steps (a CPU budget,
 * so real time, not the injected clock).
 */
import { TemplateError } from './vtl-errors.js';

export interface TemplateLimits {
  /** Template text (AWS caps mapping templates at 300 KB). */
  maxTemplateChars: number;
  /** Request or response payload (API Gateway's payload limit is 10 MB). */
  maxBodyChars: number;
  /** The rendered output, and any one string a template builds. */
  maxOutputChars: number;
  /** Rendered nodes, method calls and loop passes together. */
  maxSteps: number;
  /** Elements of a range literal `[a..b]`. */
  maxRange: number;
  /** Wall-clock time for one render (ms). */
  maxTimeMs: number;
}

export const DEFAULT_TEMPLATE_LIMITS: Readonly<TemplateLimits> = Object.freeze({
  maxTemplateChars: 300 * 1024,
  maxBodyChars: 10 * 1024 * 1024,
  maxOutputChars: 10 * 1024 * 1024,
  maxSteps: 1_000_000,
  maxRange: 100_000,
  maxTimeMs: 1000,
});

export class Budget {
  private steps = 0;
  /** Characters produced by every rendered list, nested ones counted again: bounds the work of building output. */
  private produced = 0;
  private readonly deadline: number;

  constructor(readonly limits: TemplateLimits) {
    this.deadline = performance.now() + limits.maxTimeMs;
  }

  step(): void {
    if (++this.steps > this.limits.maxSteps) throw new TemplateError(`Mapping template exceeded ${this.limits.maxSteps} steps`, 'limit');
    if ((this.steps & 1023) === 0 && performance.now() > this.deadline) throw new TemplateError(`Mapping template exceeded ${this.limits.maxTimeMs} ms`, 'limit');
  }

  produce(chars: number): void {
    this.produced += chars;
    if (this.produced > this.limits.maxOutputChars * 4) throw new TemplateError(`Mapping template output exceeded ${this.limits.maxOutputChars} characters`, 'limit');
  }

  /** Refuses a string (or list) larger than any output could be. */
  checkValue<T>(value: T): T {
    if (typeof value === 'string' && value.length > this.limits.maxOutputChars) throw new TemplateError(`Mapping template built a string over ${this.limits.maxOutputChars} characters`, 'limit');
    if (Array.isArray(value) && value.length > this.limits.maxRange * 10) throw new TemplateError('Mapping template built a list too large', 'limit');
    return value;
  }
}
