/** A Lua script as ioredis `defineCommand` takes it; without `numberOfKeys` the caller passes the count first. */
export interface ScriptDefinition {
  numberOfKeys?: number;
  lua: string;
}

/** What {@link defineScripts} needs of a connection: a single ioredis client and a Cluster both have it. */
interface ScriptHost {
  defineCommand(name: string, definition: ScriptDefinition): void;
}

/**
 * Registers `scripts` on `redis` as commands, once per connection however many stores share it, and
 * returns the connection typed with them. ioredis then sends EVALSHA and the script text only when the
 * server (each node, on a Cluster) answers NOSCRIPT.
 */
export function defineScripts<Commands, Connection extends object>(
  redis: Connection,
  scripts: Record<keyof Commands & string, ScriptDefinition>,
): Connection & Commands {
  const host = redis as unknown as ScriptHost & Record<string, unknown>;
  for (const [name, definition] of Object.entries<ScriptDefinition>(scripts)) {
    if (typeof host[name] !== 'function') host.defineCommand(name, definition);
  }
  return redis as Connection & Commands;
}
