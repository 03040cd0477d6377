import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The app is served by the api role at /dashboard (server/src/dashboard): relative asset URLs under that
// base, no CDN, no external fonts, so it works offline. Source maps stay out of the shipped bundle.
export default defineConfig({
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
});
