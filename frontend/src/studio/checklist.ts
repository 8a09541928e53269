// The pre-publish checklist as the Studio shows it. The Go side evaluates
// it (app/studio/checklist.go) on every save and stores it on the package;
// this module only reads it and records the user's overrides.
import type { CheckItem, Checklist, Override, Package, PackageContent } from '../lib/api';

export interface ChecklistSummary {
  /** every item passes, is overridden or does not apply */
  ready: boolean;
  /** items that fail and are not overridden */
  missing: CheckItem[];
  overridden: CheckItem[];
  /** items that pass */
  passing: number;
  /** items that apply */
  applicable: number;
}

export function summarize(c: Checklist | null | undefined): ChecklistSummary {
  const items = c?.items ?? [];
  const missing = items.filter((i) => i.state === 'fail');
  const overridden = items.filter((i) => i.state === 'overridden');
  return {
    ready: !!c && missing.length === 0,
    missing,
    overridden,
    passing: items.filter((i) => i.state === 'pass').length,
    applicable: items.filter((i) => i.state !== 'n/a').length,
  };
}

/** The sentence under the checklist's heading. */
export function headline(p: Package): string {
  const s = summarize(p.content.checklist);
  if (!p.content.checklist) return 'Not checked yet: run the package, or save an edit, to check it.';
  if (p.status === 'published') return 'Published.';
  if (p.status === 'ready') return s.overridden.length ? `Ready to publish, with ${s.overridden.length} rule${s.overridden.length === 1 ? '' : 's'} overridden.` : 'Ready to publish.';
  if (p.status === 'outline') return `An outline: ${s.missing.length} thing${s.missing.length === 1 ? '' : 's'} to fix before it is ready.`;
  return s.missing.length ? `Still being written; ${s.missing.length} thing${s.missing.length === 1 ? '' : 's'} to fix so far.` : 'Still being written.';
}

/** Content with an override of rule added (or its reason replaced). */
export function withOverride(c: PackageContent, rule: string, reason: string, now: number): PackageContent {
  const rest = (c.overrides ?? []).filter((o) => o.rule !== rule);
  const o: Override = { rule, reason: reason.trim().slice(0, 300), at: new Date(now).toISOString() };
  return { ...c, overrides: [...rest, o] };
}

/** Content without an override of rule. */
export function withoutOverride(c: PackageContent, rule: string): PackageContent {
  return { ...c, overrides: (c.overrides ?? []).filter((o) => o.rule !== rule) };
}

export function overrideReason(c: PackageContent, rule: string): string {
  return c.overrides?.find((o) => o.rule === rule)?.reason ?? '';
}
