/** Today's figures as the calls service computes them: headline fields, and lists (teams, agents, hours, missed). */
export type Figures = Readonly<Record<string, unknown>>;

/**
 * What a `stats` message carries: every field that is not a list, whole (they are small), and of the lists only
 * what changed since the previous figures. A list whose length changed is in `replaced`, whole; a list of the
 * same length is in `changed`, as its rows that differ by position (`{"3": row}`); a list in neither is as before.
 */
export interface FiguresDelta {
  readonly [field: string]: unknown;
  readonly replaced?: Record<string, readonly unknown[]>;
  readonly changed?: Record<string, Record<number, unknown>>;
}

/** The figures a delta is taken against, with the JSON of each list row kept for the next comparison. */
export interface FiguresBase {
  readonly figures: Figures;
  readonly rows: ReadonlyMap<string, readonly string[]>;
}

/** The delta from `base` (null: nothing sent yet, so every list is replaced) to `next`, and the new base. */
export function diffFigures(
  base: FiguresBase | null,
  next: Figures,
): { delta: FiguresDelta; base: FiguresBase } {
  const whole: Record<string, unknown> = {};
  const replaced: Record<string, readonly unknown[]> = {};
  const changed: Record<string, Record<number, unknown>> = {};
  const rows = new Map<string, string[]>();
  for (const [field, value] of Object.entries(next)) {
    if (!Array.isArray(value)) {
      whole[field] = value;
      continue;
    }
    const texts = value.map((row) => JSON.stringify(row));
    rows.set(field, texts);
    const before = base?.rows.get(field);
    if (before === undefined || before.length !== texts.length) {
      replaced[field] = value;
      continue;
    }
    const differing: Record<number, unknown> = {};
    let count = 0;
    texts.forEach((text, index) => {
      if (text === before[index]) return;
      differing[index] = value[index];
      count += 1;
    });
    if (count > 0) changed[field] = differing;
  }
  const delta: FiguresDelta = {
    ...whole,
    ...(Object.keys(replaced).length > 0 ? { replaced } : {}),
    ...(Object.keys(changed).length > 0 ? { changed } : {}),
  };
  return { delta, base: { figures: next, rows } };
}
