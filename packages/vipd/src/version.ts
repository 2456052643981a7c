// The one vipd version, read from this package's package.json (which every workspace shares:
// scripts/set-version.mjs), so a release bumps one number. Reported by build-info metrics,
// /v1/status and `vipd --version`. From dist/src/version.js the manifest is two levels up,
// in the repository, in an npm-installed package and under /usr/lib/vipd alike.
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

export const VIPD_VERSION: string = manifest.version;
