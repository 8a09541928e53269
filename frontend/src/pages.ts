// Every page of the app, in navigation order. A page is a component in its
// feature folder; register it here (one import, one entry).
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
import Channels from './channels/Channels.svelte';
import Studio from './studio/Studio.svelte';
import Insights from './insights/Insights.svelte';
import Autopilot from './autopilot/Autopilot.svelte';
import Infrastructure from './infrastructure/Infrastructure.svelte';
import Settings from './settings/Settings.svelte';

export interface Page {
  id: string;
  label: string;
  icon: Component<any>;
  component: Component<any>;
}

export const pages: Page[] = [
  { id: 'dashboard', label: 'Dashboard', icon: LayoutDashboard, component: Dashboard },
  { id: 'channels', label: 'Channels', icon: Tv, component: Channels },
  { id: 'studio', label: 'Studio', icon: Clapperboard, component: Studio },
  { id: 'insights', label: 'Insights', icon: ChartLine, component: Insights },
  { id: 'autopilot', label: 'Autopilot', icon: Bot, component: Autopilot },
  { id: 'infrastructure', label: 'Infrastructure', icon: Activity, component: Infrastructure },
  { id: 'settings', label: 'Settings', icon: SettingsIcon, component: Settings },
];
