import { describe, expect, it } from 'vitest';
import { queryMatcher, queryWords, rankByField, type MatchFields } from '../../src/components/search-match.ts';
import { countFilters, keepMatching, searchWords, type PagefindData, type PagefindResponse, type PagefindResult } from '../../src/components/search-refine.ts';

const matches = (query: string, ...texts: string[]) => queryMatcher(query).matchesAll(...texts);

describe('queryWords', () => {
  it('folds case and accents, splits at punctuation and drops repeats', () => {
    expect(queryWords('  Roll   BACK ')).toEqual(['roll', 'back']);
    expect(queryWords('roll-back, "roll back"')).toEqual(['roll', 'back']);
    expect(queryWords('Café déjà-vu')).toEqual(['cafe', 'deja', 'vu']);
    expect(queryWords('ONRAMP_DB v2/models')).toEqual(['onramp_db', 'v2', 'models']);
    expect(queryWords('  -- ! ')).toEqual([]);
  });
});

describe('the word rule', () => {
  it.each([
    ['roll back', 'Roll back a bad model version'],
    ['roll back', 'If the canary fails, ROLL it BACK.'],
    ['roll back', 'as in the roll-back playbook'],
    ['roll back', 'we rolled the change back'],
    ['roll back', 'rolling back takes a minute'],
    ['rollback', 'so a rollback is a revert of that commit'],
    ['alerts', 'Respond to a drift alert'],
    ['drift', 'Drifted inputs and drifting outputs'],
    ['use', 'the version in use, used by callers'],
    ['process', 'processes that processed the queue'],
    ['cafe', 'Le café'],
    ['back roll', 'Roll back'],
  ])('%j matches %j', (query, text) => {
    expect(matches(query, text)).toBe(true);
  });

  it.each([
    ['roll back', 'so a rollback is a revert of that commit'],
    ['roll back', 'the rollout map recommends a backfill'],
    ['roll back', 'Roll out a new version'],
    ['rollback', 'Roll back a bad model version'],
    ['xyzzy', 'curl -s -X POST localhost:8080/v2/models/churn/infer'],
    ['xyzzy', 'Everything on the site, every word of it'],
    ['card', 'a car in the carpark'],
    ['drift', 'driftwood'],
    ['back', 'backRevert the deployments-repo change'],
  ])('%j does not match %j', (query, text) => {
    expect(matches(query, text)).toBe(false);
  });

  it('needs every word, wherever it is', () => {
    expect(matches('canary drift', 'A canary.', 'Later, drift.')).toBe(true);
    expect(matches('canary drift', 'A canary, no drift alert.')).toBe(true);
    expect(matches('canary drift', 'A canary only.')).toBe(false);
  });

  it('matches everything when the query has no words', () => {
    const matcher = queryMatcher(' -- ');
    expect(matcher.words).toEqual([]);
    expect(matcher.matchesAll('anything')).toBe(true);
  });

  it('takes regular-expression characters in a query literally', () => {
    expect(() => queryMatcher('a.* (b) [c] d\\e f+?').matchesAll('x')).not.toThrow();
    expect(matches('a.b', 'a b')).toBe(true);
    expect(matches('a.b', 'axb')).toBe(false);
  });
});

describe('ranking by field', () => {
  const playbook = (title: string, summary: string, body: string): MatchFields => ({ title, summary, body });
  const items: (MatchFields & { id: string })[] = [
    { id: 'body', ...playbook('Promote a model version', 'Move a version to production.', 'If it fails, roll back as in the roll back playbook.') },
    { id: 'nowhere', ...playbook('Backfill a pipeline', 'Rerun days of a pipeline.', 'A rollback is a revert; the rollout map helps.') },
    { id: 'summary', ...playbook('Canary a new version', 'Send some traffic, and roll back at the first sign of harm.', '') },
    { id: 'title', ...playbook('Roll back a bad model version', 'Return to the last good version.', 'Steps.') },
    { id: 'split', ...playbook('Roll out safely', 'When to go back.', '') },
    { id: 'body-2', ...playbook('Investigate latency', 'Find the slow part.', 'Roll back for a heavier version.') },
  ];

  it('keeps the items holding every word: title first, then summary, then body, ties in their order', () => {
    expect(rankByField(items, queryMatcher('roll back'), (i) => i).map((i) => i.id)).toEqual(['title', 'summary', 'split', 'body', 'body-2']);
  });

  it('gives the tier of the best fields that hold all the words together', () => {
    const matcher = queryMatcher('roll back');
    expect(matcher.tier(items[3]!)).toBe(0);
    expect(matcher.tier(items[2]!)).toBe(1);
    // "roll" in the title and "back" in the summary: together only from the summary on.
    expect(matcher.tier(items[4]!)).toBe(1);
    expect(matcher.tier(items[0]!)).toBe(2);
    expect(matcher.tier(items[1]!)).toBeNull();
  });

  it('matches nothing for a word in no item, and keeps the order without words', () => {
    expect(rankByField(items, queryMatcher('xyzzy'), (i) => i)).toEqual([]);
    expect(rankByField(items, queryMatcher(''), (i) => i)).toEqual(items);
  });
});

