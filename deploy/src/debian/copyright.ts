// /usr/share/doc/vipd/copyright (machine-readable, DEP-5): vipd itself under Apache-2.0, and
// one paragraph per npm package bundled under /usr/lib/vipd with the licence its package.json
// names (its licence file stays in its directory).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function bundledPackages(nodeModules: string): { dir: string; name: string; license: string }[] {
  const dirs = readdirSync(nodeModules).flatMap((entry) =>
    entry.startsWith('@')
      ? readdirSync(join(nodeModules, entry)).map((child) => `${entry}/${child}`)
      : [entry],
  );
  return dirs.flatMap((dir) => {
    const manifest = join(nodeModules, dir, 'package.json');
    if (dir.startsWith('@vipd/') || !existsSync(manifest)) return [];
    const { name, license } = JSON.parse(readFileSync(manifest, 'utf8')) as {
      name: string;
      license?: string;
    };
    return [{ dir, name, license: license ?? 'unknown' }];
  });
}

export function bundledCopyright(nodeModules: string): string {
  const paragraphs = bundledPackages(nodeModules)
    .sort((a, b) => a.dir.localeCompare(b.dir))
    .map(
      (p) =>
        `Files: usr/lib/vipd/node_modules/${p.dir}/*\nCopyright: the authors of ${p.name} (see its licence file)\nLicense: ${p.license}\nComment: the licence text is in the package's own directory`,
    );
  return `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: vipd

Files: *
Copyright: 2026 the vipd authors
License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License"); you may not
 use this software except in compliance with the License.
 .
 On Debian systems, the complete text of the Apache License, Version 2.0 can be
 found in "/usr/share/common-licenses/Apache-2.0".

${paragraphs.join('\n\n')}
`;
}
