/**
 * The checks and defaults of a function's configuration (CreateFunction and
 * UpdateFunctionConfiguration share them), in Lambda's words.
 */
import { parseArn } from '../../../lib/arn.js';
import { AwsError } from '../../../protocols/errors.js';
import { RESERVED_ENVIRONMENT_VARIABLES } from '../../../runtime/launch.js';
import { InvalidParameterValueException } from '../errors.js';
import type { VersionConfig } from '../model.js';
import { ConstraintList, pattern, rules } from '../../../protocols/validate.js';

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

/** The configuration members an update may set; each is applied when present. */
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

const ARCHITECTURES = ['x86_64', 'arm64'];
/** The model's pattern: a letter, then at least one more letter, digit or underscore. */
const VARIABLE_NAME = pattern('[a-zA-Z]([a-zA-Z0-9_])+');

/**
 * The constraints the declared shapes cannot word as Lambda does (the lengths, ranges, patterns
 * and enums of the other members are the shapes' in operations/shapes.ts), in Lambda's words.
 */
export function checkConfig(input: ConfigInput): void {
  const violations = new ConstraintList();
  if (input.Runtime !== undefined && !RUNTIMES.includes(input.Runtime)) {
    violations.add('runtime', input.Runtime, `${rules.enum(RUNTIMES)} or be a valid ARN`);
  }
  const names = Object.keys(input.Environment?.Variables ?? {});
  // The variables are sensitive: Lambda shows no value ("Value at 'environment.variables'").
  if (names.some((k) => !VARIABLE_NAME.re.test(k))) {
    violations.add('environment.variables', undefined, `Map keys must satisfy constraint: [${rules.pattern(VARIABLE_NAME.text)}]`, '');
  }
  // An enum list is reported as a whole, its items' broken rules in brackets (as Lambda answered
  // for a layer's CompatibleArchitectures in aws-cloudformation/cfn-lint#4428).
  if (input.Architectures?.some((a) => !ARCHITECTURES.includes(a))) {
    violations.add('architectures', input.Architectures, rules.eachMember([rules.enum(ARCHITECTURES)]));
  }
  violations.throwIfAny((message) => new AwsError('ValidationException', message));
}

/** Applies the members present in `input` to `config`, checking each as Lambda does. */
export function applyConfig(config: VersionConfig, input: ConfigInput): void {
  checkConfig(input);
  if (input.Runtime !== undefined) config.Runtime = input.Runtime;
  if (input.Role !== undefined) config.Role = input.Role;
  if (input.Handler !== undefined) config.Handler = input.Handler;
  if (input.Description !== undefined) config.Description = input.Description;
  if (input.Timeout !== undefined) config.Timeout = input.Timeout;
  if (input.MemorySize !== undefined) config.MemorySize = input.MemorySize;
  if (input.Environment !== undefined) {
    const vars = input.Environment.Variables ?? {};
    let size = 0;
    for (const [k, v] of Object.entries(vars)) {
      if (RESERVED_ENVIRONMENT_VARIABLES.has(k)) {
        throw new InvalidParameterValueException(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${k}`);
      }
      size += k.length + v.length;
    }
    if (size > 4096) throw new InvalidParameterValueException('Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.');
    config.Environment = { Variables: { ...vars } };
  }
  if (input.TracingConfig?.Mode !== undefined) config.TracingConfig = { Mode: input.TracingConfig.Mode };
  if (input.DeadLetterConfig !== undefined) {
    const target = input.DeadLetterConfig.TargetArn;
    if (target && (!/^arn:aws[a-zA-Z-]*:sqs:/.test(target) || parseArn(target)?.account !== parseArn(config.FunctionArn)?.account)) {
      throw new InvalidParameterValueException(`The dead-letter target ${target} must be an SQS queue of the function's account (Nimbus has no SNS yet).`);
    }
    if (target) config.DeadLetterConfig = { TargetArn: target };
    else delete config.DeadLetterConfig;
  }
  if (input.LoggingConfig !== undefined) config.LoggingConfig = { ...config.LoggingConfig, ...input.LoggingConfig };
  if (input.EphemeralStorage?.Size !== undefined) config.EphemeralStorage = { Size: input.EphemeralStorage.Size };
  if (input.Architectures !== undefined) config.Architectures = [...input.Architectures];
}

/** Lambda's LastModified format: `2026-11-27T18:00:00.000+0000`. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
