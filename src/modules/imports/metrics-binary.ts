import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../metrics/ingest.service.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from './import-parsers.js';

/**
 * The node side of a metric import's fast path: staged lines read back in PostgreSQL's binary COPY
 * format, each checked in node, and the rows node can vouch for encoded for
 * `COPY metric_points (organization_id, metric_id, community_id, at, value, idempotency_key) FROM
 * STDIN (FORMAT binary)`. The check is conservative: it accepts only rows that the full SQL checks
 * (metrics.import.ts, problemSql) accept AND that it stores exactly as the SQL path would; anything
 * else (a bad row, but also a form it does not know, such as a time with more than 6 fractional
 * digits, which PostgreSQL rounds) is refused, and the job then takes the SQL path, whose errors
 * name the line and the field.
 */

/** Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for binary timestamps. */
const PG_EPOCH_US = 946_684_800_000_000;
const DAY_US = 86_400_000_000;
const TWO_32 = 4_294_967_296;

/** A number as JSON writes them (the SQL check's pattern), for values given as strings (CSV). */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d{1,3})?$/;
/** A UTF-16 surrogate: a key holding one is left to PostgreSQL (a lone one is not valid text). */
const SURROGATE = /[\ud800-\udfff]/;
/** A number written with a negative exponent: a zero may then be a value too close to zero. */
const NEGATIVE_EXPONENT = /\d[eE]-\d/;
/** A JSON string literal: taken out of a line before looking at its numbers' text. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/** What the fast path knows of the tenant: its id and those of its metrics (by key) and communities. */
export interface TenantRefs {
  tenant: string;
  metrics: ReadonlyMap<string, string>;
  communities: ReadonlySet<string>;
  /** The latest time allowed (`at` at most one day from now), in milliseconds. */
  latestMs: number;
}

/** A UUID's 16 bytes. */
function uuidBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

function daysIn(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The digit at `i` of `s`, or a number negative enough to make any sum of digits negative. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1e6;
}

/** Two digits at `i`. */
function two(s: string, i: number): number {
  return digit(s, i) * 10 + digit(s, i + 1);
}

/**
 * Microseconds since 1970 of a time node vouches for, or null: `YYYY-MM-DDTHH:MM:SS`, then at
 * most 6 fractional digits, then `Z` or `±hh:mm` (read by position: no regex, no substrings).
 */
