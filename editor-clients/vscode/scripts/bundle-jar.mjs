// Packs the server into the extension: copies the repository's built cromwell.jar to server/,
// so the .vsix runs with just a JDK 25. Without a built jar the package is refused, because a
// .vsix without a server would only show an error to its user.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const jar = resolve(here, '..', '..', '..', 'lsp-server', 'target', 'cromwell.jar');
if (!existsSync(jar)) {
  console.error(`bundle-jar: ${jar} is missing; build it first with bin/build`);
  process.exit(1);
}
const target = join(here, '..', 'server', 'cromwell.jar');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(jar, target);
console.log(`bundle-jar: server/cromwell.jar (${(statSync(target).size / 1e6).toFixed(1)} MB) from ${jar}`);
