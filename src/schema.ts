import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { authChecker } from './platform/auth/auth-checker.js';
import { ApiKeyResolver } from './modules/api-keys/api-key.resolver.js';
import { OrganizationResolver } from './modules/organizations/organization.resolver.js';
import { ViewerResolver } from './modules/members/viewer.resolver.js';
import { AuthResolver } from './modules/members/auth.resolver.js';

/** Every resolver of the API; a feature adds its own here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [AuthResolver, ViewerResolver, OrganizationResolver, ApiKeyResolver];

let built: Promise<GraphQLSchema> | undefined;

/** Builds the executable schema once per process (type-graphql metadata is global). */
export function buildAppSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers,
    authChecker,
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
  });
  return built;
}
