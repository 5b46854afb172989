/**
 * SEAM: mapping templates need `../../shared/vtl.ts` (`renderTemplate`), which another engineer
 * is writing and which is not merged into this branch yet. Until it is, `shared.renderTemplate`
 * is unset and templates with Velocity syntax answer 500 (logged); static templates work. Once
 * merged, this becomes a plain import in templates.ts and this file goes away.
 */
import type { TemplateVars } from './templates.js';

export interface SharedModules {
  renderTemplate?: (template: string, vars: TemplateVars) => string;
}

export const shared: SharedModules = {};
