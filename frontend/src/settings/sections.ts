// The sections of Settings, in the order of its index. A section is a
// component file in its feature's folder (or here); register it with one
// import and one entry. The id is its address (#/settings?section=sync)
// and the name the command palette offers ("Settings → Sync").
import type { Component } from 'svelte';
import { Cpu, TvMinimalPlay, RefreshCw, Mic, Bot, HardDrive, Palette, Info } from '@lucide/svelte';
import ProvidersSettings from './ProvidersSettings.svelte';
import YouTubeSettings from './YouTubeSettings.svelte';
import SyncSettings from './SyncSettings.svelte';
import VoiceSettings from '../studio/VoiceSettings.svelte';
import AutopilotSettings from './AutopilotSettings.svelte';
import StorageSettings from './StorageSettings.svelte';
import AppearanceSettings from './AppearanceSettings.svelte';
import AboutSettings from './AboutSettings.svelte';

export interface Section {
  id: string;
  label: string;
  /** What the section holds, under its name in the index. */
  hint: string;
  icon: Component<any>;
  component: Component<any>;
}

export const sections: Section[] = [
  { id: 'providers', label: 'Providers', hint: 'AI services and keys', icon: Cpu, component: ProvidersSettings },
  { id: 'youtube', label: 'YouTube', hint: 'Statistics and publishing', icon: TvMinimalPlay, component: YouTubeSettings },
  { id: 'sync', label: 'Sync', hint: 'Your other devices', icon: RefreshCw, component: SyncSettings },
  { id: 'voice', label: 'Voice', hint: 'Voice-over engines', icon: Mic, component: VoiceSettings },
  { id: 'autopilot', label: 'Autopilot', hint: 'Packages made for you', icon: Bot, component: AutopilotSettings },
  { id: 'storage', label: 'Storage', hint: 'Where your data is', icon: HardDrive, component: StorageSettings },
  { id: 'appearance', label: 'Appearance', hint: 'Light or dark', icon: Palette, component: AppearanceSettings },
  { id: 'about', label: 'About', hint: 'Version', icon: Info, component: AboutSettings },
];
