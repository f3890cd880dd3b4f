import type DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/context.js';
import { listPerParentLoader } from '../relationships/batch-loaders.js';
import { VERSION_SELECT } from './roi-model.service.js';
import type { RoiModelVersion } from './roi.types.js';

/** Every version of each model, newest first, for many models in one statement. */
export function roiModelVersions(scope: TenantScope): DataLoader<string, Array<RoiModelVersion & { _parent: string }>> {
  return listPerParentLoader<RoiModelVersion & { _parent: string }>(
    scope,
    `${VERSION_SELECT.replace('SELECT ', 'SELECT v.model_id AS "_parent", ')} WHERE v.model_id = ANY($1::uuid[]) ORDER BY v.model_id, v.version DESC`,
  );
}
