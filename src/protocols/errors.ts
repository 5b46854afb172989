/**
 * Typed AWS errors. Engines throw them; the protocol codec of the request decides the wire
 * shape (`__type` JSON, `<ErrorResponse>` XML, ...). Anything else thrown becomes a 500
 * InternalFailure.
 */
export type Fault = 'Sender' | 'Receiver';

export interface AwsErrorOptions {
  /** HTTP status; 400 unless told. */
  status?: number;
  /** Code used by query-protocol clients when it differs from `code`
   * (SQS: QueueDoesNotExist is AWS.SimpleQueueService.NonExistentQueue). */
  queryCode?: string;
  /** Message query-protocol clients get when AWS words it differently there. */
  queryMessage?: string;
  fault?: Fault;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly queryCode: string;
  readonly queryMessage: string;
  readonly fault: Fault;

  constructor(code: string, message: string, opts: AwsErrorOptions = {}) {
    super(message);
    this.code = code;
    this.status = opts.status ?? 400;
    this.queryCode = opts.queryCode ?? code;
    this.queryMessage = opts.queryMessage ?? message;
    this.fault = opts.fault ?? (this.status >= 500 ? 'Receiver' : 'Sender');
  }

  override get name(): string {
    return this.code;
  }

  /** Members sent beside `message` in a JSON error body (DynamoDB's CancellationReasons, Item). */
  jsonDetails(): Record<string, unknown> | undefined {
    return undefined;
  }

  /** Elements sent beside `<Message>` in a REST-XML error body (S3's `<BucketName>`). */
  xmlDetails(): Record<string, string> | undefined {
    return undefined;
  }

  /** Headers sent with a REST error answer (S3's x-amz-delete-marker on a deleted key). */
  responseHeaders(): Record<string, string> | undefined {
    return undefined;
  }
}

/** Declares an error class whose code, status and query code are fixed. */
export function awsErrorClass(code: string, opts: AwsErrorOptions = {}) {
  return class extends AwsError {
    constructor(message: string) {
      super(code, message, opts);
    }
  };
}

// Errors common to every AWS service (https://docs.aws.amazon.com/.../CommonErrors.html).
export const InternalFailure = awsErrorClass('InternalFailure', { status: 500 });
export const InvalidAction = awsErrorClass('InvalidAction', { status: 400 });
export const MissingAction = awsErrorClass('MissingAction', { status: 400 });
export const MissingParameter = awsErrorClass('MissingParameter', { status: 400 });
export const InvalidParameterValue = awsErrorClass('InvalidParameterValue', { status: 400 });
export const MalformedQueryString = awsErrorClass('MalformedQueryString', { status: 404 });
export const ConflictingQueryParameter = awsErrorClass('ConflictingQueryParameter', { status: 400 });
export const SerializationException = awsErrorClass('SerializationException', { status: 400 });
export const UnknownOperationException = awsErrorClass('UnknownOperationException', { status: 400 });
// REST-XML (S3) request errors.
export const MethodNotAllowed = awsErrorClass('MethodNotAllowed', { status: 405 });
const MalformedXMLClass = awsErrorClass('MalformedXML', { status: 400 });
/** A REST-XML body that does not parse or fit the operation's schema, in S3's words. */
export const malformedXml = () => new MalformedXMLClass('The XML you provided was not well-formed or did not validate against our published schema');
