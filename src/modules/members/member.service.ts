import { Role } from '../../platform/auth/scopes.js';
import type { TenantScope } from '../../platform/context.js';
import { BadInputError, ForbiddenError, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { pageOf } from '../../platform/pagination.js';
import { connectionOf, type Connection } from '../../platform/sql/connection.js';
import { keysetPage } from '../../platform/sql/keyset.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
import { revokeTeamAccess } from './team-revocation.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import { OrganizationService } from '../organizations/organization.service.js';
import { memberById } from './member.loaders.js';
import type { Member, User, Viewer } from './member.types.js';
import { SessionService } from './session.service.js';

interface MemberRow {
  id: string;
  email: string;
  userCreatedAt: Date;
  role: Role;
  joinedAt: Date;
  _micros?: string;
}

/** A member as GraphQL shows it, keeping the keyset columns its cursor is made of. */
type MemberNode = Member & { id: string; _micros?: string };

function toMember(r: MemberRow): MemberNode {
  return { user: { id: r.id, email: r.email, createdAt: r.userCreatedAt } as User, role: r.role, joinedAt: r.joinedAt, id: r.id, _micros: r._micros };
}

/** Members of the caller's organization. */
export class MemberService {
  constructor(private readonly scope: TenantScope) {}

  /** A member of this organization, or null (RLS hides users of other organizations). */
  user(id: string): Promise<User | null> {
    return this.scope.loader(memberById).load(id);
  }

  /** A page of members, in the order they joined. */
  async page(first: number | null | undefined, after: string | null | undefined): Promise<Connection<MemberNode>> {
    const page = pageOf(first, after);
    const db = await this.scope.db();
    const params = new SqlParams();
    const k = keysetPage('x', page, params);
    const rows = await db.query<MemberRow>(
      `SELECT x.id, x.email, x."userCreatedAt", x.role, x.created_at AS "joinedAt", ${k.micros}
         FROM (SELECT ms.user_id AS id, ms.created_at, ms.role, u.email, u.created_at AS "userCreatedAt"
                 FROM memberships ms JOIN users u ON u.id = ms.user_id) x
        WHERE ${k.after} ${k.orderLimit}`,
      params.values,
    );
    return connectionOf(rows.map(toMember), page, async () => {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM memberships`);
      return row.n;
    });
  }

  /** Changes a member's role; it counts from their next request, and their open sockets close. */
  async updateRole(userId: string, role: Role): Promise<Member> {
    const target = await this.lockForChange(userId, role === Role.OWNER);
    const m = await this.scope.db();
    await m.query(`UPDATE memberships SET role = $2 WHERE user_id = $1`, [userId, role]);
    if (target.role !== role) await revokeTeamAccess(this.scope, { membershipOf: userId });
    const [row] = (await m.query(
      `SELECT u.id, u.email, u.created_at AS "userCreatedAt", ms.role, ms.created_at AS "joinedAt"
         FROM memberships ms JOIN users u ON u.id = ms.user_id WHERE ms.user_id = $1`,
      [userId],
    )) as MemberRow[];
    return toMember(row);
  }

  /** Removes a member: their sessions in this organization end and their open sockets close at once. */
  async remove(userId: string): Promise<boolean> {
    await this.lockForChange(userId, false);
    await (await this.scope.db()).query(`DELETE FROM memberships WHERE user_id = $1`, [userId]);
    const sessions = await new SessionService(this.scope).revokeAllOf(userId);
    await revokeTeamAccess(this.scope, { membershipOf: userId, sessions });
    return true;
  }

  /**
   * Locks the OWNER rows and the target's (in one order, so concurrent changes cannot deadlock),
   * then applies the OWNER rules: only an OWNER grants, changes or removes the OWNER role, and
   * the last OWNER stays (unless it is made OWNER again).
   */
  private async lockForChange(userId: string, staysOwner: boolean): Promise<{ role: Role }> {
    if (!isUuid(userId)) throw new NotFoundError('Member', userId);
    const rows: Array<{ userId: string; role: Role }> = await (await this.scope.db()).query(
      `SELECT user_id AS "userId", role FROM memberships WHERE role = 'OWNER' OR user_id = $1 ORDER BY user_id FOR UPDATE`,
      [userId],
    );
    const target = rows.find((r) => r.userId === userId);
    if (!target) throw new NotFoundError('Member', userId);
    const ownerInvolved = target.role === Role.OWNER || staysOwner;
    if (ownerInvolved && this.scope.principal.role !== Role.OWNER) {
      throw new ForbiddenError('Only an OWNER grants, changes or removes the OWNER role');
    }
    if (target.role === Role.OWNER && !staysOwner && !rows.some((r) => r.role === Role.OWNER && r.userId !== userId)) {
      throw new BadInputError('The last OWNER can be neither demoted nor removed: make another member OWNER first', { field: 'userId' });
    }
    return target;
  }

  /** The caller as the `viewer` query shows it. */
  async viewer(): Promise<Viewer> {
    const p = this.scope.principal;
    return {
      organization: await new OrganizationService(this.scope).current(),
      user: p.userId ? await this.user(p.userId) : null,
      apiKey: p.apiKeyId ? await new ApiKeyService(this.scope).find(p.apiKeyId) : null,
      role: p.role ?? null,
      scopes: [...p.scopes],
    };
  }
}
