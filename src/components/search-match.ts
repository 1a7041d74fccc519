/**
 * What "a result contains the query's words" means on this site, for the playbook finder and the
 * site search dialog. Pagefind matches on stems and on prefixes ("roll" finds "rollback" and
 * "rollout"), and when a word is in no page it falls back to the longest indexed word the query
 * word starts with ("xyzzy" finds the "x" of `curl -X`). Both pages therefore let Pagefind narrow
 * the results and then keep only those whose text has every query word as a word of its own.
 *
 * A query word matches a whole word of the text, case- and accent-insensitively, also with -s, -es,
 * -d, -ed or -ing added ("roll" matches "Roll", "rolls", "rolled" and "rolling"), and a plural query
 * word matches its singular ("alerts" matches "alert"). It never matches part of another word, so
 * "roll back" does not match "rollback", "rollout" or "backfill", and the query "rollback" does not
 * match "roll back". Every word must match; their order and distance do not matter.
 * Letters, digits and `_` make up words; anything else separates them, so "roll-back" in a text
 * holds the words "roll" and "back".
 *
 * Pure functions only (no DOM, no Pagefind), so they are unit tested directly.
 */

/** Fields of a result, best first: a word in the title beats one in the summary, which beats the body. */
export interface MatchFields {
  title: string;
  summary?: string;
  body: string;
}

/** Which field a result matched in: 0 title, 1 summary, 2 body. Lower is better. */
export type MatchTier = 0 | 1 | 2;

const WORD_CHAR = '[\\p{L}\\p{N}_]';
const ENDINGS = 's|es|d|ed|ing';

/** Lower case without accents ("Café" → "cafe"), so "cafe" matches "café". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The query's words: folded, split at anything that is not a letter, digit or `_`, without repeats. */
export function queryWords(query: string): string[] {
  return [...new Set(fold(query).split(/[^\p{L}\p{N}_]+/u).filter(Boolean))];
}

/** A test for one query word (as returned by `queryWords`) against folded text. */
export function wordPattern(word: string): RegExp {
  const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // A plural query word also matches its singular ("alerts" → alert), but not after a double s ("process").
  const singular = word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : null;
  const stems = singular ? `${escape(word)}|${escape(singular)}` : escape(word);
  return new RegExp(`(?<!${WORD_CHAR})(?:${stems})(?:${ENDINGS})?(?!${WORD_CHAR})`, 'u');
}

/** A matcher for a whole query, compiled once and applied to many results. */
export interface QueryMatcher {
  /** The query's words; none means the query matches everything. */
  readonly words: readonly string[];
  /** True when every word is somewhere in the texts. */
  matchesAll(...texts: string[]): boolean;
  /** The best field that holds every word together with the better fields, or null when some word is nowhere. */
  tier(fields: MatchFields): MatchTier | null;
}

export function queryMatcher(query: string): QueryMatcher {
  const words = queryWords(query);
  const patterns = words.map(wordPattern);
  const all = (text: string) => patterns.every((p) => p.test(text));
  return {
    words,
    matchesAll: (...texts) => all(fold(texts.join('\n'))),
    tier({ title, summary = '', body }) {
      const t = fold(title);
      if (all(t)) return 0;
      const ts = `${t}\n${fold(summary)}`;
      if (all(ts)) return 1;
      return all(`${ts}\n${fold(body)}`) ? 2 : null;
    },
  };
}

/**
 * Keeps the items whose fields hold every query word and orders them by tier (title, then summary,
 * then body); items of the same tier keep their order (Pagefind's ranking). With no query words,
 * every item is kept in its order.
 */
export function rankByField<T>(items: readonly T[], matcher: QueryMatcher, fieldsOf: (item: T) => MatchFields): T[] {
  if (!matcher.words.length) return [...items];
  return items
    .map((item, index) => ({ item, index, tier: matcher.tier(fieldsOf(item)) }))
    .filter((m): m is { item: T; index: number; tier: MatchTier } => m.tier !== null)
    .sort((a, b) => a.tier - b.tier || a.index - b.index)
    .map((m) => m.item);
}
