// Choices the app remembers on this device, per page: the channel last
// picked in Studio, in Insights, the Settings section open. Kept in
// localStorage, so they survive reloads and restarts of the window; a
// storage that refuses (private mode, quota) only means nothing is
// remembered.

const PREFIX = 'tubeagency.';

/** What was remembered under key, or '' when nothing was. */
export function recall(key: string): string {
  try {
    return localStorage.getItem(PREFIX + key) ?? '';
  } catch {
    return '';
  }
}

/** Remembers value under key; '' forgets it. */
export function remember(key: string, value: string) {
  try {
    if (value) localStorage.setItem(PREFIX + key, value);
    else localStorage.removeItem(PREFIX + key);
  } catch {
    /* not remembered; the choice still applies now */
  }
}

/** The channel a page shows: the one its link names, else the one last
 *  picked on that page, else the first, among the ids that exist. '' when
 *  there are none. */
export function pickChannel(ids: string[], linked: string | null | undefined, page: string): string {
  if (linked && ids.includes(linked)) return linked;
  const last = recall(`channel.${page}`);
  if (last && ids.includes(last)) return last;
  return ids[0] ?? '';
}

/** Remembers the channel picked on a page. */
export function rememberChannel(page: string, id: string) {
  if (id) remember(`channel.${page}`, id);
}
