/**
 * Relationship strength, after Orbit's model of "love": every conversation adds weight, recent and
 * warm, qualified ones more, and old ones fade. For each conversation
 *   w = (qualified ? 2 : 1) * (1 + max(sentiment ?? 0, 0))
 * decayed by 0.9 per month since it occurred (fractional months of 30.4375 days; a future
 * occurredAt counts as now); raw = the sum of decayed weights; strength = 1 - exp(-raw / 5), in [0, 1).
 * One fresh unqualified neutral conversation gives 0.18, five give 0.63, ten 0.86.
 */
export const STRENGTH = {
  qualifiedWeight: 2,
  unqualifiedWeight: 1,
  monthlyDecay: 0.9,
  daysPerMonth: 30.4375,
  saturation: 5,
} as const;

/** The description of `Relationship.strength`, the formula above. */
export const STRENGTH_DESCRIPTION =
  'How strong the relationship is, 0..1, from its conversations (after Orbit’s love score). Each conversation weighs ' +
  `w = (qualified ? ${STRENGTH.qualifiedWeight} : ${STRENGTH.unqualifiedWeight}) * (1 + max(sentiment ?? 0, 0)), ` +
  `decayed by ${STRENGTH.monthlyDecay}^months since occurredAt (months = days / ${STRENGTH.daysPerMonth}, never negative); ` +
  `raw = the sum of decayed weights; strength = 1 - exp(-raw / ${STRENGTH.saturation}). No conversations: 0.`;

/** What the formula needs of a conversation. */
export interface StrengthInput {
  occurredAt: Date;
  qualified: boolean;
  sentiment: number | null;
}

const MS_PER_MONTH = STRENGTH.daysPerMonth * 86_400_000;

/** The weight of one conversation before decay. */
export function conversationWeight(c: Pick<StrengthInput, 'qualified' | 'sentiment'>): number {
  return (c.qualified ? STRENGTH.qualifiedWeight : STRENGTH.unqualifiedWeight) * (1 + Math.max(c.sentiment ?? 0, 0));
}

/** The strength of a relationship with these conversations, as of `now`. */
export function relationshipStrength(conversations: readonly StrengthInput[], now: Date): number {
  let raw = 0;
  for (const c of conversations) {
    const months = Math.max(now.getTime() - c.occurredAt.getTime(), 0) / MS_PER_MONTH;
    raw += conversationWeight(c) * STRENGTH.monthlyDecay ** months;
  }
  return 1 - Math.exp(-raw / STRENGTH.saturation);
}

/**
 * The same formula in SQL, as an aggregate over conversations aliased `v`, as of the
 * transaction's `now()`; used grouped by relationship so a page of relationships costs one statement.
 */
export const STRENGTH_SQL = `1 - exp(-sum(
    (CASE WHEN v.qualified THEN ${STRENGTH.qualifiedWeight} ELSE ${STRENGTH.unqualifiedWeight} END)
    * (1 + greatest(coalesce(v.sentiment, 0), 0))
    * power(${STRENGTH.monthlyDecay}::float8,
        greatest(extract(epoch FROM now() - v.occurred_at)::float8, 0) / (86400 * ${STRENGTH.daysPerMonth}))
  ) / ${STRENGTH.saturation})`;
