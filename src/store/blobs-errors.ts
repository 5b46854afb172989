/**
 * Errors of the blob store. Each carries a stable `code` so a service maps it to its own wire
 * error (S3: EntityTooLarge, IncompleteBody, InvalidRange, NoSuchKey) without matching on
 * messages; none of them is an AwsError, because the store knows no service.
 */
export class BlobStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** More than `maxBytes` arrived; the partial blob was removed. */
export class BlobTooLargeError extends BlobStoreError {
  constructor(readonly maxBytes: number) {
    super('EntityTooLarge', `blob body exceeds the maximum of ${maxBytes} bytes`);
  }
}

/** The body's length differs from `expectedSize` (a truncated or overlong upload). */
export class BlobSizeMismatchError extends BlobStoreError {
  constructor(
    readonly expected: number,
    /** Bytes received; when `overflow`, the body was cut off here and had at least this many. */
    readonly received: number,
    overflow = false,
  ) {
    super('IncompleteBody', `expected ${expected} bytes, received ${overflow ? 'at least ' : ''}${received}`);
  }
}

/** An id that is not one the store generated: refused before it can reach a path. */
export class InvalidBlobIdError extends BlobStoreError {
  constructor(id: unknown) {
    // Quoted and cut short: the id may be hostile input and ends up in logs.
    super('InvalidBlobId', `invalid blob id ${JSON.stringify(String(id)).slice(0, 80)}`);
  }
}

export class BlobNotFoundError extends BlobStoreError {
  constructor(readonly id: string) {
    super('NoSuchBlob', `blob ${id} does not exist`);
  }
}

/** A range that starts at or past the end of the blob (S3's InvalidRange, HTTP 416). */
export class BlobRangeError extends BlobStoreError {
  constructor(readonly size: number) {
    super('InvalidRange', `the requested range is not satisfiable for a blob of ${size} bytes`);
  }
}

export class BlobStoreClosedError extends BlobStoreError {
  constructor() {
    super('BlobStoreClosed', 'blob store is closed');
  }
}
