/**
 * One way to declare an operation: its input (and output) shapes, and a handler whose input
 * and output types are inferred from them, so a handler never casts what the codec decoded.
 *
 *   defineOperation({
 *     input: structure({ QueueName: required(string({ max: 80 })), Attributes: map(string(), string()) }),
 *     output: structure({ QueueUrl: string() }),
 *     handler: (input, ctx) => ({ QueueUrl: create(ctx, input.QueueName, input.Attributes ?? {}) }),
 *   });
 *
 * The codecs decode and validate the input against the shape (types, required members,
 * declared constraints) before the handler runs; the registry keeps the erased
 * `Operation<unknown, unknown>`.
 */
import type { HttpBinding } from './rest.js';
import type { ShapeType, StructureShape } from './shapes.js';
import type { Operation, RequestContext } from '../services/service.js';

/** What a handler answers for an output shape; any value when the operation declares none (its body is empty or built by the service). */
export type OutputType<O> = O extends StructureShape ? ShapeType<O> : unknown;

export interface OperationSpec<I extends StructureShape, O extends StructureShape | undefined> {
  input: I;
  /** Absent when the operation answers with an empty body. */
  output?: O;
  /** A property, not a method: a handler whose input type is not the declared one fails to compile. */
  handler: (input: ShapeType<I>, ctx: RequestContext) => Promise<NoInfer<OutputType<O>>> | NoInfer<OutputType<O>>;
  /** REST protocols: the method and URI template that select the operation. */
  http?: HttpBinding;
  /** The largest body the operation takes, when more than the server's default. */
  maxBodyBytes?: number;
  /** REST-XML: the root element of an output whose body members have no payload member. */
  outputRoot?: string;
}

export function defineOperation<I extends StructureShape, O extends StructureShape | undefined = undefined>(spec: OperationSpec<I, O>): Operation {
  const { handler, ...rest } = spec;
  return {
    ...rest,
    // The codec has decoded and validated the input against `spec.input` before this runs.
    handler: (input, ctx) => handler(input as ShapeType<I>, ctx),
  };
}
