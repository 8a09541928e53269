// Hash routing: #/channels, #/studio?channel=… . Works the same in the
// desktop window and in a browser, and survives reloads.

function parse(): { page: string; params: URLSearchParams } {
  const h = (typeof location !== 'undefined' ? location.hash : '').replace(/^#\/?/, '');
  const [page, query] = h.split('?');
  return { page: page || 'dashboard', params: new URLSearchParams(query ?? '') };
}

export const route = $state(parse());

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    const r = parse();
    route.page = r.page;
    route.params = r.params;
  });
}

export function go(page: string, params?: Record<string, string>) {
  const q = params ? '?' + new URLSearchParams(params).toString() : '';
  location.hash = `#/${page}${q}`;
}
