// The CLI side of `vipd check --cluster FILE…`: load every file (each must pass on its own),
// compare the nodes (cluster.ts), print one table of problems or JSON, and exit like
// `vipd check` (3 when any problem is an error).

import { ConfigError, isRealServerOnly, loadConfigFile } from '../config/load.js';
import { VipdError } from '../errors.js';
import { EXIT, type ExitCode } from '../cli/exit-codes.js';
import type { CliIo } from '../cli/io.js';
import { checkCluster, type ClusterNode, type ClusterProblem } from './cluster.js';

interface Loaded {
  readonly nodes: ClusterNode[];
  readonly problems: ClusterProblem[];
}

function loadAll(files: readonly string[], io: CliIo): Loaded {
  const nodes: ClusterNode[] = [];
  const problems: ClusterProblem[] = [];
  for (const file of files) {
    try {
      const loaded = loadConfigFile(file, { env: io.env });
      nodes.push({ file, config: loaded.config, locate: loaded.locate });
      problems.push(...loaded.warnings.map((p) => ({ ...p, file, severity: 'warning' as const })));
    } catch (error) {
      if (!(error instanceof ConfigError || error instanceof VipdError)) throw error;
      const found =
        error instanceof ConfigError ? error.problems : [{ path: '', message: error.message }];
      problems.push(...found.map((p) => ({ ...p, file, severity: 'error' as const })));
    }
  }
  return { nodes, problems };
}

const inMesh = (node: ClusterNode): boolean =>
  !isRealServerOnly({
    realserver: node.config.realserver,
    groups: node.config.groups,
    peers: node.config.cluster.peers,
  });

/** Runs the check and prints its result; returns the exit status. */
export function runClusterCheck(io: CliIo, files: readonly string[], json: boolean): ExitCode {
  if (files.length < 2) {
    io.stderr('vipd: --cluster needs the files of at least two nodes\n');
    return EXIT.USAGE;
  }
  const { nodes, problems } = loadAll(files, io);
  const mesh = nodes.filter(inMesh);
  const all = [...problems, ...(mesh.length > 1 ? checkCluster(mesh) : [])];
  const order = (p: ClusterProblem) => files.indexOf(p.file);
  all.sort((a, b) => order(a) - order(b) || (a.line ?? 0) - (b.line ?? 0));
  const valid = !all.some((p) => p.severity === 'error');
  io.stdout(
    json
      ? `${JSON.stringify(jsonReport(files, mesh, valid, all))}\n`
      : textReport(nodes, mesh, all),
  );
  return valid ? EXIT.OK : EXIT.CONFIG_INVALID;
}

function jsonReport(
  files: readonly string[],
  mesh: readonly ClusterNode[],
  valid: boolean,
  problems: readonly ClusterProblem[],
): object {
  return {
    files,
    nodes: mesh.map((node) => ({ file: node.file, id: node.config.node.id })),
    valid,
    problems,
  };
}

function textReport(
  nodes: readonly ClusterNode[],
  mesh: readonly ClusterNode[],
  problems: readonly ClusterProblem[],
): string {
  const lines = [
    `cluster: ${mesh.map((n) => `${n.config.node.id} (${n.file})`).join(', ') || 'no node loaded'}`,
  ];
  const outside = nodes.filter((n) => !mesh.includes(n));
  if (outside.length > 0)
    lines.push(
      `not compared (real servers only): ${outside.map((n) => `${n.config.node.id} (${n.file})`).join(', ')}`,
    );
  if (problems.length === 0) return `${[...lines, 'OK: the files agree'].join('\n')}\n`;
  const errors = problems.filter((p) => p.severity === 'error').length;
  lines.push('', ...problemTable(problems), '');
  lines.push(`${errors} error(s), ${problems.length - errors} warning(s)`);
  return `${lines.join('\n')}\n`;
}

/** Columns padded to the widest cell, the message last so long ones need no wrapping. */
function problemTable(problems: readonly ClusterProblem[]): string[] {
  const rows = [
    ['FILE', 'LEVEL', 'PATH', 'PROBLEM'],
    ...problems.map((p) => [
      p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`,
      p.severity,
      p.path === '' ? '-' : p.path,
      `${p.message}${p.code === undefined ? '' : ` [${p.code}]`}`,
    ]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c]?.length ?? 0)));
  return rows.map((row) =>
    row
      .map((cell, c) => (c < 3 ? cell.padEnd(widths[c] ?? 0) : cell))
      .join('  ')
      .trimEnd(),
  );
}
