// After `tsc -p tsconfig.build.json`: copies the files dist/ needs besides the compiled JavaScript (the
// simulator's sample clip, which `npm start` without a key and `npm run demo` serve), so an image that ships
// dist/ alone can run them.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ASSETS = ['simulator/sample.mp4'];

for (const asset of ASSETS) {
  const to = join(root, 'dist', asset);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(join(root, 'src', asset), to);
}
