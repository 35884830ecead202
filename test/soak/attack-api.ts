/** Scenario 5's API case: the control API on loopback answers a foreign Host header with 421 (DNS rebinding). */
import { startLocalApi } from '../helpers/api';
import type { Harness } from '../helpers/harness';
import { rawRequest } from '../helpers/raw-http';
import { claim } from './report';

export async function hostCheck(h: Harness): Promise<void> {
  const api = await startLocalApi(h);
  try {
    const url = `${api.url}/api/v1/agents`;
    const own = await rawRequest(url, { headers: { host: new URL(api.url).host } });
    const foreign = await Promise.all(
      ['evil.example', 'evil.example:80', `localhost.evil.example:${new URL(api.url).port}`].map(
        async (host) => [host, (await rawRequest(url, { headers: { host } })).status] as const,
      ),
    );
    claim(
      'attacks',
      'API request with a foreign Host header: 421',
      own.status === 200 && foreign.every(([, status]) => status === 421),
      `${foreign.map(([host, status]) => `${host} → ${status}`).join(', ')}; own name → ${own.status}`,
    );
  } finally {
    await api.close();
  }
}
