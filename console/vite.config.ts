// Builds the console into a folder edge serves at /console (edge --console-dir).
// CONSOLE_OUT_DIR picks that folder (scripts/build-console.sh sets it).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: '/console/',
  build: {
    outDir: process.env.CONSOLE_OUT_DIR || 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts anywhere: edge's CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