export function timeMicros(text: unknown): number | null {
  if (typeof text !== 'string' || text.length < 20 || text.length > 33) return null;
  const s = text;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  // Before 1970 is refused anyway (and Date.UTC reads years below 100 as 19xx).
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  let i = 19;
  let micros = 0;
  if (s.charCodeAt(i) === 46) {
    let scale = 100_000;
    for (i++; i < s.length && scale >= 1; i++, scale /= 10) {
      const d = digit(s, i);
      if (d < 0) break;
      micros += d * scale;
    }
    if (i === 20 || (i < s.length && digit(s, i) >= 0)) return null; // no digit, or more than 6
  }
  let offset = 0;
  const zone = s.charCodeAt(i);
  if (zone === 90 && i + 1 === s.length) offset = 0;
  else if ((zone === 43 || zone === 45) && i + 6 === s.length && s.charCodeAt(i + 3) === 58) {
    // PostgreSQL refuses offsets past 15:59; the fast path keeps to the usual ones.
    const oh = two(s, i + 1);
    const om = two(s, i + 4);
    if (oh < 0 || oh > 14 || om < 0 || om > 59) return null;
    offset = (zone === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
  } else return null;
  return (Date.UTC(year, month - 1, day, hour, minute, second) - offset) * 1000 + micros;
}

/** A value node vouches for (normalized as PostgreSQL stores it), or null. */
export function valueOf(value: unknown, raw: string): number | null {
  let v: number;
  if (typeof value === 'number') v = value === 0 ? 0 : value; // jsonb reads -0 as the numeric 0
  else if (typeof value === 'string' && NUMBER.test(value)) v = Number(value); // as float8 reads it: '-0' is -0
  else return null;
  // The SQL check compares the exact decimal with 1e15 and 1e-300: keep clear of both edges (a
  // zero written with a negative exponent may be a value too small, that doubles read as 0).
  // Only the number's own text counts: a uuid or key such as '…5e-4…' is not an exponent.
  if (v === 0) return NEGATIVE_EXPONENT.test(typeof value === 'string' ? value : raw.replace(JSON_STRING, '""')) ? null : v;
  const abs = Math.abs(v);
  return abs <= 999_999_999_999_999 && abs >= 1e-299 ? v : null;
}

/** The last time written per (metric, community, UTC day): what the coalesced events carry. */
export interface DayGroup {
  m: string;
  c: string | null;
  at: string;
  ms: number;
}

/** The last time of one (metric, community, UTC day), with what identifies it. */
interface Group {
  m: string;
  c: string | null;
  us: number;
  metric: object;
  community: Buffer | null;
  day: number;
}

/**
 * Checks staged lines and encodes the good ones as binary COPY rows of metric_points. `add`
 * answers null for a row it took, else why it refuses it (the caller then stops the fast path).
 */
export class MetricRowEncoder {
  rows = 0;
  private readonly tenant: Buffer;
  private readonly metricIds: Map<string, { id: string; bytes: Buffer }>;
  private readonly communityIds: Map<string, Buffer>;
  private readonly latestUs: number;
  private readonly last = new Map<string, Group>();
  private group: Group | undefined;
  private out: Buffer;
  private pos: number;
  private readonly full: Buffer[] = [];

  constructor(refs: TenantRefs, private readonly size = 256 * 1024) {
    this.tenant = uuidBytes(refs.tenant);
    this.metricIds = new Map([...refs.metrics].map(([key, id]) => [key, { id, bytes: uuidBytes(id) }]));
    this.communityIds = new Map([...refs.communities].map((id) => [id.toLowerCase(), uuidBytes(id)]));
    this.latestUs = refs.latestMs * 1000;
    this.out = Buffer.allocUnsafe(size);
    COPY_BINARY_HEADER.copy(this.out, 0);
    this.pos = COPY_BINARY_HEADER.length;
  }

  /** Checks one staged line; encodes it when node vouches for it, else answers why not. */
  add(raw: string): string | null {
    // PostgreSQL's JSON parser refuses some escapes JSON.parse takes (\u0000, lone surrogates),
    // and a repeated field may hide a value PostgreSQL refuses: such lines are left to it.
    if (raw.includes('\\u') || raw.includes('[') || raw.indexOf('{', raw.indexOf('{') + 1) !== -1) return 'escapes or nesting';
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(raw);
    } catch {
      return 'not JSON';
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'not an object';
    for (const field in row) {
      if (field !== 'metricKey' && field !== 'value' && field !== 'at' && field !== 'communityId' && field !== 'idempotencyKey') return 'unknown field';
    }
    const metric = typeof row.metricKey === 'string' ? this.metricIds.get(row.metricKey) : undefined;
    if (!metric) return 'metricKey';
    const value = valueOf(row.value, raw);
    if (value === null) return 'value';
    const us = timeMicros(row.at);
    if (us === null || us < 0 || us > this.latestUs) return 'at';
    const communityId = row.communityId ?? null;
    let community: Buffer | null = null;
    if (communityId !== null) {
      community = typeof communityId === 'string' ? this.communityIds.get(communityId.toLowerCase()) ?? null : null;
      if (!community) return 'communityId';
    }
    const key = row.idempotencyKey ?? null;
    if (key !== null && (typeof key !== 'string' || key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || key.includes('\0') || SURROGATE.test(key))) {
      return 'idempotencyKey';
    }
    this.write(metric.bytes, community, us, value, key as string | null);
    // The group of the row before is most often this row's too: the map only when it changes.
    const dayOf = Math.floor(us / DAY_US);
    let group = this.group;
    if (!group || group.metric !== metric || group.community !== community || group.day !== dayOf) {
      const c = community ? (communityId as string).toLowerCase() : null;
      const name = `${metric.id}|${c}|${dayOf}`;
      group = this.last.get(name);
      if (!group) this.last.set(name, (group = { m: metric.id, c, us, metric, community, day: dayOf }));
      this.group = group;
    }
    if (group.us < us) group.us = us;
    this.rows++;
    return null;
  }

  private write(metric: Buffer, community: Buffer | null, us: number, value: number, key: string | null): void {
    // 2 + 4 uuids (4 + 16) + 2 int64/float8 (4 + 8) + key (4 + up to 3 bytes a UTF-16 unit).
    const most = 2 + 3 * 20 + 2 * 12 + 4 + (key ? key.length * 3 : 0);
    if (this.pos + most > this.out.length) this.flush(most);
    const b = this.out;
    let p = this.pos;
    b.writeInt16BE(6, p);
    p += 2;
    b.writeInt32BE(16, p);
    this.tenant.copy(b, p + 4);
    b.writeInt32BE(16, p + 20);
    metric.copy(b, p + 24);
    p += 40;
    if (community) {
      b.writeInt32BE(16, p);
      community.copy(b, p + 4);
      p += 20;
    } else {
      b.writeInt32BE(-1, p);
      p += 4;
    }
    const pg = us - PG_EPOCH_US;
    const hi = Math.floor(pg / TWO_32);
    b.writeInt32BE(8, p);
    b.writeInt32BE(hi, p + 4);
    b.writeUInt32BE(pg - hi * TWO_32, p + 8);
    b.writeInt32BE(8, p + 12);
    b.writeDoubleBE(value, p + 16);
    p += 24;
    if (key === null) {
      b.writeInt32BE(-1, p);
      p += 4;
    } else {
      const n = b.write(key, p + 4, 'utf8');
      b.writeInt32BE(n, p);
      p += 4 + n;
    }
    this.pos = p;
  }

  private flush(room: number): void {
    this.full.push(this.out.subarray(0, this.pos));
    this.out = Buffer.allocUnsafe(Math.max(this.size, room));
    this.pos = 0;
  }

  /** The encoded bytes so far (with `end`, the trailer too). */
  take(end = false): Buffer | null {
    if (end) {
      if (this.pos + COPY_BINARY_TRAILER.length > this.out.length) this.flush(COPY_BINARY_TRAILER.length);
      COPY_BINARY_TRAILER.copy(this.out, this.pos);
      this.pos += COPY_BINARY_TRAILER.length;
    }
    if (this.pos > 0) this.flush(0);
    if (!this.full.length) return null;
    const bytes = this.full.length === 1 ? this.full[0] : Buffer.concat(this.full);
    this.full.length = 0;
    return bytes;
  }

  /** One entry per (metric, community, UTC day) written: the last time, with its microseconds. */
  groups(): DayGroup[] {
    return [...this.last.values()].map(({ m, c, us }) => {
      const ms = Math.floor(us / 1000);
      const at = `${new Date(ms).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`;
      return { m, c, at, ms };
    });
  }
}

/**
 * Splits the binary COPY-out of `SELECT line, raw` (int4, text) into rows, across chunks.
 * `each` answers false to stop (the rest of the chunk is then dropped).
 */
export class StagedLineReader {
  private rest: Buffer | null = null;
  private started = false;

  feed(chunk: Buffer, each: (line: number, raw: string) => boolean): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let pos = 0;
    if (!this.started) {
      if (buf.length < 19 || buf.length < 19 + buf.readUInt32BE(15)) {
        this.rest = buf;
        return;
      }
      pos = 19 + buf.readUInt32BE(15);
      this.started = true;
    }
    while (pos + 2 <= buf.length) {
      if (buf.readInt16BE(pos) === -1) return; // the trailer
      if (pos + 14 > buf.length) break;
      const end = pos + 14 + buf.readInt32BE(pos + 10);
      if (end > buf.length) break;
      if (!each(buf.readInt32BE(pos + 6), buf.toString('utf8', pos + 14, end))) return;
      pos = end;
    }
    if (pos < buf.length) this.rest = Buffer.from(buf.subarray(pos));
  }
}

