/** The Levenshtein edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The most edits a suggestion for `name` may be away: max(2, floor(length / 3)). */
export function suggestionThreshold(name: string): number {
  return Math.max(2, Math.floor(name.length / 3));
}

/** The candidate nearest to `name` (first one on ties), if within the suggestion threshold. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = suggestionThreshold(name) + 1;
  for (const candidate of candidates) {
    const distance = levenshtein(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Appends ", did you mean 'x'?" to a message when a near candidate exists. */
export function withSuggestion(message: string, name: string, candidates: Iterable<string>): string {
  const suggestion = suggest(name, candidates);
  return suggestion === undefined ? message : `${message}, did you mean '${suggestion}'?`;
}
