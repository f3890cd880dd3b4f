import type { EntityManager } from 'typeorm';
import { bindTenant } from '../../db/tenant.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../platform/auth/passwords.js';
import { Role } from '../../platform/auth/scopes.js';
import { recordPublicAudit } from '../../platform/audit.js';
import type { AppServices, RequestContext } from '../../platform/context.js';
import { BadInputError, check, UnauthenticatedError } from '../../platform/errors.js';
import { Organization } from '../organizations/organization.types.js';
import { organizationSeeders } from '../organizations/seeders.js';
import { slugify } from '../organizations/slug.js';
import { isKnownTimeZone } from '../organizations/time-zones.js';
import type { LogInInput, SignUpInput } from './auth.inputs.js';
import type { AuthPayload, User } from './member.types.js';
import { openSession } from './session.service.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MIN_PASSWORD_LENGTH = 10;
export const BAD_CREDENTIALS = 'Invalid email, password or organization';

/** BAD_USER_INPUT unless `email` (trimmed, lower-cased) looks like an email address. */
export function checkEmail(email: string, field = 'email'): void {
  check(EMAIL.test(email) && email.length <= 254, field, `${field} must be a valid email address`);
}

/** BAD_USER_INPUT unless a new password is 10 to 1024 characters. */
export function checkNewPassword(password: string): void {
  check(password.length >= MIN_PASSWORD_LENGTH, 'password', `password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  check(password.length <= 1024, 'password', 'password must be at most 1024 characters');
}

/**
 * Sign-up and log-in. These run before there is a tenant, on the owner connection; sign-up's
 * seeders then run in the same transaction as the application role, bound to the new tenant.
 */
export class AuthService {
  /** `ctx`: the mutation's request, whose audit event the sign-in records (none without it, as from the CLI). */
  constructor(
    private readonly app: AppServices,
    private readonly ctx?: RequestContext,
  ) {}

  /** Creates a user, an organization they own, and its defaults, all in one transaction. */
  async signUp(input: SignUpInput): Promise<AuthPayload> {
    const email = input.email.trim().toLowerCase();
    const name = input.organizationName.trim();
    const timezone = input.timezone?.trim() || 'UTC';
    checkEmail(email);
    checkNewPassword(input.password);
    check(name.length > 0, 'organizationName', 'organizationName must not be empty');
    check(name.length <= 200, 'organizationName', 'organizationName must be at most 200 characters');
    check(await isKnownTimeZone(this.app.ds, timezone), 'timezone', `timezone '${timezone}' is not a time zone PostgreSQL knows`);
    const passwordHash = await hashPassword(input.password);

    return this.app.ds.transaction(async (m) => {
      const [user] = (await m.query(
        `INSERT INTO users (email, password_hash) VALUES ($1, $2)
         ON CONFLICT ((lower(email))) DO NOTHING
         RETURNING id, email, created_at AS "createdAt"`,
        [email, passwordHash],
      )) as User[];
      if (!user) throw new BadInputError('email is already registered', { field: 'email' });
      const organization = await this.insertOrganization(m, name, timezone);
      await m.query(`INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, $3)`, [
        organization.id,
        user.id,
        Role.OWNER,
      ]);
      const db = await bindTenant(m, organization.id);
      for (const seed of organizationSeeders) await seed(db, user.id);
      return this.signIn(m, user, organization, user.id);
    });
  }

  /** Exchanges email and password for a session token in one organization; attempts are throttled per email and per address. */
  async logIn(input: LogInInput): Promise<AuthPayload> {
    const address = this.ctx?.address;
    await this.app.loginThrottle.attempt(input.email, address);
    const payload = await this.verifiedLogIn(input);
    await this.app.loginThrottle.succeeded(input.email, address);
    return payload;
  }

  private async verifiedLogIn(input: LogInInput): Promise<AuthPayload> {
    const rows: Array<User & { password_hash: string }> = await this.app.ds.query(
      `SELECT id, email, created_at AS "createdAt", password_hash FROM users WHERE lower(email) = $1`,
      [input.email.trim().toLowerCase()],
    );
    const user = rows[0];
    // An unknown email costs a hash too, so timing does not reveal which emails exist.
    const ok = await verifyPassword(input.password, user?.password_hash ?? (await DUMMY_PASSWORD_HASH));
    if (!user || !ok) throw new UnauthenticatedError(BAD_CREDENTIALS);
    const orgs: Organization[] = await this.app.ds.query(
      `SELECT o.id, o.name, o.slug, o.timezone, o.created_at AS "createdAt"
         FROM memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = $1 AND ($2::text IS NULL OR o.slug = $2)
        ORDER BY m.created_at LIMIT 1`,
      [user.id, input.organizationSlug?.trim() || null],
    );
    if (!orgs[0]) throw new UnauthenticatedError(BAD_CREDENTIALS);
    const { password_hash: _hash, ...publicUser } = user;
    return this.app.ds.transaction((m) => this.signIn(m, publicUser as User, orgs[0], user.id));
  }

  /**
   * Opens a session for the user in the organization and records the mutation's audit event, both
   * in the caller's transaction `m`; `targetId` is what the mutation acted on.
   */
  async signIn(m: EntityManager, user: User, organization: Organization, targetId: string): Promise<AuthPayload> {
    const session = await openSession(this.app, m, user.id, organization.id);
    if (this.ctx) {
      await recordPublicAudit(this.ctx, m, { organizationId: organization.id, actor: { kind: 'USER', id: user.id, name: user.email }, targetId });
    }
    return { ...session, user, organization };
  }

  private async insertOrganization(m: EntityManager, name: string, timezone: string): Promise<Organization> {
    const base = slugify(name);
    for (let attempt = 0; ; attempt++) {
      const slug = attempt === 0 ? base : `${base}-${Math.random().toString(36).slice(2, 7)}`;
      const rows: Organization[] = await m.query(
        `INSERT INTO organizations (name, slug, timezone) VALUES ($1, $2, $3)
         ON CONFLICT (slug) DO NOTHING
         RETURNING id, name, slug, timezone, created_at AS "createdAt"`,
        [name, slug, timezone],
      );
      if (rows[0]) return rows[0];
    }
  }
}
