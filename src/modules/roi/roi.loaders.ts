import DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/context.js';
import { isUuid } from '../../db/ids.js';
import { VERSION_SELECT } from './roi-model.service.js';
import type { RoiModelVersion } from './roi.types.js';

/** Every version of each model, newest first, for many models in one statement. */
export function roiModelVersions(scope: TenantScope): DataLoader<string, RoiModelVersion[]> {
  return new DataLoader<string, RoiModelVersion[]>(async (ids) => {
    const wanted = [...new Set(ids.filter(isUuid))];
    const rows: RoiModelVersion[] = wanted.length
      ? await (await scope.db()).query(`${VERSION_SELECT} WHERE v.model_id = ANY($1::uuid[]) ORDER BY v.model_id, v.version DESC`, [wanted])
      : [];
    return ids.map((id) => rows.filter((r) => r.modelId === id));
  });
}
