export type ToastKind = 'info' | 'ok' | 'warn' | 'bad';
export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  key?: string;
}

let next = 1;
export const toasts = $state<Toast[]>([]);

/** Shows a toast. A toast with the same key replaces the earlier one. */
export function toast(message: string, kind: ToastKind = 'info', opts: { key?: string; ms?: number } = {}) {
  if (opts.key) dismissKey(opts.key);
  const t = { id: next++, kind, message, key: opts.key };
  toasts.push(t);
  const ms = opts.ms ?? (kind === 'bad' ? 8000 : 4000);
  if (ms > 0) setTimeout(() => dismiss(t.id), ms);
  return t.id;
}

export function dismiss(id: number) {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}

export function dismissKey(key: string) {
  for (let i = toasts.length - 1; i >= 0; i--) if (toasts[i].key === key) toasts.splice(i, 1);
}
