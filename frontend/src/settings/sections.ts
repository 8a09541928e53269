// The sections of Settings, in the order of its index. A section is a
// component file in its feature's folder (or here); register it with one
// entry. The id is its address (#/settings?section=sync) and the name the
// command palette offers ("Settings → Sync"). The palette is in the main
// bundle, so a section is loaded when it is first opened (as pages are):
// naming it here costs the first paint nothing.
import type { Component } from 'svelte';
import { Cpu, TvMinimalPlay, RefreshCw, Mic, Bot, HardDrive, Palette, Info, Clapperboard } from '@lucide/svelte';

export interface Section {
  id: string;
  label: string;
  /** What the section holds, under its name in the index. */
  hint: string;
  icon: Component<any>;
  /** The section's component, loaded on first use. */
  load: () => Promise<{ default: Component<any> }>;
}

export const sections: Section[] = [
  { id: 'providers', label: 'Providers', hint: 'AI services and keys', icon: Cpu, load: () => import('./ProvidersSettings.svelte') },
  { id: 'youtube', label: 'YouTube', hint: 'Statistics and publishing', icon: TvMinimalPlay, load: () => import('./YouTubeSettings.svelte') },
  { id: 'sync', label: 'Sync', hint: 'Your other devices', icon: RefreshCw, load: () => import('./SyncSettings.svelte') },
  { id: 'voice', label: 'Voice', hint: 'Voice-over engines', icon: Mic, load: () => import('../studio/VoiceSettings.svelte') },
  { id: 'autopilot', label: 'Autopilot', hint: 'Packages made for you', icon: Bot, load: () => import('./AutopilotSettings.svelte') },
  { id: 'videos', label: 'Videos', hint: 'Rendered videos and their look', icon: Clapperboard, load: () => import('./VideoSettings.svelte') },
  { id: 'storage', label: 'Storage', hint: 'Where your data is', icon: HardDrive, load: () => import('./StorageSettings.svelte') },
  { id: 'appearance', label: 'Appearance', hint: 'Light or dark', icon: Palette, load: () => import('./AppearanceSettings.svelte') },
  { id: 'about', label: 'About', hint: 'Version', icon: Info, load: () => import('./AboutSettings.svelte') },
];
