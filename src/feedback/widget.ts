/**
 * <onramp-feedback>: the light part of "Was this page helpful?", on every page. It only shows the
 * buttons, remembers what the reader selects in the page, and loads the rest (widget-form.ts, the
 * client and queue) when the widget nears the screen, on the first click, or when this page has an
 * earlier answer or the outbox holds items from an earlier page. Sets `data-ready` once loaded.
 */
type Host = HTMLElement & { onrampQuote?: string };

const QUOTE_MAX = 1000;

function hasQueued(): boolean {
  try {
    for (let i = 0; i < localStorage.length; i++) if (localStorage.key(i)?.startsWith('onramp:q:')) return true;
  } catch {
    /* storage disabled */
  }
  return false;
}

class OnrampFeedback extends HTMLElement {
  connectedCallback(): void {
    const host = this as Host;
    const page = this.dataset.page || location.pathname;
    this.hidden = false;
    document.addEventListener('selectionchange', () => {
      const sel = document.getSelection();
      const text = sel?.toString().replace(/\s+/g, ' ').trim();
      if (!sel || !text || sel.rangeCount === 0) return;
      const node = sel.getRangeAt(0).commonAncestorContainer;
      const el = node instanceof Element ? node : node.parentElement;
      if (!el || this.contains(el) || !el.closest('main')) return;
      host.onrampQuote = [...text].slice(0, QUOTE_MAX).join('');
    });
    let loading: ReturnType<typeof loadForm> | undefined;
    const loadForm = () => import('./widget-form.ts');
    const load = () => {
      loading ??= loadForm().then(
        (m) => (this.setAttribute('data-ready', ''), m),
        (error: unknown) => {
          loading = undefined; // try again on the next click
          throw error;
        },
      );
      return loading;
    };
    // Fetch the rest once the widget comes near the screen, so it works if the reader then goes offline.
    if ('IntersectionObserver' in window) {
      const seen = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          seen.disconnect();
          void load().catch(() => {});
        }
      }, { rootMargin: '600px' });
      seen.observe(this);
    }
    for (const button of this.querySelectorAll<HTMLButtonElement>('[data-vote]')) {
      button.addEventListener('click', () => {
        button.setAttribute('aria-busy', 'true');
        load().then(
          (m) => {
            button.removeAttribute('aria-busy');
            m.vote(this, button.dataset.vote === 'yes');
          },
          () => {
            button.removeAttribute('aria-busy');
            const status = this.querySelector('[data-status]');
            if (status) status.textContent = 'The feedback form could not load. Check your connection and try again.';
          },
        );
      });
    }
    let answered = false;
    try {
      answered = localStorage.getItem(`onramp:vote:${page}`) !== null;
    } catch {
      /* storage disabled */
    }
    if (answered) void load().then((m) => m.restore(this), () => {});
    if (hasQueued()) void import('./client.ts').then((m) => m.start());
  }
}

if (!customElements.get('onramp-feedback')) customElements.define('onramp-feedback', OnrampFeedback);
