/**
 * The exact text of each element of a top-level array in a JSON object's text, so that a REST row can be stored
 * exactly as TeleCMI sent it (spacing, key order and number spelling such as `1.500000` included), which
 * `JSON.stringify(JSON.parse(…))` would not keep. Returns null when the text is not a JSON object or `key` is not
 * an array in it; the last occurrence of a repeated key wins, as in `JSON.parse`.
 *
 * @example
 * sliceArrayElements('{"count":1,"cdr":[ {"rate": 1.50} ]}', 'cdr'); // ['{"rate": 1.50}']
 */
export function sliceArrayElements(text: string, key: string): string[] | null {
  const member = sliceMember(text, key);
  if (member === null || !member.startsWith('[')) return null;
  const elements: string[] = [];
  try {
    walkArray(member, 0, (start, end) => elements.push(member.slice(start, end)));
  } catch {
    return null;
  }
  return elements;
}

/**
 * The exact text of the value of `key` in a JSON object's text (the object of PIOPIY's `cmiuuid_cdr` answer),
 * or null when the text is not a JSON object or has no such key. The last occurrence of a repeated key wins.
 */
export function sliceMember(text: string, key: string): string | null {
  try {
    let found: string | null = null;
    let i = skipSpace(text, 0);
    if (text[i] !== '{') return null;
    i = skipSpace(text, i + 1);
    if (text[i] === '}') return null;
    for (;;) {
      const keyEnd = skipString(text, i);
      const name = JSON.parse(text.slice(i, keyEnd)) as string;
      i = skipSpace(text, keyEnd);
      if (text[i] !== ':') return null;
      i = skipSpace(text, i + 1);
      const end = skipValue(text, i);
      if (name === key) found = text.slice(i, end);
      i = skipSpace(text, end);
      if (text[i] === ',') i = skipSpace(text, i + 1);
      else if (text[i] === '}') return found;
      else return null;
    }
  } catch {
    return null;
  }
}

function walkArray(text: string, start: number, onElement: (start: number, end: number) => void): number {
  let i = skipSpace(text, start + 1);
  if (text[i] === ']') return i + 1;
  for (;;) {
    const end = skipValue(text, i);
    onElement(i, end);
    i = skipSpace(text, end);
    if (text[i] === ']') return i + 1;
    if (text[i] !== ',') throw new SyntaxError(`Expected , or ] at ${i}`);
    i = skipSpace(text, i + 1);
  }
}

function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '[') return walkArray(text, i, () => undefined);
  if (c === '{') {
    let j = skipSpace(text, i + 1);
    if (text[j] === '}') return j + 1;
    for (;;) {
      j = skipSpace(text, skipString(text, j));
      if (text[j] !== ':') throw new SyntaxError(`Expected : at ${j}`);
      j = skipSpace(text, skipValue(text, skipSpace(text, j + 1)));
      if (text[j] === '}') return j + 1;
      if (text[j] !== ',') throw new SyntaxError(`Expected , or } at ${j}`);
      j = skipSpace(text, j + 1);
    }
  }
  const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
  if (literal === null) throw new SyntaxError(`Unexpected ${c ?? 'end'} at ${i}`);
  return i + literal[0].length;
}

function skipString(text: string, i: number): number {
  if (text[i] !== '"') throw new SyntaxError(`Expected a string at ${i}`);
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else j += 1;
  }
  throw new SyntaxError('Unterminated string');
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && (text[j] === ' ' || text[j] === '\n' || text[j] === '\r' || text[j] === '\t'))
    j += 1;
  return j;
}
