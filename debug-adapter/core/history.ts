// The time line of a debug session: machine snapshots keyed by the retired-instruction count (the emulator is
// deterministic, so any earlier point is reached by restoring the closest snapshot before it and replaying),
// and the time-stamped logs that must follow the machine back in time: VMWRITE provenance and VM exits.

export interface TimedSnapshot {
  count: number;
  state: unknown;
}

export class SnapshotTimeline {
  private snaps: TimedSnapshot[] = [];

  constructor(private readonly capacity = 400) {}

  /** Records a snapshot; drops later ones (a new future after travelling back) and thins old ones when full. */
  add(count: number, state: unknown): void {
    while (this.snaps.length > 0 && (this.snaps[this.snaps.length - 1] as TimedSnapshot).count >= count)
      this.snaps.pop();
    this.snaps.push({ count, state });
    if (this.snaps.length > this.capacity) {
      // Keep the first (the launch state) and every other snapshot of the older half.
      const half = this.snaps.length >> 1;
      const older = this.snaps.slice(1, half).filter((_, i) => i % 2 === 1);
      this.snaps = [this.snaps[0] as TimedSnapshot, ...older, ...this.snaps.slice(half)];
    }
  }

  /** The latest snapshot at or before `count`. */
  atOrBefore(count: number): TimedSnapshot | undefined {
    let best: TimedSnapshot | undefined;
    for (const s of this.snaps) {
      if (s.count <= count) best = s;
      else break;
    }
    return best;
  }

  /** Snapshots strictly before `count`, latest first. */
  before(count: number): TimedSnapshot[] {
    return this.snaps.filter((s) => s.count < count).reverse();
  }

  get size(): number {
    return this.snaps.length;
  }

  last(): TimedSnapshot | undefined {
    return this.snaps[this.snaps.length - 1];
  }
}

/** A log of events stamped with the instruction count; truncated when the machine travels back. */
export class TimedLog<T extends { count: number }> {
  readonly entries: T[] = [];

  push(e: T): void {
    this.entries.push(e);
  }

  /** Forgets everything that happened after `count` (it will be recorded again if the program gets there). */
  truncateAfter(count: number): void {
    while (this.entries.length > 0 && (this.entries[this.entries.length - 1] as T).count > count) this.entries.pop();
  }

  get length(): number {
    return this.entries.length;
  }
}
