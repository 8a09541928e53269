import type { ChannelInput } from '../lib/api';

// The same rules the Go side enforces (app/channels.go), checked while the
// user types so mistakes show before saving. The server stays the judge.
export function validateChannel(c: ChannelInput): Record<string, string> {
  const e: Record<string, string> = {};
  const len = (s: string) => [...s].length;
  if (!c.name.trim()) e.name = 'Name is required';
  else if (len(c.name.trim()) > 100) e.name = 'Name must be at most 100 characters';
  if (!c.niche.trim()) e.niche = 'Niche is required';
  else if (len(c.niche.trim()) > 100) e.niche = 'Niche must be at most 100 characters';
  if (c.language.trim() && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(c.language.trim()))
    e.language = 'Use a language code such as en or pt-BR';
  if (len(c.audience) > 300) e.audience = 'Audience must be at most 300 characters';
  if (c.format !== 'long-form' && c.format !== 'shorts') e.format = 'Choose long-form or Shorts';
  if (!(c.cadence >= 0.1 && c.cadence <= 50)) e.cadence = 'Cadence must be between 0.1 and 50 videos a week';
  if (c.youtube_id.trim() && !/^UC[A-Za-z0-9_-]{22}$/.test(c.youtube_id.trim()))
    e.youtube_id = 'A YouTube channel id is UC followed by 22 letters, digits, - or _';
  return e;
}

export function emptyChannel(): ChannelInput {
  return { name: '', niche: '', language: 'en', audience: '', format: 'long-form', cadence: 2, youtube_id: '', autopilot: false };
}
