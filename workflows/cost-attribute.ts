/**
 * The OrchestraCostUsd search attribute, as the Web UI and `temporal workflow list` show it:
 * rounded to a millionth of a dollar, so a sum of prices reads 0.0123 rather than
 * 0.012299999999999998. The workflows' own totals stay exact.
 */
import * as wf from '@temporalio/workflow';
import { roundedUsd } from '../src/domain/cost';
import { OrchestraCostUsd } from '../src/domain/search-attributes';

/** Histories written before the rounding upserted the exact sum: they replay with it. */
const ROUNDED = 'cost-attribute-rounded';

export function upsertCost(usd: number): void {
  wf.upsertSearchAttributes([{ key: OrchestraCostUsd, value: wf.patched(ROUNDED) ? roundedUsd(usd) : usd }]);
}
