/** Command-line arguments of `npm run bench` (the flags are listed in run.ts) and the request shapes they select. */

// ---- arguments ---------------------------------------------------------------------------------

export interface Args {
  durationMs: number;
  warmupMs: number;
  only: Set<Shape>;
  table: boolean;
  large: boolean;
  messages: number;
  /** DynamoDB: items in the big table of the large part. */
  items: number;
  /** DynamoDB: items in the table of the main table (and the small table of the large part). */
  tableItems: number;
  prefillConcurrency: number;
  rounds: number;
  repeat: number;
  profile: boolean;
  profileShapes: Shape[];
  profDir: string;
  /** Profile Nimbus started with --memory instead of a durable data dir. */
  profileMemory: boolean;
  /** Lambda: cold-start samples of each kind (spare process ready, and none). */
  coldSamples: number;
  /** Lambda: messages prefilled for the SQS → function pipeline. */
  lambdaMessages: number;
  /** Scratch directory on the data dirs' file system (set by main). */
  scratch?: string;
}

export function parseArgs(argv: string[]): Args {
  const a: Args = {
    durationMs: 5000,
    warmupMs: 1500,
    only: new Set(GROUPS.all),
    table: true,
    large: process.env.BENCH_LARGE === '1',
    messages: 1_000_000,
    items: 1_000_000,
    tableItems: 10_000,
    prefillConcurrency: 64,
    rounds: 3,
    repeat: 1,
    profile: false,
    profileShapes: [],
    profDir: '/tmp/prof',
    profileMemory: false,
    coldSamples: 10,
    lambdaMessages: 20_000,
  };
  let onlyGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
      return n;
    };
    if (flag === '--duration') a.durationMs = num() * 1000;
    else if (flag === '--warmup') a.warmupMs = num() * 1000;
    else if (flag === '--only') (a.only = new Set(shapesOf(value()))), (onlyGiven = true);
    else if (flag === '--no-table') a.table = false;
    else if (flag === '--large') a.large = true;
    else if (flag === '--messages') (a.messages = Math.floor(num())), (a.large = true);
    else if (flag === '--items') (a.items = Math.floor(num())), (a.large = true);
    else if (flag === '--table-items') a.tableItems = Math.max(10, Math.floor(num()));
    else if (flag === '--rounds') a.rounds = Math.floor(num());
    else if (flag === '--repeat') a.repeat = Math.floor(num());
    else if (flag === '--prefill-concurrency') a.prefillConcurrency = Math.floor(num());
    else if (flag === '--profile') {
      a.profile = true;
      if (inline) a.profileShapes = shapesOf(inline);
    }
    else if (flag === '--prof-dir') (a.profDir = value()), (a.profile = true);
    else if (flag === '--profile-memory') (a.profileMemory = true), (a.profile = true);
    else if (flag === '--cold-samples') a.coldSamples = Math.floor(num());
    else if (flag === '--lambda-messages') a.lambdaMessages = Math.max(10, Math.floor(num()));
    else if (flag === '--help') {
      console.log(
        'usage: node dist/bench/run.js [--duration s] [--warmup s] [--only startup,sqs,ddb,s3,lambda,sns,apigw,websocket,cdn | send,batch,recv,ddb-put,ddb-get,ddb-update,ddb-query,s3-put-1k,s3-get-1k,s3-put-1m,s3-get-1m,s3-1g,' +
          'lambda-invoke,lambda-cold,lambda-sqs,sns-1,sns-10,sns-100,apigw-lambda,apigw-http,apigw-jwt,ws-idle,ws-broadcast,ws-echo,ws-ack,cdn-1k,cdn-100k,cdn-zipf] [--repeat N] [--no-table] [--table-items N] [--large | --messages N | --items N] [--rounds N] [--prefill-concurrency N] ' +
          '[--cold-samples N] [--lambda-messages N] [--profile[=shape,...]] [--profile-memory] [--prof-dir DIR]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}`);
  }
  // S3 is not in the default run (it would add about four minutes); --large without --only adds it.
  if (a.large && !onlyGiven) for (const x of GROUPS.s3!) a.only.add(x);
  // By default, profile the shapes with a concurrency-32 target (and Lambda's warm Invoke and SQS drain, and SNS Publish to one queue).
  if (!a.profileShapes.length) a.profileShapes = (['send', 'ddb-put', 'ddb-get', 's3-put-1k', 's3-get-1k', 's3-get-1m', 'lambda-invoke', 'lambda-sqs', 'sns-1', 'cdn-1k'] as Shape[]).filter((x) => a.only.has(x));
  return a;
}

/** Shape names and group names (sqs, ddb, all), comma-separated, as shapes. */
export function shapesOf(list: string): Shape[] {
  const out = new Set<Shape>();
  for (const name of list.split(',').map((x) => x.trim()).filter(Boolean)) {
    const group = GROUPS[name];
    if (group) for (const x of group) out.add(x);
    else if (EVERY_SHAPE.includes(name)) out.add(name as Shape);
    else throw new Error(`unknown shape ${name}: use ${Object.keys(GROUPS).join(', ')} or ${EVERY_SHAPE.join(', ')}`);
  }
  return [...out];
}

// ---- request shapes ----------------------------------------------------------------------------

