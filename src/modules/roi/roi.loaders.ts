import DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/context.js';
import { isUuid } from '../../db/ids.js';
import { VERSION_ROW } from './roi.table.js';
import type { RoiModelVersion } from './roi.types.js';

/** Every version of each model, newest first, for many models in one statement. */
export function roiModelVersions(scope: TenantScope): DataLoader<string, RoiModelVersion[]> {
  return new DataLoader<string, RoiModelVersion[]>(async (ids) => {
    const wanted = [...new Set(ids.filter(isUuid))];
    const rows: RoiModelVersion[] = wanted.length
      ? VERSION_ROW.hydrate(
          await (await scope.db()).query(`SELECT ${VERSION_ROW.sql} FROM roi_model_versions v WHERE v.model_id = ANY($1::uuid[]) ORDER BY v.model_id, v.version DESC`, [wanted]),
        )
      : [];
    return ids.map((id) => rows.filter((r) => r.modelId === id));
  });
}
