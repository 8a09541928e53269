import type { ChannelInput } from '../lib/api';

/** The longest name, niche and audience the Go side accepts (app/channels.go). */
export const LIMITS = { name: 100, niche: 100, audience: 300 } as const;

// The same rules the Go side enforces (app/channels.go), checked while the
// user types so mistakes show before saving. The server stays the judge
// (it alone knows the other channels' names). languages are the codes the
// Go side lists; until they arrive any well-formed code passes.
export function validateChannel(c: ChannelInput, languages: string[] = []): Record<string, string> {
  const e: Record<string, string> = {};
  const len = (s: string) => [...s].length;
  if (!c.name.trim()) e.name = 'Name is required';
  else if (len(c.name.trim()) > LIMITS.name) e.name = `Name must be at most ${LIMITS.name} characters`;
  if (!c.niche.trim()) e.niche = 'Niche is required';
  else if (len(c.niche.trim()) > LIMITS.niche) e.niche = `Niche must be at most ${LIMITS.niche} characters`;
  const lang = c.language.trim().toLowerCase();
  if (!lang) e.language = 'Pick a language from the list';
  else if (languages.length ? !languages.some((l) => l.toLowerCase() === lang) : !/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(lang))
    e.language = 'Pick a language from the list';
  if (len(c.audience) > LIMITS.audience) e.audience = `Audience must be at most ${LIMITS.audience} characters`;
  if (c.format !== 'long-form' && c.format !== 'shorts') e.format = 'Choose long-form or Shorts';
  if (!(c.cadence >= 0.1 && c.cadence <= 50)) e.cadence = 'Cadence must be between 0.1 and 50 videos a week';
  if (c.youtube_id.trim() && !/^UC[A-Za-z0-9_-]{22}$/.test(c.youtube_id.trim()))
    e.youtube_id = 'A YouTube channel id is UC followed by 22 letters, digits, - or _';
  return e;
}

export function emptyChannel(): ChannelInput {
  return { name: '', niche: '', language: 'en', audience: '', format: 'long-form', cadence: 2, youtube_id: '', autopilot: false };
}
