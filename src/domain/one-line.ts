/** Text clipped to one line for a summary, a list or a log: whitespace runs become one space. Pure. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
