/**
 * Mapping templates (Velocity, through shared/vtl.ts): the template chosen by content type, and
 * its rendering with what it set under `$context.responseOverride` / `requestOverride`.
 */
import { renderMappingTemplate, type TemplateOverrides, type TemplateVars } from '../../shared/vtl.js';

export { TemplateError } from '../../shared/vtl.js';
export type { TemplateVars } from '../../shared/vtl.js';

export function render(template: string, vars: TemplateVars): { body: string } & TemplateOverrides {
  return renderMappingTemplate(template, vars);
}

/**
 * The template for a content type: the exact type, else undefined (the passthrough behaviour
 * decides). `application/json` is the default content type.
 */
export function templateFor(templates: Record<string, string> | undefined, contentType: string | undefined): { key: string; template: string } | undefined {
  if (!templates) return undefined;
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  for (const [k, t] of Object.entries(templates)) if (k.toLowerCase() === type) return { key: k, template: t };
  return undefined;
}
