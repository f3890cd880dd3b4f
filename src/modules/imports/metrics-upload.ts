import { Writable } from 'node:stream';
import type { PoolClient } from 'pg';
import { LINE_FIELDS_BYTES, NdjsonLines, writeLineFields, type LineSink, type StagedCount } from './import-parsers.js';

/** Bytes of lines in one import_chunks row. */
export const CHUNK_BYTES = 1024 * 1024;

const INSERT_CHUNK = `INSERT INTO import_chunks (organization_id, job_id, seq, rows, data) VALUES ($1, $2, $3, $4, $5)`;

/**
 * Stages a metric NDJSON upload in `import_chunks`: the lines, cut as bytes (NdjsonLines, same
 * rules as import_rows), each written as the tuple `(line int4, raw text)` of COPY's binary format,
 * about a MiB a row. A row per MiB instead of a row per line spares PostgreSQL most of the staging
 * (a heap tuple and an index entry per line) and of the job's reading back. The next chunk is
 * cut while the last one is written. On `client`, in the upload's (owner's) transaction.
 */
export class LineChunkStager extends Writable {
  private readonly lines: NdjsonLines;
  private out = Buffer.allocUnsafe(CHUNK_BYTES + 64 * 1024);
  private pos = 0;
  private rows = 0;
  private seq = 0;
  /** The chunk being written, at most one. */
  private inFlight: Promise<void> = Promise.resolve();
  private failed: unknown = null;

  constructor(
    private readonly client: PoolClient,
    private readonly organizationId: string,
    private readonly jobId: string,
    count: StagedCount,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.lines = new NdjsonLines(count);
  }

  private readonly each: LineSink = (line, buf, start, stop) => {
    const size = 2 + LINE_FIELDS_BYTES + stop - start;
    if (this.pos + size > this.out.length) this.grow(size);
    this.out.writeInt16BE(2, this.pos); // two fields: line, raw
    this.pos = writeLineFields(this.out, this.pos + 2, line, buf, start, stop);
    this.rows++;
  };

  /** Room for a line longer than what is left (only a line near the 1 MiB limit needs it). */
  private grow(room: number): void {
    const more = Buffer.allocUnsafe(Math.max(this.out.length, this.pos + room));
    this.out.copy(more, 0, 0, this.pos);
    this.out = more;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    try {
      this.lines.feed(chunk, this.each);
    } catch (error) {
      return done(error as Error);
    }
    if (this.pos < CHUNK_BYTES) return done();
    this.stage(false).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    try {
      this.lines.end(this.each);
    } catch (error) {
      return done(error as Error);
    }
    this.stage(true).then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    // Nothing may be left running on the client when the caller rolls back.
    void this.inFlight.then(() => done(error));
  }

  /** Writes the lines cut so far as a chunk (the one before written first); at the end, waits for it. */
  private async stage(end: boolean): Promise<void> {
    await this.inFlight;
    if (this.failed) throw this.failed;
    if (this.rows > 0) {
      const data = this.out.subarray(0, this.pos);
      const rows = this.rows;
      this.out = Buffer.allocUnsafe(CHUNK_BYTES + 64 * 1024);
      this.pos = 0;
      this.rows = 0;
      this.inFlight = this.client
        .query(INSERT_CHUNK, [this.organizationId, this.jobId, this.seq++, rows, data])
        .then(() => undefined)
        .catch((error: unknown) => {
          this.failed = error;
        });
    }
    if (end) {
      await this.inFlight;
      if (this.failed) throw this.failed;
    }
  }
}
