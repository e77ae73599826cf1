/** Today's figures as the calls service computes them: headline fields, and lists (teams, agents, hours, missed). */
export type Figures = Readonly<Record<string, unknown>>;

/**
 * What a `stats` message carries: every field that is not a list, whole (they are small), and in `lists`, each
 * list that changed since the previous figures, written as its new rows in order where each row that was already
 * there is only its position in the previous list (a number): `"missed": [{…a new call…}, 0, 1, 2, …]`. A list
 * not in `lists` is as before. Rows are objects, so a number is never a row.
 */
export interface FiguresDelta {
  readonly [field: string]: unknown;
  readonly lists?: Record<string, readonly unknown[]>;
}

/** The figures a delta is taken against, with the JSON of each list row kept for the next comparison. */
export interface FiguresBase {
  readonly figures: Figures;
  readonly rows: ReadonlyMap<string, readonly string[]>;
}

/** The delta from `base` (null: nothing sent yet, so every list is sent whole) to `next`, and the new base. */
export function diffFigures(
  base: FiguresBase | null,
  next: Figures,
): { delta: FiguresDelta; base: FiguresBase } {
  const whole: Record<string, unknown> = {};
  const lists: Record<string, readonly unknown[]> = {};
  const rows = new Map<string, string[]>();
  for (const [field, value] of Object.entries(next)) {
    if (!Array.isArray(value)) {
      whole[field] = value;
      continue;
    }
    const texts = value.map((row) => JSON.stringify(row));
    rows.set(field, texts);
    const before = base?.rows.get(field);
    if (before === undefined) {
      lists[field] = value;
      continue;
    }
    const positions = new Map<string, number>();
    before.forEach((text, index) => {
      if (!positions.has(text)) positions.set(text, index);
    });
    const spec = texts.map((text, index) => positions.get(text) ?? (value[index] as unknown));
    const isSame = before.length === texts.length && spec.every((item, index) => item === index);
    if (!isSame) lists[field] = spec;
  }
  return {
    delta: { ...whole, ...(Object.keys(lists).length > 0 ? { lists } : {}) },
    base: { figures: next, rows },
  };
}
