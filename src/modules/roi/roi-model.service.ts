import { emitWebhookEvent, WebhookEvent } from '../webhooks/webhook.events.js';
import type { TenantDb } from '../../db/tenant.js';
import { checkFormula } from '../../formula/index.js';
import type { TenantScope } from '../../platform/context.js';
import { BadInputError, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { ROI_MODEL_CHANGED, type RoiModelChangedEvent } from './roi.events.js';
import { BUILT_IN_METRICS } from '../metrics/built-in-metrics.js';
import type { RoiDefinition } from './roi-calculator.js';
import { MODEL_FROM, MODEL_ROW, VERSION_ROW } from './roi.table.js';
import { modelName, validateDefinition } from './roi-model.validation.js';
import type { CreateRoiModelInput, UpdateRoiModelInput } from './roi.inputs.js';
import type { FormulaValidation, RoiModel, RoiModelVersion } from './roi.types.js';

const MODEL_SELECT = `SELECT ${MODEL_ROW.sql} FROM ${MODEL_FROM}`;

/** Every metric key of the tenant: the built-in ones and its own definitions. */
export async function tenantMetricKeys(db: TenantDb): Promise<Set<string>> {
  const rows = (await db.query(`SELECT key FROM metric_definitions`)) as Array<{ key: string }>;
  return new Set([...BUILT_IN_METRICS.map((b) => b.key), ...rows.map((r) => r.key)]);
}

/** ROI models and their versions. */
export class RoiModelService {
  constructor(private readonly scope: TenantScope) {}

  /** Every model at its current version, the default first. */
  async list(): Promise<RoiModel[]> {
    return this.models(`${MODEL_SELECT} ORDER BY m.is_default DESC, m.created_at, m.id`);
  }

  /** A model at its current version, or null when unknown (or another tenant's). */
  async find(id: string): Promise<RoiModel | null> {
    if (!isUuid(id)) return null;
    const rows = await this.models(`${MODEL_SELECT} WHERE m.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The default model. */
  async findDefault(): Promise<RoiModel | null> {
    const rows = await this.models(`${MODEL_SELECT} WHERE m.is_default`);
    return rows[0] ?? null;
  }

  /**
   * A model at its current version (the default one without `id`; null when unknown) and the
   * tenant's data version (`tenantDataVersion`), read in one statement: what a report's cache key needs.
   */
  async findForReport(id: string | null | undefined): Promise<{ model: RoiModel | null; dataVersion: string | null }> {
    if (id && !isUuid(id)) return { model: null, dataVersion: null };
    const where = id ? `m.id = $1` : `m.is_default`;
    const [row] = await this.models(`SELECT ${MODEL_ROW.sql}, tenant_data_version()::text AS "dataVersion" FROM ${MODEL_FROM} WHERE ${where}`, id ? [id] : []);
    if (!row) return { model: null, dataVersion: null };
    const { dataVersion, ...model } = row as RoiModel & { dataVersion: string | null };
    return { model, dataVersion };
  }

  /** One version of a model, or null. */
  async version(modelId: string, version: number): Promise<RoiModelVersion | null> {
    if (!isUuid(modelId)) return null;
    const rows = VERSION_ROW.hydrate(
      await (await this.scope.db()).query<RoiModelVersion>(`SELECT ${VERSION_ROW.sql} FROM roi_model_versions v WHERE v.model_id = $1 AND v.version = $2`, [
        modelId,
        version,
      ]),
    );
    return rows[0] ?? null;
  }

  /** Validates a formula against the tenant's metric keys and the given parameter names. */
  async validateFormula(formula: string, parameters: readonly string[] = []): Promise<FormulaValidation> {
    const keys = await tenantMetricKeys(await this.scope.db());
    const result = checkFormula(formula, [...keys, ...parameters]);
    return {
      valid: result.errors.length === 0,
      errors: result.errors.map((e) => ({ message: e.message, start: e.start, end: e.end })),
      identifiers: result.identifiers,
    };
  }

  /** Creates a model (version 1), validated against the tenant's metrics. */
  async create(input: CreateRoiModelInput): Promise<RoiModel> {
    const name = modelName(input.name);
    const definition: RoiDefinition = input;
    const db = await this.scope.db();
    validateDefinition(definition, await tenantMetricKeys(db));
    const hasDefault = (await this.findDefault()) !== null;
    const isDefault = input.isDefault === true || !hasDefault;
    if (isDefault) await db.query(`UPDATE roi_models SET is_default = false WHERE is_default`);
    const [row] = (await db.query(`INSERT INTO roi_models (organization_id, is_default) VALUES ($1, $2) RETURNING id`, [
      db.tenantId,
      isDefault,
    ])) as Array<{ id: string }>;
    await this.insertVersion(db, row.id, 1, name, definition);
    return (await this.find(row.id))!;
  }

  /** Saves a new version of a model; earlier versions stay readable. */
  async update(id: string, input: UpdateRoiModelInput): Promise<RoiModel> {
    const current = await this.find(id);
    if (!current) throw new NotFoundError('ROI model', id);
    const name = input.name == null ? current.name : modelName(input.name);
    const definition: RoiDefinition = {
      returnFormula: input.returnFormula ?? current.returnFormula,
      investmentFormula: input.investmentFormula ?? current.investmentFormula,
      parameters: input.parameters ?? current.parameters,
    };
    const db = await this.scope.db();
    validateDefinition(definition, await tenantMetricKeys(db));
    if (input.isDefault === false && current.isDefault) {
      throw new BadInputError('isDefault: an organization always has a default model; make another model the default instead', {
        field: 'isDefault',
      });
    }
    if (input.isDefault === true && !current.isDefault) {
      await db.query(`UPDATE roi_models SET is_default = false WHERE is_default`);
    }
    const next = current.version + 1;
    await this.insertVersion(db, id, next, name, definition);
    await db.query(
      `UPDATE roi_models SET current_version = $2, updated_at = clock_timestamp(), is_default = is_default OR $3 WHERE id = $1`,
      [id, next, input.isDefault === true],
    );
    await emitWebhookEvent(db, WebhookEvent.ROI_MODEL_UPDATED, { modelId: id, version: next, name, isDefault: current.isDefault || input.isDefault === true });
    this.scope.publishAfterCommit(ROI_MODEL_CHANGED, { modelId: id } satisfies RoiModelChangedEvent);
    return (await this.find(id))!;
  }

  /** Models read by a statement that selects MODEL_ROW's columns. */
  private async models(sql: string, params: unknown[] = []): Promise<RoiModel[]> {
    return MODEL_ROW.hydrate(await (await this.scope.db()).query<RoiModel>(sql, params));
  }

  private async insertVersion(db: TenantDb, modelId: string, version: number, name: string, d: RoiDefinition): Promise<void> {
    const p = this.scope.principal;
    await db.query(
      `INSERT INTO roi_model_versions (organization_id, model_id, version, name, return_formula, investment_formula, parameters,
         created_by_user_id, created_by_api_key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
      [
        db.tenantId,
        modelId,
        version,
        name,
        d.returnFormula,
        d.investmentFormula,
        JSON.stringify(d.parameters.map((x) => ({ name: x.name, value: x.value }))),
        p.userId ?? null,
        p.apiKeyId ?? null,
      ],
    );
  }
}
