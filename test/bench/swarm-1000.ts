/** The 1,000-agent swarm of the swarm part, run by swarm-scale.ts in a process of its own. */
import { rows } from './report';
import { thousand } from './swarm-scale';

thousand().then(
  () => process.send?.({ rows }, () => process.disconnect()),
  (err) => {
    console.error(err);
    process.exitCode = 1;
    process.send?.({ rows }, () => process.disconnect());
  },
);
