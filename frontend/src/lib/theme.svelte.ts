export type Theme = 'light' | 'dark' | 'system';

const KEY = 'tubeagency.theme';

function stored(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    if (v === 'light' || v === 'dark' || v === 'system') return v;
  } catch {
    /* storage unavailable: use the system theme */
  }
  return 'system';
}

export const theme = $state({ choice: stored() as Theme });

function effective(t: Theme): 'light' | 'dark' {
  if (t !== 'system') return t;
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme() {
  document.documentElement.dataset.theme = effective(theme.choice);
}

export function setTheme(t: Theme) {
  theme.choice = t;
  try {
    localStorage.setItem(KEY, t);
  } catch {
    /* not persisted; still applied */
  }
  applyTheme();
}

if (typeof matchMedia !== 'undefined') {
  matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', applyTheme);
}
