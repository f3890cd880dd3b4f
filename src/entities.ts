import { ApiKey } from './modules/api-keys/api-key.types.js';
import { Organization } from './modules/organizations/organization.types.js';
import { WidgetToken } from './modules/widget-tokens/widget-token.types.js';
import type { EntityList } from './db/data-source.js';

/**
 * The TypeORM entities: only the rows loaded and saved as objects. Everything else is read and
 * written through SQL with its table description (`<name>.table.ts`).
 */
export const entities: EntityList = [Organization, ApiKey, WidgetToken];
