import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The Go binary embeds dist/; index.html in it is committed as a placeholder
// so that Go builds without Node, and every build writes it anew.
export default defineConfig({
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': 'http://127.0.0.1:7777' } },
  test: { environment: 'jsdom', include: ['src/**/*.test.ts'] },
});
