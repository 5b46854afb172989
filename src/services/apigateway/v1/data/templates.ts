/**
 * Mapping templates (Velocity) go through `shared/vtl.ts`'s `renderTemplate` (see
 * shared-seams.ts): until it is merged here, `render` handles only static templates (no `$` or
 * `#`, e.g. MOCK's `{"statusCode": 200}`) and refuses the others with TemplateUnavailable, which
 * the data plane answers as AWS answers a template that fails (500) and logs why.
 */
import { shared } from './shared-seams.js';

/** What a template sees: `$input`, `$context`, `$stageVariables` (the contract of shared/vtl.ts). */
export interface TemplateVars {
  body: string;
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
}

export class TemplateUnavailable extends Error {}

export function render(template: string, vars: TemplateVars): string {
  if (shared.renderTemplate) return shared.renderTemplate(template, vars);
  if (!/[$#]/.test(template)) return template;
  throw new TemplateUnavailable('Velocity templates need shared/vtl.ts, which is not merged yet');
}

/**
 * The template for a content type: the exact type, else (as AWS does when none matches and the
 * passthrough behaviour allows it) undefined. `application/json` is the default content type.
 */
export function templateFor(templates: Record<string, string> | undefined, contentType: string | undefined): { key: string; template: string } | undefined {
  if (!templates) return undefined;
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  for (const [k, t] of Object.entries(templates)) if (k.toLowerCase() === type) return { key: k, template: t };
  return undefined;
}
