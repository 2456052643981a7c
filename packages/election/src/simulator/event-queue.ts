// A binary min-heap of timed events. Ties on time break on insertion order, so two events
// at the same virtual millisecond always run in the order they were scheduled.

interface Entry<T> {
  readonly atMs: number;
  readonly seq: number;
  readonly item: T;
}

export class EventQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(atMs: number, item: T): void {
    const heap = this.heap;
    const entry: Entry<T> = { atMs, seq: this.seq++, item };
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = this.at(parent);
      if (!before(entry, above)) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Time of the earliest event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.atMs;
  }

  pop(): { atMs: number; item: T } | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) return undefined;
    const size = heap.length;
    if (size > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= size) break;
        const right = left + 1;
        let child = left;
        let smallest = this.at(left);
        if (right < size) {
          const r = this.at(right);
          if (before(r, smallest)) {
            child = right;
            smallest = r;
          }
        }
        if (!before(smallest, last)) break;
        heap[i] = smallest;
        i = child;
      }
      heap[i] = last;
    }
    return { atMs: top.atMs, item: top.item };
  }

  private at(index: number): Entry<T> {
    const entry = this.heap[index];
    if (entry === undefined) throw new RangeError(`event queue index ${index} out of range`);
    return entry;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
