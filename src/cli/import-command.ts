import { SingleBar } from 'cli-progress';
import { followImport, uploadImport, type ClientImportJob, type ServerAddress } from './import-client.js';

/** Where the output goes (a test may collect it). */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Draw progress bars (a terminal), or print a line per phase. */
  tty: boolean;
}

/** The kinds `rapport import` takes. */
export const IMPORT_KINDS = ['metrics', 'relationships', 'conversations'] as const;

/**
 * `rapport import KIND FILE`: uploads with a progress bar, follows the job with another, then
 * prints the counts (exit 0) or the errors (exit 1).
 */
export async function importFile(server: ServerAddress, kind: string, file: string, output: Output): Promise<number> {
  const bar = (label: string) =>
    output.tty
      ? new SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total}`, hideCursor: true, stream: process.stderr })
      : null;
  const upload = bar('upload ');
  let started = false;
  const id = await uploadImport(server, kind, file, (sent, total) => {
    if (!upload) return;
    if (!started) upload.start(total, 0);
    started = true;
    upload.update(sent);
  });
  upload?.stop();
  output.err(`uploaded ${file}: job ${id}\n`);
  const progress = bar('import ');
  let shown = '';
  const job = await followImport(server, id, (j: ClientImportJob) => {
    if (progress) {
      if (!shown) progress.start(j.rows, j.processed);
      progress.update(j.processed);
      shown = j.status;
    } else if (j.status !== shown) {
      shown = j.status;
      output.err(`${j.status.toLowerCase()}: ${j.processed}/${j.rows} rows\n`);
    }
  });
  progress?.stop();
  if (job.status === 'SUCCEEDED') {
    output.out(`imported ${job.rows} rows: ${job.accepted} written, ${job.duplicates} already there\n`);
    return 0;
  }
  output.out(`import failed, nothing was written (${job.errors.length} error${job.errors.length === 1 ? '' : 's'}):\n`);
  for (const e of job.errors) output.out(`  line ${e.line}: ${e.message}\n`);
  return 1;
}
