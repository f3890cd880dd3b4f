import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ApiKeyScope } from '../auth/scopes.js';
import { pageOf, type Page } from '../pagination.js';
import { keysetPage } from './keyset.js';
import type { ColumnMap } from './projection.js';
import { SqlLiterals, type SqlValues } from './sql-params.js';

/** A node type the compiled read knows: its table, the alias its ColumnMap's SQL uses, and those columns. */
export interface JsonNodeSource {
  table: string;
  alias: string;
  columns: ColumnMap;
}

/**
 * A connection field (Relay, `first`/`after` only, keyset order on created_at and id) that the
 * compiled read may serve: `Query.communities`, or `Community.relationships` with `parentColumn`
 * naming the child's column that holds the parent's id. `scope` is the one its resolver's
 * `@Authorized` asks for (a test keeps the two equal).
 */
export interface JsonConnectionEdge {
  parent: string;
  field: string;
  node: JsonNodeSource;
  parentColumn?: string;
  scope: ApiKeyScope;
}

/**
 * A field answering one object rather than a page (`Query.viewer`, `Viewer.organization`), reached
 * only from Query or from another such object: either an object of no row of its own, whose fields
 * are all edges (`row` absent), or the one row of `row.source` that `row.where` picks. When the
 * field is non-null and the row is not found, the compiled read is not answered (the resolvers
 * answer, with their error). No scope: its resolver asks only for a caller.
 */
export interface JsonObjectEdge {
  object: true;
  parent: string;
  field: string;
  row?: { source: JsonNodeSource; where: string };
}

/** What the compiled read serves. */
export type JsonEdge = JsonConnectionEdge | JsonObjectEdge;

/**
 * A compiled read: one statement without parameters (its values are literals, so it can go in
 * the same round trip as the tenant binding) answering `data` as JSON text, and the scopes its
 * fields need.
 */
export interface JsonReadPlan {
  /** Answers one row: `data` (json as text) and `ok`, false when a non-null object was not found. */
  sql: string;
  scopes: Set<ApiKeyScope>;
}

/** Thrown inside the compiler for any shape it does not know; the caller then runs the resolvers. */
class Unsupported extends Error {}

// Members per object: each is two more levels of `||` in the statement; larger selections go to the resolvers.
const MAX_KEYS = 50;

