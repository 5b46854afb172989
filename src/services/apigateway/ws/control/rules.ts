/**
 * What the v2 control plane checks differently for WebSocket APIs (protocol WEBSOCKET): the
 * route selection expression (`$request.body.<path>`, or a fixed `${...}`-free key), route keys
 * (`$connect`, `$disconnect`, `$default` or any custom key), authorization (only on `$connect`:
 * NONE, AWS_IAM, or CUSTOM with a REQUEST authorizer), integrations (AWS_PROXY to a function;
 * AWS to a function, SQS or DynamoDB with request templates; HTTP, HTTP_PROXY; MOCK) and
 * REQUEST authorizers whose identity sources are `route.request.header.X`,
 * `route.request.querystring.X`, `stageVariables.X` or `context.X`.
 */
import { BadRequestException } from '../../errors.js';
import type { Authorizer, Integration } from '../../v2/model.js';
import { functionArnOf } from '../../v2/plane/targets.js';

/** The selection expression AWS's console and examples use. */
export const DEFAULT_WS_ROUTE_SELECTION = '$request.body.action';

/** `$request.body.action`, `$request.body.message.type`, `${request.body.action}`, or a key without `$`. */
const SELECTION = /^\$\{?request\.body\.[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*\}?$/;

export function checkRouteSelection(expression: string | undefined): string {
  if (expression === undefined) throw new BadRequestException('RouteSelectionExpression is required for WebSocket APIs');
  if (!SELECTION.test(expression) && /\$/.test(expression)) throw new BadRequestException(`Unsupported route selection expression: ${expression}. A WebSocket API selects routes by $request.body.{JSONPath}`);
  return expression;
}

/** A WebSocket route key: `$connect`, `$disconnect`, `$default` or a custom key (no other `$` keys). */
export function wsRouteKeyProblem(key: string): string | undefined {
  if (key.length < 1 || key.length > 128) return `Invalid route key: ${key}. A route key must be 1 to 128 characters`;
  if (key.startsWith('$') && key !== '$connect' && key !== '$disconnect' && key !== '$default') return `Invalid route key: ${key}. The only route keys that start with $ are $connect, $disconnect and $default`;
  return undefined;
}

/** Route authorization on WebSocket APIs: AWS authorizes the connection, so only on `$connect`. */
export function wsRouteAuthorizationProblem(routeKey: string, authorizationType: string): string | undefined {
  if (authorizationType === 'JWT') return 'JWT authorization is not supported for WebSocket APIs';
  if (authorizationType !== 'NONE' && routeKey !== '$connect') return `Currently, authorization is restricted to the $connect route only`;
  return undefined;
}

export function checkRouteResponseSelection(expression: string | undefined): void {
  if (expression !== undefined && expression !== '$default') throw new BadRequestException(`Invalid route response selection expression: ${expression}. WebSocket APIs support only $default`);
}

const AWS_SERVICE_URI = /^arn:aws:apigateway:[a-z0-9-]+:(sqs|dynamodb|lambda|[a-z0-9-]+):(path|action)\/.+$/;

/** A WebSocket API's integration, checked as one whole after the input's changes are applied. */
export function checkWsIntegration(i: Integration): Integration {
  if (i.integrationSubtype !== undefined) throw new BadRequestException('Integration subtypes are supported only for HTTP APIs');
  if (i.connectionType === 'VPC_LINK') throw new BadRequestException('VPC_LINK connections are not supported by Nimbus');
  // WebSocket APIs take payload format 1.0 only (AWS answers it on GetIntegration).
  if (!i.payloadFormatVersion) i.payloadFormatVersion = '1.0';
  if (i.payloadFormatVersion !== '1.0') throw new BadRequestException('PayloadFormatVersion must be 1.0 for WebSocket APIs');
  switch (i.integrationType) {
    case 'AWS_PROXY':
      if (!i.integrationUri || !functionArnOf(i.integrationUri)) throw new BadRequestException('For AWS_PROXY integrations, integrationUri must be a Lambda function ARN or an API Gateway Lambda invocation URI');
      break;
    case 'AWS':
      if (!i.integrationUri || !(functionArnOf(i.integrationUri) || AWS_SERVICE_URI.test(i.integrationUri))) {
        throw new BadRequestException('For AWS integrations, integrationUri must be a Lambda invocation URI or an AWS service URI (arn:aws:apigateway:{region}:{service}:path|action/...)');
      }
      break;
    case 'HTTP':
    case 'HTTP_PROXY':
      if (!i.integrationUri || !/^https?:\/\/[^/]+/i.test(i.integrationUri)) throw new BadRequestException(`For ${i.integrationType} integrations, integrationUri must be a valid HTTP or HTTPS URL`);
      if (!i.integrationMethod) i.integrationMethod = 'POST';
      break;
    case 'MOCK':
      break;
  }
  if (i.templateSelectionExpression !== undefined && i.templateSelectionExpression.length > 1024) throw new BadRequestException('TemplateSelectionExpression is too long');
  for (const [key, template] of Object.entries(i.requestTemplates ?? {})) {
    if (key.length < 1 || key.length > 128) throw new BadRequestException(`Invalid request template key: ${key}`);
    if (template.length > 32768) throw new BadRequestException(`Request template ${key} exceeds 32768 characters`);
  }
  for (const k of Object.keys(i.requestParameters ?? {})) {
    if (!/^integration\.request\.(header|querystring|path)\.[A-Za-z0-9._~!#$%&'*+^`|-]+$/.test(k)) throw new BadRequestException(`Invalid mapping expression specified: ${k}`);
  }
  return i;
}

/** Status keys of integration responses: `$default` or a regular expression in slashes (`/2\d\d/`). */
export function integrationResponseKeyProblem(key: string): string | undefined {
  if (key === '$default') return undefined;
  const m = /^\/(.+)\/$/.exec(key);
  if (!m) return `Invalid integration response key: ${key}. It must be $default or a regular expression in slashes such as /2\\d\\d/`;
  try {
    new RegExp(m[1]!);
  } catch {
    return `Invalid integration response key: ${key}. It is not a valid regular expression`;
  }
  return undefined;
}

const WS_SOURCE = /^(route\.request\.(header|querystring)\.[^\s,]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9.]+)$/;

/** A WebSocket API's authorizer: a Lambda REQUEST authorizer whose identity comes from the `$connect` request. */
export function checkWsAuthorizer(a: Authorizer): Authorizer {
  if (a.authorizerType !== 'REQUEST') throw new BadRequestException('WebSocket APIs support only REQUEST authorizers');
  if (!a.authorizerUri || !functionArnOf(a.authorizerUri)) throw new BadRequestException('AuthorizerUri must be a Lambda function invocation URI for REQUEST authorizers');
  if (a.jwtConfiguration) throw new BadRequestException('JwtConfiguration is supported only for JWT authorizers');
  if (a.enableSimpleResponses) throw new BadRequestException('Simple responses are supported only for HTTP APIs');
  if (a.authorizerResultTtlInSeconds === undefined) a.authorizerResultTtlInSeconds = 0;
  for (const s of a.identitySource) if (!WS_SOURCE.test(s)) throw new BadRequestException(`Invalid identity source: ${s}. WebSocket APIs take route.request.header.{name}, route.request.querystring.{name}, stageVariables.{name} or context.{name}`);
  return a;
}
