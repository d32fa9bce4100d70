import { defineConfig } from 'vite';

// The app is served by `kapal serve` from web/dist (src/kapal/app/application.cpp finds it next
// to the program). `npm run dev` proxies the API to a local `kapal serve` on port 8080.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Old Android phones: keep to what Chrome 87+ understands.
    target: ['es2020', 'chrome87', 'firefox78', 'safari14'],
    // The server's CSP allows only 'self': no inline module-preload polyfill.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
});
