/**
 * In-process calls between services: a service registers the few functions other services
 * may call (SQS: send a message to a queue by ARN), and callers look them up by name. This
 * keeps services apart (nobody reads another service's tables or imports its engine) while
 * avoiding HTTP and signatures inside one process.
 */
export interface InternalCalls {
  /** Enqueues a message as the service principal of `from` (e.g. s3.amazonaws.com). */
  'sqs.sendMessage': (args: { queueArn: string; body: string; from: string }) => Promise<{ messageId: string }>;
  /** Whether a queue exists, for destination checks. */
  'sqs.queueExists': (args: { queueArn: string }) => boolean;
  /**
   * Appends events to a log stream, creating its group and stream when missing (as Lambda's
   * log agent does). Events of one stream keep the order of the calls.
   */
  'logs.append': (args: { accountId: string; region: string; group: string; stream: string; events: Array<{ timestamp: number; message: string }> }) => Promise<void>;
}

export class InternalApi {
  private readonly fns = new Map<string, unknown>();

  register<K extends keyof InternalCalls>(name: K, fn: InternalCalls[K]): void {
    this.fns.set(name, fn);
  }

  /** The function, or undefined when the service that provides it is not running. */
  get<K extends keyof InternalCalls>(name: K): InternalCalls[K] | undefined {
    return this.fns.get(name) as InternalCalls[K] | undefined;
  }
}
