/**
 * PartiQL's own errors and messages. Wording comes from DynamoDB's PartiQL front end: the
 * `ddb.partiql.shared` message table shipped inside DynamoDB Local (shared with the service) and,
 * for syntax errors, the detail texts a 2026 conformance suite pinned against AWS (eu-west-2):
 * AWS answers a statement it cannot parse with "Statement wasn't well formed, can't be processed: "
 * followed by a short detail ("Unexpected term", "Unexpected token after expression", ...), or by
 * nothing at all when the lexer gives up.
 */
import { AwsError, awsErrorClass } from '../../../../protocols/errors.js';
import { ValidationException } from '../../errors.js';

/** An INSERT whose key already exists (DynamoDB's PartiQL-only error). */
export const DuplicateItemException = awsErrorClass('DuplicateItemException');

export const DUPLICATE_ITEM = 'Duplicate primary key exists in table';
export const NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: ";

/** Messages of the PartiQL front end, named as DynamoDB's own table names them. */
export const MSG = {
  leftover: 'Unexpected token after expression',
  nestedTooDeeply: 'Expression is nested too deeply',
  unexpectedTerm: 'Unexpected term',
  unexpectedKeyword: 'Unexpected keyword',
  unexpectedOperator: 'Unexpected operator',
  missingRightHandSide: 'Missing right-hand side expression of infix operator',
  expectedDml: 'Expected data manipulation',
  expectedIdentifier: 'Expected identifier for simple path',
  expectedTypeName: 'Expected type name',
  alias: 'Aliasing is not supported',
  incompleteKey: 'Where clause does not contain a mandatory equality on all key attributes',
  parameterCount: "Number of parameters in request and statement don't match.",
  starAndOthers: "Other attributes should not be present in the projection when '*' is used.",
  valueOrPivot: "Select projection doesn't support value or pivot keywords",
  hierarchy: "Changing item's hierarchy while reading isn't supported",
  unexpectedPathComponent: 'Unexpected path component',
  emptyPathComponent: 'Path component cannot be an empty string',
  unpivot: 'Unpivot path component like a.*.b are not supported',
  wildcard: 'Wildcard path component like a[*].b are not supported',
  multipleFrom: 'Only select from a single table or index is supported.',
  dmlFrom: 'FROM clause may only contain a single table name in data manipulation statements',
  fromComponents: 'A path may contain at most 2 components in the FROM clause',
  tableName: "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'.",
  onIndex: 'This operation is not supported on an index',
  itemFormat: 'Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.',
  emptyBag: 'Empty bags are not supported',
  bagType: 'Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags',
  missingLiteral: 'MISSING must be compared using IS operator',
  isOperand: 'The left hand side argument to IS must be a Variable Reference, Literal, or Path',
  isInUpdate: 'IS operator is not supported in update expressions',
  notOperand: 'The argument to NOT must be a Type or Expression',
  andOrOperand: 'The arguments to AND/OR must be Expressions',
  whereBoolean: 'WHERE clause must contain an expression that resolves to a boolean',
  inOperator:
    'IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member',
  returningStar: "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause",
  returningMany: 'Invalid syntax with multiple returning elements in RETURNING clause',
  returningInsert: 'RETURNING is not supported in INSERT',
  returningTransaction: 'RETURNING clause is not supported in ExecuteTransaction.',
  existsOutsideTransaction: 'EXISTS can only be used in ExecuteTransaction write requests.',
  existsShape: 'EXISTS() must contain a single item read with additional condition',
  existsIndex: 'Operations on indices are not supported in transactions',
  transactionSelectKey: 'Select statements within ExecuteTransaction must specify the primary key in the where clause.',
  transactionIndex: 'Reads on indices are not supported within transactions.',
  transactionMixed: 'ExecuteTransaction API does not support both read and write operations in the same request.',
  batchSelect: 'Only single item select is supported',
  batchMixed: 'Read and write requests together in the same batch is not supported.',
  batchDuplicates: 'Provided list of item keys contains duplicates',
  orderByWhere: 'Must have WHERE clause in the statement when using ORDER BY clause.',
  orderByHash: 'Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.',
  orderByHashNeeded: 'Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.',
  consistentGsi: 'Strongly consistent read is not supported on Global Secondary Indexes',
  tooManyReads: 'Too many decomposed read operations for a given query.',
  invalidToken: 'Invalid NextToken',
  tokenMismatch: 'NextToken does not match request',
  tokenExpired: 'Given NextToken has already expired',
} as const;

/** A syntax error: the envelope plus its detail. */
export function malformed(detail: string): AwsError {
  return new ValidationException(NOT_WELL_FORMED + detail);
}

/** Any other refusal of the front end. */
export function invalid(message: string): AwsError {
  return new ValidationException(message);
}
