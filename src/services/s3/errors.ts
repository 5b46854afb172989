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

/** A request for a subresource (`?legal-hold`, `?torrent`, ...) Nimbus does not implement. */
export class NotImplemented extends AwsError {
  constructor() {
    super('NotImplemented', 'A header you provided implies functionality that is not implemented', { status: 501 });
  }
}

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

/** An S3 error about one object, naming its key. */
function keyError(code: string, status: number, message: string) {
  return class extends AwsError {
    constructor(readonly key: string) {
      super(code, message, { status });
    }

    override xmlDetails() {
      return { Key: this.key };
    }
  };
}

export const NoSuchKey = keyError('NoSuchKey', 404, 'The specified key does not exist.');
export const KeyTooLongError = keyError('KeyTooLongError', 400, 'Your key is too long');

export const s3Error = (code: string, status: number, message: string, details?: Record<string, string>) =>
  new (class extends AwsError {
    override xmlDetails() {
      return details;
    }
  })(code, message, { status });

export const MissingContentLength = () => s3Error('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.');
export const EntityTooLarge = (size: number, max: number) =>
  s3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: String(size), MaxSizeAllowed: String(max) });
export const IncompleteBody = () => s3Error('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header');
export const BadDigest = (what: string) => s3Error('BadDigest', 400, `The ${what} you specified did not match the calculated checksum.`);
export const ContentMd5Mismatch = () => s3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.');
export const InvalidDigest = () => s3Error('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.');
export const Sha256Mismatch = () => s3Error('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed.");
export const PreconditionFailed = (condition: string) =>
  s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: condition });
/** 304: the answer carries the object's ETag and Last-Modified, as S3's does. */
export const NotModified = (etag: string, lastModified: number) =>
  new S3ErrorWithHeaders('NotModified', 304, 'Not Modified', {}, { etag, 'last-modified': new Date(lastModified).toUTCString() });
export const InvalidRange = (requested: string, size: number) =>
  s3Error('InvalidRange', 416, 'The requested range is not satisfiable', { RangeRequested: requested, ActualObjectSize: String(size) });
export const InvalidPartNumber = () => s3Error('InvalidPartNumber', 416, 'The requested partnumber is not satisfiable');
export const InvalidArgument = (message: string, name?: string, value?: string) =>
  s3Error('InvalidArgument', 400, message, name !== undefined ? { ArgumentName: name, ArgumentValue: value ?? '' } : undefined);

// ---- CopyObject, DeleteObjects, tagging, GetObjectAttributes ---------------------------------

export const InvalidRequest = (message: string) => s3Error('InvalidRequest', 400, message);
/** Operations whose body S3 insists on checking (DeleteObjects, PutObjectTagging, PutBucketTagging). */
export const MissingContentMd5 = () => InvalidRequest('Missing required header for this request: Content-MD5.');
export const MissingRequestBody = () => s3Error('MissingRequestBodyError', 400, 'Request body is empty.');
export const InvalidTag = (message: string, details: Record<string, string>) => s3Error('InvalidTag', 400, message, details);
/** A tag set over its limit: InvalidTag for an object's (the error S3 documents for PutObjectTagging), a plain BadRequest for a bucket's. */
export const TooManyTags = (what: 'Object' | 'Bucket', max: number) => s3Error(what === 'Object' ? 'InvalidTag' : 'BadRequest', 400, `${what} tags cannot be greater than ${max}`);
export const NoSuchTagSet = bucketError('NoSuchTagSet', 404, 'The TagSet does not exist');

export const MalformedPolicy = (message: string) => s3Error('MalformedPolicy', 400, message);
export const NoSuchBucketPolicy = (bucket: string) => s3Error('NoSuchBucketPolicy', 404, 'The bucket policy does not exist', { BucketName: bucket });
export const NoSuchPublicAccessBlockConfiguration = (bucket: string) =>
  s3Error('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found', { BucketName: bucket });

// Multipart uploads. Messages and extra elements as S3 sends them on the wire (they differ
// slightly from the wording of the error table in the API reference).
export const NoSuchUpload = (uploadId: string) =>
  s3Error('NoSuchUpload', 404, 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', {
    UploadId: uploadId,
  });
export const InvalidPart = (uploadId: string, partNumber: number, etag: string) =>
  s3Error(
    'InvalidPart',
    400,
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    { UploadId: uploadId, PartNumber: String(partNumber), ETag: etag },
  );
export const InvalidPartOrder = (uploadId: string) =>
  s3Error('InvalidPartOrder', 400, 'The list of parts was not in ascending order. Parts must be ordered by part number.', { UploadId: uploadId });
export const EntityTooSmall = (size: number, min: number, partNumber: number, etag: string) =>
  s3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', {
    ProposedSize: String(size),
    MinSizeAllowed: String(min),
    PartNumber: String(partNumber),
    ETag: etag,
  });
export const NoSuchCORSConfiguration = (bucket: string) =>
  s3Error('NoSuchCORSConfiguration', 404, 'The CORS configuration does not exist', { BucketName: bucket });
export { malformedXml as MalformedXML } from '../../protocols/errors.js';

// ---- Versioning ----------------------------------------------------------------------------

/**
 * An error S3 answers with response headers beside its body (x-amz-delete-marker,
 * x-amz-version-id): GET/HEAD of a key whose latest version is a delete marker, or of a delete
 * marker by id.
 */
export class S3ErrorWithHeaders extends AwsError {
  constructor(
    code: string,
    status: number,
    message: string,
    readonly details: Record<string, string>,
    readonly headers: Record<string, string>,
  ) {
    super(code, message, { status });
  }

  override xmlDetails() {
    return this.details;
  }

  override responseHeaders() {
    return this.headers;
  }
}

/** The wire status of NoSuchVersion is 404 (the error code table of the S3 API reference). */
export const NoSuchVersion = (key: string, versionId: string) =>
  s3Error('NoSuchVersion', 404, 'The specified version does not exist.', { Key: key, VersionId: versionId });

// ---- Lifecycle -----------------------------------------------------------------------------

export const NoSuchLifecycleConfiguration = (bucket: string) =>
  s3Error('NoSuchLifecycleConfiguration', 404, 'The lifecycle configuration does not exist', { BucketName: bucket });

/** A request that sets an ACL on a bucket whose ObjectOwnership is BucketOwnerEnforced (ACLs disabled). */
export const AccessControlListNotSupported = () => s3Error('AccessControlListNotSupported', 400, 'The bucket does not allow ACLs');
export const InvalidBucketAclWithObjectOwnership = () =>
  s3Error('InvalidBucketAclWithObjectOwnership', 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
export const InvalidBucketAclWithBlockPublicAccessError = () =>
  s3Error('InvalidBucketAclWithBlockPublicAccessError', 400, 'Bucket cannot have public ACLs set with BlockPublicAccess enabled');
export const OwnershipControlsNotFoundError = (bucket: string) =>
  s3Error('OwnershipControlsNotFoundError', 404, 'The bucket ownership controls were not found', { BucketName: bucket });
/** A body sent with a request that takes its ACL from headers. */
export const UnexpectedContent = () => s3Error('UnexpectedContent', 400, 'This request does not support content');
