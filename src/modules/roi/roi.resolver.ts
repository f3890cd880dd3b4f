import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { selectedFields } from '../../platform/sql/projection.js';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { liveCaller, type SubscribeData } from '../../platform/live/live-context.js';
import { RoiUpdatesService, type RoiUpdateArgs } from './roi-updates.feed.js';
import { Community } from '../communities/community.types.js';
import { communityById } from '../communities/community.loaders.js';
import { Interval } from '../metrics/interval.js';
import { RoiModelService } from './roi-model.service.js';
import { RoiService } from './roi.service.js';
import { roiModelVersions } from './roi.loaders.js';
import { CreateRoiModelInput, RoiModelDraftInput, RoiParameterInput, UpdateRoiModelInput } from './roi.inputs.js';
import { FormulaValidation, RoiCommunityFigures, RoiModel, RoiModelVersion, RoiReport } from './roi.types.js';

@Resolver(() => RoiModel)
export class RoiModelResolver {
  @Authorized(ApiKeyScope.READ)
  @Query(() => [RoiModel], { description: 'The organization’s ROI models at their current versions, the default first.' })
  roiModels(@Ctx() ctx: RequestContext): Promise<RoiModel[]> {
    return new RoiModelService(tenantOf(ctx)).list();
  }

  @Authorized(ApiKeyScope.READ)
  @Query(() => RoiModel, { description: 'One ROI model by id, at its current version; null when unknown.', nullable: true })
  roiModel(@Arg('id', () => ID, { description: 'The model’s id.' }) id: string, @Ctx() ctx: RequestContext): Promise<RoiModel | null> {
    return new RoiModelService(tenantOf(ctx)).find(id);
  }

  @Authorized(ApiKeyScope.READ)
  @Query(() => FormulaValidation, { description: 'Checks a formula against the organization’s metrics and the given parameter names.' })
  validateFormula(
    @Arg('formula', { description: 'The formula to check.' }) formula: string,
    @Arg('parameters', () => [String], { nullable: true, description: 'Parameter names the formula may use too.' }) parameters: string[] | null,
    @Ctx() ctx: RequestContext,
  ): Promise<FormulaValidation> {
    return new RoiModelService(tenantOf(ctx)).validateFormula(formula, parameters ?? []);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => RoiModel, { description: 'Creates a model, validated against the organization’s metrics; the first one becomes the default.' })
  createRoiModel(@Arg('input', { description: 'The new model.' }) input: CreateRoiModelInput, @Ctx() ctx: RequestContext): Promise<RoiModel> {
    return new RoiModelService(tenantOf(ctx)).create(input);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => RoiModel, { description: 'Saves a new version of a model; earlier versions stay readable.' })
  updateRoiModel(
    @Arg('id', () => ID, { description: 'The model to change.' }) id: string,
    @Arg('input', { description: 'The changes; fields left out stay as they were in the last version.' }) input: UpdateRoiModelInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RoiModel> {
    return new RoiModelService(tenantOf(ctx)).update(id, input);
  }

  @FieldResolver(() => [RoiModelVersion], { description: 'Every saved version, newest first.' })
  versions(@Root() model: RoiModel, @Ctx() ctx: RequestContext): Promise<RoiModelVersion[]> {
    return tenantOf(ctx).loader(roiModelVersions).load(model.id);
  }
}

@Resolver(() => RoiReport)
export class RoiReportResolver {
  @Authorized(ApiKeyScope.READ)
  @Query(() => RoiReport, {
    description: 'ROI of a model (the default without modelId) over [from, to), per interval and per community.',
  })
  roi(
    @Arg('modelId', () => ID, { description: 'The model; the organization’s default model when left out.', nullable: true }) modelId: string | null,
    @Arg('from', { description: 'Start of the window (included).' }) from: Date,
    @Arg('to', { description: 'End of the window (excluded).' }) to: Date,
    @Arg('interval', () => Interval, { description: 'When given, the report has a series with one point per interval.', nullable: true }) interval: Interval | null,
    @Arg('communityId', () => ID, { description: 'Only data of this community.', nullable: true }) communityId: string | null,
    @Arg('version', () => Int, { nullable: true, description: 'A saved version of the model; its current one when left out.' })
    version: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<RoiReport> {
    return new RoiService(tenantOf(ctx)).report(modelId, { from, to, interval, communityId }, version);
  }

  @Authorized(ApiKeyScope.READ)
  @Query(() => RoiReport, { description: 'The report an unsaved draft model would give over past data (a backtest).' })
  previewRoi(
    @Arg('model', { description: 'The unsaved formulas and parameters to try.' }) model: RoiModelDraftInput,
    @Arg('from', { description: 'Start of the window (included).' }) from: Date,
    @Arg('to', { description: 'End of the window (excluded).' }) to: Date,
    @Arg('interval', () => Interval, { description: 'When given, the report has a series with one point per interval.', nullable: true }) interval: Interval | null,
    @Arg('communityId', () => ID, { description: 'Only data of this community.', nullable: true }) communityId: string | null,
    @Arg('suggestedParameters', () => [RoiParameterInput], {
      nullable: true,
      description:
        'Values applied onto the draft’s parameters before computing: each replaces the draft’s parameter of the same name, or is added. ' +
        'Pass the {name value} of relationshipInsights’ suggestedParameters to try them on past data.',
    })
    suggestedParameters: RoiParameterInput[] | null,
    @Ctx() ctx: RequestContext,
  ): Promise<RoiReport> {
    return new RoiService(tenantOf(ctx)).preview(model, { from, to, interval, communityId }, suggestedParameters ?? []);
  }

  @Authorized(ApiKeyScope.READ)
  @Subscription(() => RoiReport, {
    description:
      'The ROI report of a model (the default one without modelId) over a window: at once, then after each write that can change it, ' +
      'recomputed at most every 250 ms and shared by every subscriber of the same model and window. Without `to`, up to now. ' +
      'An organization may follow at most 20 distinct windows spanning 20,000 buckets per server (BAD_USER_INPUT, extensions.limit LIVE_ROI_WINDOWS).',
    subscribe: ({ args, context }: SubscribeData<RoiUpdateArgs>) => new RoiUpdatesService(liveCaller(context)).subscribe(args),
  })
  roiUpdated(
    @Root() report: RoiReport,
    @Arg('from', { description: 'Start of the window (included).' }) _from: Date,
    @Arg('modelId', () => ID, { description: 'The model; the default model when left out.', nullable: true }) _modelId?: string | null,
    @Arg('to', () => Date, { description: 'End of the window (excluded); up to now when left out.', nullable: true }) _to?: Date | null,
    @Arg('interval', () => Interval, { description: 'When given, each report has a series with one point per interval.', nullable: true }) _interval?: Interval | null,
    @Arg('communityId', () => ID, { description: 'Only data of this community.', nullable: true }) _communityId?: string | null,
  ): RoiReport {
    return report;
  }
}

@Resolver(() => RoiCommunityFigures)
export class RoiCommunityFiguresResolver {
  @FieldResolver(() => Community, { description: 'The community; null for activity not tied to one.', nullable: true })
  community(@Root() row: RoiCommunityFigures, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo): Promise<Community | null> | Community | null {
    if (!row.communityId) return null;
    // The id comes from the tenant's own rows, whose foreign keys hold the community: asked only
    // for its id, there is nothing to read (a read of every community per report otherwise).
    if ([...selectedFields(info)].every((f) => f === 'id' || f === '__typename')) return { id: row.communityId } as Community;
    return tenantOf(ctx).loader(communityById).load(row.communityId);
  }
}
