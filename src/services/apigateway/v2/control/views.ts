/**
 * Parts of an HTTP API as the control plane answers them: the stored parts already carry the
 * wire's lowerCamel names, so a view adds what is derived (the invoke URL, dates as ISO-8601)
 * and drops the internals (a deployment's snapshot).
 */
import type { GatewayDeps } from '../../deps.js';
import type { Deployment, HttpApiDoc, Integration, Route, Stage } from '../model.js';
import { defined, iso } from './common.js';

/** The invoke URL: `http://{apiId}.execute-api.localhost:{port}` (AWS: https://{apiId}.execute-api.{region}.amazonaws.com). */
export function apiEndpoint(deps: GatewayDeps, apiId: string, webSocket = false): string {
  const url = new URL(deps.endpoint());
  return `${webSocket ? 'ws' : 'http'}://${apiId}.execute-api.localhost${url.port ? `:${url.port}` : ''}`;
}

export function apiView(deps: GatewayDeps, doc: HttpApiDoc): Record<string, unknown> {
  return defined({
    apiEndpoint: apiEndpoint(deps, doc.id, doc.protocolType === 'WEBSOCKET'),
    apiId: doc.id,
    apiKeySelectionExpression: doc.apiKeySelectionExpression,
    corsConfiguration: doc.corsConfiguration,
    createdDate: iso(doc.createdDate),
    description: doc.description,
    disableExecuteApiEndpoint: doc.disableExecuteApiEndpoint,
    disableSchemaValidation: doc.disableSchemaValidation,
    ipAddressType: doc.ipAddressType,
    name: doc.name,
    protocolType: doc.protocolType,
    routeSelectionExpression: doc.routeSelectionExpression,
    tags: doc.tags,
    version: doc.version,
  });
}

/** A route without its route responses (WebSocket APIs; GetRouteResponses shows them). */
export function routeView(r: Route): Record<string, unknown> {
  const { routeResponses: _responses, ...view } = r;
  return view;
}

/** An integration without its integration responses (WebSocket APIs; GetIntegrationResponses shows them). */
export function integrationView(i: Integration): Record<string, unknown> {
  const { integrationResponses: _responses, ...view } = i;
  return view;
}

export function stageView(s: Stage): Record<string, unknown> {
  return defined({ ...s, createdDate: iso(s.createdDate), lastUpdatedDate: iso(s.lastUpdatedDate) });
}

export function deploymentView(d: Deployment): Record<string, unknown> {
  return defined({ autoDeployed: d.autoDeployed, createdDate: iso(d.createdDate), deploymentId: d.deploymentId, deploymentStatus: 'DEPLOYED', description: d.description });
}
