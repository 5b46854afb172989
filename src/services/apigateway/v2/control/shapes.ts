/**
 * Members the HTTP API operations share, as the apigatewayv2 model declares them (wire names in
 * lowerCamel; URI labels and query parameters as the SDK sends them).
 */
import { boolean, document, inQuery, inUri, integer, list, map, string, structure } from '../../../../protocols/shapes.js';

export const API_ID = inUri('ApiId');
export const MAX_RESULTS = inQuery(string(), 'maxResults');
export const NEXT_TOKEN = inQuery(string(), 'nextToken');

export const TAGS = map(string({ min: 1, max: 128 }), string({ max: 1600 }), { max: 50 });

export const CORS = structure({
  allowCredentials: boolean(),
  allowHeaders: list(string()),
  allowMethods: list(string()),
  allowOrigins: list(string()),
  exposeHeaders: list(string()),
  maxAge: integer({ min: -1, max: 86400 }),
});

export const ROUTE_SETTINGS = structure({
  dataTraceEnabled: boolean(),
  detailedMetricsEnabled: boolean(),
  loggingLevel: string({ enum: ['ERROR', 'INFO', 'OFF'] }),
  throttlingBurstLimit: integer(),
  /** A double in the model: the shape language has no doubles, so the stage operations check it. */
  throttlingRateLimit: document(),
});

export const ACCESS_LOG_SETTINGS = structure({ destinationArn: string(), format: string() });

export const AUTHORIZATION_TYPE = string({ enum: ['NONE', 'AWS_IAM', 'CUSTOM', 'JWT'] });
