import type { Logger } from '../../src/platform/logger';

/** One line a CaptureLogger kept. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps every line in memory, for tests that check what is logged and at what level. */
export class CaptureLogger implements Logger {
  readonly entries: LogEntry[] = [];
  debug = (msg: string, fields?: Record<string, unknown>) => void this.entries.push({ level: 'debug', msg, fields });
  info = (msg: string, fields?: Record<string, unknown>) => void this.entries.push({ level: 'info', msg, fields });
  warn = (msg: string, fields?: Record<string, unknown>) => void this.entries.push({ level: 'warn', msg, fields });
  error = (msg: string, fields?: Record<string, unknown>) => void this.entries.push({ level: 'error', msg, fields });

  /** The lines at `level`. */
  at(level: LogEntry['level']): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }
}
