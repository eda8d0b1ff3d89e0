import { describe, expect, it } from 'vitest';
import { compileTopicPattern, topicPatternProblem } from './topic-pattern.js';

describe('compileTopicPattern', () => {
  it('subscribes with + in place of the placeholders and reads them back from topics', () => {
    const pattern = compileTopicPattern('devices/{deviceId}/events/{event}');
    expect(pattern.filter).toBe('devices/+/events/+');
    expect(pattern.match('devices/th-7/events/temperature')).toEqual({
      deviceId: 'th-7',
      event: 'temperature',
    });
    expect(pattern.match('devices/th-7/status/temperature')).toBeUndefined();
    expect(pattern.match('devices/th-7/events')).toBeUndefined();
    expect(pattern.match('devices/th-7/events/temperature/extra')).toBeUndefined();
  });

  it('matches any rest with a final # and any one level with +', () => {
    const pattern = compileTopicPattern('site/+/{deviceId}/#');
    expect(pattern.filter).toBe('site/+/+/#');
    expect(pattern.match('site/berlin/pump-1/a/b')).toEqual({ deviceId: 'pump-1' });
    expect(pattern.match('site/berlin/pump-1')).toEqual({ deviceId: 'pump-1' });
    expect(pattern.match('site/berlin')).toBeUndefined();
  });

  it('leaves an empty placeholder level out, for validation to refuse', () => {
    expect(compileTopicPattern('d/{deviceId}/{event}').match('d//boot')).toEqual({
      event: 'boot',
    });
  });

  it('refuses patterns that cannot be subscribed to or read back', () => {
    expect(topicPatternProblem('')).toMatch(/empty/);
    expect(topicPatternProblem('$SYS/#')).toMatch(/\$/);
    expect(topicPatternProblem('a/#/b')).toMatch(/last/);
    expect(topicPatternProblem('a/dev-{deviceId}')).toMatch(/placeholders/);
    expect(topicPatternProblem('a/{deviceId}/{deviceId}')).toMatch(/twice/);
    expect(topicPatternProblem('a/{other}')).toMatch(/placeholders/);
    expect(topicPatternProblem('devices/{deviceId}/{event}')).toBeUndefined();
    expect(() => compileTopicPattern('a/#/b')).toThrow(/a\/#\/b/);
  });
});
