/** S3's errors, named as AWS names them; REST-XML errors carry extra elements such as <BucketName>. */
import { AwsError } from '../../protocols/errors.js';

/** An S3 error class with a fixed code, status and message, naming the bucket it concerns. */
function bucketError(code: string, status: number, message: string) {
  return class extends AwsError {
    constructor(readonly bucket: string) {
      super(code, message, { status });
    }

    override xmlDetails() {
      return { BucketName: this.bucket };
    }
  };
}

export const NoSuchBucket = bucketError('NoSuchBucket', 404, 'The specified bucket does not exist');
export const BucketAlreadyExists = bucketError(
  'BucketAlreadyExists',
  409,
  'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
);
export const BucketAlreadyOwnedByYou = bucketError(
  'BucketAlreadyOwnedByYou',
  409,
  'Your previous request to create the named bucket succeeded and you already own it.',
);
export const BucketNotEmpty = bucketError('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty');
export const InvalidBucketName = bucketError('InvalidBucketName', 400, 'The specified bucket is not valid.');

export class AccessDenied extends AwsError {
  constructor(message = 'Access Denied') {
    super('AccessDenied', message, { status: 403 });
  }
}

/** The location constraint does not fit the region the request was sent to. */
export class IllegalLocationConstraintException extends AwsError {
  constructor(constraint: string | undefined) {
    super(
      'IllegalLocationConstraintException',
      constraint === undefined
        ? 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.'
        : `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      { status: 400 },
    );
  }
}

export class InvalidLocationConstraint extends AwsError {
  constructor() {
    super('InvalidLocationConstraint', 'The specified location-constraint is not valid', { status: 400 });
  }
}

/** HEAD answers carry no body, so a missing bucket is a bare 404 (the SDKs call it NotFound). */
export class NotFound extends AwsError {
  constructor() {
    super('NotFound', 'Not Found', { status: 404 });
  }
}
