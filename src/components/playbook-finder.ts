/**
 * `<playbook-finder>`: filters the build-time playbook list with the Pagefind JS API.
 *
 * The form's state is the URL (`?q=…&persona=…&stage=…&severity=…`, the same query a plain GET of
 * the form produces), so a filtered view can be shared and a reload restores it. Values are OR'ed
 * within a facet and AND'ed across facets; each value shows how many playbooks it would match given
 * the other facets and the text. The number of matches is announced in a live region.
 */

interface Facet {
  key: string;
  values: { id: string; label: string }[];
}
interface Config {
  facets: Facet[];
}
type Filters = Record<string, unknown>;
interface PagefindResult {
  data(): Promise<{ url: string }>;
}
interface PagefindSearch {
  results: PagefindResult[];
  filters: Record<string, Record<string, number>>;
}
interface Pagefind {
  options(o: { basePath: string }): Promise<void>;
  filters(): Promise<Record<string, Record<string, number>>>;
  search(term: string | null, o: { filters: Filters }): Promise<PagefindSearch | null>;
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

  async connectedCallback() {
    this.#config = JSON.parse(this.querySelector('script[type="application/json"]')!.textContent!) as Config;
    this.#form = this.querySelector('[data-finder-form]')!;
    this.#status = this.querySelector('[data-finder-status]')!;
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

  async #update(push: boolean) {
    const seq = ++this.#seq;
    const { term, chosen } = this.#state();
    const query = term || null;
    const [main, ...perFacet] = await Promise.all([
      this.#pagefind.search(query, { filters: this.#filters(chosen) }),
      ...this.#config.facets.map((f) => this.#pagefind.search(query, { filters: this.#filters(chosen, f.key) })),
    ]);
    if (!main || seq !== this.#seq) return;
    const urls = new Set((await Promise.all(main.results.map((r) => r.data()))).map((d) => pathOf(d.url)));
    if (seq !== this.#seq) return;

    // Counts: how many playbooks each value would match, given the text and the other facets.
    this.#config.facets.forEach((facet, i) => {
      const counts = perFacet[i]?.filters?.[facet.key] ?? {};
      for (const value of facet.values) {
        const box = this.#form.querySelector<HTMLInputElement>(`input[name="${facet.key}"][value="${CSS.escape(value.id)}"]`);
        const count = box?.closest('label')?.querySelector('[data-count]');
        if (count) count.textContent = `(${counts[value.label] ?? 0})`;
      }
    });

    // Show the matching items, and the stage groups that still have any.
    let shown = 0;
    this.querySelectorAll<HTMLElement>('[data-finder-list] section').forEach((section) => {
      let inGroup = 0;
      section.querySelectorAll<HTMLElement>('li[data-href]').forEach((li) => {
        const match = urls.has(li.dataset.href!);
        li.hidden = !match;
        if (match) inGroup++;
      });
      section.hidden = inGroup === 0;
      shown += inGroup;
    });
    const filtered = Boolean(term) || Object.values(chosen).some((v) => v.length);
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
