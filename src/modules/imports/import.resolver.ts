import { Arg, Authorized, Ctx, ID, Int, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { liveCaller } from '../../platform/live/live-context.js';
import { ImportJobFeed } from './import.feed.js';
import { ImportJobService, type ImportJobPage } from './import.service.js';
import { ImportJob, ImportJobConnection } from './import.types.js';

/** Import jobs: uploaded with POST /v1/imports, read and followed here (READ or INGEST). */
@Resolver()
export class ImportResolver {
  @Authorized()
  @Query(() => ImportJob, { nullable: true, description: 'An import job (READ or INGEST); null when unknown.' })
  importJob(@Arg('id', () => ID, { description: 'The id POST /v1/imports answered.' }) id: string, @Ctx() ctx: RequestContext): Promise<ImportJob | null> {
    return new ImportJobService(tenantOf(ctx)).find(id);
  }

  @Authorized()
  @Query(() => ImportJobConnection, { description: 'The organization’s import jobs in upload order (READ or INGEST).' })
  importJobs(
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 20 by default, at most 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<ImportJobPage> {
    return new ImportJobService(tenantOf(ctx)).page(first, after);
  }

  @Authorized(ApiKeyScope.READ)
  @Subscription(() => ImportJob, {
    description:
      'An import job (READ, as every subscription): its state at once, then at each change, progress at least every second while it runs; completes when the job SUCCEEDED or FAILED. An unknown id is NOT_FOUND.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { id: string }, RequestContext>) => new ImportJobFeed(liveCaller(context)).subscribe(args.id),
  })
  importJobUpdated(@Root() job: ImportJob, @Arg('id', () => ID, { description: 'The job to follow.' }) _id: string): ImportJob {
    return job;
  }
}