/**
 * Splits a binary COPY-out of `SELECT rows, data` (int4, bytea: import_chunks) into the bytes of
 * `data`, passed on as they arrive (`part`, slices of the chunks read, never gathered whole: a
 * MiB row arrives in many), and each tuple's `rows` once its data has passed (`done`).
 */
export class ChunkDataReader {
  /** Bytes of a header (the file's, then each tuple's) gathered so far. */
  private head = Buffer.alloc(0);
  private started = false;
  private left = 0;
  private rows = 0;
  private ended = false;

  feed(chunk: Buffer, part: (bytes: Buffer) => void, done: (rows: number) => void): void {
    let pos = 0;
    while (pos < chunk.length && !this.ended) {
      if (this.left > 0) {
        const n = Math.min(this.left, chunk.length - pos);
        part(chunk.subarray(pos, pos + n));
        pos += n;
        this.left -= n;
        if (this.left === 0) done(this.rows);
        continue;
      }
      // A header: the file's (signature, flags, extension length 0), or a tuple's (2 fields: int4, bytea length).
      const want = this.started ? 14 : COPY_BINARY_HEADER.length;
      const n = Math.min(want - this.head.length, chunk.length - pos);
      this.head = Buffer.concat([this.head, chunk.subarray(pos, pos + n)]);
      pos += n;
      if (this.started && this.head.length >= 2 && this.head.readInt16BE(0) === -1) {
        this.ended = true; // the trailer
        break;
      }
      if (this.head.length < want) continue;
      const head = this.head;
      this.head = Buffer.alloc(0);
      if (!this.started) {
        if (!head.equals(COPY_BINARY_HEADER)) throw new Error('unexpected COPY header');
        this.started = true;
        continue;
      }
      if (head.readInt16BE(0) !== 2 || head.readInt32BE(2) !== 4) throw new Error('unexpected COPY tuple');
      this.rows = head.readInt32BE(6);
      this.left = head.readInt32BE(10);
      if (this.left < 0) throw new Error('a chunk without data');
      if (this.left === 0) done(this.rows);
    }
  }
}
