// Placement shared by every node of the cluster: the HashRing built from a
// RingView, cached per version (all nodes agree on a version's members).

import { HashRing, type RingMode } from './ring.ts';
import type { RingView } from './messages.ts';

export interface PlacementConfig {
  mode: RingMode;
  vnodes: number;
  replicas: number;
}

export class Placement {
  private readonly rings = new Map<number, HashRing>();
  constructor(readonly cfg: PlacementConfig) {}

  ring(view: RingView): HashRing {
    let r = this.rings.get(view.version);
    if (!r) {
      r = new HashRing(view.members, { mode: this.cfg.mode, vnodes: this.cfg.vnodes });
      this.rings.set(view.version, r);
    }
    return r;
  }

  /** The key's preference list: N = replicas distinct members clockwise from it. */
  preferenceList(view: RingView, key: string): string[] {
    return this.ring(view).preferenceList(key, this.cfg.replicas);
  }
}
