/**
 * V8 settings for the `nimbus start` process, applied before any other module loads (cli.ts
 * imports this first).
 *
 * Allocation-site pretenuring is off. V8 allocates objects of an allocation site directly in the
 * old generation once most of them survived a scavenge. Durable writes keep their request's
 * objects alive for a group commit's fsync, so a burst of writes (a prefill, a PutItem load)
 * marks the sites of the whole request path (HTTP parsing, the pipeline, SigV4, the codec) as
 * long-lived, and every later request, reads included, then fills the old generation with
 * garbage that only a full collection frees. Measured (GetItem at c32 on a durable server after
 * a BatchWriteItem prefill, 8,000 requests): scavenges kept 3 MB each instead of 0.5 MB and cost
 * 301 ms instead of 62 ms in all (`perf`: Scavenger::ScavengeObject the top symbol, absent with
 * --memory), and server CPU per GetItem after a PutItem load fell 5-17 % with pretenuring off
 * (PutItem itself and --memory runs unchanged within noise).
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-allocation-site-pretenuring');
