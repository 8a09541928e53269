// Every page of the app, in navigation order. A page is a component in its
// feature folder; register it here (one entry). The dashboard, the first
// thing on screen, is in the main bundle; every other page is loaded the
// first time it is opened (its own chunk), which keeps the first paint's
// JavaScript small.
import type { Component } from 'svelte';
import {
  LayoutDashboard,
  Tv,
  Clapperboard,
  ChartLine,
  Bot,
  Activity,
  Settings as SettingsIcon,
} from '@lucide/svelte';
import Dashboard from './dashboard/Dashboard.svelte';

export interface Page {
  id: string;
  label: string;
  icon: Component<any>;
  /** The page, in the main bundle (the dashboard only)… */
  component?: Component<any>;
  /** …or loaded on first use. */
  load?: () => Promise<{ default: Component<any> }>;
}

export const pages: Page[] = [
  { id: 'dashboard', label: 'Dashboard', icon: LayoutDashboard, component: Dashboard },
  { id: 'channels', label: 'Channels', icon: Tv, load: () => import('./channels/Channels.svelte') },
  { id: 'studio', label: 'Studio', icon: Clapperboard, load: () => import('./studio/Studio.svelte') },
  { id: 'insights', label: 'Insights', icon: ChartLine, load: () => import('./insights/Insights.svelte') },
  { id: 'autopilot', label: 'Autopilot', icon: Bot, load: () => import('./autopilot/Autopilot.svelte') },
  { id: 'infrastructure', label: 'Infrastructure', icon: Activity, load: () => import('./infrastructure/Infrastructure.svelte') },
  { id: 'settings', label: 'Settings', icon: SettingsIcon, load: () => import('./settings/Settings.svelte') },
];

/** The page shown for a route's page id: an unknown id shows the dashboard. */
export function pageOf(id: string): Page {
  return pages.find((p) => p.id === id) ?? pages[0];
}
