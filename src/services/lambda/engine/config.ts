/**
 * The checks and defaults of a function's configuration (CreateFunction and
 * UpdateFunctionConfiguration share them), in Lambda's words.
 */
import { parseArn } from '../../../lib/arn.js';
import { AwsError } from '../../../protocols/errors.js';
import { RESERVED_ENVIRONMENT_VARIABLES } from '../../../runtime/launch.js';
import { InvalidParameterValueException } from '../errors.js';
import type { VersionConfig } from '../model.js';
import { validationMessage } from '../../../protocols/validate.js';

export const RUNTIMES = [
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'provided',
  'provided.al2',
  'provided.al2023',
];

const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

/** The configuration members an update may set; each is checked when present. */
export interface ConfigInput {
  Runtime?: string;
  Role?: string;
  Handler?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Environment?: { Variables?: Record<string, string> };
  TracingConfig?: { Mode?: string };
  DeadLetterConfig?: { TargetArn?: string };
  LoggingConfig?: { LogFormat?: string; LogGroup?: string; ApplicationLogLevel?: string; SystemLogLevel?: string };
  EphemeralStorage?: { Size?: number };
  Architectures?: string[];
}

/** One broken constraint in the shared formatter's words; Lambda shows a structure value as its JSON. */
const validation = (value: unknown, at: string, constraint: string) =>
  new AwsError('ValidationException', validationMessage([{ at, value, rule: constraint, ...(typeof value === 'object' ? { shown: `'${JSON.stringify(value)}'` } : {}) }]));

/** Applies the members present in `input` to `config`, checking each as Lambda does. */
export function applyConfig(config: VersionConfig, input: ConfigInput): void {
  if (input.Runtime !== undefined) {
    if (!RUNTIMES.includes(input.Runtime)) throw validation(input.Runtime, 'runtime', `Member must satisfy enum value set: [${RUNTIMES.join(', ')}] or be a valid ARN`);
    config.Runtime = input.Runtime;
  }
  if (input.Role !== undefined) {
    if (!ROLE.test(input.Role)) throw validation(input.Role, 'role', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
    config.Role = input.Role;
  }
  if (input.Handler !== undefined) {
    if (input.Handler.length > 128 || !/^[^\s]+$/.test(input.Handler)) throw validation(input.Handler, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+');
    config.Handler = input.Handler;
  }
  if (input.Description !== undefined) {
    if (input.Description.length > 256) throw validation(input.Description, 'description', 'Member must have length less than or equal to 256');
    config.Description = input.Description;
  }
  if (input.Timeout !== undefined) {
    if (input.Timeout < 1) throw validation(input.Timeout, 'timeout', 'Member must have value greater than or equal to 1');
    if (input.Timeout > 900) throw validation(input.Timeout, 'timeout', 'Member must have value less than or equal to 900');
    config.Timeout = input.Timeout;
  }
  if (input.MemorySize !== undefined) {
    if (input.MemorySize < 128) throw validation(input.MemorySize, 'memorySize', 'Member must have value greater than or equal to 128');
    if (input.MemorySize > 10240) throw validation(input.MemorySize, 'memorySize', 'Member must have value less than or equal to 10240');
    config.MemorySize = input.MemorySize;
  }
  if (input.Environment !== undefined) {
    const vars = input.Environment.Variables ?? {};
    let size = 0;
    for (const [k, v] of Object.entries(vars)) {
      if (typeof v !== 'string') throw new InvalidParameterValueException(`Environment variable ${k} must have a string value.`);
      if (!/^[a-zA-Z]([a-zA-Z0-9_])*$/.test(k)) throw validation(k, 'environment.variables', 'Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+');
      if (RESERVED_ENVIRONMENT_VARIABLES.has(k)) {
        throw new InvalidParameterValueException(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${k}`);
      }
      size += k.length + v.length;
    }
    if (size > 4096) throw new InvalidParameterValueException('Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.');
    config.Environment = { Variables: { ...vars } };
  }
  if (input.TracingConfig?.Mode !== undefined) {
    if (!['Active', 'PassThrough'].includes(input.TracingConfig.Mode)) throw validation(input.TracingConfig.Mode, 'tracingConfig.mode', 'Member must satisfy enum value set: [Active, PassThrough]');
    config.TracingConfig = { Mode: input.TracingConfig.Mode };
  }
  if (input.DeadLetterConfig !== undefined) {
    const target = input.DeadLetterConfig.TargetArn;
    if (target && (!/^arn:aws[a-zA-Z-]*:sqs:/.test(target) || parseArn(target)?.account !== parseArn(config.FunctionArn)?.account)) {
      throw new InvalidParameterValueException(`The dead-letter target ${target} must be an SQS queue of the function's account (Nimbus has no SNS yet).`);
    }
    if (target) config.DeadLetterConfig = { TargetArn: target };
    else delete config.DeadLetterConfig;
  }
  if (input.LoggingConfig !== undefined) {
    const lc = input.LoggingConfig;
    if (lc.LogFormat !== undefined && !['JSON', 'Text'].includes(lc.LogFormat)) throw validation(lc.LogFormat, 'loggingConfig.logFormat', 'Member must satisfy enum value set: [JSON, Text]');
    config.LoggingConfig = { ...config.LoggingConfig, ...lc } as VersionConfig['LoggingConfig'];
  }
  if (input.EphemeralStorage?.Size !== undefined) {
    const size = input.EphemeralStorage.Size;
    if (size < 512 || size > 10240) throw validation(size, 'ephemeralStorage.size', 'Member must have value between 512 and 10240');
    config.EphemeralStorage = { Size: size };
  }
  if (input.Architectures !== undefined) {
    if (input.Architectures.length !== 1 || !['x86_64', 'arm64'].includes(input.Architectures[0]!)) {
      throw validation(input.Architectures, 'architectures', 'Member must have length less than or equal to 1, Member must satisfy enum value set: [x86_64, arm64]');
    }
    config.Architectures = [...input.Architectures];
  }
}

/** Lambda's LastModified format: `2026-11-27T18:00:00.000+0000`. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
