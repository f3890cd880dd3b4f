import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MAX_LINE_BYTES, ndjsonCopyRows, type StagedCount } from '../../src/modules/imports/import-parsers';
import { StagedLineReader, timeMicros, valueOf } from '../../src/modules/imports/metrics-binary';

const ORG = '6f1c2a8e-2b7d-4a7e-9c1f-0a1b2c3d4e5f';
const JOB = '7f1c2a8e-2b7d-4a7e-9c1f-0a1b2c3d4e5f';

/** Stages `chunks` of an NDJSON body; answers the rows (line, raw) read back from the binary COPY, and the counts. */
async function stage(chunks: Array<string | Buffer>): Promise<{ rows: Array<[number, string]>; count: StagedCount }> {
  const count: StagedCount = { rows: 0, lastLine: 0 };
  const parts: Buffer[] = [];
  await pipeline(
    Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))),
    ndjsonCopyRows(ORG, JOB, count),
    new Writable({ write: (chunk: Buffer, _enc, done) => { parts.push(chunk); done(); } }),
  );
  const all = Buffer.concat(parts);
  expect(all.subarray(all.length - 2)).toEqual(Buffer.from([0xff, 0xff]));
  // Each row: 4 fields, the organization and the job, then (line, raw): read as the job reads (line, raw).
  const rows: Array<[number, string]> = [];
  const header = all.subarray(0, 19);
  let pos = 19;
  const rewritten: Buffer[] = [header];
  while (all.readInt16BE(pos) === 4) {
    expect(all.subarray(pos + 6, pos + 22).toString('hex')).toBe(ORG.replace(/-/g, ''));
    expect(all.subarray(pos + 26, pos + 42).toString('hex')).toBe(JOB.replace(/-/g, ''));
    const end = pos + 54 + all.readInt32BE(pos + 50);
    const two = Buffer.from(all.subarray(pos + 40, end));
    two.writeInt16BE(2, 0);
    rewritten.push(two);
    pos = end;
  }
  rewritten.push(Buffer.from([0xff, 0xff]));
  new StagedLineReader().feed(Buffer.concat(rewritten), (line, raw) => rows.push([line, raw]) > 0);
  return { rows, count };
}

describe('NDJSON staged as binary COPY rows', () => {
  it('numbers lines from 1, skips blank ones, strips \\r\\n, and keeps a last line without a newline', async () => {
    const { rows, count } = await stage(['{"a":1}\r\n\n   \t\n{"b":', '"x\\\\y\\ttab"}\n\u00a0\n{"c":"é"}']);
    expect(rows).toEqual([
      [1, '{"a":1}'],
      [4, '{"b":"x\\\\y\\ttab"}'],
      [6, '{"c":"é"}'],
    ]);
    expect(count).toEqual({ rows: 3, lastLine: 6 });
  });

  it('splits a multibyte character across chunks, and replaces bytes that are not UTF-8 as a decoder does', async () => {
    const e = Buffer.from('{"c":"é"}\n');
    const { rows } = await stage([e.subarray(0, 7), e.subarray(7), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d, 0x0a])]);
    expect(rows).toEqual([
      [1, '{"c":"é"}'],
      [2, '{"\ufffd"}'],
    ]);
  });

  it('refuses U+0000 with its line, and a line over the limit', async () => {
    await expect(stage(['{}\n{"a":"\u0000"}\n'])).rejects.toMatchObject({ message: 'line 2: the character U+0000 is not allowed' });
    await expect(stage(['{"a":"', 'x'.repeat(MAX_LINE_BYTES), '"}\n'])).rejects.toThrow('maximum buffer reached');
  });
});

describe('the binary path vouches only for what it stores as PostgreSQL would', () => {
  it('reads the usual times to the microsecond', () => {
    const ms = (t: string) => Date.parse(t) * 1000;
    expect(timeMicros('2026-01-31T09:30:00Z')).toBe(ms('2026-01-31T09:30:00Z'));
    expect(timeMicros('2026-01-31T09:30:00.5Z')).toBe(ms('2026-01-31T09:30:00Z') + 500_000);
    expect(timeMicros('2026-01-31T09:30:00.123456Z')).toBe(ms('2026-01-31T09:30:00Z') + 123_456);
    expect(timeMicros('2026-01-31T09:30:00.000001+02:00')).toBe(ms('2026-01-31T07:30:00Z') + 1);
    expect(timeMicros('2024-02-29T23:59:59-14:00')).toBe(ms('2024-03-01T13:59:59Z'));
    expect(timeMicros('1970-01-01T00:00:00Z')).toBe(0);
  });

  it('leaves every other form to the SQL path', () => {
    for (const t of [
      '2026-01-31T09:30:00.1234567Z', // PostgreSQL rounds it
      '2026-01-31T09:30:00.Z',
      '2026-01-31 09:30:00Z',
      '2026-01-31t09:30:00z',
      '2026-01-31T09:30:00',
      '2026-01-31T09:30:00+15:00',
      '2026-01-31T09:30:00+0200',
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-31T24:00:00Z',
      '2026-01-31T23:60:00Z',
      '2026-01-31T23:59:60Z',
      '0099-01-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      '２026-01-31T09:30:00Z',
      '2026-01-31T09:30:00ZZ',
      '+2026-01-31T09:30:00Z',
    ]) {
      expect([t, timeMicros(t)]).toEqual([t, null]);
    }
  });

  it('reads values as jsonb and float8 do, and leaves the edges of the allowed range to SQL', () => {
    expect(valueOf(1.5, '')).toBe(1.5);
    expect(Object.is(valueOf(-0, '{"value":-0}'), 0)).toBe(true);
    expect(Object.is(valueOf('-0', ''), -0)).toBe(true);
    expect(valueOf('2.50', '')).toBe(2.5);
    expect(valueOf('1e-5', '')).toBe(1e-5);
    expect(valueOf(0, '{"value":1e-400}')).toBeNull();
    expect(valueOf('0e-5', '')).toBeNull();
    // An exponent-like run inside a string (a uuid, a key) is not the value's: 0 is vouched for.
    expect(valueOf(0, '{"value":0,"communityId":"0A1B2C3E-4D5E-6F70-8192-A3B4C5D6E7F8","idempotencyKey":"a\\"5e-4"}')).toBe(0);
    expect(valueOf(1e15, '')).toBeNull();
    expect(valueOf(1e-300, '')).toBeNull();
    expect(valueOf(' 1', '')).toBeNull();
    expect(valueOf('1e1000', '')).toBeNull();
    expect(valueOf(true, '')).toBeNull();
    expect(valueOf(null, '')).toBeNull();
  });
});
