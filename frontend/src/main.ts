import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { channels } from './stores/channels.svelte';
import { status } from './stores/status.svelte';
import { prefetchActivity } from './dashboard/Dashboard.svelte';
import { pageOf } from './pages';
import { route } from './lib/router.svelte';
import { applyTheme } from './lib/theme.svelte';

applyTheme();
// The first page's data is asked for before the page is built: the answers
// come back while it is, and the first frame can already show them.
status.start();
channels.start();
if (pageOf(route.page).id === 'dashboard') prefetchActivity();
const app = mount(App, { target: document.getElementById('app')! });
export default app;
