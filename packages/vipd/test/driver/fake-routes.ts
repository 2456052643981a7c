// An in-memory kernel table for the driver's route port: keyed like the kernel's (address,
// table, metric), recording every change in order, with a switch to fail the next add.
import type { RouteAddOutcome, RouteRemoveOutcome, VipRoute } from '@vipd/arp';
import type { RoutePort } from '../../src/driver/route-announcer.js';

export class FakeRoutes implements RoutePort {
  readonly #table = new Map<string, VipRoute>();
  /** "add 10.0.0.1 250 4294967294", "del …", in the order they happened. */
  readonly log: string[] = [];
  failNextAdd: Error | null = null;

  addNow(route: VipRoute): RouteAddOutcome {
    if (this.failNextAdd !== null) {
      const error = this.failNextAdd;
      this.failNextAdd = null;
      throw error;
    }
    const key = keyOf(route);
    if (this.#table.has(key)) return 'already-managed';
    this.#table.set(key, route);
    this.log.push(`add ${key}`);
    return 'added';
  }

  removeNow(route: VipRoute): RouteRemoveOutcome {
    const key = keyOf(route);
    if (!this.#table.delete(key)) return 'absent';
    this.log.push(`del ${key}`);
    return 'removed';
  }

  listManagedNow(table?: number): VipRoute[] {
    return [...this.#table.values()].filter((r) => table === undefined || r.table === table);
  }

  /** "address table metric" of every route, sorted. */
  present(): string[] {
    return [...this.#table.keys()].sort();
  }
}

function keyOf(route: VipRoute): string {
  return `${route.address} ${route.table} ${route.metric}`;
}
