import type { JsonObjectEdge } from '../../platform/sql/json-read.js';
import { ORGANIZATION_SOURCE } from '../organizations/organization.table.js';

/**
 * `{ viewer { organization { … } } }` as the compiled read serves it: the bound tenant's row
 * (RLS lets no other through), as OrganizationService.current reads it. `role`, `scopes`, `user`
 * and `apiKey` come from the principal or their own reads and are left to the resolvers.
 */
export const VIEWER_JSON_READS: readonly JsonObjectEdge[] = [
  { object: true, parent: 'Query', field: 'viewer' },
  { object: true, parent: 'Viewer', field: 'organization', row: { source: ORGANIZATION_SOURCE, where: 'o.id = app_tenant()' } },
];
