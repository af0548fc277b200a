// The docs site (VitePress): `npm run docs` serves it, `npm run docs:build` writes
// docs/.vitepress/dist, a static site that any file server can serve (no backend: the
// playground's sandbox runs in the page through MSW).
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitepress';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

const guide = [
  { text: 'Getting started', link: '/getting-started' },
  { text: 'Playground', link: '/playground' },
  { text: 'Frameworks', link: '/frameworks' },
  { text: 'Server mode', link: '/server-mode' },
  { text: 'Prescrypto', link: '/prescrypto' },
  { text: 'Security', link: '/security' },
  { text: 'Theming and strings', link: '/theming' },
];
const operate = [
  { text: "The doctor's lifecycle", link: '/lifecycle' },
  { text: 'SMART on FHIR', link: '/smart' },
  { text: 'Core API (Node)', link: '/core-api' },
  { text: 'CLI', link: '/cli' },
  { text: 'Sandbox and testing', link: '/sandbox' },
];
const reference = [
  { text: 'Element reference', link: '/reference' },
  { text: 'Events and errors', link: '/events' },
  { text: 'Troubleshooting by code', link: '/errors' },
  { text: 'Reliability', link: '/reliability' },
  { text: 'Browser support', link: '/browser-support' },
  { text: 'Performance', link: '/performance' },
  { text: 'Source layout', link: '/layout' },
  { text: 'Changelog', link: '/changelog' },
];

// The sandbox reads its app files from disk with `new URL(`./${file}`, import.meta.url)` (Node only).
// Vite would copy every file beside it into the site as assets: mark that URL as not an asset.
const sandboxFilesStayOnDisk = {
  name: 'doctor-gate-sandbox-files-stay-on-disk',
  enforce: 'pre',
  transform(code, id) {
    if (!id.replaceAll('\\', '/').endsWith('/sandbox/pages.js')) return undefined;
    const marked = code.replaceAll('new URL(`', 'new URL(/* @vite-ignore */ `');
    if (marked === code) this.warn('sandbox/pages.js reads no file with new URL(`…`): is this plugin still needed?');
    return marked;
  },
  // `npm run docs`: serve the stand-in app's folders (/sandbox/app/speaknosis/) as their index.html,
  // as a static file server does, instead of the site's own 404 page.
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      if (/^\/sandbox\/app\/(speaknosis|prescrypto)\/(\?|$)/.test(req.url ?? '')) {
        req.url = req.url.replace(/\/(\?|$)/, '/index.html$1');
      }
      next();
    });
  },
};

export default defineConfig({
  title: 'doctor-gate',
  description:
    "A drop-in web component that makes sure a doctor's user exists at a clinical vendor before opening its app.",
  lang: 'en',
  // Plain .html links: the built site works from any static file server.
  cleanUrls: false,
  lastUpdated: false,
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/getting-started' },
      { text: 'Reference', link: '/reference' },
      { text: 'Playground', link: '/playground' },
      { text: `v${pkg.version}`, link: '/changelog' },
    ],
    sidebar: [
      { text: 'Guide', items: guide },
      { text: 'Operate', items: operate },
      { text: 'Reference', items: reference },
    ],
    outline: [2, 3],
    search: { provider: 'local' },
    socialLinks: [{ icon: 'github', link: 'https://github.com/doctor-gate/doctor-gate' }],
  },
  vue: {
    template: { compilerOptions: { isCustomElement: (tag) => tag === 'doctor-gate' } },
  },
  vite: {
    plugins: [sandboxFilesStayOnDisk],
    // The playground imports the sandbox and the manifest from the repository root.
    server: { fs: { allow: ['..'] } },
    // The sandbox's MSW module loads msw with a top-level await.
    build: { chunkSizeWarningLimit: 1500, target: 'es2022' },
  },
});
