/** The time, again every `everyMs` (never again without one): for an age or a rate that must move on its own. */
import { useEffect, useState } from 'react';

export function useNow(everyMs?: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!everyMs) return;
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
