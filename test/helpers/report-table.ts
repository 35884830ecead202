/** What the bench and the soak print alike: the machine, percentiles, and a padded markdown table. */
import * as os from 'node:os';

export function machine(): string {
  const cpus = os.cpus();
  return (
    `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM,` +
    ` ${os.type()} ${os.release()}, Node ${process.version}`
  );
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
}

/** A markdown table, columns padded so it also reads well as plain text. */
export function markdownTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