/** SQL text literal. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The opaque cursor of a page row (pagination.ts encodeCursor of `<micros>:<id>`, base64url without padding). */
function cursorSql(alias: string): string {
  return `translate(encode(convert_to('v1:' || ${alias}."_micros" || ':' || ${alias}.id, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;
}

/**
 * A time read as epoch milliseconds (projection.ts epochMs), answered as DateTime does: the
 * instant rounded to the microsecond, then truncated to the millisecond, as ISO 8601 in UTC, with
 * the same float8 arithmetic as `Projection.hydrate` (Math.round is floor(x + 0.5)).
 */
function isoSql(epochMsSql: string): string {
  const at = `((timestamptz 'epoch' + trunc(floor((${epochMsSql})::float8 * 1000 + 0.5) / 1000)::bigint * interval '1 millisecond') AT TIME ZONE 'UTC')`;
  // The float epoch of 9999-12-31T23:59:59.9999995 rounds up into year 10000, which toISOString writes +010000.
  return `(CASE WHEN ${at} >= timestamp '10000-01-01' THEN '+0' ELSE '' END || to_char(${at}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
}

/** The fields of a selection set; anything but plain fields without directives is not compiled. */
function fieldsOf(set: SelectionSetNode | undefined): FieldNode[] {
  if (!set) throw new Unsupported();
  const seen = new Set<string>();
  return set.selections.map((sel) => {
    if (sel.kind !== Kind.FIELD || sel.directives?.length) throw new Unsupported();
    const key = sel.alias?.value ?? sel.name.value;
    // Repeated response keys merge their selections in graphql-js; left to the resolvers.
    if (seen.has(key)) throw new Unsupported();
    seen.add(key);
    return sel;
  });
}

/**
 * The JSON text of an object whose members' values are JSON texts (never NULL), written as
 * JSON.stringify writes it (no whitespace): PostgreSQL's json_build_object and json_agg add spaces
 * and newlines, which would have to be taken out again in node before the text goes into the response.
 */
function objectOf(sql: Array<[string, string]>): string {
  if (sql.length > MAX_KEYS) throw new Unsupported();
  if (!sql.length) return `'{}'`;
  return `(${sql.map(([k, v], i) => `${literal(`${i ? ',' : '{'}${JSON.stringify(k)}:`)} || ${v}`).join(' || ')} || '}')`;
}

/** A JSON string literal (`__typename`). */
function jsonLiteral(text: string): string {
  return literal(JSON.stringify(text));
}

/** The JSON text of a text value, `null` for NULL (to_json escapes exactly as JSON.stringify does). */
function jsonText(sql: string): string {
  return `coalesce(to_json((${sql})::text)::text, 'null')`;
}

/** The JSON array text of JSON texts aggregated in order, `[]` when there are none. */
function jsonArray(element: string, order: string, filter: string): string {
  return `coalesce('[' || string_agg(${element}, ',' ORDER BY ${order}) ${filter} || ']', '[]')`;
}

/**
 * Compiles a query whose every field is a known connection (`first`/`after`), a plain column of
 * a known node type (graphql's default resolver: no middleware, no auth check of its own) or
 * `__typename` into one SELECT that writes the whole `data` object as compact JSON text (string
 * concatenation and string_agg). Anything else (fragments, directives, filters, field resolvers, invalid arguments)
 * compiles to null, and the resolvers answer as before, errors and all.
 */
export class JsonReadCompiler {
  private readonly edges = new Map<string, JsonEdge>();

  constructor(edges: readonly JsonEdge[]) {
    for (const e of edges) this.edges.set(`${e.parent}.${e.field}`, e);
  }

  compile(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): JsonReadPlan | null {
    if (operation.operation !== 'query' || operation.directives?.length) return null;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
    if (coerced.errors) return null;
    const query = schema.getQueryType();
    if (!query) return null;
    const state: State = { params: new SqlLiterals(), scopes: new Set<ApiKeyScope>(), variables: coerced.coerced, schema, checks: [] };
    try {
      const data = this.object(query, operation.selectionSet, null, state);
      const sql = `SELECT ${data} AS data, ${state.checks.length ? state.checks.join(' AND ') : 'true'} AS ok`;
      return { sql, scopes: state.scopes };
    } catch {
      // Unsupported, or arguments graphql-js would refuse: the resolvers answer, with their errors.
      return null;
    }
  }

  /** The JSON text of `type`'s selected fields; `row` is the alias of its row (null for Query). */
  private object(type: GraphQLObjectType, set: SelectionSetNode | undefined, row: { alias: string; source: JsonNodeSource; path: string[] } | null, state: State): string {
    const pairs: Array<[string, string]> = [];
    for (const node of fieldsOf(set)) {
      const key = node.alias?.value ?? node.name.value;
      const name = node.name.value;
      if (name === '__typename') {
        pairs.push([key, jsonLiteral(type.name)]);
        continue;
      }
      const field = type.getFields()[name];
      if (!field) throw new Unsupported();
      const edge = this.edges.get(`${type.name}.${name}`);
      if (edge && 'object' in edge) {
        pairs.push([key, this.single(edge, field, node, row, state)]);
      } else if (edge) {
        pairs.push([key, this.connection(edge, field, node, row, state)]);
      } else if (row && !field.resolve && !node.arguments?.length && Object.hasOwn(row.source.columns, name)) {
        pairs.push([key, column(row.source.columns[name], field)]);
      } else {
        throw new Unsupported();
      }
    }
    return objectOf(pairs);
  }

  private single(edge: JsonObjectEdge, field: GraphQLField<unknown, unknown>, node: FieldNode, parent: { alias: string } | null, state: State): string {
    const type = getNamedType(field.type);
    if (parent || node.arguments?.length || !isObjectType(type)) throw new Unsupported();
    if (!edge.row) return this.object(type, node.selectionSet, null, state);
    const { source, where } = edge.row;
    const a = source.alias;
    const from = `FROM ${source.table} ${a} WHERE ${where}`;
    if (isNonNullType(field.type)) state.checks.push(`EXISTS (SELECT 1 ${from})`);
    return `coalesce((SELECT ${this.object(type, node.selectionSet, { alias: a, source, path: [a] }, state)} ${from}), 'null')`;
  }

  private connection(edge: JsonConnectionEdge, field: GraphQLField<unknown, unknown>, node: FieldNode, parent: { alias: string; path: string[] } | null, state: State): string {
    const source = edge.node;
    const a = source.alias;
    if (parent?.path.includes(a) || (parent && !edge.parentColumn)) throw new Unsupported();
    const args = getArgumentValues(field, node, state.variables) as { first?: number | null; after?: string | null };
    if (Object.keys(args).some((k) => k !== 'first' && k !== 'after' && (args as Record<string, unknown>)[k] != null)) throw new Unsupported();
    let page: Page;
    try {
      page = pageOf(args.first, args.after);
    } catch {
      throw new Unsupported(); // the resolver answers BAD_USER_INPUT as it always has
    }
    state.scopes.add(edge.scope);
    const connType = getNamedType(field.type);
    if (!isObjectType(connType)) throw new Unsupported();
    const { params } = state;
    const belongs = parent ? `${a}.${edge.parentColumn} = ${parent.alias}.id` : 'TRUE';
    const k = keysetPage(a, page, params);
    const inner =
      `SELECT ${a}.*, ${k.micros}, row_number() OVER (ORDER BY ${a}.created_at, ${a}.id) AS "_n" ` +
      `FROM ${source.table} ${a} WHERE ${belongs} AND ${k.after} ${k.orderLimit}`;
    // Added only when used: PostgreSQL refuses a parameter it cannot type (`{ totalCount }` alone).
    let firstSql: string | undefined;
    const first = () => (firstSql ??= params.add(page.first, 'int'));
    const visible = () => `FILTER (WHERE ${a}."_n" <= ${first()})`;
    const cursors = () => `(array_agg(${cursorSql(a)} ORDER BY ${a}."_n") ${visible()})`;
    const row = { alias: a, source, path: [...(parent?.path ?? []), a] };
    const pairs: Array<[string, string]> = [];
    for (const sel of fieldsOf(node.selectionSet)) {
      const key = sel.alias?.value ?? sel.name.value;
      const name = sel.name.value;
      const sub = connType.getFields()[name];
      if (name === '__typename') pairs.push([key, jsonLiteral(connType.name)]);
      else if (!sub || sub.resolve || sel.arguments?.length) throw new Unsupported();
      else if (name === 'totalCount') {
        const counted = parent ? `t.${edge.parentColumn} = ${parent.alias}.id` : 'TRUE';
        pairs.push([key, `(SELECT count(*)::int FROM ${source.table} t WHERE ${counted})::text`]);
      } else if (name === 'edges') {
        const edgeType = getNamedType(sub.type) as GraphQLObjectType;
        pairs.push([key, jsonArray(this.edge(edgeType, sel, row, state), `${a}."_n"`, visible())]);
      } else if (name === 'pageInfo') {
        const infoType = getNamedType(sub.type) as GraphQLObjectType;
        const info: Record<string, () => string> = {
          hasNextPage: () => `(count(*) > ${first()})::text`,
          hasPreviousPage: () => (page.after ? `'true'` : `'false'`),
          startCursor: () => jsonText(`${cursors()}[1]`),
          endCursor: () => jsonText(`${cursors()}[least(count(*), ${first()})]`),
          __typename: () => jsonLiteral(infoType.name),
        };
        pairs.push([key, objectOf(fieldsOf(sel.selectionSet).map((f) => plain(f, info)))]);
      } else throw new Unsupported();
    }
    // GROUP BY (): one row, even when no aggregate is selected ({ totalCount } alone) or the page is empty.
    return `(SELECT ${objectOf(pairs)} FROM (${inner}) ${a} GROUP BY ())`;
  }

  private edge(type: GraphQLObjectType, node: FieldNode, row: { alias: string; source: JsonNodeSource; path: string[] }, state: State): string {
    const pairs: Array<[string, string]> = [];
    for (const sel of fieldsOf(node.selectionSet)) {
      const key = sel.alias?.value ?? sel.name.value;
      const name = sel.name.value;
      if (name === '__typename') pairs.push([key, jsonLiteral(type.name)]);
      else if (name === 'cursor' && !sel.selectionSet) pairs.push([key, `'"' || ${cursorSql(row.alias)} || '"'`]);
      else if (name === 'node') pairs.push([key, this.object(getNamedType(type.getFields().node.type) as GraphQLObjectType, sel.selectionSet, row, state)]);
      else throw new Unsupported();
    }
    return objectOf(pairs);
  }
}

interface State {
  params: SqlValues;
  /** SQL conditions that must all hold for the answer to stand (non-null objects found). */
  checks: string[];
  scopes: Set<ApiKeyScope>;
  variables: Record<string, unknown>;
  schema: GraphQLSchema;
}

/** A field answered from a fixed set of SQL expressions (pageInfo). */
function plain(node: FieldNode, sql: Record<string, () => string>): [string, string] {
  const name = node.name.value;
  if (node.selectionSet || node.arguments?.length || !Object.hasOwn(sql, name)) throw new Unsupported();
  return [node.alias?.value ?? name, sql[name]()];
}

/** A column's JSON text, as the field's GraphQL type serializes it and JSON.stringify writes it (`null` for NULL). */
function column(spec: ColumnMap[string], field: GraphQLField<unknown, unknown>): string {
  const nullable = getNullableType(field.type);
  if (isListType(nullable)) {
    const item = getNamedType(nullable);
    if (item.name !== 'String' || isListType(getNullableType(nullable.ofType))) throw new Unsupported();
    return `coalesce(to_json(${spec.sql})::text, 'null')`;
  }
  // Stored as the enum's names; an enum whose internal values differ is left to graphql-js.
  if (isEnumType(nullable)) {
    if (nullable.getValues().some((v) => v.value !== v.name)) throw new Unsupported();
    return jsonText(spec.sql);
  }
  if (!isScalarType(nullable)) throw new Unsupported();
  switch (nullable.name) {
    case 'DateTime':
      if (!spec.time) throw new Unsupported();
      return `coalesce('"' || ${isoSql(spec.sql)} || '"', 'null')`;
    case 'Float':
      // PostgreSQL writes -0 as "-0" and numbers under 1e-4 or from 1e15 with an exponent ("1e-05"):
      // zero is written here, and the plugin rewrites a text holding an exponent (raw-json.ts).
      return `CASE WHEN (${spec.sql})::float8 = 0 THEN '0' ELSE coalesce(to_json((${spec.sql})::float8)::text, 'null') END`;
    case 'ID':
    case 'String':
      if (spec.time) throw new Unsupported();
      return jsonText(spec.sql);
    case 'Boolean':
    case 'Int':
      if (spec.time) throw new Unsupported();
      return `coalesce((${spec.sql})::text, 'null')`;
    default:
      throw new Unsupported();
  }
}
