/**
 * API Gateway mapping templates (REST API integration request and response templates,
 * gateway responses), rendered with velocityjs under API Gateway's variables: `$input`
 * (body, json, path, params), `$util`, `$context`, `$stageVariables`.
 *
 * As on AWS, a reference to nothing renders as nothing (not as its own text, Velocity's
 * default), and methods mean what they mean in Java (see vtl-methods.ts). A render is bounded
 * (see vtl-limits.ts): past a limit it throws TemplateError instead of stalling Nimbus.
 */
import { Compile, parse } from 'velocityjs';
import { TemplateError } from './vtl-errors.js';
import { makeInput, makeUtil, type TemplateParams } from './vtl-input.js';
import { Budget, DEFAULT_TEMPLATE_LIMITS, type TemplateLimits } from './vtl-limits.js';
import { methodHandler, TEMPLATE_API } from './vtl-methods.js';

export { TemplateError } from './vtl-errors.js';
export { DEFAULT_TEMPLATE_LIMITS, type TemplateLimits } from './vtl-limits.js';

export interface TemplateVars {
  /** The payload: the method request's body (request templates) or the integration's (response templates). */
  body: string;
  params: TemplateParams;
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
}

type Ast = ReturnType<typeof parse>;
type Node = Ast[number];
type Literal = { type: string; isRange?: boolean; value: unknown };

/** Parsed templates by text: a method's template is rendered on every request. */
const parsed = new Map<string, Ast>();

function parseTemplate(template: string): Ast {
  let ast = parsed.get(template);
  if (ast) return ast;
  try {
    ast = parse(template);
  } catch (err) {
    throw new TemplateError(`Invalid mapping template: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (parsed.size >= 256) parsed.clear();
  parsed.set(template, ast);
  return ast;
}

/** velocityjs's compiler with every rendered list, expression and range counted against the budget. */
class BoundedCompile extends Compile {
  constructor(
    ast: Ast,
    private readonly budget: Budget,
  ) {
    super(ast, {
      customMethodHandlers: [methodHandler(budget)],
      // Every #set value passes here: a string doubled in a loop stops at the limit.
      valueMapper: (v: unknown) => budget.checkValue(v),
    });
  }

  override renderAstList(asts?: Ast, contextId?: string): string {
    this.budget.step();
    const out = super.renderAstList(asts, contextId);
    this.budget.produce(out.length);
    return out;
  }

  /** A reference rendered into the output (`isVal`): as Java would print the value. */
  protected override getReferences(ast: Node, isVal?: boolean): string {
    const v: unknown = super.getReferences(ast, isVal);
    // Java's null renders as nothing in a silent template, as a missing reference does.
    if (isVal) return v === null ? '' : (printed(v) as string);
    return v as string;
  }

  protected override getExpression(ast: Node): string {
    return this.budget.checkValue(super.getExpression(ast));
  }

  protected override getLiteral(ast: Node): string {
    const literal = ast as unknown as Literal;
    if (literal.type === 'array' && literal.isRange === true) return this.range(literal) as unknown as string;
    return super.getLiteral(ast);
  }

  /** `[a..b]`, refused past the range limit before a single element is made. */
  private range(literal: Literal): number[] {
    const [begin, end] = (literal.value as unknown[]).map((exp) => {
      if (typeof exp === 'string') return parseInt(exp, 10);
      if (typeof exp === 'number') return exp;
      return Number(this.getReferences(exp as Node));
    }) as [number, number];
    if (!Number.isInteger(begin) || !Number.isInteger(end)) return [];
    const count = Math.abs(end - begin) + 1;
    if (count > this.budget.limits.maxRange) throw new TemplateError(`Range [${begin}..${end}] exceeds ${this.budget.limits.maxRange} elements`, 'limit');
    const step = begin <= end ? 1 : -1;
    return Array.from({ length: count }, (_, i) => begin + i * step);
  }
}

/**
 * A value as the output shows it: strings and numbers as they are, JSON lists and maps by their
 * own printing (see asTemplateValue), other lists and maps as Java prints collections.
 */
function printed(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Object.hasOwn(v, 'toString') || depth > 32) return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => String(printed(x, depth + 1) ?? 'null')).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${k}=${String(printed(x, depth + 1) ?? 'null')}`)
    .join(', ')}}`;
}

/** What a template set under `$context.requestOverride` / `$context.responseOverride` (AWS's parameter and status overrides). */
export interface TemplateOverrides {
  requestOverride: { header: Record<string, string | string[]>; path: Record<string, string>; querystring: Record<string, string | string[]> };
  responseOverride: { header: Record<string, string | string[]>; status?: number };
}

export function renderTemplate(template: string, vars: TemplateVars, limits: Partial<TemplateLimits> = {}): string {
  return renderMappingTemplate(template, vars, limits).body;
}

/**
 * renderTemplate, with the overrides the template set: `#set($context.requestOverride.header.X =
 * "v")`, `...querystring.q`, `...path.p` (integration request templates) and
 * `#set($context.responseOverride.status = 400)`, `...header.X` (integration response templates).
 */
