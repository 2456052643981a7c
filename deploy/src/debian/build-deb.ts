// `npm run package:deb`: dist/vipd_<version>_<arch>.deb, laid out by hand and built by
// dpkg-deb (Debian's own tool; no source package needed for one binary package).
// The layout is described in docs/operations.md ("Install from the package").

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  openSync,
  readSync,
  cpSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bashCompletion } from './bash-completion.js';
import { vipctlProgram, vipdProgram } from './cli-definitions.js';
import { configManPage, vipctlManPage, vipdManPage } from './man-pages.js';
import { buildProductionTree } from './production-tree.js';
import { debianChangelog, parseChangelog } from './release-notes.js';
import { bundledCopyright } from './copyright.js';
import { readManifest } from '../workspaces.js';

export const MAINTAINER = 'vipd maintainers <maintainers@users.noreply.r-seed-4de1abd6.example>';
const NODE_DEPENDENCY = 'nodejs (>= 20.9)';
const APP = 'usr/lib/vipd';
/** Docs the unit's Documentation= and the man pages point at, beside the generated ones. */
const DOCS = ['operations.md', 'configuration.md', 'security.md', 'errors.md', 'api.md'];

function write(root: string, path: string, content: string | Buffer, mode = 0o644): void {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  chmodSync(target, mode);
}

/** gzip -9n: no name or time stamp, so a rebuild gives the same bytes. */
function gzip(content: string | Buffer): Buffer {
  return gzipSync(content, { level: 9 });
}

/** Modes Debian expects: directories and scripts (a file starting with #!) 0755, everything
 * else, shared objects included, 0644. */
function normaliseModes(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      chmodSync(path, 0o755);
      normaliseModes(path);
    } else chmodSync(path, startsWithShebang(path) ? 0o755 : 0o644);
  }
}

function startsWithShebang(path: string): boolean {
  const head = Buffer.alloc(2);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } finally {
    closeSync(fd);
  }
}

/** DEBIAN/md5sums: every shipped file's digest, as dpkg --verify and debsums read it. */
function md5sums(root: string): string {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((path) => !path.startsWith('DEBIAN'))
    .sort()
    .map(
      (path) =>
        `${createHash('md5')
          .update(readFileSync(join(root, path)))
          .digest('hex')}  ${path}`,
    )
    .join('\n');
}

