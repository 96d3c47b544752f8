// Bad lock configs are input errors that name the file and the path inside it.

import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { InputError } from '../../sim/scenario/errors.ts';

function errorOf(config: Record<string, unknown>): InputError {
  try {
    parseScenario({ name: 'lock-bad', description: 'x', protocol: 'lock', config, duration: '1s' }, 'scenarios/lock-bad.json');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('lock config validation', () => {
  it('a margin not shorter than the ttl', () => {
    const e = errorOf({ ttl: '100ms', margin: '100ms' });
    expect([e.file, e.where, e.message]).toEqual(['scenarios/lock-bad.json', 'config.margin', 'margin 100ms must be shorter than ttl 100ms']);
  });

  it('an unknown recipe', () => {
    const e = errorOf({ recipe: 'zookeeper' });
    expect(e.where).toBe('config.recipe');
    expect(e.message).toContain('fencing');
  });

  it('a duration that is not one', () => {
    expect(errorOf({ ttl: 'soon' }).where).toBe('config.ttl');
  });

  it('an unknown planted bug', () => {
    expect(errorOf({ bugs: { forgetEverything: true } }).where).toBe('config.bugs.forgetEverything');
  });

  it('defaults fill a minimal config', () => {
    const s = parseScenario({ name: 'lock-ok', description: 'x', protocol: 'lock', duration: '1s' });
    expect(s.config).toMatchObject({ clients: 2, locks: 1, recipe: 'fencing', fencing: true, ttl: 500_000, bugs: { skipFsync: false, grantBeforeExpiry: false, ignoreStaleTokens: false, neverRelease: false } });
  });
});
