import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The console is served by the contact-centre service at /console/ (its backend-for-frontend), so the
 * browser talks to one origin. `npx vite apps/operator-console` serves it with hot reload and passes
 * /console/api to a running contact-centre service (CONSOLE_DEV_API, default the demo's 3040).
 */
export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: `${here}../../dist/operator-console`,
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: { '/console/api': { target: process.env.CONSOLE_DEV_API ?? 'http://127.0.0.1:3040', changeOrigin: false } },
  },
});
