import type { TenantDb } from '../../db/tenant.js';

/** The model every new organization starts with, so `roi` answers from the first minute. */
export const DEFAULT_MODEL = {
  name: 'Return on Relationships',
  returnFormula: 'leads * lead_value + opportunities * opportunity_value + customers * customer_value',
  investmentFormula: 'hours_invested * hourly_rate + ad_spend',
  parameters: [
    { name: 'lead_value', value: 500 },
    { name: 'opportunity_value', value: 5000 },
    { name: 'customer_value', value: 20000 },
    { name: 'hourly_rate', value: 75 },
  ],
} as const;

/** The tenant metrics the default model needs besides the built-in ones. */
export const DEFAULT_METRICS = [
  { key: 'hours_invested', name: 'Hours invested', unit: 'h', aggregation: 'SUM', description: 'Time spent on community work.' },
  { key: 'ad_spend', name: 'Ad spend', unit: 'USD', aggregation: 'SUM', description: 'Money spent on paid reach.' },
] as const;

/** Seeds a new organization's default metrics and ROI model (runs inside sign-up's transaction). */
export async function seedDefaultRoiModel(db: TenantDb, userId: string): Promise<void> {
  await db.query(
    `INSERT INTO metric_definitions (organization_id, key, name, unit, aggregation, description)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
    [
      db.tenantId,
      DEFAULT_METRICS.map((d) => d.key),
      DEFAULT_METRICS.map((d) => d.name),
      DEFAULT_METRICS.map((d) => d.unit),
      DEFAULT_METRICS.map((d) => d.aggregation),
      DEFAULT_METRICS.map((d) => d.description),
    ],
  );
  const [model] = (await db.query(`INSERT INTO roi_models (organization_id, is_default) VALUES ($1, true) RETURNING id`, [db.tenantId])) as Array<{
    id: string;
  }>;
  await db.query(
    `INSERT INTO roi_model_versions (organization_id, model_id, version, name, return_formula, investment_formula, parameters, created_by_user_id)
     VALUES ($1, $2, 1, $3, $4, $5, $6::jsonb, $7)`,
    [db.tenantId, model.id, DEFAULT_MODEL.name, DEFAULT_MODEL.returnFormula, DEFAULT_MODEL.investmentFormula, JSON.stringify(DEFAULT_MODEL.parameters), userId],
  );
}
