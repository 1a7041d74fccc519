/**
 * `<playbook-finder>`: filters the build-time playbook list with the Pagefind JS API.
 *
 * The form's state is the URL (`?q=…&persona=…&stage=…&severity=…`, the same query a plain GET of
 * the form produces), so a filtered view can be shared and a reload restores it. Values are OR'ed
 * within a facet and AND'ed across facets; each value shows how many playbooks it would match given
 * the other facets and the text. The number of matches is announced in a live region.
 *
 * Pagefind narrows by text and facets; of its results the finder keeps those that hold every query
 * word (`search-match.ts`: whole words, so "roll back" no longer matches every playbook's
 * "rollback" or "rollout"), counts the facet values over what it keeps, and with a text query lists
 * the matches best first: every word in the title, then in title and summary, then anywhere, and
 * within each, Pagefind's order.
 */
import { queryMatcher, rankByField, type MatchFields } from './search-match.ts';
import { countFilters, keepMatching, type PagefindData, type PagefindResponse } from './search-refine.ts';

interface Facet {
  key: string;
  values: { id: string; label: string }[];
}
interface Config {
  facets: Facet[];
}
type Filters = Record<string, unknown>;
interface Pagefind {
  options(o: { basePath: string }): Promise<void>;
  filters(): Promise<Record<string, Record<string, number>>>;
  search(term: string | null, o: { filters: Filters }): Promise<PagefindResponse | null>;
}
/** A playbook of the build-time list: its item, the list it belongs in, and its title and summary. */
interface Item {
  li: HTMLLIElement;
  home: HTMLElement;
  title: string;
  summary: string;
}

const KIND = { kind: 'Playbook' };

/** Normalises a result URL to the site path the list items carry (`/playbooks/x/`). */
function pathOf(url: string): string {
  const path = new URL(url, location.origin).pathname.replace(/index\.html$/, '');
  return path.endsWith('/') ? path : `${path}/`;
}

class PlaybookFinder extends HTMLElement {
  #config!: Config;
  #pagefind!: Pagefind;
  #form!: HTMLFormElement;
  #status!: HTMLElement;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;
  /** Every playbook by path, in the build's order (grouped by stage, by title within). */
  #items = new Map<string, Item>();
  #ranked!: HTMLElement;

