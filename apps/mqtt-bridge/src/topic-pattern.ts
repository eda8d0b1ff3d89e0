// Topic conventions: a route's pattern names the topic levels that carry the device id and the
// event name, e.g. `devices/{deviceId}/events/{event}`. The broker is subscribed to the same
// pattern with `+` in those levels, and each delivered topic is read back level by level.

/** What a topic told about its message. */
export interface TopicFields {
  deviceId?: string;
  event?: string;
}

export interface TopicPattern {
  /** The pattern as configured. */
  readonly pattern: string;
  /** The MQTT subscription filter: placeholders become `+`. */
  readonly filter: string;
  /** The fields of a topic the pattern matches; undefined when it does not match. */
  match(topic: string): TopicFields | undefined;
}

const PLACEHOLDERS = { '{deviceId}': 'deviceId', '{event}': 'event' } as const;
type Placeholder = keyof typeof PLACEHOLDERS;

function isPlaceholder(level: string): level is Placeholder {
  return Object.hasOwn(PLACEHOLDERS, level);
}

/**
 * Why a pattern is not usable, or undefined when it is. A placeholder fills a whole level;
 * `+` matches any one level and `#` (last level only) any rest, as in MQTT filters.
 */
export function topicPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'a topic pattern must not be empty';
  if (pattern.startsWith('$')) return 'topics starting with $ are the broker’s own';
  const levels = pattern.split('/');
  const seen = new Set<string>();
  for (const [index, level] of levels.entries()) {
    if (level === '#') {
      if (index !== levels.length - 1) return '# must be the last level';
      continue;
    }
    if (level === '+') continue;
    if (isPlaceholder(level)) {
      if (seen.has(level)) return `${level} appears twice`;
      seen.add(level);
      continue;
    }
    if (/[+#{}]/.test(level)) {
      return `level "${level}": + and # stand alone; placeholders are {deviceId} and {event}`;
    }
  }
  return undefined;
}

/** Compiles a route's topic pattern; throws on a pattern `topicPatternProblem` refuses. */
export function compileTopicPattern(pattern: string): TopicPattern {
  const problem = topicPatternProblem(pattern);
  if (problem) throw new Error(`topic pattern ${pattern}: ${problem}`);
  const levels = pattern.split('/');
  const multiLevel = levels.at(-1) === '#';
  const fixed = multiLevel ? levels.slice(0, -1) : levels;
  return {
    pattern,
    filter: levels.map((level) => (isPlaceholder(level) ? '+' : level)).join('/'),
    match(topic) {
      const parts = topic.split('/');
      // `a/#` also matches `a` itself (MQTT), so the fixed part may be all there is.
      if (multiLevel ? parts.length < fixed.length : parts.length !== fixed.length) {
        return undefined;
      }
      const fields: TopicFields = {};
      for (const [index, level] of fixed.entries()) {
        const part = parts[index]!;
        if (isPlaceholder(level)) {
          // An empty level is a valid MQTT level but no id or name: left for validation.
          if (part !== '') fields[PLACEHOLDERS[level]] = part;
        } else if (level !== '+' && level !== part) {
          return undefined;
        }
      }
      return fields;
    },
  };
}
