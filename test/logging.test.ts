/** Logs: JSON for collectors, a readable line on a terminal, always on stderr; the SDK's by-design warnings kept out of sight. */
import { createLogger, logFormat, prettyLine } from '../src/logging';

test('a pretty logger writes one readable line per entry; a json one writes what collectors parse', () => {
  const pretty: string[] = [];
  createLogger('info', { format: 'pretty', write: (l) => pretty.push(l) }).warn(
    { agentId: 'a1', detail: { n: 2 } },
    'bash runs without a memory cap',
  );
  expect(pretty).toHaveLength(1);
  expect(pretty[0]).toMatch(
    /^\d\d:\d\d:\d\d WARN {2}bash runs without a memory cap agentId=a1 detail=\{"n":2\}\n$/,
  );

  const json: string[] = [];
  createLogger('info', { format: 'json', write: (l) => json.push(l) }).info({ agentId: 'a1' }, 'started');
  expect(JSON.parse(json[0])).toMatchObject({
    level: 30,
    msg: 'started',
    agentId: 'a1',
    service: 'orchestra',
  });
  expect(prettyLine('not json\n')).toBe('not json');
});

test('ORCHESTRA_LOG_FORMAT: auto is pretty on a terminal and JSON elsewhere; a bad value is a clear error', () => {
  expect(logFormat({}, true)).toBe('pretty');
  expect(logFormat({}, false)).toBe('json');
  expect(logFormat({ ORCHESTRA_LOG_FORMAT: 'json' }, true)).toBe('json');
  expect(logFormat({ ORCHESTRA_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  expect(() => logFormat({ ORCHESTRA_LOG_FORMAT: 'xml' }, false)).toThrow(
    'ORCHESTRA_LOG_FORMAT must be auto, json or pretty, not "xml"',
  );
});
