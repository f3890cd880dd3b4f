import { stageRank } from './relationship-history.js';
import { RelationshipStage } from './relationship-stage.js';

/** What one relationship (or a merged person) adds to the built-in metrics, as the engine counts it. */
export interface Part {
  id: string;
  communityId: string;
  connectedAt: number;
  qualified: boolean;
  /** Its stage changes, in any order. */
  changes: ReadonlyArray<{ id: string; to: RelationshipStage; at: number }>;
}

/** One value a built-in metric gains (or, negative, loses) at a time in a community. */
export interface Contribution {
  key: string;
  communityId: string;
  at: number;
  value: number;
}

const REACHED: ReadonlyArray<[string, RelationshipStage]> = [
  ['leads', RelationshipStage.LEAD],
  ['opportunities', RelationshipStage.OPPORTUNITY],
  ['customers', RelationshipStage.CUSTOMER],
];

/**
 * The relationship-counting built-in metrics of one part: it counts at connectedAt, and each stage
 * at the first change (in (at, id) order) to it or a later one, as built-in-metrics.ts counts them.
 */
export function contributionsOf(part: Part): Contribution[] {
  const out: Contribution[] = [{ key: 'relationships', communityId: part.communityId, at: part.connectedAt, value: 1 }];
  if (part.qualified) out.push({ key: 'qualified_relationships', communityId: part.communityId, at: part.connectedAt, value: 1 });
  const ordered = [...part.changes].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const [key, stage] of REACHED) {
    const first = ordered.find((c) => stageRank(c.to) >= stageRank(stage));
    if (first) out.push({ key, communityId: part.communityId, at: first.at, value: 1 });
  }
  return out;
}

/** The merged person: the target's id and community, the earliest connectedAt, qualified when any part is, every part's changes. */
export function mergedPart(target: Part, sources: readonly Part[]): Part {
  const parts = [target, ...sources];
  return {
    id: target.id,
    communityId: target.communityId,
    connectedAt: Math.min(...parts.map((p) => p.connectedAt)),
    qualified: parts.some((p) => p.qualified),
    changes: parts.flatMap((p) => p.changes),
  };
}

/** `after - before`, summed by (key, community, time), without the zeros. */
export function difference(before: readonly Contribution[], after: readonly Contribution[]): Contribution[] {
  const sums = new Map<string, Contribution>();
  const add = (c: Contribution, sign: number) => {
    const k = `${c.key}|${c.communityId}|${c.at}`;
    const sum = sums.get(k) ?? { ...c, value: 0 };
    sum.value += sign * c.value;
    sums.set(k, sum);
  };
  before.forEach((c) => add(c, -1));
  after.forEach((c) => add(c, 1));
  return [...sums.values()].filter((c) => c.value !== 0).sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}
