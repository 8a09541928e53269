// The languages a channel can be made in, as the Go side lists them
// (Languages): asked once, kept for the session.
import { call, type Language } from '../lib/api';
import { errorText } from '../lib/errors';

export type { Language };

class Languages {
  list = $state<Language[]>([]);
  error = $state('');
  #asked: Promise<void> | null = null;

  /** Loads the list once; later calls wait for the same answer. */
  load(): Promise<void> {
    this.#asked ??= call('Languages')
      .then((l) => {
        this.list = l;
        this.error = '';
      })
      .catch((e) => {
        this.error = errorText(e);
        this.#asked = null; // ask again next time
      });
    return this.#asked;
  }

  byCode(code: string): Language | undefined {
    const c = code.trim().toLowerCase();
    return this.list.find((l) => l.code.toLowerCase() === c);
  }
}

export const languages = new Languages();

/** The languages matching what was typed: by code, English name or own
 *  name, ignoring case and accents; those whose names start with it first. */
export function matchLanguages(list: Language[], q: string): Language[] {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const s = fold(q.trim());
  if (!s) return list;
  const starts: Language[] = [];
  const has: Language[] = [];
  for (const l of list) {
    const names = [l.code, l.name, l.native].map(fold);
    if (names.some((n) => n.startsWith(s) || n.split(/[\s()-]+/).some((w) => w.startsWith(s)))) starts.push(l);
    else if (names.some((n) => n.includes(s))) has.push(l);
  }
  return [...starts, ...has];
}
