import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { MaintenanceRecord, readNodeState, writeNodeState } from '../../src/daemon/node-state.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';
import { tempDir } from '../tmpdir.js';

/** A logger whose lines the test can read. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { logger, lines };
}

/** One sample of a series in the rendered exposition, or null when it is absent. */
async function sample(metrics: VipdMetrics, series: string): Promise<number | null> {
  const text = await metrics.render();
  const escaped = series.replace(/[{}"]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

describe('node state file (maintenance across restarts)', () => {
  it('keeps maintenance on and off across a restart', async () => {
    const dir = tempDir();
    try {
      const file = `${dir.path}/node-state.json`;
      const { logger } = recordingLogger();
      const record = new MaintenanceRecord(() => file, logger, new VipdMetrics());
      assert.equal(await record.wasOn(), false, 'no file: a first start');
      await record.keep(true);
      assert.equal(
        await new MaintenanceRecord(() => file, logger, new VipdMetrics()).wasOn(),
        true,
      );
      await record.keep(false);
      assert.equal(
        await new MaintenanceRecord(() => file, logger, new VipdMetrics()).wasOn(),
        false,
      );
    } finally {
      dir.remove();
    }
  });

  for (const [name, content] of [
    ['empty (power loss after create)', ''],
    ['cut short', '{"maintenance":tr'],
    ['without a boolean maintenance', '{"maintenance":"yes"}\n'],
  ] as const) {
    it(`starts IN maintenance when the file is ${name}, and says which file and what to do`, async () => {
      const dir = tempDir();
      try {
        const file = dir.file('node-state.json', content);
        assert.equal((await readNodeState(file)).kind, 'unreadable');
        const { logger, lines } = recordingLogger();
        assert.equal(
          await new MaintenanceRecord(() => file, logger, new VipdMetrics()).wasOn(),
          true,
        );
        const line = lines.find((l) => l['code'] === 'NODE_STATE_UNREADABLE');
        assert.ok(line, JSON.stringify(lines));
        assert.equal(line['level'], 50, 'logged as an error');
        assert.equal(line['file'], file);
        assert.match(
          String(line['msg']),
          new RegExp(`cannot read ${file} .*starting IN maintenance.*vipctl maintenance off`),
        );
      } finally {
        dir.remove();
      }
    });
  }

  for (const [name, content] of [
    ['JSON null', 'null\n'],
    ['a JSON array', '[true]\n'],
    ['a JSON string', '"maintenance"\n'],
  ] as const) {
    it(`cannot understand a file that is ${name}`, async () => {
      const dir = tempDir();
      try {
        const reading = await readNodeState(dir.file('node-state.json', content));
        assert.equal(reading.kind, 'unreadable');
      } finally {
        dir.remove();
      }
    });
  }

  it('reads the setting from a hand-edited file whose date is missing or not a string', async () => {
    const dir = tempDir();
    try {
      for (const [content, maintenance] of [
        ['{"maintenance":true}\n', true],
        ['{"maintenance":false,"changedAt":5}\n', false],
        ['{"maintenance":false,"changedAt":null,"note":"by hand"}\n', false],
      ] as const) {
        const reading = await readNodeState(dir.file('node-state.json', content));
        assert.deepEqual(reading, { kind: 'read', state: { maintenance, changedAt: 'unknown' } });
      }
    } finally {
      dir.remove();
    }
  });

  it('reads back exactly what it wrote', async () => {
    const dir = tempDir();
    try {
      const file = `${dir.path}/node-state.json`;
      const state = { maintenance: true, changedAt: '2026-12-07T12:00:00.000Z' };
      assert.deepEqual(await writeNodeState(file, state), { persisted: true, how: 'replaced' });
      assert.deepEqual(await readNodeState(file), { kind: 'read', state });
    } finally {
      dir.remove();
    }
  });

  it('starts IN maintenance when the file cannot be read at all', async () => {
    const dir = tempDir();
    try {
      // A directory in its place: EISDIR, as unreadable as a permission problem.
      dir.file('node-state.json/x', '');
      const { logger } = recordingLogger();
      assert.equal(
        await new MaintenanceRecord(
          () => `${dir.path}/node-state.json`,
          logger,
          new VipdMetrics(),
        ).wasOn(),
        true,
      );
    } finally {
      dir.remove();
    }
  });

  // Root writes through mode bits, so the directory cannot be made unwritable with chmod here;
  // a regular file where the directory should be fails every create with ENOTDIR, as a
  // read-only or vanished directory would. The real full disk and read-only mount are in
  // test/daemon/node-state-disk.test.ts.
  it('a failed write keeps maintenance on in memory and says so: API fields, metrics, error log', async () => {
    const dir = tempDir();
    try {
      const file = `${dir.file('not-a-dir', '')}/node-state.json`;
      const { logger, lines } = recordingLogger();
      const metrics = new VipdMetrics();
      const record = new MaintenanceRecord(() => file, logger, metrics);
      assert.equal(await sample(metrics, 'vipd_maintenance_persisted'), 1);
      const kept = await record.keep(true);
      assert.equal(kept.persisted, false);
      assert.match(String(kept.persistError), /^ENOTDIR: /);
      assert.equal(await sample(metrics, 'vipd_maintenance_persisted'), 0);
      assert.equal(
        await sample(metrics, 'vipd_state_file_write_failures_total{code="ENOTDIR"}'),
        1,
      );
      const line = lines.find((l) => l['code'] === 'NODE_STATE_NOT_PERSISTED');
      assert.ok(line, JSON.stringify(lines));
      assert.equal(line['level'], 50);
      assert.match(String(line['msg']), /maintenance is ON now, but NOT kept across a restart/);
    } finally {
      dir.remove();
    }
  });

  it('a later successful write (the directory fixed, or node.state_file moved) sets the gauge back to 1', async () => {
    const dir = tempDir();
    try {
      let file = `${dir.file('not-a-dir', '')}/node-state.json`;
      const metrics = new VipdMetrics();
      const record = new MaintenanceRecord(() => file, recordingLogger().logger, metrics);
      assert.equal((await record.keep(true)).persisted, false);
      assert.equal(await sample(metrics, 'vipd_maintenance_persisted'), 0);
      file = `${dir.path}/node-state.json`;
      assert.deepEqual(await record.keep(true), { persisted: true });
      assert.equal(await sample(metrics, 'vipd_maintenance_persisted'), 1);
      assert.equal(
        await new MaintenanceRecord(() => file, recordingLogger().logger, metrics).wasOn(),
        true,
      );
    } finally {
      dir.remove();
    }
  });

  it('an unreadable file at start drains the node and reports the setting as not persisted', async () => {
    const dir = tempDir();
    try {
      const file = dir.file('node-state.json', '{"maint');
      const metrics = new VipdMetrics();
      assert.equal(
        await new MaintenanceRecord(() => file, recordingLogger().logger, metrics).wasOn(),
        true,
      );
      assert.equal(await sample(metrics, 'vipd_maintenance_persisted'), 0);
    } finally {
      dir.remove();
    }
  });
});
