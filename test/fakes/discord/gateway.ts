import type { Server } from 'node:http';
import {
  type APIGuildChannel,
  GatewayDispatchEvents,
  GatewayOpcodes,
  type GatewayReceivePayload,
  type GuildChannelType,
} from 'discord-api-types/v10';
import { type WebSocket, WebSocketServer } from 'ws';
import { type DiscordState, FAKE_IDS } from './state.js';

interface Session {
  socket: WebSocket;
  seq: number;
  ready: boolean;
}

/**
 * The gateway half of the fake: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeat ACKs, RESUME, and
 * dispatches to every identified connection. Plain JSON text frames (no zlib-sync).
 * @see docs/platforms.md#discord-rest-and-gateway
 */
export class FakeGateway {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  /** IDENTIFY payloads received, newest last (tests check the intents). */
  public readonly identifies: Array<{ intents: number }> = [];

  public constructor(
    server: Server,
    private readonly state: DiscordState,
    private readonly url: () => string,
  ) {
    this.wss = new WebSocketServer({ server });
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  /** Number of connections that finished IDENTIFY or RESUME. */
  public readyCount(): number {
    return [...this.sessions].filter((s) => s.ready).length;
  }

  /** Sends a dispatch (`op 0`) to every ready connection. */
  public dispatch(t: GatewayDispatchEvents, d: unknown): void {
    for (const session of this.sessions) {
      if (session.ready) this.send(session, { op: GatewayOpcodes.Dispatch, t, d });
    }
  }

  public async close(): Promise<void> {
    for (const s of this.sessions) s.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private send(session: Session, payload: Record<string, unknown>): void {
    const isDispatch = payload.op === GatewayOpcodes.Dispatch;
    if (isDispatch) session.seq += 1;
    const frame = { s: isDispatch ? session.seq : null, t: isDispatch ? payload.t : null, ...payload };
    session.socket.send(JSON.stringify(frame as unknown as GatewayReceivePayload));
  }

  private onConnection(socket: WebSocket): void {
    const session: Session = { socket, seq: 0, ready: false };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { op: number; d: unknown };
      if (msg.op === GatewayOpcodes.Heartbeat) socket.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
      else if (msg.op === GatewayOpcodes.Identify) this.onIdentify(session, msg.d as { intents: number });
      else if (msg.op === GatewayOpcodes.Resume) {
        session.ready = true;
        this.send(session, { op: GatewayOpcodes.Dispatch, t: GatewayDispatchEvents.Resumed, d: {} });
      }
    });
    socket.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: 45_000 }, s: null, t: null }));
  }

  private onIdentify(session: Session, d: { intents: number }): void {
    this.identifies.push({ intents: d.intents });
    session.ready = true;
    this.send(session, {
      op: GatewayOpcodes.Dispatch,
      t: GatewayDispatchEvents.Ready,
      d: {
        v: 10,
        user: this.state.botUser,
        guilds: [{ id: FAKE_IDS.guild, unavailable: true }],
        session_id: `sess-${this.state.nextId()}`,
        resume_gateway_url: this.url(),
        shard: [0, 1],
        application: { id: FAKE_IDS.application, flags: 0 },
      },
    });
    this.send(session, { op: GatewayOpcodes.Dispatch, t: GatewayDispatchEvents.GuildCreate, d: this.guildCreate() });
  }

  private guildCreate(): Record<string, unknown> {
    const channels: APIGuildChannel<GuildChannelType>[] = [];
    for (const channel of this.state.channels.values()) {
      // GUILD_CREATE lists guild channels; threads go in `threads` (none: the bot starts uncached).
      if ('guild_id' in channel && !this.state.isThread(channel))
        channels.push(channel as APIGuildChannel<GuildChannelType>);
    }
    return {
      id: FAKE_IDS.guild,
      name: 'Fake Guild',
      icon: null,
      owner_id: FAKE_IDS.admin,
      unavailable: false,
      joined_at: '2026-01-01T00:00:00.000Z',
      large: false,
      member_count: 3,
      premium_tier: 0,
      features: [],
      roles: [
        {
          id: FAKE_IDS.guild,
          name: '@everyone',
          color: 0,
          hoist: false,
          icon: null,
          unicode_emoji: null,
          position: 0,
          permissions: '2248473465835073',
          managed: false,
          mentionable: false,
          flags: 0,
        },
        {
          id: FAKE_IDS.animatorRole,
          name: 'animators',
          color: 0,
          hoist: false,
          icon: null,
          unicode_emoji: null,
          position: 1,
          permissions: '0',
          managed: false,
          mentionable: true,
          flags: 0,
        },
      ],
      channels,
      threads: [],
      members: [
        {
          user: this.state.botUser,
          roles: [],
          joined_at: '2026-01-01T00:00:00.000Z',
          deaf: false,
          mute: false,
          flags: 0,
        },
      ],
      emojis: [],
      stickers: [],
      voice_states: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
    };
  }
}
