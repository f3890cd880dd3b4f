import {
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { BadInputError, ForbiddenError } from '../errors.js';

/** What a widget token may read: its metrics and ROI models, from its origins only. */
export interface WidgetGrant {
  metricKeys: ReadonlySet<string>;
  roiModelIds: ReadonlySet<string>;
  allowedOrigins: ReadonlySet<string>;
}

type Args = Record<string, unknown>;
/** Checks a field's arguments against a grant: a sentence saying why not, or null when allowed. */
type ArgRule = (grant: WidgetGrant, args: Args) => string | null;

const list = (values: ReadonlySet<string>) => (values.size ? [...values].join(', ') : 'none');

const ofItsMetrics: ArgRule = (grant, args) =>
  typeof args.metricKey === 'string' && grant.metricKeys.has(args.metricKey)
    ? null
    : `This widget token reads only the metrics it was made for (${list(grant.metricKeys)}): pass one of them as metricKey`;

const ofItsModels: ArgRule = (grant, args) =>
  typeof args.modelId === 'string' && grant.roiModelIds.has(args.modelId)
    ? null
    : `This widget token reads only the ROI models it was made for (${list(grant.roiModelIds)}): pass one of them as modelId`;

const figures = ['return', 'investment', 'roi'];

/**
 * Every field a widget token may select, as `Type.field`, with the rule its arguments must pass
 * (null: any arguments). Deny by default: a field added to the schema later is not readable by
 * widget tokens until it is listed here.
 */
const WIDGET_FIELDS: ReadonlyMap<string, ArgRule | null> = new Map<string, ArgRule | null>([
  ['Query.metricSeries', ofItsMetrics],
  ['Subscription.metricUpdated', ofItsMetrics],
  ['Query.roi', ofItsModels],
  ['Subscription.roiUpdated', ofItsModels],
  ...['start', 'value', 'count'].map((f) => [`MetricBucket.${f}`, null] as const),
  ...['metricKey', 'communityId', 'at', 'value', 'committedAt'].map((f) => [`MetricUpdate.${f}`, null] as const),
  ...[...figures, 'from', 'to', 'interval', 'communityId', 'version', 'series'].map((f) => [`RoiReport.${f}`, null] as const),
  ...[...figures, 'start'].map((f) => [`RoiSeriesPoint.${f}`, null] as const),
  ...figures.map((f) => [`RoiFigures.${f}`, null] as const),
]);

/** Why a widget token may not select `type.field` with `args`, or null when it may. */
export function widgetFieldError(grant: WidgetGrant, type: string, field: string, args: Args): string | null {
  if (field === '__typename') return null;
  const rule = WIDGET_FIELDS.get(`${type}.${field}`);
  if (rule === undefined) return `A widget token may not read ${type}.${field}: it reads only its metrics' series and updates and its ROI models' figures`;
  return rule ? rule(grant, args) : null;
}

/** FORBIDDEN unless the request's Origin header is one the token lists. */
export function checkWidgetOrigin(grant: WidgetGrant, origin: string | undefined | null): void {
  if (!origin) throw new ForbiddenError('A widget token works only from a web page: the request carries no Origin header');
  if (!grant.allowedOrigins.has(origin)) {
    throw new ForbiddenError(`This widget token may not be used from ${origin}: add that origin to the token's allowedOrigins`);
  }
}

/**
 * Checks, before anything runs, every field the operation selects (through fragments too)
 * against the grant, with the arguments the variables give. FORBIDDEN on the first field the
 * token may not read. Each fragment is walked once however often it is spread.
 */
export function authorizeWidgetOperation(
  grant: WidgetGrant,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Args | null | undefined,
): void {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return; // graphql-js reports the missing operation itself
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) throw new BadInputError(coerced.errors[0].message);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const walked = new Set<string>();

  const walk = (parent: GraphQLCompositeType, selections: SelectionSetNode): void => {
    for (const sel of selections.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(sel.name.value);
        if (!fragment || walked.has(fragment.name.value)) continue;
        walked.add(fragment.name.value);
        walk(typeNamed(schema, fragment.typeCondition.name.value) ?? parent, fragment.selectionSet);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk((sel.typeCondition && typeNamed(schema, sel.typeCondition.name.value)) || parent, sel.selectionSet);
      } else {
        const name = sel.name.value;
        if (name === '__typename') continue;
        const def = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!def) throw new ForbiddenError(`A widget token may not read ${parent.name}.${name}`);
        const why = widgetFieldError(grant, parent.name, name, getArgumentValues(def, sel, coerced.coerced));
        if (why) throw new ForbiddenError(why);
        const child = getNamedType(def.type);
        if (sel.selectionSet && (isObjectType(child) || isInterfaceType(child))) walk(child, sel.selectionSet);
      }
    }
  };
  const root = schema.getRootType(operation.operation);
  if (!root) return;
  walk(root, operation.selectionSet);
}

function typeNamed(schema: GraphQLSchema, name: string): GraphQLCompositeType | undefined {
  const type = schema.getType(name);
  return isObjectType(type) || isInterfaceType(type) ? type : undefined;
}
