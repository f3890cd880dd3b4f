import type { TenantScope } from '../../platform/context.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import { OrganizationService } from '../organizations/organization.service.js';
import { User } from './user.entity.js';
import type { Viewer } from './viewer.resolver.js';

/** Members of the caller's organization. */
export class MemberService {
  constructor(private readonly scope: TenantScope) {}

  /** A member of this organization, or null (RLS hides users of other organizations). */
  async user(id: string): Promise<User | null> {
    return (await this.scope.db()).manager.findOne(User, { where: { id } });
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
