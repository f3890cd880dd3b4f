import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { hashApiKeySecret } from '../../platform/auth/api-key-secret.js';
import { verifyPassword, hashPassword } from '../../platform/auth/passwords.js';
import { Role } from '../../platform/auth/scopes.js';
import type { AppServices, RequestContext, TenantScope } from '../../platform/context.js';
import { BadInputError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import type { Organization } from '../organizations/organization.types.js';
import type { AuthPayload } from './member.types.js';
import { AuthService, BAD_CREDENTIALS, checkEmail, checkNewPassword } from './auth.service.js';
import type { CreatedInvitation, Invitation } from './member.types.js';
import type { AcceptInvitationInput, InviteMemberInput } from './member.inputs.js';
import type { User } from './member.types.js';

/** How long an invitation token works. */
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

/** Invitation tokens start with this, so people and secret scanners recognise them. */
export const INVITATION_TOKEN_PREFIX = 'rri_';

const INVITATION_COLUMNS = `i.id, i.email, i.role, i.expires_at AS "expiresAt", i.created_at AS "createdAt"`;

/** Invitations of the caller's organization. */
export class InvitationService {
  constructor(private readonly scope: TenantScope) {}

  /** Pending invitations (neither accepted, revoked nor expired), newest first. */
  async pending(): Promise<Invitation[]> {
    return (await this.scope.db()).query(
      `SELECT ${INVITATION_COLUMNS} FROM invitations i
        WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
        ORDER BY i.created_at DESC, i.id`,
    );
  }

  /** Invites an email with a role; the token is in the answer and nowhere else. */
  async invite(input: InviteMemberInput): Promise<CreatedInvitation> {
    const email = input.email.trim().toLowerCase();
    checkEmail(email);
    if (input.role === Role.OWNER && this.scope.principal.role !== Role.OWNER) {
      throw new ForbiddenError('Only an OWNER may invite an OWNER');
    }
    const m = await this.scope.db();
    const member: unknown[] = await m.query(
      `SELECT 1 FROM memberships ms JOIN users u ON u.id = ms.user_id WHERE lower(u.email) = $1`,
      [email],
    );
    if (member.length) throw new BadInputError(`${email} is already a member of this organization`, { field: 'email' });
    const pending: unknown[] = await m.query(
      `SELECT 1 FROM invitations WHERE lower(email) = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
      [email],
    );
    if (pending.length) {
      throw new BadInputError(`${email} already has a pending invitation: revoke it first to send a new one`, { field: 'email' });
    }
    const token = INVITATION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const [invitation] = (await m.query(
      `INSERT INTO invitations AS i (organization_id, email, role, token_hash, invited_by_user_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${INVITATION_COLUMNS}`,
      [this.scope.session.tenantId, email, input.role, hashApiKeySecret(token), this.scope.principal.userId ?? null, new Date(Date.now() + INVITATION_TTL_MS)],
    )) as Invitation[];
    return { invitation, token };
  }

  /** Revokes a pending invitation: its token stops working at once. */
  async revoke(id: string): Promise<Invitation> {
    const m = await this.scope.db();
    const rows: Array<Invitation & { acceptedAt: Date | null; revokedAt: Date | null }> = isUuid(id)
      ? await m.query(
          `SELECT ${INVITATION_COLUMNS}, i.accepted_at AS "acceptedAt", i.revoked_at AS "revokedAt" FROM invitations i WHERE i.id = $1 FOR UPDATE`,
          [id],
        )
      : [];
    const found = rows[0];
    if (!found) throw new NotFoundError('Invitation', id);
    if (found.acceptedAt) throw new BadInputError('This invitation was already accepted: remove the member instead', { field: 'id' });
    if (!found.revokedAt) await m.query(`UPDATE invitations SET revoked_at = now() WHERE id = $1`, [id]);
    const { acceptedAt: _a, revokedAt: _r, ...invitation } = found;
    return invitation;
  }
}

interface InvitationRow {
  organization_id: string;
  id: string;
  email: string;
  role: Role;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

/** Why a token no longer works, as `extensions.reason`. */
type TokenProblem = 'UNKNOWN' | 'REVOKED' | 'USED' | 'EXPIRED';

const TOKEN_PROBLEMS: Record<TokenProblem, string> = {
  UNKNOWN: 'This invitation token is not valid',
  REVOKED: 'This invitation was revoked',
  USED: 'This invitation was already used',
  EXPIRED: 'This invitation has expired',
};

function problemOf(row: InvitationRow | undefined): TokenProblem | null {
  if (!row) return 'UNKNOWN';
  if (row.revoked_at) return 'REVOKED';
  if (row.accepted_at) return 'USED';
  if (row.expires_at.getTime() <= Date.now()) return 'EXPIRED';
  return null;
}

/**
 * Accepting an invitation: public, like sign-in, so it runs on the owner connection in one
 * transaction that locks the invitation (a token works once, even when sent twice at once).
 */
export class InvitationAcceptance {
  constructor(
    private readonly app: AppServices,
    private readonly ctx: RequestContext,
  ) {}

  /** Makes the invited account (or checks the existing one's password), adds the member, signs in. */
  async accept(input: AcceptInvitationInput): Promise<AuthPayload> {
    const hash = hashApiKeySecret(input.token.trim());
    return this.app.ds.transaction(async (m) => {
      const [row] = (await m.query(
        `SELECT organization_id, id, email, role, expires_at, accepted_at, revoked_at FROM invitations WHERE token_hash = $1 FOR UPDATE`,
        [hash],
      )) as InvitationRow[];
      const problem = problemOf(row);
      if (problem) throw new BadInputError(TOKEN_PROBLEMS[problem], { field: 'token', reason: problem });
      const user = await this.account(m, row.email, input.password);
      const added: unknown[] = await m.query(
        `INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
        [row.organization_id, user.id, row.role],
      );
      if (!added.length) throw new BadInputError(`${row.email} is already a member of this organization`, { field: 'token' });
      await m.query(`UPDATE invitations SET accepted_at = now(), accepted_by_user_id = $3 WHERE organization_id = $1 AND id = $2`, [
        row.organization_id,
        row.id,
        user.id,
      ]);
      const [organization] = (await m.query(
        `SELECT id, name, slug, timezone, created_at AS "createdAt" FROM organizations WHERE id = $1`,
        [row.organization_id],
      )) as Organization[];
      return new AuthService(this.app, this.ctx).signIn(m, user, organization, row.id);
    });
  }

  /** The account of the invited email: the existing one when the password is its own, else a new one. */
  private async account(m: EntityManager, email: string, password: string): Promise<User> {
    const [existing] = (await m.query(
      `SELECT id, email, created_at AS "createdAt", password_hash FROM users WHERE lower(email) = $1`,
      [email],
    )) as Array<User & { password_hash: string }>;
    if (existing) {
      // Whoever holds a token (any ADMIN can invite any email) must not get a password oracle: the
      // attempt counts with log-in's, per email and per address, on every node (LoginThrottle).
      const address = this.ctx.address;
      await this.app.loginThrottle.attempt(email, address);
      if (!(await verifyPassword(password, existing.password_hash))) throw new UnauthenticatedError(BAD_CREDENTIALS);
      await this.app.loginThrottle.succeeded(email, address);
      const { password_hash: _hash, ...user } = existing;
      return user as User;
    }
    checkNewPassword(password);
    const [created] = (await m.query(
      `INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id, email, created_at AS "createdAt"`,
      [email, await hashPassword(password)],
    )) as User[];
    return created;
  }
}
