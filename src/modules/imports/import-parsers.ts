import { Transform, type TransformCallback } from 'node:stream';
import { parse as parseCsv, type Info } from 'csv-parse';
import { isUtf8 } from 'node:buffer';
import { BadInputError, ErrorCode } from '../../platform/errors.js';
import { HttpError } from '../../platform/http/rest.js';

/** Longest line of an NDJSON file (and longest CSV record). */
export const MAX_LINE_BYTES = 1024 * 1024;

/** What a staging pass counted. */
export interface StagedCount {
  /** Data rows written to staging. */
  rows: number;
  /** The last line number used (a row's line is its line in the file). */
  lastLine: number;
}

/** The fields a kind's rows may have, and those they must have. */
export interface RowFields {
  allowed: readonly string[];
  required: readonly string[];
}

/** COPY text format: a backslash, tab, newline or carriage return in a value is escaped. */
function copyEscape(text: string): string {
  return /[\\\t\r\n]/.test(text) ? text.replace(/[\\\t\r\n]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : '\\n')) : text;
}

function refuseNul(text: string, line: number): void {
  if (text.includes('\u0000')) throw new BadInputError(`line ${line}: the character U+0000 is not allowed`, { line });
}

/** Counts the bytes of a body and fails it past `limit` (413). */
export function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) return done(new HttpError(413, ErrorCode.BAD_USER_INPUT, `The file is larger than ${limit} bytes`));
      done(null, chunk);
    },
  });
}

/** Binary COPY: signature, flags (0), header extension length (0); and the trailer. */
export const COPY_BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
export const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff]);
const NEWLINE = 0x0a;
const RETURN = 0x0d;

/** A line of nothing but whitespace (as String.prototype.trim sees it): skipped, but counted. */
function isBlank(buf: Buffer, start: number, stop: number): boolean {
  for (let i = start; i < stop; i++) {
    const b = buf[i];
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) continue;
    return b >= 0x80 && !buf.toString('utf8', start, stop).trim();
  }
  return true;
}

/** A data line of an upload: its number in the file, and its bytes `buf[start, stop)` (valid UTF-8, no U+0000). */
export type LineSink = (line: number, buf: Buffer, start: number, stop: number) => void;

/** Bytes of writeLineFields's field headers (the line's own bytes come on top). */
export const LINE_FIELDS_BYTES = 12;

/**
 * Writes a staged line's two last fields in COPY's binary format at `out[pos]`: `line` (int4) and
 * `buf[start, stop)` (text); `out` must have room for LINE_FIELDS_BYTES and the line. Answers the position after them.
 */
export function writeLineFields(out: Buffer, pos: number, line: number, buf: Buffer, start: number, stop: number): number {
  const length = stop - start;
  out.writeInt32BE(4, pos);
  out.writeInt32BE(line, pos + 4);
  out.writeInt32BE(length, pos + 8);
  buf.copy(out, pos + 12, start, stop);
  return pos + LINE_FIELDS_BYTES + length;
}

/**
 * Cuts NDJSON into lines as bytes (`\n`, or `\r\n`) across chunks; blank lines are skipped but
 * keep their number. A region of lines that is not valid UTF-8 is decoded line by line with
 * U+FFFD for the bad bytes (as a text decoder does); a line holding U+0000 is refused with its
 * number. A line longer than MAX_LINE_BYTES fails with 'maximum buffer reached' (which
 * uploadError answers with a 400 and 'A line is longer than 1 MiB'). `count` counts the lines.
 */
export class NdjsonLines {
  private rest: Buffer | null = null;

  constructor(private readonly count: StagedCount) {}

  /** The complete lines of `chunk` (and of what was left of the one before). */
  feed(chunk: Buffer, each: LineSink): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    const last = buf.lastIndexOf(NEWLINE);
    if (last !== -1) this.lines(buf, last + 1, each);
    if (last + 1 < buf.length) {
      if (buf.length - last - 1 > MAX_LINE_BYTES) throw new Error('maximum buffer reached');
      this.rest = Buffer.from(buf.subarray(last + 1));
    }
  }

  /** The last line, when the file does not end with a newline. */
  end(each: LineSink): void {
    const rest = this.rest;
    this.rest = null;
    if (rest?.length) this.row(rest, 0, rest.length, rest.indexOf(0) === -1 && isUtf8(rest), each);
  }

  /** `buf[start, stop)`, a line; `clean`: the region holds no U+0000 and is valid UTF-8. */
  private row(buf: Buffer, start: number, stop: number, clean: boolean, each: LineSink): void {
    const count = this.count;
    if (!clean) {
      const line = Buffer.from(buf.toString('utf8', start, stop));
      if (line.length <= MAX_LINE_BYTES && line.indexOf(0) !== -1 && !isBlank(line, 0, line.length)) {
        throw new BadInputError(`line ${count.lastLine + 1}: the character U+0000 is not allowed`, { line: count.lastLine + 1 });
      }
      return this.row(line, 0, line.length, true, each);
    }
    const n = ++count.lastLine;
    if (stop - start > MAX_LINE_BYTES) throw new Error('maximum buffer reached');
    if (isBlank(buf, start, stop)) return;
    count.rows++;
    each(n, buf, start, stop);
  }

  /** Complete lines `buf[0, to)`, each ended by \n. */
  private lines(buf: Buffer, to: number, each: LineSink): void {
    const region = buf.subarray(0, to);
    const clean = region.indexOf(0) === -1 && isUtf8(region);
    let start = 0;
    for (let end = buf.indexOf(NEWLINE, start); end !== -1 && end < to; end = buf.indexOf(NEWLINE, start)) {
      this.row(buf, start, end > start && buf[end - 1] === RETURN ? end - 1 : end, clean, each);
      start = end + 1;
    }
  }
}

