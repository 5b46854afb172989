/**
 * API keys and usage plans on the data plane: a method that requires a key is served only with
 * an enabled key (the `x-api-key` header, or the authorizer's usageIdentifierKey when the API's
 * key source is AUTHORIZER) in a usage plan for this API and stage (403 Forbidden otherwise);
 * the plan's throttle (per method when the plan's API stage names one) and quota then apply
 * (429 Too Many Requests / Limit Exceeded). Stage method settings throttle every method.
 */
import type { GatewayDeps } from '../../deps.js';
import type { ApiKeyDoc, UsagePlanDoc } from '../model.js';
import { dayCounter, dayOf, periodStart, quotaCounter } from '../quota.js';
import { header, methodSettingKey, type Invocation } from './invocation.js';
import { ACCOUNT_DEFAULT_LIMIT, TokenBuckets, type ThrottleLimit } from '../../shared/throttle.js';


export class UsagePlans {
  private readonly buckets: TokenBuckets;

  constructor(private readonly deps: GatewayDeps) {
    this.buckets = new TokenBuckets(deps.clock);
  }

  private take(key: string, limit: ThrottleLimit): boolean {
    return this.buckets.take(key, limit);
  }

  /** The gateway response type refusing the request, or undefined to serve it. */
  async admit(inv: Invocation): Promise<string | undefined> {
    // The account's own limit per region (10,000 rps, burst 5,000) comes first, as on AWS.
    if (!this.take(`v1account/${inv.api.accountId}/${inv.api.region}`, ACCOUNT_DEFAULT_LIMIT)) return 'THROTTLED';
    const stageKey = `${inv.api.id}/${inv.stage.stageName}`;
    const settings = inv.stage.methodSettings;
    const own = methodSettingKey(inv.resource.path, inv.req.method);
    const setting = settings[own] ?? settings[methodSettingKey(inv.resource.path, '*')] ?? settings['*/*'];
    if (setting && !this.take(`v1stage/${stageKey}/${Object.hasOwn(settings, own) ? own : '*/*'}`, { rateLimit: setting.throttlingRateLimit, burstLimit: setting.throttlingBurstLimit })) return 'THROTTLED';
    if (!inv.method.apiKeyRequired) return undefined;

    const value = inv.snapshot.apiKeySource === 'AUTHORIZER' ? inv.usageIdentifierKey : header(inv.req, 'x-api-key');
    if (!value) return 'INVALID_API_KEY';
    const owner = { accountId: inv.api.accountId, region: inv.api.region };
    const key = this.deps.documents.list<ApiKeyDoc>('apiKey', owner).find((k) => k.value === value);
    if (!key || !key.enabled) return 'INVALID_API_KEY';
    const plan = this.deps.documents.list<UsagePlanDoc>('usagePlan', owner).find((p) => p.keyIds.includes(key.id) && p.apiStages.some((s) => s.apiId === inv.api.id && s.stage === inv.stage.stageName));
    if (!plan) return 'INVALID_API_KEY';
    inv.apiKey = { value: key.value, id: key.id };

    const apiStage = plan.apiStages.find((s) => s.apiId === inv.api.id && s.stage === inv.stage.stageName)!;
    const methodKey = `${inv.resource.path}/${inv.req.method}`;
    const methodThrottle = apiStage.throttle?.[methodKey];
    const throttle = methodThrottle ?? plan.throttle;
    if (throttle && (throttle.rateLimit !== undefined || throttle.burstLimit !== undefined)) {
      const limit = { rateLimit: throttle.rateLimit ?? 0, burstLimit: throttle.burstLimit ?? 0 };
      if (!this.take(`v1plan/${plan.id}/${key.id}/${methodThrottle ? methodKey : '*'}`, limit)) return 'THROTTLED';
    }
    const now = this.deps.clock.now();
    const quota = plan.quota;
    const counter = quota ? quotaCounter(plan.id, key.id, periodStart(now, quota)) : undefined;
    if (quota && counter && (await this.deps.repo.counter(counter)) >= quota.limit) return 'QUOTA_EXCEEDED';
    const used = await this.deps.store.write(async (tx) => {
      await this.deps.repo.addToCounter(tx, dayCounter(plan.id, key.id, dayOf(now)), 1);
      return counter ? this.deps.repo.addToCounter(tx, counter, 1) : 0;
    });
    // Two requests may pass the read together; the count after the write decides.
    if (quota && used > quota.limit) return 'QUOTA_EXCEEDED';
    return undefined;
  }
}
