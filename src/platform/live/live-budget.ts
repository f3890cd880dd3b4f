import { BadInputError } from '../errors.js';

/** The caps of a LiveBudget. */
export interface LiveBudgetLimits {
  /** Most distinct keys one tenant may hold on this node. */
  keysPerTenant: number;
  /** Most weight (say, buckets) one tenant's distinct keys may add up to on this node. */
  weightPerTenant: number;
  /** Most distinct keys on this node, all tenants together. */
  keysPerNode: number;
  /** Most weight on this node, all tenants together. */
  weightPerNode: number;
}

/** What a refusal names: the limit, in words for the message and as `extensions.limit`. */
export interface LiveBudgetNames {
  /** `extensions.limit` of a refusal, e.g. `LIVE_ROI_WINDOWS`. */
  code: string;
  /** What a key is, plural, e.g. `live ROI windows`. */
  keys: string;
  /** What the weight counts, plural, e.g. `buckets`. */
  weight: string;
}

interface Held {
  weight: number;
  holders: number;
}

/**
 * Caps the distinct keys of a live feed (and their total weight) per tenant and per node, so that
 * what one write costs in recomputation stays bounded whatever one principal subscribes to.
 * Holders of a key already held share it and are never refused; a new key past a cap is refused
 * with BAD_USER_INPUT naming the limit (`extensions.limit`, `max`).
 */
export class LiveBudget {
  private readonly tenants = new Map<string, Map<string, Held>>();
  private readonly tenantWeight = new Map<string, number>();
  private keys = 0;
  private weight = 0;

  constructor(
    private readonly limits: LiveBudgetLimits,
    private readonly names: LiveBudgetNames,
  ) {}

  /** Holds `key` of `tenant` (weighing `weight` when new) or throws; the returned function lets go of it once. */
  hold(tenant: string, key: string, weight: number): () => void {
    let held = this.tenants.get(tenant);
    const existing = held?.get(key);
    if (existing) {
      existing.holders++;
    } else {
      this.admit(tenant, held?.size ?? 0, weight);
      if (!held) this.tenants.set(tenant, (held = new Map()));
      held.set(key, { weight, holders: 1 });
      this.tenantWeight.set(tenant, (this.tenantWeight.get(tenant) ?? 0) + weight);
      this.keys++;
      this.weight += weight;
    }
    const map = held!;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const entry = map.get(key)!;
      if (--entry.holders > 0) return;
      map.delete(key);
      this.keys--;
      this.weight -= entry.weight;
      const left = this.tenantWeight.get(tenant)! - entry.weight;
      if (map.size) this.tenantWeight.set(tenant, left);
      else {
        this.tenants.delete(tenant);
        this.tenantWeight.delete(tenant);
      }
    };
  }

  /** Distinct keys and their weight, on this node or of one tenant. */
  usage(tenant?: string): { keys: number; weight: number } {
    if (tenant === undefined) return { keys: this.keys, weight: this.weight };
    return { keys: this.tenants.get(tenant)?.size ?? 0, weight: this.tenantWeight.get(tenant) ?? 0 };
  }

  private admit(tenant: string, tenantKeys: number, weight: number): void {
    const { limits, names } = this;
    const refuse = (max: number, message: string) => {
      throw new BadInputError(message, { limit: names.code, max });
    };
    if (tenantKeys + 1 > limits.keysPerTenant) {
      refuse(limits.keysPerTenant, `At most ${limits.keysPerTenant} distinct ${names.keys} per organization may be followed at once on this server; end one, or follow one already followed`);
    }
    const tenantWeight = this.tenantWeight.get(tenant) ?? 0;
    if (tenantWeight + weight > limits.weightPerTenant) {
      refuse(
        limits.weightPerTenant,
        `The organization's ${names.keys} on this server would span ${tenantWeight + weight} ${names.weight}; at most ${limits.weightPerTenant} are allowed at once (this one spans ${weight})`,
      );
    }
    if (this.keys + 1 > limits.keysPerNode) {
      refuse(limits.keysPerNode, `This server follows its most ${names.keys} (${limits.keysPerNode}) already; try again later`);
    }
    if (this.weight + weight > limits.weightPerNode) {
      refuse(limits.weightPerNode, `This server's ${names.keys} span their most ${names.weight} (${limits.weightPerNode}) already; try again later`);
    }
  }
}
