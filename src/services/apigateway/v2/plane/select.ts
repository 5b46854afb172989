/**
 * Which stage and route serve a request. The first path segment names a stage when the API has
 * one of that name; otherwise the `$default` stage (which has no prefix) serves the whole path.
 * A stage serves its deployment's snapshot, or the API's current parts when it auto-deploys.
 * Among the routes whose method and path match, the most specific wins (route-keys.ts), a
 * method over ANY; `$default` catches the rest.
 */
import type { HttpApiDoc, Route, Snapshot, Stage } from '../model.js';
import { matchPath, moreSpecific, parseRouteKey, type ParsedKey } from '../route-keys.js';

export interface StageChoice {
  stageName: string;
  stage: Stage;
  /** The path inside the stage. */
  stagePath: string;
}

export function chooseStage(api: HttpApiDoc, path: string): StageChoice | undefined {
  const first = path.split('/')[1] ?? '';
  let name = first;
  try {
    name = decodeURIComponent(first);
  } catch {
    // keep it raw
  }
  if (name && name !== '$default' && Object.hasOwn(api.stages, name)) {
    const rest = path.slice(1 + first.length);
    return { stageName: name, stage: api.stages[name]!, stagePath: rest === '' ? '/' : rest };
  }
  const d = Object.hasOwn(api.stages, '$default') ? api.stages.$default : undefined;
  return d ? { stageName: '$default', stage: d, stagePath: path || '/' } : undefined;
}

/** What the stage serves: the current parts for auto-deploy, else its deployment's (undefined when never deployed). */
export function servedParts(api: HttpApiDoc, stage: Stage): Snapshot | undefined {
  if (stage.autoDeploy) return { routes: api.routes, integrations: api.integrations, authorizers: api.authorizers, models: api.models };
  const d = stage.deploymentId !== undefined && Object.hasOwn(api.deployments, stage.deploymentId) ? api.deployments[stage.deploymentId] : undefined;
  return d?.snapshot;
}

/** Parsed route keys, kept per route object (routes are replaced, never edited, when they change). */
const parsed = new WeakMap<Route, ParsedKey | undefined>();
function keyOf(route: Route): ParsedKey | undefined {
  if (parsed.has(route)) return parsed.get(route);
  const p = parseRouteKey(route.routeKey);
  const k = p && 'error' in p ? undefined : p;
  parsed.set(route, k);
  return k;
}

export function chooseRoute(parts: Snapshot, method: string, stagePath: string): { route: Route; pathParameters: Record<string, string> } | undefined {
  const segments = stagePath === '/' ? [] : stagePath.slice(1).split('/');
  let best: { route: Route; ranks: number[]; exactMethod: boolean; params: Record<string, string> } | undefined;
  let fallback: Route | undefined;
  for (const route of Object.values(parts.routes)) {
    if (route.routeKey === '$default') {
      fallback = route;
      continue;
    }
    const key = keyOf(route);
    if (!key || (key.method !== method && key.method !== 'ANY')) continue;
    const m = matchPath(key.segments, segments);
    if (!m) continue;
    const exactMethod = key.method === method;
    const cmp = best ? moreSpecific(m.ranks, best.ranks) : 1;
    if (!best || cmp > 0 || (cmp === 0 && exactMethod && !best.exactMethod)) best = { route, ranks: m.ranks, exactMethod, params: m.params };
  }
  if (best) return { route: best.route, pathParameters: best.params };
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}
