// Hash routing: #/channels, #/studio?channel=… . Works the same in the
// desktop window and in a browser, and survives reloads.
//
// A page with unsaved edits registers a guard (guardEdits). While one
// reports edits, leaving the page (a sidebar link, the palette, a link in
// the page, the back button) first asks whether to save, discard or stay;
// a reload or closing the tab asks the browser's own question.

export interface Parsed {
  page: string;
  params: URLSearchParams;
}

export function parse(hash: string): Parsed {
  const h = hash.replace(/^#\/?/, '');
  const [page, query] = h.split('?');
  return { page: page || 'dashboard', params: new URLSearchParams(query ?? '') };
}

const here = () => (typeof location !== 'undefined' ? location.hash : '');

export const route = $state(parse(here()));

/** A page's unsaved edits, as the leave question needs them. */
export interface EditGuard {
  /** True while there are edits that leaving would lose. */
  dirty: () => boolean;
  /** What holds the edits, for the question: "your edits to “Why ice floats”". */
  what: () => string;
  /** Saves them; resolves false when saving failed (the page shows why). */
  save: () => Promise<boolean>;
  /** Drops them. */
  discard: () => void;
}

const guards = new Set<EditGuard>();

/** Registers a page's edits; returns the function that unregisters them. */
export function guardEdits(g: EditGuard): () => void {
  guards.add(g);
  return () => guards.delete(g);
}

function dirtyGuard(): EditGuard | undefined {
  for (const g of guards) if (g.dirty()) return g;
  return undefined;
}

/** The open leave question, for the dialog App renders. */
export const leaving = $state<{ open: boolean; what: string; saving: boolean; error: string }>({
  open: false,
  what: '',
  saving: false,
  error: '',
});
let answer: ((ok: boolean) => void) | null = null;

/** Resolves true when nothing unsaved stands in the way of leaving: no
 *  edits, or the user saved or discarded them; false when they chose to
 *  stay. */
export function mayLeave(): Promise<boolean> {
  const g = dirtyGuard();
  if (!g) return Promise.resolve(true);
  answer?.(false); // a question already open is superseded
  leaving.what = g.what();
  leaving.error = '';
  leaving.saving = false;
  leaving.open = true;
  return new Promise((ok) => (answer = ok));
}

function settle(ok: boolean) {
  leaving.open = false;
  leaving.saving = false;
  const a = answer;
  answer = null;
  a?.(ok);
}

/** The leave question's answers. */
export const leaveAnswer = {
  stay: () => settle(false),
  discard: () => {
    dirtyGuard()?.discard();
    settle(true);
  },
  async save() {
    const g = dirtyGuard();
    if (!g) return settle(true);
    leaving.saving = true;
    leaving.error = '';
    const ok = await g.save().catch(() => false);
    leaving.saving = false;
    if (ok) settle(true);
    else leaving.error = 'The edits could not be saved: see the message on the page. Stay to fix them, or discard them.';
  },
};

let current = here();

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', async () => {
    const next = location.hash;
    if (next === current) return;
    if (dirtyGuard()) {
      // Put the page's address back (replaceState fires no hashchange),
      // then ask.
      history.replaceState(history.state, '', current || location.pathname + location.search);
      if (!(await mayLeave())) return;
      current = next;
      history.pushState(history.state, '', next);
    }
    current = next;
    const r = parse(next);
    route.page = r.page;
    route.params = r.params;
  });
  window.addEventListener('beforeunload', (e) => {
    if (dirtyGuard()) {
      e.preventDefault();
      e.returnValue = '';
    }
  });
}

function hashOf(page: string, params?: Record<string, string>): string {
  const q = params && Object.keys(params).length ? '?' + new URLSearchParams(params).toString() : '';
  return `#/${page}${q}`;
}

/** Opens a page. Leaving a page with unsaved edits asks first (see
 *  guardEdits). */
export function go(page: string, params?: Record<string, string>) {
  location.hash = hashOf(page, params);
}

/** Changes the address of the page shown without a new history entry and
 *  without asking: for a page tidying its own address. */
export function replace(page: string, params?: Record<string, string>) {
  const h = hashOf(page, params);
  history.replaceState(history.state, '', h);
  current = h;
  const r = parse(h);
  route.page = r.page;
  route.params = r.params;
}
