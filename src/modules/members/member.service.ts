import type { TenantScope } from '../../platform/context.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import { OrganizationService } from '../organizations/organization.service.js';
import { memberById } from './member.loaders.js';
import type { User, Viewer } from './member.types.js';

/** Members of the caller's organization. */
export class MemberService {
  constructor(private readonly scope: TenantScope) {}

  /** A member of this organization, or null (RLS hides users of other organizations). */
  user(id: string): Promise<User | null> {
    return this.scope.loader(memberById).load(id);
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