function nativeObjects(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.node'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Native addons for the target, stripped; prebuilds for musl libc, which a Debian system
 * never loads (and whose libc no Debian package provides), are dropped. */
function prepareNativeObjects(appDir: string): string[] {
  const objects = nativeObjects(appDir);
  const musl = objects.filter((path) => /musl/.test(relative(appDir, path)));
  for (const path of musl) rmSync(dirname(path), { recursive: true, force: true });
  const kept = objects.filter((path) => !musl.includes(path));
  if (kept.length > 0)
    execFileSync('strip', [
      '--strip-unneeded',
      '--remove-section=.comment',
      '--remove-section=.note',
      ...kept,
    ]);
  return kept;
}

/** What the native addons link against, as dpkg-shlibdeps says (needs a debian/control). */
function sharedLibraryDepends(work: string, objects: readonly string[]): string {
  if (objects.length === 0) return '';
  mkdirSync(join(work, 'debian'), { recursive: true });
  writeFileSync(
    join(work, 'debian', 'control'),
    'Source: vipd\n\nPackage: vipd\nArchitecture: any\n',
  );
  const output = execFileSync('dpkg-shlibdeps', ['-O', '--warnings=0', '-xvipd', ...objects], {
    cwd: work,
    encoding: 'utf8',
    // It warns that the objects are not yet "installed in their package's directory": they
    // are in the tree being built, which is the point. Errors still throw with its stderr.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return /shlibs:Depends=(.*)/.exec(output)?.[1]?.trim() ?? '';
}

function installedSizeKiB(root: string): number {
  const output = execFileSync('du', ['-sk', '--exclude=DEBIAN', root], { encoding: 'utf8' });
  return Number(output.split('\t')[0]);
}

function layOut(repoRoot: string, root: string, version: string, date: string): void {
  const deploy = join(repoRoot, 'deploy');
  const debian = join(deploy, 'debian');
  for (const name of ['vipd', 'vipctl']) {
    // Debian runs scripts with the interpreter's real path, not env.
    const bin = join(root, APP, 'packages', 'vipd', 'bin', `${name}.js`);
    writeFileSync(bin, readFileSync(bin, 'utf8').replace(/^#!.*\n/, '#!/usr/bin/node\n'));
    chmodSync(bin, 0o755);
    mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
    symlinkSync(relative(join(root, 'usr', 'bin'), bin), join(root, 'usr', 'bin', name));
  }
  const unit = readFileSync(join(deploy, 'systemd', 'vipd.service'));
  write(root, 'usr/lib/systemd/system/vipd.service', unit);
  write(root, 'usr/lib/sysusers.d/vipd.conf', readFileSync(join(debian, 'vipd.sysusers')));
  write(root, 'etc/vipd/vipd.yaml', readFileSync(join(debian, 'vipd.yaml')), 0o640);
  chmodSync(join(root, 'etc', 'vipd'), 0o750);
  const doc = 'usr/share/doc/vipd';
  const releases = parseChangelog(readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8'));
  write(root, `${doc}/changelog.gz`, gzip(debianChangelog(releases, MAINTAINER)));
  write(root, `${doc}/copyright`, bundledCopyright(join(root, APP, 'node_modules')));
  for (const name of DOCS)
    write(root, `${doc}/${name}`, readFileSync(join(repoRoot, 'docs', name)));
  write(root, `${doc}/README.md`, readFileSync(join(repoRoot, 'README.md')));
  write(root, `${doc}/examples/vipd.yaml`, readFileSync(join(debian, 'vipd.yaml')));
  for (const page of [
    vipdManPage(vipdProgram(), version, date),
    vipctlManPage(vipctlProgram(), version, date),
    configManPage(version, date),
  ])
    write(root, `usr/share/man/man${page.section}/${page.file}.gz`, gzip(page.roff));
  for (const program of [vipdProgram(), vipctlProgram()])
    write(root, `usr/share/bash-completion/completions/${program.name()}`, bashCompletion(program));
}

function control(version: string, arch: string, sizeKiB: number, shlibs: string): string {
  const depends = [NODE_DEPENDENCY, 'adduser', ...(shlibs === '' ? [] : [shlibs])].join(', ');
  return `Package: vipd
Version: ${version}
Architecture: ${arch}
Maintainer: ${MAINTAINER}
Installed-Size: ${sizeKiB}
Depends: ${depends}
Suggests: nftables
Section: net
Priority: optional
Description: virtual IP failover controller for Linux routers and servers
 vipd keeps virtual IP addresses alive on a cluster of nodes. Nodes send each
 other authenticated heartbeats over WebSocket; when the owner of an address
 goes silent, the best surviving node adds it and floods gratuitous ARP and
 unsolicited neighbour advertisements. An election with VRRP semantics, an
 optional quorum guard with witness nodes, a REST API (vipctl), Prometheus
 metrics and JSON logs are built in.
 .
 The service is installed but neither enabled nor started.
`;
}

export interface BuiltPackage {
  readonly path: string;
  readonly version: string;
  readonly arch: string;
}

export function buildDeb(repoRoot: string): BuiltPackage {
  const version = readManifest(join(repoRoot, 'packages', 'vipd')).version;
  const releases = parseChangelog(readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8'));
  const date = releases[0]?.date;
  if (releases[0]?.version !== version || date === undefined)
    throw new Error(`CHANGELOG.md's newest entry must be [${version}] with a date`);
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  const work = join(repoRoot, 'dist', 'deb');
  const root = join(work, 'root');
  rmSync(root, { recursive: true, force: true });
  buildProductionTree(repoRoot, join(work, 'staging'), join(root, APP));
  normaliseModes(join(root, APP));
  const objects = prepareNativeObjects(join(root, APP));
  layOut(repoRoot, root, version, date);
  const debian = join(root, 'DEBIAN');
  write(
    root,
    'DEBIAN/control',
    control(version, arch, installedSizeKiB(root), sharedLibraryDepends(work, objects)),
  );
  write(root, 'DEBIAN/conffiles', '/etc/vipd/vipd.yaml\n');
  write(root, 'DEBIAN/md5sums', `${md5sums(root)}\n`);
  for (const script of ['postinst', 'prerm', 'postrm'])
    cpSync(join(repoRoot, 'deploy', 'debian', script), join(debian, script));
  for (const script of ['postinst', 'prerm', 'postrm']) chmodSync(join(debian, script), 0o755);
  const path = join(repoRoot, 'dist', `vipd_${version}_${arch}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, path], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { path, version, arch };
}