export type SqsShape = 'send' | 'batch' | 'recv';
export type DdbShape = 'ddb-put' | 'ddb-get' | 'ddb-update' | 'ddb-query';
export type S3Shape = 's3-put-1k' | 's3-get-1k' | 's3-put-1m' | 's3-get-1m' | 's3-1g';
export type LambdaShape = 'lambda-invoke' | 'lambda-cold' | 'lambda-sqs';
export type SnsShape = 'sns-1' | 'sns-10' | 'sns-100';
export type ApigwShape = 'apigw-lambda' | 'apigw-http' | 'apigw-jwt';
/** WebSocket APIs: acknowledged delivery against plain PostToConnection (see ws-ack-bench.ts). */
export type WebSocketShape = 'ws-ack' | 'ws-idle' | 'ws-broadcast' | 'ws-echo';
export type CdnShape = 'cdn-1k' | 'cdn-100k' | 'cdn-zipf';
export type Shape = SqsShape | DdbShape | S3Shape | LambdaShape | SnsShape | ApigwShape | WebSocketShape | CdnShape | 'startup';
export const SHAPES: { shape: SqsShape; label: string }[] = [
  { shape: 'send', label: 'SendMessage' },
  { shape: 'batch', label: 'SendMessageBatch(10)' },
  { shape: 'recv', label: 'Receive(10)+DeleteBatch' },
];
export const DDB_SHAPES: { shape: DdbShape; label: string }[] = [
  { shape: 'ddb-put', label: 'PutItem (~200 B)' },
  { shape: 'ddb-get', label: 'GetItem' },
  { shape: 'ddb-update', label: 'UpdateItem ADD' },
  { shape: 'ddb-query', label: 'Query (10 items)' },
];
export const S3_SHAPES: { shape: S3Shape; label: string; size: number; put: boolean }[] = [
  { shape: 's3-put-1k', label: 'PutObject 1 KiB', size: 1024, put: true },
  { shape: 's3-get-1k', label: 'GetObject 1 KiB', size: 1024, put: false },
  { shape: 's3-put-1m', label: 'PutObject 1 MiB', size: 1024 ** 2, put: true },
  { shape: 's3-get-1m', label: 'GetObject 1 MiB', size: 1024 ** 2, put: false },
  { shape: 's3-1g', label: 'PUT+GET 1 GiB', size: 1024 ** 3, put: true },
];
export const LAMBDA_SHAPES: { shape: LambdaShape; label: string }[] = [
  { shape: 'lambda-invoke', label: 'Invoke (~100 B, warm)' },
  { shape: 'lambda-cold', label: 'Invoke (cold start)' },
  { shape: 'lambda-sqs', label: 'SQS → function' },
];
/** SNS fan-out: Publish at c32 to a topic with `subscribers` SQS queues (each enveloped and raw). */
export const SNS_SHAPES: { shape: SnsShape; label: string; subscribers: number }[] = [
  { shape: 'sns-1', label: 'Publish → 1 queue', subscribers: 1 },
  { shape: 'sns-10', label: 'Publish → 10 queues', subscribers: 10 },
  { shape: 'sns-100', label: 'Publish → 100 queues', subscribers: 100 },
];
/** API Gateway HTTP API routes against their baselines (see apigw-bench.ts). */
export const APIGW_SHAPES: { shape: ApigwShape; label: string }[] = [
  { shape: 'apigw-lambda', label: 'GET → Lambda route' },
  { shape: 'apigw-http', label: 'GET → HTTP_PROXY route' },
  { shape: 'apigw-jwt', label: 'GET → JWT route' },
];
// S3, API Gateway and CloudFront are not in `all` (the default run): select them with --only s3, --only apigw (see run.ts).
export const GROUPS: Record<string, Shape[]> = {
  sqs: SHAPES.map((x) => x.shape),
  ddb: DDB_SHAPES.map((x) => x.shape),
  s3: S3_SHAPES.map((x) => x.shape),
  lambda: LAMBDA_SHAPES.map((x) => x.shape),
  sns: SNS_SHAPES.map((x) => x.shape),
  apigw: APIGW_SHAPES.map((x) => x.shape),
  websocket: ['ws-idle', 'ws-broadcast', 'ws-echo', 'ws-ack'],
  cdn: ['cdn-1k', 'cdn-100k', 'cdn-zipf'],
  all: ['startup', ...SHAPES.map((x) => x.shape), ...DDB_SHAPES.map((x) => x.shape), ...LAMBDA_SHAPES.map((x) => x.shape), ...SNS_SHAPES.map((x) => x.shape)],
};
const EVERY_SHAPE: string[] = ['startup', 'cdn-1k', 'cdn-100k', 'cdn-zipf', ...[...SHAPES, ...DDB_SHAPES, ...S3_SHAPES, ...LAMBDA_SHAPES, ...SNS_SHAPES, ...APIGW_SHAPES].map((x) => x.shape), 'ws-ack', 'ws-idle', 'ws-broadcast', 'ws-echo'];
export const isDdb = (s: Shape): s is DdbShape => s.startsWith('ddb-');
export const isS3 = (s: Shape): s is S3Shape => s.startsWith('s3-');
export const isLambda = (s: Shape): s is LambdaShape => s.startsWith('lambda-');
export const isSns = (s: Shape): s is SnsShape => s.startsWith('sns-');
export const isApigw = (s: Shape): s is ApigwShape => s.startsWith('apigw-');
export const isWebSocket = (s: Shape): s is WebSocketShape => s.startsWith('ws-');
export const CONCURRENCY = [1, 32];
