import { Writable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { MAX_FUTURE_MS } from '../metrics/ingest.service.js';
import { NdjsonLines, StagedLineWriter, type LineSink, type StagedCount } from './import-parsers.js';
import { MetricRowEncoder, type DayGroup } from './metrics-binary.js';

/** Bytes of encoded rows in one import_chunks row. */
export const CHUNK_BYTES = 1024 * 1024;

const INSERT_CHUNK = `INSERT INTO import_chunks (organization_id, job_id, seq, rows, lines, data, metrics, groups)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

/**
 * Stages a metric NDJSON upload (`import_chunks`, then maybe `import_rows`): node checks each
 * line as it arrives (MetricRowEncoder, against the tenant's metrics and communities as they are
 * now) and keeps the rows it vouches for encoded as the job will write them, a MiB a chunk; from
 * the first line it does not vouch for (a bad row, or a form it leaves to PostgreSQL), the lines
 * are staged as they are in import_rows, and the job checks the file in SQL. The job checks again
 * that the metrics and communities the chunks name still exist. On `client`, in the upload's
 * (owner's) transaction; the tenant is the authenticated principal's.
 */
export class MetricChunkStager extends Writable {
  private readonly lines: NdjsonLines;
  private readonly encoder: MetricRowEncoder;
  private readonly keys: Map<string, string>;
  /** Line numbers of the rows encoded and not yet staged, int32 each. */
  private lineNumbers = Buffer.allocUnsafe(64 * 1024);
  private held = 0;
  private seq = 0;
  /** From the first line the encoder refused: those lines, staged as they are. */
  private raw: StagedLineWriter | null = null;
  private copy: Writable | null = null;
  /** The chunk being written, at most one: node encodes the next one meanwhile. */
  private inFlight: Promise<void> = Promise.resolve();
  private failed: unknown = null;
  /** The last chunk is written: the rest of the lines, if any, are raw. */
  private sealed = false;

  private constructor(
    private readonly client: PoolClient,
    private readonly organizationId: string,
    private readonly jobId: string,
    count: StagedCount,
    metrics: Array<{ id: string; key: string }>,
    communities: Array<{ id: string }>,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.lines = new NdjsonLines(count);
    this.keys = new Map(metrics.map((d) => [d.id, d.key]));
    this.encoder = new MetricRowEncoder(
      {
        tenant: organizationId,
        metrics: new Map(metrics.map((d) => [d.key, d.id])),
        communities: new Set(communities.map((c) => c.id)),
        latestMs: Date.now() + MAX_FUTURE_MS,
      },
      CHUNK_BYTES + 64 * 1024,
      false,
    );
  }

  /** A stager for the tenant's upload, with its metrics and communities read on `client`. */
  static async open(client: PoolClient, organizationId: string, jobId: string, count: StagedCount): Promise<MetricChunkStager> {
    const metrics = (await client.query(`SELECT id, key FROM metric_definitions WHERE organization_id = $1`, [organizationId])).rows;
    const communities = (await client.query(`SELECT id FROM communities WHERE organization_id = $1`, [organizationId])).rows;
    return new MetricChunkStager(client, organizationId, jobId, count, metrics, communities);
  }

  private readonly each: LineSink = (line, buf, start, stop) => {
    if (!this.raw) {
      if (this.encoder.add(buf.toString('utf8', start, stop)) === null) {
        if (this.held + 4 > this.lineNumbers.length) {
          const more = Buffer.allocUnsafe(this.lineNumbers.length * 2);
          this.lineNumbers.copy(more, 0, 0, this.held);
          this.lineNumbers = more;
        }
        this.lineNumbers.writeInt32BE(line, this.held);
        this.held += 4;
        return;
      }
      this.raw = new StagedLineWriter(this.organizationId, this.jobId);
    }
    this.raw.add(line, buf, start, stop);
  };

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    try {
      this.lines.feed(chunk, this.each);
    } catch (error) {
      return done(error as Error);
    }
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
    const copy = this.copy;
    const closed = copy && !copy.destroyed ? new Promise<void>((r) => copy.once('close', () => r())) : Promise.resolve();
    if (copy && !copy.destroyed) copy.destroy(error ?? new Error('the upload stopped'));
    void Promise.all([this.inFlight, closed.catch(() => undefined)]).then(() => done(error));
  }

  /**
   * Stages what the lines so far made: a chunk once a MiB is encoded; the last chunk (with the
   * metric keys and day groups, even empty) at the end or at the first raw line; raw lines.
   */
  private async stage(end: boolean): Promise<void> {
    if (this.failed) throw this.failed;
    const closing = !this.sealed && (end || this.raw !== null);
    if (closing || (!this.sealed && this.encoder.pending >= CHUNK_BYTES)) {
      await this.inFlight;
      if (this.failed) throw this.failed;
      if (closing) {
        this.sealed = true;
        if (this.seq > 0 || this.held > 0) await this.writeChunk(true);
      } else {
        this.inFlight = this.writeChunk(false).catch((error: unknown) => {
          this.failed = error;
        });
      }
    }
    if (!this.raw) return;
    if (!this.copy) {
      const copy = this.client.query(copyFrom('COPY import_rows (organization_id, job_id, line, raw) FROM STDIN (FORMAT binary)'));
      copy.on('error', (error: unknown) => (this.failed ??= error));
      this.copy = copy;
    }
    const copy = this.copy;
    let ok = true;
    for (const bytes of this.raw.take(end)) ok = copy.write(bytes) && ok;
    if (end || !ok) {
      await new Promise<void>((resolve) => {
        const settle = () => {
          copy.off('error', settle);
          resolve();
        };
        copy.once('error', settle);
        if (end) copy.end(settle);
        else copy.once('drain', settle);
      });
      if (this.failed) throw this.failed;
    }
  }

  /** One import_chunks row of the rows encoded so far; the last one carries the metric keys and the day groups. */
  private async writeChunk(last: boolean): Promise<void> {
    const data = this.encoder.take() ?? Buffer.alloc(0);
    const lines = Buffer.from(this.lineNumbers.subarray(0, this.held));
    const rows = this.held / 4;
    this.held = 0;
    let metrics: Record<string, string> = {};
    let groups: DayGroup[] = [];
    if (last) {
      groups = this.encoder.groups();
      metrics = Object.fromEntries([...new Set(groups.map((g) => g.m))].map((id) => [id, this.keys.get(id)!]));
    }
    await this.client.query(INSERT_CHUNK, [this.organizationId, this.jobId, this.seq++, rows, lines, data, JSON.stringify(metrics), JSON.stringify(groups)]);
  }
}
