/** The officials' app lives under /officials/; this is where its pages are. */
export const BASE = '/officials';

/**
 * The app's address, as reactive state: pages are chosen from `path`, and in-app links
 * change it without reloading (History API).
 */
class Router {
  path = $state(location.pathname.replace(BASE, '') || '/');
  query = $state(new URLSearchParams(location.search));

  constructor() {
    addEventListener('popstate', () => this.#read());
    // Same-origin links inside the app navigate in place.
    document.addEventListener('click', (event) => {
      const link = (event.target as Element | null)?.closest?.('a');
      if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
        return;
      if (
        link.target ||
        link.hasAttribute('download') ||
        link.origin !== location.origin ||
        !link.pathname.startsWith(BASE)
      )
        return;
      event.preventDefault();
      this.go(link.pathname + link.search);
    });
  }

  go(to: string, options: { replace?: boolean } = {}): void {
    const url = to.startsWith(BASE) ? to : `${BASE}${to}`;
    if (options.replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.#read();
    window.scrollTo(0, 0);
  }

  #read(): void {
    this.path = location.pathname.replace(BASE, '') || '/';
    this.query = new URLSearchParams(location.search);
  }
}

export const router = new Router();

/** `/officials` + path, for links. */
export function href(path: string): string {
  return `${BASE}${path}`;
}
