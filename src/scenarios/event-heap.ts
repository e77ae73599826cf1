/** An item of an {@link EventHeap}: due at `at`, ties broken by `priority`, then by insertion order. */
export interface HeapItem {
  readonly at: number;
  readonly priority: number;
}

/**
 * A binary min-heap of timed events, the agenda of a discrete-event simulation. Equal times come out by
 * priority, then first in first out, so that a run never depends on how the heap happens to be arranged.
 */
export class EventHeap<T extends HeapItem> {
  readonly #items: { item: T; seq: number }[] = [];
  #seq = 0;

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    this.#items.push({ item, seq: this.#seq++ });
    let index = this.#items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#before(index, parent)) break;
      this.#swap(index, parent);
      index = parent;
    }
  }

  /** The earliest item, without removing it. */
  peek(): T | undefined {
    return this.#items[0]?.item;
  }

  pop(): T | undefined {
    const top = this.#items[0];
    const last = this.#items.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.#items.length > 0) {
      this.#items[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < this.#items.length && this.#before(left, smallest)) smallest = left;
        if (right < this.#items.length && this.#before(right, smallest)) smallest = right;
        if (smallest === index) break;
        this.#swap(index, smallest);
        index = smallest;
      }
    }
    return top.item;
  }

  #before(a: number, b: number): boolean {
    const x = this.#items[a]!;
    const y = this.#items[b]!;
    if (x.item.at !== y.item.at) return x.item.at < y.item.at;
    if (x.item.priority !== y.item.priority) return x.item.priority < y.item.priority;
    return x.seq < y.seq;
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    [items[a], items[b]] = [items[b]!, items[a]!];
  }
}
