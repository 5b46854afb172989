/**
 * Usage plan quotas count requests per API key in periods of a DAY, WEEK or MONTH (UTC), the
 * period starting `offset` days in (WEEK: 0 is Sunday; MONTH: 0 is the 1st). The counts live in
 * the repo's counters, so every node sees them: one per plan, key and period (what the quota
 * checks) and one per plan, key and day (what GetUsage reports).
 */
import type { UsagePlanDoc } from './model.js';

const DAY = 86_400_000;

/** Epoch ms the quota period holding `now` started. */
export function periodStart(now: number, quota: NonNullable<UsagePlanDoc['quota']>): number {
  const d = new Date(now);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const offset = quota.offset ?? 0;
  if (quota.period === 'DAY') return midnight;
  if (quota.period === 'WEEK') {
    const back = (d.getUTCDay() - offset + 7) % 7;
    return midnight - back * DAY;
  }
  // MONTH: the period starts on day offset+1 of this month, or of the last one when that day is still ahead.
  let start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1 + offset);
  if (start > now) start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1 + offset);
  return start;
}

export const quotaCounter = (planId: string, keyId: string, start: number) => `v1quota/${planId}/${keyId}/${start}`;
export const dayCounter = (planId: string, keyId: string, day: string) => `v1usage/${planId}/${keyId}/${day}`;
/** `yyyy-MM-dd` of an epoch ms (UTC), as GetUsage names days. */
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const planCounters = (planId: string) => [`v1quota/${planId}/`, `v1usage/${planId}/`];
