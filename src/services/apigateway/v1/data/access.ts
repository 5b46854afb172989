/**
 * A stage's access log: one line per request in the stage's format ($context variables, as
 * shared/access-log.ts substitutes them), appended to the CloudWatch Logs group its
 * destinationArn names, never holding up the response.
 */
import type { ApiRequest, ApiResponse } from '../../../../server/api.js';
import type { GatewayDeps } from '../../deps.js';
import { AccessLogs, formatAccessLog } from '../../shared/access-log.js';
import type { RestApiDoc, Stage } from '../model.js';
import { clfTime, header, requestContext, type Invocation } from './invocation.js';

/** What the data plane learnt of a request on its way, for the access log. */
export interface Served {
  stage?: Stage;
  inv?: Invocation;
  errorType?: string;
  errorMessage?: string | null;
  /** Why a request validator refused the request ($context.error.validationErrorString). */
  validationErrorString?: string;
}

export class StageAccessLogs {
  private readonly logs: AccessLogs;

  constructor(private readonly deps: GatewayDeps) {
    this.logs = new AccessLogs(deps.internal, deps.log, { clock: deps.clock });
  }

  write(api: RestApiDoc, req: ApiRequest, served: Served, res: ApiResponse, started: number): void {
    const settings = served.stage?.accessLogSettings;
    if (!settings?.destinationArn || !settings.format) return;
    const now = this.deps.clock.now();
    const base = served.inv
      ? requestContext(served.inv)
      : { apiId: api.id, accountId: api.accountId, requestId: req.requestId, httpMethod: req.method, stage: served.stage!.stageName, requestTime: clfTime(started), requestTimeEpoch: started, protocol: 'HTTP/1.1', identity: { sourceIp: req.sourceIp ?? '127.0.0.1', userAgent: header(req, 'user-agent') ?? null } };
    const length = typeof res.body === 'string' ? Buffer.byteLength(res.body) : Buffer.isBuffer(res.body) ? res.body.length : undefined;
    const context = {
      ...base,
      status: res.status,
      responseLength: length,
      responseLatency: now - started,
      ...(served.inv?.integrationStatus !== undefined ? { integrationStatus: served.inv.integrationStatus } : {}),
      error: { responseType: served.errorType, message: served.errorMessage ?? undefined, messageString: served.errorMessage !== undefined ? JSON.stringify(served.errorMessage) : undefined, validationErrorString: served.validationErrorString },
    };
    this.logs.write({ destinationArn: settings.destinationArn, apiId: api.id, stage: served.stage!.stageName }, formatAccessLog(settings.format, context), now);
  }

  flush(): Promise<void> {
    return this.logs.flush();
  }
}
