import type { AdapterDeps, ChatPortDeps } from '../adapters/platform.js';
import { PLATFORM_REGISTRY } from '../adapters/registry.js';
import { type Config, enabledPlatforms } from '../config/env.js';
import type { Platform } from '../core/platforms.js';
import type { ChatPort } from '../core/ports/chat-port.js';
import type { PlatformAdapter } from '../core/ports/platform-adapter.js';

// The descriptors' create functions each read their own variables, all of which the full config holds.
type FromConfig<D> = (config: Config, deps: D) => Promise<unknown>;

/** The outbox of every platform that has credentials, for the worker (src/adapters/registry.ts). */
export async function createChatPorts(
  config: Config,
  deps: ChatPortDeps,
): Promise<Partial<Record<Platform, ChatPort>>> {
  const ports: Partial<Record<Platform, ChatPort>> = {};
  for (const platform of enabledPlatforms(config)) {
    const create = PLATFORM_REGISTRY[platform].createChatPort as FromConfig<ChatPortDeps>;
    ports[platform] = (await create(config, deps)) as ChatPort;
  }
  return ports;
}

/** Creates (does not start) the intake of every platform that has credentials. */
export async function createAdapters(config: Config, deps: AdapterDeps): Promise<PlatformAdapter[]> {
  const adapters: PlatformAdapter[] = [];
  for (const platform of enabledPlatforms(config)) {
    const create = PLATFORM_REGISTRY[platform].createAdapter as FromConfig<AdapterDeps>;
    adapters.push((await create(config, deps)) as PlatformAdapter);
  }
  return adapters;
}
