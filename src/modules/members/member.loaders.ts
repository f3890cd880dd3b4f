import type DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/context.js';
import { byIdLoader } from '../../platform/sql/batch-loaders.js';
import { epochMs, Projection } from '../../platform/sql/projection.js';
import type { User } from './member.types.js';

const MEMBER_ROW = new Projection({ id: { sql: 'u.id' }, email: { sql: 'u.email' }, createdAt: { sql: epochMs('u.created_at'), time: true } }, null);

/** A member by id; row-level security shows only the organization's own members. */
export function memberById(scope: TenantScope): DataLoader<string, User | null> {
  return byIdLoader<User>(scope, `SELECT ${MEMBER_ROW.sql} FROM users u WHERE u.id = ANY($1::uuid[])`, MEMBER_ROW);
}