  async connectedCallback() {
    this.#config = JSON.parse(this.querySelector('script[type="application/json"]')!.textContent!) as Config;
    this.#form = this.querySelector('[data-finder-form]')!;
    this.#status = this.querySelector('[data-finder-status]')!;
    this.#ranked = this.querySelector('[data-finder-ranked]')!;
    for (const li of this.querySelectorAll<HTMLLIElement>('[data-finder-list] li[data-href]')) {
      const title = li.querySelector('a')?.textContent ?? '';
      const summary = li.querySelector('[data-summary]')?.textContent ?? '';
      this.#items.set(li.dataset.href!, { li, home: li.parentElement!, title, summary });
    }
    try {
      // Built by Pagefind after the site, so the bundler must not resolve it.
      const bundle = '/pagefind/pagefind.js';
      this.#pagefind = (await import(/* @vite-ignore */ bundle)) as Pagefind;
      await this.#pagefind.options({ basePath: '/pagefind/' });
      await this.#pagefind.filters();
    } catch {
      // No index (e.g. `astro dev`): the full list stays, without the search form.
      return;
    }
    this.#readUrl();
    this.#form.hidden = false;
    this.#form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#update(true);
    });
    this.#form.addEventListener('input', (e) => {
      clearTimeout(this.#timer);
      const typing = (e.target as HTMLElement).matches('input[type="search"]');
      this.#timer = setTimeout(() => void this.#update(true), typing ? 250 : 0);
    });
    // "reset" clears the fields after the event; update once they are clear.
    this.#form.addEventListener('reset', () => setTimeout(() => void this.#update(true), 0));
    window.addEventListener('popstate', () => {
      this.#readUrl();
      void this.#update(false);
    });
    await this.#update(false);
  }

  #readUrl() {
    const params = new URLSearchParams(location.search);
    (this.#form.elements.namedItem('q') as HTMLInputElement).value = params.get('q') ?? '';
    for (const facet of this.#config.facets) {
      const chosen = new Set(params.getAll(facet.key).flatMap((v) => v.split(',')));
      this.#form.querySelectorAll<HTMLInputElement>(`input[name="${facet.key}"]`).forEach((box) => (box.checked = chosen.has(box.value)));
    }
  }

  #state() {
    const term = (this.#form.elements.namedItem('q') as HTMLInputElement).value.trim();
    const chosen: Record<string, string[]> = {};
    for (const facet of this.#config.facets) {
      chosen[facet.key] = [...this.#form.querySelectorAll<HTMLInputElement>(`input[name="${facet.key}"]:checked`)].map((b) => b.value);
    }
    return { term, chosen };
  }

  /** Pagefind filters for the chosen values, leaving out one facet (for its counts). */
  #filters(chosen: Record<string, string[]>, without?: string): Filters {
    const filters: Filters = { ...KIND };
    for (const facet of this.#config.facets) {
      if (facet.key === without || !chosen[facet.key]!.length) continue;
      const labels = chosen[facet.key]!.map((id) => facet.values.find((v) => v.id === id)?.label ?? id);
      filters[facet.key] = { any: labels };
    }
    return filters;
  }

  /** A result's fields for matching: title and summary as the list shows them, and the indexed text. */
  #fields(data: PagefindData): MatchFields {
    const item = this.#items.get(pathOf(data.url));
    return { title: item?.title ?? data.meta.title ?? '', summary: item?.summary ?? '', body: data.content };
  }

  /**
   * Shows the given playbooks. With a text query they move, in the given order, into the ranked
   * list; otherwise each stays in its stage group and the groups without any are hidden.
   */
  #show(hrefs: string[], ranked: boolean): number {
    const showing = new Set(hrefs);
    for (const [href, item] of this.#items) {
      item.home.append(item.li);
      item.li.hidden = !showing.has(href);
    }
    const list = this.#ranked.querySelector('ol')!;
    if (ranked) {
      for (const href of hrefs) {
        const item = this.#items.get(href);
        if (item) list.append(item.li);
      }
    }
    this.#ranked.hidden = !ranked || !list.children.length;
    this.querySelectorAll<HTMLElement>('[data-finder-list] section[data-stage]').forEach((section) => {
      section.hidden = !section.querySelector('li[data-href]:not([hidden])');
    });
    return [...this.#items.values()].filter((item) => !item.li.hidden).length;
  }

  async #update(push: boolean) {
    const seq = ++this.#seq;
    const { term, chosen } = this.#state();
    const matcher = queryMatcher(term);
    const query = matcher.words.length ? term : null;
    const answers = await Promise.all([
      this.#pagefind.search(query, { filters: this.#filters(chosen) }),
      ...this.#config.facets.map((f) => this.#pagefind.search(query, { filters: this.#filters(chosen, f.key) })),
    ]);
    if (!answers[0] || seq !== this.#seq) return;
    const fields = (data: PagefindData) => this.#fields(data);
    const [main, ...perFacet] = await Promise.all(answers.map((a) => keepMatching(a?.results ?? [], matcher, fields)));
    if (seq !== this.#seq) return;

    // Counts: how many playbooks each value would match, given the text and the other facets.
    this.#config.facets.forEach((facet, i) => {
      const counts = countFilters(perFacet[i]!, answers[i + 1]?.filters ?? {})[facet.key] ?? {};
      for (const value of facet.values) {
        const box = this.#form.querySelector<HTMLInputElement>(`input[name="${facet.key}"][value="${CSS.escape(value.id)}"]`);
        const count = box?.closest('label')?.querySelector('[data-count]');
        if (count) count.textContent = `(${counts[value.label] ?? 0})`;
      }
    });

    const hits = query ? rankByField(main!, matcher, (hit) => fields(hit.data)) : main!;
    const shown = this.#show(hits.map((hit) => pathOf(hit.data.url)), query !== null);
    const filtered = query !== null || Object.values(chosen).some((v) => v.length);
    this.#status.textContent =
      shown === 0 ? 'No playbook matches. Try fewer filters or other words.' : `${shown} ${shown === 1 ? 'playbook' : 'playbooks'}${filtered ? (shown === 1 ? ' matches' : ' match') : ''}`;

    if (push) {
      const params = new URLSearchParams();
      if (term) params.set('q', term);
      for (const facet of this.#config.facets) for (const id of chosen[facet.key]!) params.append(facet.key, id);
      const search = params.toString();
      const url = `${location.pathname}${search ? `?${search}` : ''}${location.hash}`;
      if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
    }
  }
}

if (!customElements.get('playbook-finder')) customElements.define('playbook-finder', PlaybookFinder);
