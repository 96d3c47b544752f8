// The protected resource: a storage service the lock holder writes to. With
// fencing on (Kleppmann 2016) it remembers the highest token it accepted and the
// holding that brought it, and rejects a write with a lower token, or with the
// same token from another holding (two holdings with one token cannot be told
// apart, so the later one is refused). Retransmitted writes are answered again,
// applied once. Without fencing it accepts everything.

import type { Io, JsonValue, NodeId, ProtocolNode, Timer } from '../../api/index.ts';
import type { RedlockMessage } from './messages.ts';
import type { RedlockResourceState } from './state.ts';

type NoTimer = Timer & { name: never };
type ResourceIo = Io<RedlockMessage, NoTimer, JsonValue>;
const HIGHEST_KEY = 'highest';

export class RedlockResource implements ProtocolNode<RedlockMessage, NoTimer, JsonValue> {
  private highest = { token: 0, tenure: '' };
  private readonly applied = new Map<string, number>();
  private accepted = 0;
  private rejected = 0;

  constructor(private readonly fencing: boolean) {}

  onStart(io: ResourceIo): void {
    this.publish(io);
  }

  onRecover(io: ResourceIo): void {
    this.highest = io.read<{ token: number; tenure: string }>(HIGHEST_KEY) ?? this.highest;
    this.publish(io);
  }

  onMessage(io: ResourceIo, from: NodeId, msg: RedlockMessage): void {
    if (msg.type !== 'write') return;
    const ack = { type: 'write-ack' as const, client: msg.client, tenure: msg.tenure, token: msg.token, seq: msg.seq };
    if ((this.applied.get(msg.tenure) ?? 0) >= msg.seq) {
      io.send(from, { ...ack, ok: true, dup: true });
      return;
    }
    if (this.fencing && msg.token !== null) {
      const t = msg.token;
      if (t < this.highest.token || (t === this.highest.token && msg.tenure !== this.highest.tenure)) {
        this.rejected++;
        io.log(`rejected write ${msg.seq} of ${msg.client}: token ${t} vs highest ${this.highest.token} of ${this.highest.tenure}`);
        io.send(from, { ...ack, ok: false, dup: false });
        this.publish(io);
        return;
      }
      if (t > this.highest.token) {
        this.highest = { token: t, tenure: msg.tenure };
        // Durable before the ack: a restarted resource must not forget what it fenced off.
        io.put(HIGHEST_KEY, { ...this.highest });
        io.fsync();
      }
    }
    this.applied.set(msg.tenure, msg.seq);
    this.accepted++;
    io.send(from, { ...ack, ok: true, dup: false });
    this.publish(io);
  }

  onTimer(): void {}

  private publish(io: ResourceIo): void {
    const s: RedlockResourceState = { highestToken: this.highest.token, accepted: this.accepted, rejected: this.rejected };
    io.publish(s as unknown as JsonValue);
  }
}
