// What a bench node measures about itself over the measuring window: CPU time (user +
// system, every thread) as % of one core, and wakeups — voluntary context switches, i.e.
// how often the process went to sleep in epoll and was woken again. On this VM a wakeup
// has a price of its own, paid whatever the callback does, so the two together tell the
// mesh's work from the cost of being woken.

export interface WindowFigures {
  readonly cpuPercent: number;
  readonly wakeupsPerS: number;
}

export function startWindow(): () => WindowFigures {
  const cpuBefore = process.cpuUsage();
  const switchesBefore = process.resourceUsage().voluntaryContextSwitches;
  const wallBefore = performance.now();
  return () => {
    const cpu = process.cpuUsage(cpuBefore);
    const switches = process.resourceUsage().voluntaryContextSwitches - switchesBefore;
    const wallMs = performance.now() - wallBefore;
    return {
      cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      wakeupsPerS: switches / (wallMs / 1000),
    };
  };
}
