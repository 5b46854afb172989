/**
 * The contract between the functions service (src/services/lambda) and the sandboxes that run
 * function code (src/runtime). The service decides *what* runs (code, configuration, limits);
 * the runtime decides *how*: one OS process per execution environment, speaking the Lambda
 * Runtime API to a small HTTP server of its own.
 */

/** Everything an execution environment needs to run one version of one function. */
export interface FunctionSpec {
  /**
   * Identity of the code and configuration revision. Warm environments are reused only for the
   * same key; `RuntimePool.retire(prefix)` stops environments whose key starts with a prefix.
   */
  key: string;
  functionName: string;
  /** The unqualified function ARN. */
  functionArn: string;
  /** `$LATEST` or a published version number. */
  version: string;
  /** nodejs18.x | nodejs20.x | nodejs22.x | provided | provided.al2 | provided.al2023 | python3.x */
  runtime: string;
  /** e.g. `index.handler`, `src/app.main` (ignored by custom runtimes except as `_HANDLER`). */
  handler: string;
  /** Absolute path of the unpacked code (LAMBDA_TASK_ROOT); never written to by the runtime. */
  codeDir: string;
  /**
   * Runs before each cold start, before the process is made: checks (and repairs) codeDir
   * against the version's CodeSha256. A throw fails the start as Runtime.Unknown.
   */
  verifyCode?: () => Promise<void>;
  timeoutSeconds: number;
  memoryMb: number;
  /** EphemeralStorage.Size: the size of a sandboxed environment's /tmp (MB, default 512). */
  ephemeralStorageMb?: number;
  /** The function's own environment variables. */
  environment: Record<string, string>;
  region: string;
  accountId: string;
  /** Credentials the environment gets as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Nimbus's own endpoint (`http://127.0.0.1:4566`), given to the code as AWS_ENDPOINT_URL. */
  endpoint: string;
  /** `/aws/lambda/<name>` unless the function's logging config says otherwise. */
  logGroup: string;
}

/** One invocation's request, as the Runtime API's `/next` hands it to the code. */
export interface InvocationRequest {
  requestId: string;
  payload: Buffer;
  /** The ARN the caller used (with qualifier when there was one). */
  invokedFunctionArn: string;
  /** X-Ray trace header, passed as Lambda-Runtime-Trace-Id / _X_AMZN_TRACE_ID. */
  traceId?: string;
  /** Base64 JSON client context (Invoke's X-Amz-Client-Context), passed through. */
  clientContext?: string;
  /** JSON Cognito identity, passed through. */
  cognitoIdentity?: string;
}

export interface InvocationResult {
  /** The response (or error document) bytes. */
  payload: Buffer;
  /** Set when the invocation failed: the handler threw, the init failed, it timed out or the process died. */
  functionError?: 'Unhandled' | 'Handled';
  /** The errorType of a failure (`Sandbox.Timedout`, `Runtime.ExitError`, the handler's error name, ...). */
  errorType?: string;
  /** The last 4 KB of this invocation's log output (START through REPORT), for LogType=Tail. */
  logTail: string;
  durationMs: number;
  billedDurationMs: number;
  /** Set on the invocation that started the environment. */
  initDurationMs?: number;
}

/** Where environment output goes: the CloudWatch Logs service, through `logs.append`. */
export type LogSink = (args: { accountId: string; region: string; group: string; stream: string; events: Array<{ timestamp: number; message: string }> }) => void;

/** Why an invocation was refused without running. */
export class ThrottledError extends Error {
  constructor(readonly reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded') {
    super('Rate Exceeded.');
  }
}

export interface InvokeOptions {
  /**
   * The most environments of this function that may be busy at once (its reserved
   * concurrency, or an event source mapping's maximum); undefined means only the pool's cap.
   */
  concurrencyLimit?: number;
}
