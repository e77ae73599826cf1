/** Numbered parameters for a query built piece by piece: `add(value)` returns its placeholder (`$1`, `$2`…). */
export function createParams() {
  const values: unknown[] = [];
  return {
    values,
    add(value: unknown): string {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

export type Params = ReturnType<typeof createParams>;
