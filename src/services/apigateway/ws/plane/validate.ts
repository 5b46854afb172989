/**
 * Request validation of WebSocket messages, as AWS documents it: a route with request models
 * (or a model selection expression) validates each message before its integration runs. The
 * route's `modelSelectionExpression` (`$request.body.<path>`, or a fixed key) gives the key into
 * its `requestModels`; no expression gives `$default`; a key with no model falls back to the
 * `$default` model, and with none of either the message fails. A failure is AWS's "Bad request
 * body" answer: an error frame `Invalid request body`, the integration not called, and the
 * validator's findings in the access log's `$context.error.validationErrorString`.
 */
import { validationErrorString } from '../../shared/json-schema.js';
import { bodyFailures, modelNameOfUrl, parsedSchema } from '../../shared/models.js';
import type { Model, Route, Snapshot } from '../../v2/model.js';
import { modelNamed } from '../control/models.js';
import { bodyPath } from './integrate.js';

/** Why a message fails its route's model (`[...]`, as `$context.error.validationErrorString`), or undefined when it passes or the route has none. */
export function invalidMessage(apiId: string, parts: Snapshot, route: Route, data: string | Buffer): string | undefined {
  const models = route.requestModels;
  const expression = route.modelSelectionExpression;
  if (!expression && !(models && Object.keys(models).length)) return undefined;
  const key = selectionKey(expression, data);
  const name = models && key !== undefined && Object.hasOwn(models, key) ? models[key] : models && Object.hasOwn(models, '$default') ? models.$default : undefined;
  const model = name !== undefined ? modelNamed(parts.models, name) : undefined;
  if (!model) return validationErrorString([`no model matches the selection key ${JSON.stringify(key ?? '')} and the route has no $default model`]);
  const schema = parsedSchema(model);
  if (!schema) return undefined;
  const other = (ref: string): Model | undefined => {
    const n = modelNameOfUrl(apiId, ref);
    return n !== undefined ? modelNamed(parts.models, n) : undefined;
  };
  const errors = bodyFailures(schema, data, other);
  return errors.length ? validationErrorString(errors) : undefined;
}

/** The model selection expression's value for a message: `$request.body.x.y`, or the expression itself when fixed. */
function selectionKey(expression: string | undefined, data: string | Buffer): string | undefined {
  if (!expression) return '$default';
  const m = /^\$\{?request\.body\.([A-Za-z0-9_$.-]+)\}?$/.exec(expression);
  if (!m) return expression.includes('$') ? undefined : expression;
  const v = bodyPath(data, m[1]!);
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}
