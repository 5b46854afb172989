/**
 * A streaming multipart/form-data reader (RFC 7578) for S3's POST Object: the fields before
 * the file are read into memory, bounded by `maxPreDataBytes` in all; the file part is handed
 * over as a stream of its bytes, never buffered whole. Whatever follows the file is read and
 * dropped (S3 ignores fields after the file).
 */
import { Readable } from 'node:stream';

export interface FormField {
  name: string;
  value: string;
}

export interface FormFile {
  name: string;
  filename: string;
  contentType?: string;
  /** The file's bytes; reading it to the end also consumes the rest of the request. */
  stream: Readable;
  /** Bytes the stream has produced so far. */
  bytesRead(): number;
}

/** The form is not well-formed multipart/form-data. */
export class MalformedFormError extends Error {}
/** The fields before the file are larger than allowed. */
export class PreDataTooLargeError extends Error {}

/** The boundary parameter of a multipart/form-data Content-Type, or undefined. */
export function formBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  return b && b.length <= 70 ? b : undefined;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const MAX_PART_HEADER_BYTES = 8 * 1024;

export class FormReader {
  private readonly source: AsyncIterator<Buffer | string>;
  private readonly delimiter: Buffer;
  /** Starts with CRLF, so the first boundary is found like every other one. */
  private buf: Buffer = Buffer.from('\r\n');
  private eof = false;
  private preData = 0;
  private started = false;
  private finished = false;

  constructor(
    body: NodeJS.ReadableStream,
    boundary: string,
    private readonly maxPreDataBytes: number,
  ) {
    this.source = (body as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  /** The next field, or the file (after which nothing more is returned), or undefined at the end. */
  async next(): Promise<{ field: FormField } | { file: FormFile } | undefined> {
    if (this.finished) return undefined;
    if (!this.started) {
      this.started = true;
      await this.skipTo(); // the preamble
    }
    if (!(await this.afterDelimiter())) {
      this.finished = true;
      return undefined;
    }
    const headers = await this.partHeaders();
    const disposition = headers['content-disposition'] ?? '';
    const name = param(disposition, 'name');
    if (!/^\s*form-data\s*(;|$)/i.test(disposition) || name === undefined) throw new MalformedFormError('part without a form-data name');
    const filename = param(disposition, 'filename');
    if (name.toLowerCase() === 'file') {
      this.finished = true;
      return { file: this.fileOf(name, filename ?? '', headers['content-type']) };
    }
    const value = await this.readValue();
    return { field: { name, value: value.toString('utf8') } };
  }

  /** Appends the next chunk of the body; false at its end. */
  private async pull(): Promise<boolean> {
    if (this.eof) return false;
    const r = await this.source.next();
    if (r.done) {
      this.eof = true;
      return false;
    }
    const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    return true;
  }

  /** Drops everything up to and including the next delimiter. */
  private async skipTo(): Promise<void> {
    for (;;) {
      const at = this.buf.indexOf(this.delimiter);
      if (at >= 0) {
        this.buf = this.buf.subarray(at + this.delimiter.length);
        return;
      }
      this.countPreData(Math.max(0, this.buf.length - this.delimiter.length));
      this.buf = this.buf.subarray(Math.max(0, this.buf.length - this.delimiter.length));
      if (!(await this.pull())) throw new MalformedFormError('no boundary');
    }
  }

  /** After a delimiter: true if a part follows, false for the closing `--`. */
  private async afterDelimiter(): Promise<boolean> {
    while (this.buf.length < 2) if (!(await this.pull())) throw new MalformedFormError('truncated');
    if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) return false;
    // Transport padding (spaces, tabs) may precede the CRLF.
    for (;;) {
      const eol = this.buf.indexOf('\r\n');
      if (eol >= 0) {
        if (!/^[ \t]*$/.test(this.buf.subarray(0, eol).toString('latin1'))) throw new MalformedFormError('bad delimiter line');
        this.buf = this.buf.subarray(eol + 2);
        return true;
      }
      if (this.buf.length > 256) throw new MalformedFormError('bad delimiter line');
      if (!(await this.pull())) throw new MalformedFormError('truncated');
    }
  }

  private async partHeaders(): Promise<Record<string, string>> {
    for (;;) {
      // A part with no headers starts with the blank line at once.
      const end = this.buf.subarray(0, 2).toString('latin1') === '\r\n' ? -2 : this.buf.indexOf(CRLF2);
      if (end !== -1) {
        const text = end < 0 ? '' : this.buf.subarray(0, end).toString('utf8');
        this.countPreData(end < 0 ? 2 : end + 4);
        this.buf = this.buf.subarray(end < 0 ? 2 : end + 4);
        const headers: Record<string, string> = {};
        for (const line of text.split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        return headers;
      }
      if (this.buf.length > MAX_PART_HEADER_BYTES) throw new MalformedFormError('part headers too long');
      if (!(await this.pull())) throw new MalformedFormError('truncated');
    }
  }

  /** A field's value, up to the next delimiter (which is consumed). */
  private async readValue(): Promise<Buffer> {
    let from = 0;
    for (;;) {
      const at = this.buf.indexOf(this.delimiter, from);
      if (at >= 0) {
        const value = Buffer.from(this.buf.subarray(0, at));
        this.buf = this.buf.subarray(at + this.delimiter.length);
        this.countPreData(value.length);
        return value;
      }
      from = Math.max(0, this.buf.length - this.delimiter.length + 1);
      this.countPreData(0, this.buf.length);
      if (!(await this.pull())) throw new MalformedFormError('truncated');
    }
  }

  private countPreData(n: number, pending = 0): void {
    this.preData += n;
    if (this.preData + pending > this.maxPreDataBytes) throw new PreDataTooLargeError();
  }

  private fileOf(name: string, filename: string, contentType: string | undefined): FormFile {
    let count = 0;
    const self = this;
    async function* bytes(): AsyncGenerator<Buffer> {
      const keep = self.delimiter.length - 1;
      for (;;) {
        const at = self.buf.indexOf(self.delimiter);
        if (at >= 0) {
          const last = self.buf.subarray(0, at);
          self.buf = self.buf.subarray(at + self.delimiter.length);
          count += last.length;
          if (last.length) yield Buffer.from(last);
          break;
        }
        if (self.buf.length > keep) {
          const out = Buffer.from(self.buf.subarray(0, self.buf.length - keep));
          self.buf = self.buf.subarray(self.buf.length - keep);
          count += out.length;
          yield out;
        }
        if (!(await self.pull())) throw new MalformedFormError('truncated file');
      }
      // The rest (fields after the file, the closing delimiter) is read and dropped.
      self.buf = Buffer.alloc(0);
      while (await self.pull()) self.buf = Buffer.alloc(0);
    }
    return { name, filename, ...(contentType ? { contentType } : {}), stream: Readable.from(bytes(), { objectMode: false }), bytesRead: () => count };
  }
}

/** A parameter of a Content-Disposition header (`name="key"`), quoted or not. */
function param(header: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i');
  const m = re.exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}
