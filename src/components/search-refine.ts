/**
 * Applies the word rule of `search-match.ts` to Pagefind's answers: Pagefind narrows (text, stems,
 * prefixes, filters) and ranks; this keeps the results whose text holds every query word, in
 * Pagefind's order, and counts the filter values again over what is kept, so the counts a page
 * shows always agree with its list. Used by the site search dialog (`site-search-ui.ts`) and
 * the playbook finder.
 */
import { queryMatcher, type MatchFields, type QueryMatcher } from './search-match.ts';

/** The part of Pagefind's result data this needs (`result.data()`). */
export interface PagefindData {
  url: string;
  content: string;
  meta: Record<string, string | undefined>;
  filters: Record<string, string[]>;
}
export interface PagefindResult {
  id: string;
  data(): Promise<PagefindData>;
}
export type FilterCounts = Record<string, Record<string, number>>;
export interface PagefindResponse<R extends PagefindResult = PagefindResult> {
  results: R[];
  filters: FilterCounts;
}
export interface PagefindSearch {
  search(term: string | null, options?: object): Promise<PagefindResponse | null>;
}

export interface Hit<R extends PagefindResult = PagefindResult> {
  result: R;
  data: PagefindData;
}

/** A result's searchable fields from its Pagefind data: its title and its indexed text. */
export const pagefindFields = (data: PagefindData): MatchFields => ({ title: data.meta.title ?? '', body: data.content });

/** Loads the results' data and keeps, in their order, those whose fields hold every query word. */
export async function keepMatching<R extends PagefindResult>(
  results: readonly R[],
  matcher: QueryMatcher,
  fieldsOf: (data: PagefindData) => MatchFields = pagefindFields,
): Promise<Hit<R>[]> {
  const hits = await Promise.all(results.map(async (result) => ({ result, data: await result.data() })));
  if (!matcher.words.length) return hits;
  return hits.filter((hit) => matcher.tier(fieldsOf(hit.data)) !== null);
}

/** The filter values Pagefind listed (zeros included), each counted over the kept results. */
export function countFilters(hits: readonly Hit[], listed: FilterCounts): FilterCounts {
  const counts: FilterCounts = {};
  for (const [key, values] of Object.entries(listed)) {
    counts[key] = Object.fromEntries(Object.keys(values).map((value) => [value, 0]));
  }
  for (const { data } of hits) {
    for (const [key, values] of Object.entries(data.filters ?? {})) {
      const row = (counts[key] ??= {});
      for (const value of new Set(values)) row[value] = (row[value] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * Pagefind's search with the word rule: the same answer, with only the results that hold every
 * query word (in Pagefind's ranking) and the filter counts to match. A query without words, or a
 * search Pagefind dropped (null, superseded by a newer one), passes through unchanged.
 */
export async function searchWords(engine: PagefindSearch, term: string | null, options?: object): Promise<PagefindResponse | null> {
  const response = await engine.search(term, options);
  const matcher = queryMatcher(term ?? '');
  if (!response || !matcher.words.length) return response;
  const hits = await keepMatching(response.results, matcher);
  return { ...response, results: hits.map((h) => h.result), filters: countFilters(hits, response.filters ?? {}) };
}
