import { epochMs, Projection, type ColumnMap } from '../../platform/sql/projection.js';

/** How each field of a model version is read from a row of `roi_model_versions v`. */
const VERSION_FIELDS: ColumnMap = {
  modelId: { sql: 'v.model_id' },
  version: { sql: 'v.version' },
  name: { sql: 'v.name' },
  returnFormula: { sql: 'v.return_formula' },
  investmentFormula: { sql: 'v.investment_formula' },
  parameters: { sql: 'v.parameters' },
  createdByUserId: { sql: 'v.created_by_user_id' },
  createdByApiKeyId: { sql: 'v.created_by_api_key_id' },
  createdAt: { sql: epochMs('v.created_at'), time: true },
};

/** Every column of a model version. */
export const VERSION_ROW = new Projection(VERSION_FIELDS, null);

/** How each RoiModel field is read from `roi_models m` joined to its current version `v` (MODEL_FROM). */
export const MODEL_ROW = new Projection(
  {
    id: { sql: 'm.id' },
    isDefault: { sql: 'm.is_default' },
    version: { sql: 'm.current_version' },
    name: VERSION_FIELDS.name,
    returnFormula: VERSION_FIELDS.returnFormula,
    investmentFormula: VERSION_FIELDS.investmentFormula,
    parameters: VERSION_FIELDS.parameters,
    createdByUserId: VERSION_FIELDS.createdByUserId,
    createdAt: { sql: epochMs('m.created_at'), time: true },
    updatedAt: { sql: epochMs('m.updated_at'), time: true },
  },
  null,
);

/** A model and its current version, as MODEL_ROW reads them. */
export const MODEL_FROM = `roi_models m JOIN roi_model_versions v ON v.organization_id = m.organization_id AND v.model_id = m.id AND v.version = m.current_version`;
