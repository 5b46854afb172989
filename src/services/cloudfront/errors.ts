/**
 * CloudFront's errors, with the codes and statuses its API reference gives each operation.
 * The REST-XML codec writes them as CloudFront does:
 * `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 */
import { AwsError, awsErrorClass } from '../../protocols/errors.js';
import type { Violation } from '../../protocols/shapes.js';
import { fromViolations, validationMessage } from '../../protocols/validate.js';

export const AccessDenied = awsErrorClass('AccessDenied', { status: 403 });
export const InvalidArgument = awsErrorClass('InvalidArgument', { status: 400 });
export const MalformedInput = awsErrorClass('MalformedInput', { status: 400 });
export const InconsistentQuantities = awsErrorClass('InconsistentQuantities', { status: 400 });
export const InvalidIfMatchVersion = awsErrorClass('InvalidIfMatchVersion', { status: 400 });
export const PreconditionFailed = awsErrorClass('PreconditionFailed', { status: 412 });
export const IllegalUpdate = awsErrorClass('IllegalUpdate', { status: 400 });
export const NoSuchResource = awsErrorClass('NoSuchResource', { status: 404 });
export const InvalidTagging = awsErrorClass('InvalidTagging', { status: 400 });

// Distributions
export const NoSuchDistribution = awsErrorClass('NoSuchDistribution', { status: 404 });
export const DistributionAlreadyExists = awsErrorClass('DistributionAlreadyExists', { status: 409 });
export const DistributionNotDisabled = awsErrorClass('DistributionNotDisabled', { status: 409 });
export const CNAMEAlreadyExists = awsErrorClass('CNAMEAlreadyExists', { status: 409 });
export const NoSuchOrigin = awsErrorClass('NoSuchOrigin', { status: 404 });
export const InvalidOrigin = awsErrorClass('InvalidOrigin', { status: 400 });
export const InvalidOriginAccessControl = awsErrorClass('InvalidOriginAccessControl', { status: 400 });
export const InvalidOriginReadTimeout = awsErrorClass('InvalidOriginReadTimeout', { status: 400 });
export const InvalidOriginKeepaliveTimeout = awsErrorClass('InvalidOriginKeepaliveTimeout', { status: 400 });
export const InvalidDefaultRootObject = awsErrorClass('InvalidDefaultRootObject', { status: 400 });
export const InvalidErrorCode = awsErrorClass('InvalidErrorCode', { status: 400 });
export const InvalidResponseCode = awsErrorClass('InvalidResponseCode', { status: 400 });
export const InvalidRelativePath = awsErrorClass('InvalidRelativePath', { status: 400 });
export const InvalidLocationCode = awsErrorClass('InvalidLocationCode', { status: 400 });
export const InvalidGeoRestrictionParameter = awsErrorClass('InvalidGeoRestrictionParameter', { status: 400 });
export const InvalidTTLOrder = awsErrorClass('InvalidTTLOrder', { status: 400 });
export const InvalidViewerCertificate = awsErrorClass('InvalidViewerCertificate', { status: 400 });
export const TrustedKeyGroupDoesNotExist = awsErrorClass('TrustedKeyGroupDoesNotExist', { status: 400 });
export const TooManyOrigins = awsErrorClass('TooManyOrigins', { status: 400 });
export const TooManyCacheBehaviors = awsErrorClass('TooManyCacheBehaviors', { status: 400 });
export const TooManyOriginCustomHeaders = awsErrorClass('TooManyOriginCustomHeaders', { status: 400 });
export const TooManyDistributionCNAMEs = awsErrorClass('TooManyDistributionCNAMEs', { status: 400 });

// Policies
export const NoSuchCachePolicy = awsErrorClass('NoSuchCachePolicy', { status: 404 });
export const CachePolicyAlreadyExists = awsErrorClass('CachePolicyAlreadyExists', { status: 409 });
export const CachePolicyInUse = awsErrorClass('CachePolicyInUse', { status: 409 });
export const NoSuchOriginRequestPolicy = awsErrorClass('NoSuchOriginRequestPolicy', { status: 404 });
export const OriginRequestPolicyAlreadyExists = awsErrorClass('OriginRequestPolicyAlreadyExists', { status: 409 });
export const OriginRequestPolicyInUse = awsErrorClass('OriginRequestPolicyInUse', { status: 409 });
export const NoSuchResponseHeadersPolicy = awsErrorClass('NoSuchResponseHeadersPolicy', { status: 404 });
export const ResponseHeadersPolicyAlreadyExists = awsErrorClass('ResponseHeadersPolicyAlreadyExists', { status: 409 });
export const ResponseHeadersPolicyInUse = awsErrorClass('ResponseHeadersPolicyInUse', { status: 409 });

// Origin access control, public keys, key groups
export const NoSuchOriginAccessControl = awsErrorClass('NoSuchOriginAccessControl', { status: 404 });
export const OriginAccessControlAlreadyExists = awsErrorClass('OriginAccessControlAlreadyExists', { status: 409 });
export const OriginAccessControlInUse = awsErrorClass('OriginAccessControlInUse', { status: 409 });
export const NoSuchPublicKey = awsErrorClass('NoSuchPublicKey', { status: 404 });
export const PublicKeyAlreadyExists = awsErrorClass('PublicKeyAlreadyExists', { status: 409 });
export const PublicKeyInUse = awsErrorClass('PublicKeyInUse', { status: 409 });
export const CannotChangeImmutablePublicKeyFields = awsErrorClass('CannotChangeImmutablePublicKeyFields', { status: 400 });
export const KeyGroupAlreadyExists = awsErrorClass('KeyGroupAlreadyExists', { status: 409 });
export const ResourceInUse = awsErrorClass('ResourceInUse', { status: 409 });

// Invalidations
export const NoSuchInvalidation = awsErrorClass('NoSuchInvalidation', { status: 404 });
export const BatchTooLarge = awsErrorClass('BatchTooLarge', { status: 413 });

/** Broken constraints of a request (a missing required element, a wrong type): CloudFront answers InvalidArgument. */
export function cloudfrontValidationError(violations: Violation[]): AwsError {
  return new InvalidArgument(validationMessage(fromViolations(violations)));
}
