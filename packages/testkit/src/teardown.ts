/**
 * Everything a lab creates registers how to undo it here, so namespaces, bridges and daemons
 * disappear on every way out: normal end, thrown error (try/finally), process exit,
 * uncaught exception (Node still emits 'exit') and SIGINT/SIGTERM/SIGHUP. Steps are
 * synchronous on purpose: an 'exit' handler cannot wait for a promise.
 */
export interface TeardownStep {
  readonly label: string;
  readonly run: () => void;
}

export class Teardown {
  private readonly steps: TeardownStep[] = [];
  private readonly failures: string[] = [];

  /** Registers a step; steps run last-registered first. Returns a function that drops it. */
  add(label: string, run: () => void): () => void {
    const step: TeardownStep = { label, run };
    this.steps.push(step);
    return () => {
      const index = this.steps.indexOf(step);
      if (index >= 0) this.steps.splice(index, 1);
    };
  }

  /** Runs every pending step once, newest first; a failing step never stops the others. */
  runAll(): readonly string[] {
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        step.run();
      } catch (error) {
        this.failures.push(`${step.label}: ${String(error)}`);
      }
    }
    return this.failures;
  }

  get pending(): number {
    return this.steps.length;
  }
}

const live = new Set<Teardown>();
let hooked = false;

const exitCodeBySignal: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function runEveryTeardown(): void {
  for (const teardown of live) teardown.runAll();
  live.clear();
}

function hookProcess(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', runEveryTeardown);
  for (const [signal, code] of Object.entries(exitCodeBySignal)) {
    process.on(signal, () => {
      runEveryTeardown();
      process.exit(code);
    });
  }
}

/** Makes a teardown that also runs if the process exits or is interrupted first. */
export function processBoundTeardown(): Teardown {
  hookProcess();
  const teardown = new Teardown();
  live.add(teardown);
  return teardown;
}

/** Runs a bound teardown now and forgets it (the normal end of a lab). */
export function finishTeardown(teardown: Teardown): readonly string[] {
  live.delete(teardown);
  return teardown.runAll();
}
