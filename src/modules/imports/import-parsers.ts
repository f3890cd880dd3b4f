import { Transform, type TransformCallback } from 'node:stream';
import { parse as parseCsv, type Info } from 'csv-parse';
import split2 from 'split2';
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

/**
 * NDJSON to COPY rows `<prefix><line>\t<json>`: one JSON value a line, split by split2; blank
 * lines are skipped but keep their number. The JSON itself is parsed by PostgreSQL in the job.
 */
export function ndjsonRows(prefix: string, count: StagedCount): Transform {
  return split2(
    /\r?\n/,
    (line: string) => {
      const n = ++count.lastLine;
      if (!line.trim()) return undefined;
      refuseNul(line, n);
      count.rows++;
      return `${prefix}${n}\t${copyEscape(line)}\n`;
    },
    { maxLength: MAX_LINE_BYTES },
  );
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
