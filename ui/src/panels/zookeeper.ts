// ZooKeeper lock panel (the lock recipe of the ZooKeeper documentation:
// ephemeral sequential children of /lock, each waiter watching its
// predecessor): at the cursor, who holds the lock and with which fencing token,
// the znode tree (the children of /lock in sequence order with their owning
// session; the lowest is the holder's turn), the sessions and which client owns
// each, every client's recipe phase, and the fenced resource's writes.
// Reads only what sim/protocols/zookeeper/state.ts publishes, every field
// checked: a server that publishes more (ZooKeeper on Raft) still shows.

import type { JsonValue } from '../../../sim/engine/types.ts';
import type { ZkClientState, ZkResourceState, ZkServerState } from '../../../sim/protocols/zookeeper/state.ts';
import { el, replace } from '../dom.ts';
import { grid, isNum, isObj, isStr, nodesWith, show, stateIf, strs } from './kit.ts';
import type { PanelFactory, ProtocolView } from './panel.ts';

const isServer = (s: JsonValue): s is JsonValue & ZkServerState => isObj(s) && Array.isArray(s.queue) && Array.isArray(s.sessions);
const isClient = (s: JsonValue): s is JsonValue & ZkClientState => isObj(s) && isStr(s.phase) && 'session' in s && 'watching' in s;
const isResource = (s: JsonValue): s is JsonValue & ZkResourceState => isObj(s) && isNum(s.highestToken) && isNum(s.accepted) && isNum(s.rejected);

export const zookeeperPanel: PanelFactory = (store, model) => {
  const servers = nodesWith(model, isServer);
  const clients = nodesWith(model, isClient);
  const resources = nodesWith(model, isResource);
  if (servers.length === 0 && clients.length === 0) return undefined;
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-zookeeper' }, el('h3', null, 'ZooKeeper lock'), body);
  return {
    root,
    update() {
      const seq = store.cursor;
      const cs = new Map<string, ZkClientState>();
      for (const c of clients) {
        const s = stateIf(model, c, seq, isClient);
        if (s) cs.set(c, s);
      }
      const ownerOf = (session: unknown): string | undefined => [...cs].find(([, s]) => isStr(s.session) && s.session === session)?.[0];
      const holders = [...cs].filter(([, s]) => s.phase === 'holding');
      const holderLine =
        holders.length === 0
          ? el('div', { testid: 'zk-holder' }, 'nobody holds the lock')
          : el(
              'div',
              { testid: 'zk-holder', class: holders.length > 1 ? 'bad' : '' },
              holders.map(([c, s]) => `${c} holds the lock (znode ${show(s.node)}, session ${show(s.session)}, fencing token ${show(s.token)})`).join('; ') + (holders.length > 1 ? ': more than one holder' : ''),
            );
      const trees = servers.map((srv) => {
        const s = stateIf(model, srv, seq, isServer);
        if (!s) return null;
        const sessions = strs(s.sessions);
        const children = s.queue.filter((q) => isObj(q) && isStr(q.name));
        const rows = children.map((q, i) => {
          const owner = q.owner;
          const live = isStr(owner) && sessions.includes(owner);
          const client = ownerOf(owner);
          return {
            testid: `zk-znode-${q.name}`,
            cells: [
              `/lock/${q.name}`,
              show(owner),
              client ?? '—',
              i === 0 ? el('span', { class: 'role role-leader' }, 'holder’s turn') : `waits for /lock/${children[i - 1]?.name ?? '?'}`,
              live || owner === null ? '' : el('span', { class: 'bad', title: 'the owning session is gone: an ephemeral znode should have been deleted with it' }, 'session gone'),
            ],
          };
        });
        return el(
          'div',
          { testid: `zk-tree-${srv}` },
          el('div', { class: 'muted small' }, `${srv}: /lock has ${children.length} children${isNum(s.zxid) ? `, zxid ${s.zxid}` : ''}`),
          rows.length ? grid(['znode', 'session', 'client', 'turn', ''], rows) : el('div', { class: 'muted small' }, '/lock is empty'),
          el('div', { class: 'small', testid: `zk-sessions-${srv}` }, `sessions: ${sessions.map((x) => `${x}${ownerOf(x) ? ` (${ownerOf(x)})` : ''}`).join(', ') || '—'}`),
        );
      });
      const clientRows = [...cs].map(([c, s]) => ({ testid: `zk-client-${c}`, cells: [c, s.phase === 'holding' ? el('span', { class: 'role role-leader' }, 'holding') : s.phase, show(s.session), show(s.node), show(s.watching), show(s.token), show(s.acquired)] }));
      const resRows = resources.flatMap((r) => {
        const s = stateIf(model, r, seq, isResource);
        return s ? [{ testid: `zk-resource-${r}`, cells: [r, s.highestToken, el('span', { class: 'ok' }, String(s.accepted)), el('span', { class: 'bad' }, String(s.rejected))] }] : [];
      });
      replace(
        body,
        holderLine,
        ...trees,
        clientRows.length ? grid(['client', 'phase', 'session', 'znode', 'watching', 'token', 'acquired'], clientRows) : null,
        resRows.length ? grid(['resource', 'highest token', 'accepted', 'rejected'], resRows) : null,
      );
    },
  };
};

/** The zookeeper protocol's entry in the panel registry. */
export const zookeeperView: ProtocolView = { panels: [zookeeperPanel] };
