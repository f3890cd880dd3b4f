import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../platform/pagination.js';

/** What a file imports. */
export enum ImportKind {
  METRICS = 'METRICS',
  RELATIONSHIPS = 'RELATIONSHIPS',
  CONVERSATIONS = 'CONVERSATIONS',
}

/** Where a job is. */
export enum ImportJobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

registerEnumType(ImportKind, {
  name: 'ImportKind',
  description: 'What an import file holds (the `kind` of POST /v1/imports, in lower case there).',
  valuesConfig: {
    METRICS: { description: 'Metric points: metricKey, value, at, communityId?, idempotencyKey?' },
    RELATIONSHIPS: { description: 'Relationships, upserted by externalId.' },
    CONVERSATIONS: { description: 'Conversations of relationships named by their externalId; idempotent by externalId when given.' },
  },
});
registerEnumType(ImportJobStatus, {
  name: 'ImportJobStatus',
  description: 'Where an import job is.',
  valuesConfig: {
    QUEUED: { description: 'Uploaded and waiting for a worker.' },
    RUNNING: { description: 'A worker is checking and writing it.' },
    SUCCEEDED: { description: 'Every row was written (or was already there).' },
    FAILED: { description: 'Nothing was written; errors says why.' },
  },
});

@ObjectType({ description: 'A bad row of an import file.', simpleResolvers: true })
export class ImportError {
  @Field(() => Int, { description: 'Its line in the file, 1-based (a CSV header is line 1); 0 for a problem of the whole file.' })
  line!: number;

  @Field({ description: 'What is wrong, naming the field.' })
  message!: string;
}

@ObjectType({ description: 'One uploaded file and its import: all or nothing.', simpleResolvers: true })
export class ImportJob {
  @Field(() => ID, { description: 'The job’s id, as POST /v1/imports answered it.' })
  id!: string;

  @Field(() => ImportKind, { description: 'What the file holds.' })
  kind!: ImportKind;

  @Field(() => ImportJobStatus, { description: 'Where the job is.' })
  status!: ImportJobStatus;

  @Field(() => Int, { description: 'Data rows in the file (blank lines and a CSV header not counted).' })
  rows!: number;

  @Field(() => Int, { description: 'Rows checked (and written, unless one failed) so far.' })
  processed!: number;

  @Field(() => Int, { description: 'Rows written by this job.' })
  accepted!: number;

  @Field(() => Int, { description: 'Rows already there (same idempotency key or external id, from before or earlier in the file), so not written again.' })
  duplicates!: number;

  @Field(() => [ImportError], { description: 'Up to 100 bad rows, in line order; empty unless the job FAILED.' })
  errors!: ImportError[];

  @Field({ description: 'When the file was uploaded.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When a worker first took the job.' })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the job SUCCEEDED or FAILED.' })
  finishedAt!: Date | null;
}

export const ImportJobConnection = ConnectionType(ImportJob, 'ImportJob');

/** The columns of an ImportJob, for `SELECT … FROM import_jobs j`. */
export const IMPORT_JOB_COLUMNS = `j.id, j.kind, j.status, j.rows, j.processed, j.accepted, j.duplicates, j.errors,
  j.created_at AS "createdAt", j.started_at AS "startedAt", j.finished_at AS "finishedAt"`;

/** The kinds by the name POST /v1/imports takes. */
export const KIND_BY_NAME: ReadonlyMap<string, ImportKind> = new Map([
  ['metrics', ImportKind.METRICS],
  ['relationships', ImportKind.RELATIONSHIPS],
  ['conversations', ImportKind.CONVERSATIONS],
]);
