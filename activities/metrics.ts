/**
 * Orchestra's own metrics, beside the SDK's, on the worker's Prometheus endpoint
 * (ORCHESTRA_METRICS_ADDRESS): model calls, tokens, cost, waits for a model slot, the limiter's
 * 429s and 529s and its current limit, the fleet's rate. Workflow code counts what only it
 * knows (status changes, approvals: workflows/agent/metrics.ts).
 * Through the SDK's runtime meter, so they go wherever its metrics go; without an exporter
 * they cost next to nothing.
 */
import { Runtime } from '@temporalio/worker';
import type { MetricCounter, MetricGauge, MetricHistogram } from '@temporalio/common';

interface Meters {
  calls: MetricCounter;
  inputTokens: MetricCounter;
  outputTokens: MetricCounter;
  costMicroUsd: MetricCounter;
  slotWait: MetricHistogram;
  limited: MetricCounter;
  limit: MetricGauge;
  fleetRate: MetricGauge;
}

let meters: Meters | undefined;

function meter(): Meters {
  if (meters) return meters;
  const m = Runtime.instance().metricMeter;
  meters = {
    calls: m.createCounter('orchestra_model_calls', 'calls', 'Model calls, by model and outcome'),
    inputTokens: m.createCounter('orchestra_input_tokens', 'tokens', 'Input tokens of model calls'),
    outputTokens: m.createCounter('orchestra_output_tokens', 'tokens', 'Output tokens of model calls'),
    costMicroUsd: m.createCounter(
      'orchestra_cost_microusd',
      'microusd',
      'Priced cost of model calls, in millionths of a USD',
    ),
    slotWait: m.createHistogram(
      'orchestra_model_slot_wait',
      'int',
      'ms',
      "Wait for one of the worker's model-call slots",
    ),
    limited: m.createCounter(
      'orchestra_model_limited',
      'answers',
      'Model calls answered 429 (rate limited) or 529 (overloaded), by status',
    ),
    limit: m.createGauge(
      'orchestra_model_limit',
      'int',
      'calls',
      "Model calls at once the worker's limiter allows now (cut on 429/529, climbing back)",
    ),
    fleetRate: m.createGauge(
      'orchestra_model_fleet_rate',
      'float',
      // A rate a minute; the unit of orchestra_model_limit keeps the name as documented (test/metrics.test.ts).
      'calls',
      'Model calls a minute the Temporal server allows the fleet now, as this worker last read it (ORCHESTRA_MODEL_RPM, cut on 429/529)',
    ),
  };
  return meters;
}

export function countModelCall(
  model: string,
  outcome: 'ok' | 'error',
  usage?: { input: number; output: number; costUsd: number },
): void {
  const m = meter();
  m.calls.add(1, { model, outcome });
  if (!usage) return;
  m.inputTokens.add(usage.input, { model });
  m.outputTokens.add(usage.output, { model });
  m.costMicroUsd.add(Math.round(usage.costUsd * 1e6), { model });
}

export function countLimited(status: 429 | 529): void {
  meter().limited.add(1, { status: String(status) });
}

export function setModelLimit(limit: number): void {
  meter().limit.set(limit);
}

export function setFleetRate(perMinute: number): void {
  meter().fleetRate.set(perMinute);
}

export function observeSlotWait(ms: number): void {
  meter().slotWait.record(Math.round(ms));
}
