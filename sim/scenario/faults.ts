// Checks of a scenario's fault timeline that need the protocol and the cluster:
// every node field names a node of the cluster, a role the protocol (or the
// engine) defines (`@leader`), or a labelled fault (`$x`); every trigger is one
// the protocol declares; `after` names a fault id. Errors name the place and
// list what would have been valid.

import { GENERIC_ROLES } from '../engine/targets.ts';
import type { ProtocolDefinition } from './protocol.ts';
import { InputError } from './errors.ts';
import type { Scenario } from './schema.ts';

type Fault = Scenario['faults']['timeline'][number];

/** Role names a fault may target for this protocol: the generic ones, then the protocol's. */
export function roleNames(protocol: ProtocolDefinition): string[] {
  return [...Object.keys(GENERIC_ROLES), ...Object.keys(protocol.roles ?? {}).filter((r) => !(r in GENERIC_ROLES))];
}

export function triggerNames(protocol: ProtocolDefinition): string[] {
  return Object.keys(protocol.triggers ?? {});
}

/** Throws InputError for the first bad target, trigger, id or `after` of the timeline. */
export function checkFaultTimeline(timeline: readonly Fault[], protocol: ProtocolDefinition, nodeIds: ReadonlySet<string>, file: string | undefined): void {
  const roles = roleNames(protocol);
  const triggers = triggerNames(protocol);
  const ids = new Map<string, number>();
  timeline.forEach((f, i) => {
    if (f.id === undefined) return;
    if (ids.has(f.id)) throw new InputError(`duplicate fault id "${f.id}" (also faults.timeline[${ids.get(f.id)}])`, file, `faults.timeline[${i}].id`);
    ids.set(f.id, i);
  });
  const idList = ids.size > 0 ? [...ids.keys()].join(', ') : 'none: label a fault with id';
  timeline.forEach((f, i) => {
    const where = `faults.timeline[${i}]`;
    const check = (t: string, at: string, triggered: boolean): void => {
      if (t.startsWith('@')) {
        const role = t.slice(1);
        if (!roles.includes(role)) throw new InputError(`unknown role "${role}"; ${protocol.name} has: ${roles.map((r) => `@${r}`).join(', ')}`, file, at);
        if (role === 'trigger' && !triggered) throw new InputError('@trigger names the node a trigger occurred at: only in a fault with `on`, and not in `on.node`', file, at);
      } else if (t.startsWith('$')) {
        const id = t.slice(1);
        if (!ids.has(id)) throw new InputError(`no fault has the id "${id}"; fault ids: ${idList}`, file, at);
      } else if (!nodeIds.has(t)) {
        throw new InputError(`unknown node "${t}"; this cluster has: ${[...nodeIds].join(', ')} (or a role: ${roles.map((r) => `@${r}`).join(', ')})`, file, at);
      }
    };
    const triggered = f.on !== undefined;
    if ('node' in f) check(f.node, `${where}.node`, triggered);
    if (f.kind === 'slow' && f.to !== undefined) {
      check(f.to, `${where}.to`, triggered);
      // A node (or `$label`) named twice is one node; roles (`@any -> @any`) may resolve to two, and one that resolves to a single node adds no link.
      if (f.to === f.node && !f.to.startsWith('@')) throw new InputError(`"${f.to}" is the slowed node itself, and a node has no link to itself; expected another node, or no \`to\` (every link of the node)`, file, `${where}.to`);
    }
    if (f.kind === 'block') {
      check(f.from, `${where}.from`, triggered);
      check(f.to, `${where}.to`, triggered);
      // As for slow: one node named twice (or one `$label`) is no link; roles may resolve to two nodes.
      if (f.to === f.from && !f.to.startsWith('@')) throw new InputError(`"${f.to}" is the blocked node itself, and a node has no link to itself; expected another node`, file, `${where}.to`);
    }
    if (f.kind === 'partition') {
      f.groups?.forEach((g, gi) => g.forEach((id, k) => check(id, `${where}.groups[${gi}][${k}]`, triggered)));
      if (f.around !== undefined) check(f.around, `${where}.around`, triggered);
    }
    if (f.on !== undefined) {
      if (!triggers.includes(f.on.event)) {
        const valid = triggers.length > 0 ? `${protocol.name} has: ${triggers.join(', ')}` : `${protocol.name} declares no triggers`;
        throw new InputError(`unknown trigger "${f.on.event}"; ${valid}`, file, `${where}.on.event`);
      }
      if (f.on.node !== undefined) check(f.on.node, `${where}.on.node`, false);
    }
    if (f.after !== undefined) {
      if (!ids.has(f.after)) throw new InputError(`no fault has the id "${f.after}"; fault ids: ${idList}`, file, `${where}.after`);
      if (f.after === f.id) throw new InputError('a fault cannot come after itself', file, `${where}.after`);
    }
  });
}
