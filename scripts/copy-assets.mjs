// After `tsc -p tsconfig.build.json`: copies the files dist/ needs besides the compiled JavaScript (the
// simulator's sample clip, which `npm start` without a key and `npm run demo` serve, and the web
// playground's page, script and styles), so an image that ships dist/ alone can run them.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ASSETS = [
  'simulator/sample.mp4',
  'adapters/web/public/index.html',
  'adapters/web/public/app.js',
  'adapters/web/public/markup.js',
  'adapters/web/public/app.css',
  'adapters/web/public/gallery.html',
  'adapters/web/public/gallery.js',
  'adapters/web/public/team.html',
  'adapters/web/public/team.js',
];

for (const asset of ASSETS) {
  const to = join(root, 'dist', asset);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(join(root, 'src', asset), to);
}
