import { apiKeyPrefix, generateWidgetToken, hashApiKeySecret } from '../../platform/auth/api-key-secret.js';
import type { TenantScope } from '../../platform/context.js';
import { BadInputError, check, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { resolveMetrics } from '../metrics/metric-catalog.js';
import { announceWidgetTokenRevoked } from './widget-token.events.js';
import { WidgetToken } from './widget-token.types.js';
import type { CreatedWidgetToken, CreateWidgetTokenInput } from './widget-token.inputs.js';
import { normalizeOrigin } from './origins.js';

/** Most metric keys, models or origins one token lists. */
export const MAX_WIDGET_TOKEN_ITEMS = 20;

/** Widget tokens of the caller's organization. */
export class WidgetTokenService {
  constructor(private readonly scope: TenantScope) {}

  /** All tokens, newest first; never the tokens themselves. */
  async list(): Promise<WidgetToken[]> {
    return (await this.scope.db()).manager.find(WidgetToken, { order: { createdAt: 'DESC', id: 'ASC' } });
  }

  /** One token, or null when it is not this organization's. */
  async find(id: string): Promise<WidgetToken | null> {
    if (!isUuid(id)) return null;
    return (await this.scope.db()).manager.findOne(WidgetToken, { where: { id } });
  }

  /** Creates a token and returns it, the only time it is ever shown. */
  async create(input: CreateWidgetTokenInput): Promise<CreatedWidgetToken> {
    const name = input.name.trim();
    check(name.length > 0 && name.length <= 200, 'name', 'name must be 1 to 200 characters');
    const metricKeys = [...new Set(input.metricKeys ?? [])];
    const roiModelIds = [...new Set(input.roiModelIds ?? [])];
    check(metricKeys.length + roiModelIds.length > 0, 'metricKeys', 'a widget token must read at least one metric key or ROI model');
    check(metricKeys.length <= MAX_WIDGET_TOKEN_ITEMS, 'metricKeys', `at most ${MAX_WIDGET_TOKEN_ITEMS} metric keys`);
    check(roiModelIds.length <= MAX_WIDGET_TOKEN_ITEMS, 'roiModelIds', `at most ${MAX_WIDGET_TOKEN_ITEMS} ROI models`);
    const origins = input.allowedOrigins;
    check(origins.length > 0 && origins.length <= MAX_WIDGET_TOKEN_ITEMS, 'allowedOrigins', `allowedOrigins must list 1 to ${MAX_WIDGET_TOKEN_ITEMS} origins`);
    const allowedOrigins = [...new Set(origins.map((o, index) => normalizeOrigin(o, index)))];
    check(!input.expiresAt || input.expiresAt.getTime() > Date.now(), 'expiresAt', 'expiresAt must be in the future');
    const db = await this.scope.db();
    const m = db.manager;
    const known = await resolveMetrics(db, metricKeys);
    const unknownKey = metricKeys.findIndex((k) => !known.has(k));
    if (unknownKey >= 0) throw new BadInputError(`no metric '${metricKeys[unknownKey]}'`, { field: 'metricKeys', index: unknownKey });
    const models = new Set(
      (await db.query<{ id: string }>(`SELECT id::text FROM roi_models WHERE id = ANY($1::uuid[])`, [roiModelIds.filter(isUuid)])).map((r) => r.id),
    );
    const unknownModel = roiModelIds.findIndex((id) => !models.has(id));
    if (unknownModel >= 0) throw new BadInputError(`no ROI model '${roiModelIds[unknownModel]}'`, { field: 'roiModelIds', index: unknownModel });
    const token = generateWidgetToken();
    const saved = await m.save(
      m.create(WidgetToken, {
        organizationId: db.tenantId,
        name,
        prefix: apiKeyPrefix(token),
        secretHash: hashApiKeySecret(token),
        metricKeys,
        roiModelIds,
        allowedOrigins,
        createdByUserId: this.scope.principal.userId ?? null,
        expiresAt: input.expiresAt ?? null,
      }),
    );
    return { widgetToken: saved, token };
  }

  /** Revokes a token at once; the sockets of widgets using it close, on every node, once this commits. */
  async revoke(id: string): Promise<WidgetToken> {
    const token = await this.find(id);
    if (!token) throw new NotFoundError('Widget token', id);
    if (!token.revokedAt) {
      token.revokedAt = new Date();
      const db = await this.scope.db();
      await db.manager.save(token);
      await announceWidgetTokenRevoked(db, token.id);
    }
    return token;
  }
}
