import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { build, defineConfig, type Plugin } from 'vite';

// The browsers of old Android phones: keep to what Chrome 87+ understands.
const target = ['es2020', 'chrome87', 'firefox78', 'safari14'];

/// The service worker (src/sw/worker.ts) is built after the app, as one classic script
/// dist/sw.js, with the list of the app shell's files (index.html, every file of dist/assets
/// but source maps, the files of public/) and a version hashed from their contents: a new build
/// is a new worker whose cache replaces the old one (docs/web.md, "Offline: the app shell").
function serviceWorker(): Plugin {
  let shell: string[] = [];
  let version = '';
  return {
    name: 'kapal-service-worker',
    apply: 'build',
    enforce: 'post',
    // After Vite's own post hooks, which emit index.html.
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const hash = createHash('sha256');
        const files: [string, string | Uint8Array][] = Object.values(bundle)
          .filter((item) => !item.fileName.endsWith('.map'))
          .map((item) => [item.fileName, item.type === 'chunk' ? item.code : item.source]);
        const publicDir = path.resolve(__dirname, 'public');
        const walk = (dir: string): void => {
          for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
              walk(full);
            } else {
              files.push([path.relative(publicDir, full), fs.readFileSync(full)]);
            }
          }
        };
        walk(publicDir);
        files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        for (const [name, content] of files) {
          hash.update(name).update('\0').update(content).update('\0');
        }
        shell = files.map(([name]) => `/${name.split(path.sep).join('/')}`);
        version = hash.digest('hex').slice(0, 16);
        if (!shell.includes('/index.html')) {
          this.error('the app shell has no index.html: the service worker could not open offline');
        }
      },
    },
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: 'warn',
        define: {
          __KAPAL_SHELL__: JSON.stringify(shell),
          __KAPAL_SHELL_VERSION__: JSON.stringify(version),
        },
        build: {
          outDir: path.resolve(__dirname, 'dist'),
          emptyOutDir: false,
          copyPublicDir: false,
          sourcemap: false,
          target,
          lib: {
            entry: path.resolve(__dirname, 'src/sw/worker.ts'),
            formats: ['iife'],
            name: 'kapalServiceWorker',
            fileName: () => 'sw.js',
          },
        },
      });
    },
  };
}

// The app is served by `kapal serve` from web/dist (src/kapal/app/application.cpp finds it next
// to the program). `npm run dev` proxies the API to a local `kapal serve` on port 8080; the
// service worker is not used there (main.ts registers it in production builds only).
export default defineConfig({
  plugins: [serviceWorker()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target,
    // The server's CSP allows only 'self': no inline module-preload polyfill.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
});
