// Builds the dashboard (src/web/client) into dist/dashboard: one offline bundle, no CDN, served by the
// daemon's dashboard plugin. `npm run build:web` runs it (and `npm run build`).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: resolve(here, 'client'),
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: resolve(here, '..', '..', 'dist', 'dashboard'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 400,
    rolldownOptions: {
      // the FlowSpec parser reaches zod only through src/net's barrel (net/schema.ts); neither has
      // side effects the page needs, so let the bundler drop them when nothing uses them
      treeshake: {
        moduleSideEffects: (id: string) => !/node_modules\/zod\/|src\/net\/schema\.ts$/.test(id),
      },
    },
  },
});