/** A stand-in for Pagefind: results in a fixed order, with their data and filter values. */
function fakePagefind(pages: { url: string; title: string; content: string; kind: string }[]) {
  const results: PagefindResult[] = pages.map((p, i) => ({
    id: `p${i}`,
    data: async (): Promise<PagefindData> => ({ url: p.url, content: p.content, meta: { title: p.title }, filters: { kind: [p.kind] } }),
  }));
  const filters = { kind: { Guide: 0, Playbook: 0, Reference: 0 } };
  for (const p of pages) filters.kind[p.kind as keyof typeof filters.kind]++;
  const calls: (string | null)[] = [];
  return {
    calls,
    async search(term: string | null): Promise<PagefindResponse> {
      calls.push(term);
      return { results, filters, unfilteredResultCount: results.length } as PagefindResponse;
    },
  };
}

describe('Pagefind answers with the word rule', () => {
  // What Pagefind answers for "xyzzy": the pages of "x" (from `curl -X`), its longest indexed prefix.
  const xPages = [
    { url: '/playbooks/roll-back-a-model-version/', title: 'Roll back a bad model version', content: 'curl -s -X POST "$ENDPOINT/v2/models/churn/infer"', kind: 'Playbook' },
    { url: '/guides/pkl-to-endpoint/', title: 'From a .pkl file to a live endpoint', content: 'curl -X POST localhost:8080', kind: 'Guide' },
  ];

  it('drops results without the words, keeping Pagefind’s answer otherwise', async () => {
    const pagefind = fakePagefind(xPages);
    const answer = await searchWords(pagefind, 'xyzzy', { filters: {} });
    expect(pagefind.calls).toEqual(['xyzzy']);
    expect(answer?.results).toEqual([]);
    expect(answer?.filters).toEqual({ kind: { Guide: 0, Playbook: 0, Reference: 0 } });
    expect((answer as unknown as { unfilteredResultCount: number }).unfilteredResultCount).toBe(2);
  });

  it('keeps Pagefind’s order and counts the filter values over what it keeps', async () => {
    const pagefind = fakePagefind([
      { url: '/guides/ship/', title: 'Ship a model version', content: 'Keep a rollback plan. Canary first.', kind: 'Guide' },
      { url: '/playbooks/canary/', title: 'Canary a new model version', content: 'Canary. Roll back if harm.', kind: 'Playbook' },
      { url: '/reference/cli/', title: 'ramp CLI', content: 'ramp serve --canary', kind: 'Reference' },
      { url: '/playbooks/roll-back/', title: 'Roll back a bad model version', content: 'Roll back.', kind: 'Playbook' },
    ]);
    const answer = await searchWords(pagefind, 'roll back', {});
    expect(await Promise.all(answer!.results.map(async (r) => (await r.data()).url))).toEqual(['/playbooks/canary/', '/playbooks/roll-back/']);
    expect(answer?.filters).toEqual({ kind: { Guide: 0, Playbook: 2, Reference: 0 } });
  });

  it('passes a query without words and a dropped search through', async () => {
    const pagefind = fakePagefind(xPages);
    expect((await searchWords(pagefind, null))?.results).toHaveLength(2);
    expect((await searchWords(pagefind, ' - '))?.results).toHaveLength(2);
    expect(await searchWords({ search: async () => null }, 'xyzzy')).toBeNull();
  });

  it('matches the fields a caller gives, such as a summary the index does not hold', async () => {
    const pagefind = fakePagefind([{ url: '/playbooks/a/', title: 'A', content: 'nothing here', kind: 'Playbook' }]);
    const { results } = (await pagefind.search('gpu'))!;
    expect(await keepMatching(results, queryMatcher('gpu'))).toEqual([]);
    const kept = await keepMatching(results, queryMatcher('gpu'), (d) => ({ title: d.meta.title ?? '', summary: 'Ask for GPU capacity', body: d.content }));
    expect(kept.map((h) => h.data.url)).toEqual(['/playbooks/a/']);
    expect(countFilters(kept, { kind: { Guide: 1 } })).toEqual({ kind: { Guide: 0, Playbook: 1 } });
  });
});
