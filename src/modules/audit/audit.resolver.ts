import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import type { Connection } from '../../platform/sql/connection.js';
import { AuditService } from './audit.service.js';
import { AuditEvent, AuditEventConnection, AuditLogFilter } from './audit.types.js';

@Resolver()
export class AuditResolver {
  @Authorized(ApiKeyScope.ADMIN)
  @Query(() => AuditEventConnection, { description: 'Every mutation that succeeded in the organization, newest first: who, what, on what, when.' })
  auditLog(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, description: 'How many events (default 20, at most 100).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after: string | null,
    @Arg('filter', () => AuditLogFilter, { nullable: true, description: 'Which events to read.' }) filter: AuditLogFilter | null,
  ): Promise<Connection<AuditEvent & { _micros: string }>> {
    return new AuditService(tenantOf(ctx)).page(first, after, filter ?? {});
  }
}
