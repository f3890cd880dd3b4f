import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret } from '../../platform/auth/api-key-secret.js';
import type { TenantScope } from '../../platform/context.js';
import { check, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { announceRevocation } from '../../platform/revocation/revocation.js';
import { ApiKey } from './api-key.types.js';
import type { CreateApiKeyInput } from './api-key.inputs.js';
import type { CreatedApiKey } from './api-key.types.js';

/** API keys of the caller's organization. */
export class ApiKeyService {
  constructor(private readonly scope: TenantScope) {}

  /** All keys, newest first; never their secrets. */
  async list(): Promise<ApiKey[]> {
    return (await this.scope.db()).manager.find(ApiKey, { order: { createdAt: 'DESC', id: 'ASC' } });
  }

  /** One key, or null when it is not this organization's. */
  async find(id: string): Promise<ApiKey | null> {
    if (!isUuid(id)) return null;
    return (await this.scope.db()).manager.findOne(ApiKey, { where: { id } });
  }

  /** Creates a key and returns its secret, the only time it is ever shown. */
  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const name = input.name.trim();
    check(name.length > 0 && name.length <= 200, 'name', 'name must be 1 to 200 characters');
    check(input.scopes.length > 0, 'scopes', 'scopes must name at least one scope');
    check(!input.expiresAt || input.expiresAt.getTime() > Date.now(), 'expiresAt', 'expiresAt must be in the future');
    const secret = generateApiKeySecret();
    const { manager, tenantId } = await this.scope.db();
    const apiKey = manager.create(ApiKey, {
      organizationId: tenantId,
      name,
      prefix: apiKeyPrefix(secret),
      secretHash: hashApiKeySecret(secret),
      scopes: [...new Set(input.scopes)],
      createdByUserId: this.scope.principal.userId ?? null,
      expiresAt: input.expiresAt ?? null,
    });
    const saved = await manager.save(apiKey);
    return { apiKey: saved, secret };
  }

  /** Revokes a key at once; every node closes its open sockets as soon as the transaction commits. */
  async revoke(id: string): Promise<ApiKey> {
    const key = await this.find(id);
    if (!key) throw new NotFoundError('API key', id);
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      const db = await this.scope.db();
      await db.manager.save(key);
      await announceRevocation(db, { kind: 'api_key', id: key.id });
    }
    return key;
  }
}
