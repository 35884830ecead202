/**
 * A command's environment without the worker's secrets: what bash runs with when there is
 * no sandbox, and what a sandbox's few variables are picked from.
 */
import { redactSecrets } from '../../src/domain';

/** Names of credentials and of the orchestrator's own settings. */
const SECRET_NAME =
  /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|DSN)|(^|_)(PASS|PW|PWD)$|^(ANTHROPIC|TEMPORAL|ORCHESTRA)_/i;

/**
 * The variables a command may see: none named like a secret, and none whose value holds one
 * (`DATABASE_URL=postgres://u:pw@host/db`, a key under a harmless name). `PWD` stays: it is
 * the working directory.
 */
export function commandEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name, value]) =>
        name === 'PWD' || (!SECRET_NAME.test(name) && (value === undefined || !redactSecrets(value).count)),
    ),
  );
}
