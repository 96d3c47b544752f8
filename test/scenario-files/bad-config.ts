// A TypeScript scenario whose protocol config has a wrong type (the cast hides it from tsc on purpose).
import { defineScenario } from '../../sim/scenario/define.ts';

export default defineScenario({
  name: 'bad-config',
  description: 'pingpong with a string for a number',
  protocol: 'pingpong',
  config: { nodes: 'five' as unknown as number },
  duration: '1s',
});
