import type { TenantScope } from '../../platform/context.js';
import { check } from '../../platform/errors.js';
import { Organization } from './organization.types.js';
import type { UpdateOrganizationInput } from './organization.inputs.js';
import { isKnownTimeZone } from './time-zones.js';

/** The caller's own organization. */
export class OrganizationService {
  constructor(private readonly scope: TenantScope) {}

  /** The caller's organization (RLS makes it the only one visible). */
  async current(): Promise<Organization> {
    const db = await this.scope.db();
    return db.manager.findOneOrFail(Organization, { where: { id: db.tenantId } });
  }

  /** Renames the organization or changes its time zone. */
  async update(input: UpdateOrganizationInput): Promise<Organization> {
    const org = await this.current();
    if (input.name !== undefined && input.name !== null) {
      const name = input.name.trim();
      check(name.length > 0 && name.length <= 200, 'name', 'name must be 1 to 200 characters');
      org.name = name;
    }
    if (input.timezone !== undefined && input.timezone !== null) {
      check(await isKnownTimeZone(await this.scope.db(), input.timezone), 'timezone', `timezone '${input.timezone}' is not a time zone PostgreSQL knows`);
      org.timezone = input.timezone;
    }
    return (await this.scope.db()).manager.save(org);
  }
}
