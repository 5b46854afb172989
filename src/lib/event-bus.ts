/**
 * The in-process event bus between services: a producer publishes facts that have already
 * been committed (a table's stream records, ...) and consumers in other services react
 * (an event source mapping invokes a function). Services never read each other's tables.
 *
 * Delivery is synchronous and best-effort: a listener that throws is logged and does not
 * affect the producer or other listeners. Durable consumers keep their own position in the
 * producer's durable log (e.g. a stream's sequence numbers) and use the bus only as a wake-up.
 */
import type { Logger } from './log.js';

export type Listener<T> = (event: T) => void;

export class EventBus {
  private readonly listeners = new Map<string, Set<Listener<unknown>>>();

  constructor(private readonly log: Logger) {}

  /** Subscribes to a topic; returns the function that unsubscribes. */
  on<T>(topic: string, listener: Listener<T>): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener as Listener<unknown>);
    return () => set.delete(listener as Listener<unknown>);
  }

  emit<T>(topic: string, event: T): void {
    const set = this.listeners.get(topic);
    if (!set) return;
    for (const l of set) {
      try {
        l(event);
      } catch (e) {
        this.log.error('event listener failed', { topic, error: e instanceof Error ? e.stack : String(e) });
      }
    }
  }

  hasListeners(topic: string): boolean {
    return (this.listeners.get(topic)?.size ?? 0) > 0;
  }
}