/**
 * Binary COPY rows of `import_rows (organization_id, job_id, line, raw)`, the lines given to `add`
 * staged as they are, in buffers of about 256 KiB (`take`). The JSON itself is parsed by the job.
 */
export class StagedLineWriter {
  private readonly ids = Buffer.alloc(2 + 2 * 20);
  private out = Buffer.allocUnsafe(STAGED_BUFFER);
  private pos = 0;
  private readonly full: Buffer[] = [];

  constructor(organizationId: string, jobId: string) {
    const ids = this.ids;
    ids.writeInt16BE(4, 0);
    ids.writeInt32BE(16, 2);
    Buffer.from(organizationId.replace(/-/g, ''), 'hex').copy(ids, 6);
    ids.writeInt32BE(16, 22);
    Buffer.from(jobId.replace(/-/g, ''), 'hex').copy(ids, 26);
    COPY_BINARY_HEADER.copy(this.out, 0);
    this.pos = COPY_BINARY_HEADER.length;
  }

  readonly add: LineSink = (line, buf, start, stop) => {
    const size = this.ids.length + LINE_FIELDS_BYTES + stop - start;
    if (this.pos + size > this.out.length) this.flush(size);
    this.ids.copy(this.out, this.pos);
    this.pos = writeLineFields(this.out, this.pos + this.ids.length, line, buf, start, stop);
  };

  private flush(room: number): void {
    this.full.push(this.out.subarray(0, this.pos));
    this.out = Buffer.allocUnsafe(Math.max(STAGED_BUFFER, room));
    this.pos = 0;
  }

  /** The rows so far (with `end`, the trailer too). */
  take(end = false): Buffer[] {
    if (end) {
      if (this.pos + COPY_BINARY_TRAILER.length > this.out.length) this.flush(COPY_BINARY_TRAILER.length);
      COPY_BINARY_TRAILER.copy(this.out, this.pos);
      this.pos += COPY_BINARY_TRAILER.length;
    }
    if (this.pos > 0) this.flush(0);
    return this.full.splice(0);
  }
}

const STAGED_BUFFER = 256 * 1024;

/**
 * NDJSON to binary COPY rows of `import_rows (organization_id, job_id, line, raw)`: one JSON
 * value a line, cut as bytes (NdjsonLines) and staged as they are (StagedLineWriter). Cutting
 * bytes spares the decode, the regex split, the COPY text escaping and PostgreSQL's text parsing
 * of a string-based splitter (split2): see docs/decisions.md.
 */
export function ndjsonCopyRows(organizationId: string, jobId: string, count: StagedCount): Transform {
  const lines = new NdjsonLines(count);
  const rows = new StagedLineWriter(organizationId, jobId);
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        lines.feed(chunk, rows.add);
        for (const b of rows.take()) this.push(b);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        lines.end(rows.add);
        for (const b of rows.take(true)) this.push(b);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

/**
 * CSV with a header row to COPY rows: each record becomes a JSON object of its non-empty fields,
 * so that the job checks NDJSON and CSV rows with the same SQL. The header is line 1; a record's
 * line is the file line it ends on.
 */
export function csvRows(prefix: string, fields: RowFields, count: StagedCount): Transform[] {
  let header: string[] = [];
  const parser = parseCsv({
    bom: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: MAX_LINE_BYTES,
    columns: (names: string[]) => {
      header = names.map((n) => n.trim());
      checkHeader(header, fields);
      return header;
    },
  });
  const toRows = new Transform({
    writableObjectMode: true,
    transform(item: { record: Record<string, string>; info: Info }, _enc, done: TransformCallback) {
      try {
        const line = item.info.lines;
        const object: Record<string, string> = {};
        for (const name of header) {
          const value = item.record[name];
          if (value !== undefined && value !== '') {
            refuseNul(value, line);
            object[name] = value;
          }
        }
        count.rows++;
        count.lastLine = line;
        done(null, `${prefix}${line}\t${copyEscape(JSON.stringify(object))}\n`);
      } catch (error) {
        done(error as Error);
      }
    },
  });
  return [parser, toRows];
}

/** An unknown, repeated or missing column is a bad request, answered before any row is read. */
function checkHeader(header: string[], fields: RowFields): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (!fields.allowed.includes(name)) {
      throw new BadInputError(`CSV header: unknown column '${name}' (columns: ${fields.allowed.join(', ')})`, { line: 1 });
    }
    if (seen.has(name)) throw new BadInputError(`CSV header: column '${name}' appears twice`, { line: 1 });
    seen.add(name);
  }
  const missing = fields.required.filter((f) => !seen.has(f));
  if (missing.length) throw new BadInputError(`CSV header: missing column ${missing.map((m) => `'${m}'`).join(', ')}`, { line: 1 });
}

/** Joins small strings into buffers of about 256 KB, so COPY gets few large messages. */
export function batcher(): Transform {
  let parts: string[] = [];
  let size = 0;
  return new Transform({
    writableObjectMode: true,
    transform(row: string, _enc, done) {
      parts.push(row);
      size += row.length;
      if (size >= 256 * 1024) {
        const out = parts.join('');
        parts = [];
        size = 0;
        return done(null, Buffer.from(out));
      }
      done();
    },
    flush(done) {
      if (parts.length) this.push(Buffer.from(parts.join('')));
      done();
    },
  });
}