export function renderMappingTemplate(template: string, vars: TemplateVars, limits: Partial<TemplateLimits> = {}): { body: string } & TemplateOverrides {
  const lim: TemplateLimits = { ...DEFAULT_TEMPLATE_LIMITS, ...limits };
  if (template.length > lim.maxTemplateChars) throw new TemplateError(`Mapping template exceeds ${lim.maxTemplateChars} characters`, 'limit');
  const ast = parseTemplate(template);
  const budget = new Budget(lim);
  const input = Object.assign(makeInput(vars.body, vars.params, lim.maxBodyChars), { [TEMPLATE_API]: true });
  const util = Object.assign(makeUtil(), { [TEMPLATE_API]: true });
  // Copies: a template may #set into $context or $stageVariables; the caller's objects stay as they were.
  const ctx = plainCopy(vars.context, 0) as Record<string, unknown>;
  // The override maps exist up front: Velocity's #set does not create the maps on its path.
  const requestOverride = { header: {}, path: {}, querystring: {} };
  const responseOverride: Record<string, unknown> = { header: {} };
  ctx.requestOverride = requestOverride;
  ctx.responseOverride = responseOverride;
  const context = { input, util, context: ctx, stageVariables: { ...vars.stageVariables } };
  let out: string;
  try {
    // silence: a reference to nothing renders as nothing, as on AWS.
    out = new BoundedCompile(ast, budget).render(context, {}, true);
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    // A recursive macro ends in a stack overflow; anything else thrown is the template's fault too.
    if (err instanceof RangeError) throw new TemplateError(`Mapping template too deep or too large: ${err.message}`, 'limit');
    throw new TemplateError(`Mapping template failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (out.length > lim.maxOutputChars) throw new TemplateError(`Mapping template output exceeded ${lim.maxOutputChars} characters`, 'limit');
  const status = Number(responseOverride.status);
  return {
    body: out,
    requestOverride: { header: stringMap(requestOverride.header, true), path: stringMap(requestOverride.path, false) as Record<string, string>, querystring: stringMap(requestOverride.querystring, true) },
    responseOverride: { header: stringMap(responseOverride.header, true), ...(responseOverride.status !== undefined && Number.isInteger(status) ? { status } : {}) },
  };
}

/** An override map as strings (lists of strings where a list was set and lists are allowed). */
function stringMap(v: unknown, lists: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!v || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined || x === null) continue;
    out[k] = Array.isArray(x) && lists ? x.map((e) => String(e)) : String(x);
  }
  return out;
}

/** A copy of the caller's context made of plain objects, lists and primitives (functions dropped), to a bounded depth. */
function plainCopy(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'function' ? undefined : v;
  if (depth > 32) return undefined;
  if (Array.isArray(v)) return v.map((x) => plainCopy(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = plainCopy(x, depth + 1);
  return out;
}
