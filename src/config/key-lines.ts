/**
 * The line on which each key of a TOML text is written, for messages that point at it. smol-toml reports the line
 * of a syntax error but not where a valid key sits, so the lines are found here: table headers and `key =` lines,
 * skipping multi-line strings. A key inside an inline table gets the line of the table's key.
 */
export function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let table: string[] = [];
  let openString: string | null = null;
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNumber = index + 1;
    if (openString !== null) {
      if (countOf(raw, openString) % 2 === 1) openString = null;
      return;
    }
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?/.exec(raw);
    if (header?.[1] !== undefined) {
      table = splitKey(header[1]);
      if (!lines.has(table.join('.'))) lines.set(table.join('.'), lineNumber);
      return;
    }
    const assignment =
      /^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=(.*)$/.exec(
        raw,
      );
    if (assignment?.[1] === undefined) return;
    const key = [...table, ...splitKey(assignment[1])].join('.');
    if (!lines.has(key)) lines.set(key, lineNumber);
    for (const quotes of ['"""', "'''"]) {
      if (countOf(assignment[2] ?? '', quotes) % 2 === 1) openString = quotes;
    }
  });
  return lines;
}

/** The line of `key`, else of the nearest enclosing table or key written in the text. */
export function lineOf(lines: Map<string, number>, key: string): number | undefined {
  const parts = key.split('.');
  for (let length = parts.length; length > 0; length--) {
    const found = lines.get(parts.slice(0, length).join('.'));
    if (found !== undefined) return found;
  }
  return undefined;
}

function splitKey(text: string): string[] {
  const parts = text.match(/"[^"]*"|'[^']*'|[^.]+/g) ?? [];
  return parts.map((part) => part.trim().replace(/^["']|["']$/g, '')).filter((part) => part !== '');
}

function countOf(text: string, what: string): number {
  return text.split(what).length - 1;
}
