import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, type Role } from '../../../src/config/env.js';

const ROOT = new URL('../../../', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, ROOT), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  env_file?: string | string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }>;
}

// `merge: true` resolves the `<<: *app` keys as compose does.
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

/** The services `docker compose [--profile …] up` starts. */
function servicesUp(profiles: string[]): Record<string, Service> {
  return Object.fromEntries(
    Object.entries(compose.services).filter(([, s]) => !s.profiles || s.profiles.some((p) => profiles.includes(p))),
  );
}

/** The role a service runs: its command's last word, else the image's CMD (`all`). */
function roleOf(service: Service): Role {
  const last = service.command?.at(-1);
  return last === 'bot' || last === 'worker' ? last : 'all';
}

/** The image's WORKDIR, where a relative DATA_DIR (the default `./data`) resolves. */
const WORKDIR = /^WORKDIR\s+(\S+)/m.exec(read('Dockerfile').split(/^FROM .* AS runtime$/m)[1] ?? '')?.[1] ?? '/';

/** What a container of `service` sees: `.env` first, compose's `environment` over it. */
function containerEnv(service: Service, dotenv: Record<string, string>): Record<string, string> {
  const files = [service.env_file ?? []].flat();
  expect(files).toEqual(['.env']);
  return { ...dotenv, ...service.environment };
}

/** Named volume mounted at `path` in `service`, if any. */
function volumeAt(service: Service, path: string): string | undefined {
  const mount = service.volumes?.map((v) => v.split(':')).find(([, target]) => target === path);
  return mount?.[0];
}

/** A `.env` as README.md asks an operator to fill it for each image store. */
const DOTENV: Record<string, Record<string, string>> = {
  oxen: {
    OXEN_API_KEY: 'key',
    OXEN_INPUT_REPO: 'team/animate-inputs',
    DISCORD_TOKEN: 't',
    DISCORD_APPLICATION_ID: '1',
  },
  s3: {
    OXEN_API_KEY: 'key',
    IMAGE_STORE: 's3',
    S3_BUCKET: 'animate-inputs',
    DISCORD_TOKEN: 't',
    DISCORD_APPLICATION_ID: '1',
  },
  http: {
    OXEN_API_KEY: 'key',
    IMAGE_STORE: 'http',
    PUBLIC_BASE_URL: 'https://animate.example.com',
    DISCORD_TOKEN: 't',
    DISCORD_APPLICATION_ID: '1',
  },
};

describe('docker-compose.yml', () => {
  for (const profiles of [[], ['scale']]) {
    for (const store of ['oxen', 's3', 'http'] as const) {
      it(`GIVEN docker compose ${profiles.map((p) => `--profile ${p} `).join('')}up with IMAGE_STORE=${store} THEN every app container is configured for it, on one Redis and one image`, () => {
        const up = servicesUp(profiles);
        const redis = Object.entries(up).filter(([, s]) => s.image?.startsWith('redis:'));
        expect(redis.map(([name]) => name)).toEqual(['redis']);
        const apps = Object.entries(up).filter(([name]) => name !== 'redis');
        expect(apps.map(([name]) => name)).toEqual(profiles.length ? ['bot', 'worker'] : ['bot']);

        // One image for every app service, built by exactly one of them.
        expect(new Set(apps.map(([, s]) => s.image)).size).toBe(1);
        expect(Object.values(compose.services).filter((s) => s.build)).toHaveLength(1);

        const dataVolumes = new Set<string | undefined>();
        for (const [name, service] of apps) {
          const env = containerEnv(service, DOTENV[store] ?? {});
          expect(env.REDIS_URL, name).toBe('redis://redis:6379');
          expect(service.depends_on?.redis?.condition, name).toBe('service_healthy');
          // The real configuration check of that role accepts what the container gets.
          expect(() => loadConfig(env, roleOf(service)), name).not.toThrow();
          const dataDir = posix.resolve(WORKDIR, env.DATA_DIR ?? './data');
          dataVolumes.add(volumeAt(service, dataDir));
          if (store === 'http')
            expect(volumeAt(service, dataDir), `${name} mounts a volume at ${dataDir}`).toBeDefined();
        }
        if (store === 'http') {
          // The workers write inputs where the bot serves them from: one named, declared volume.
          expect(dataVolumes.size).toBe(1);
          const [volume] = [...dataVolumes];
          expect(Object.keys(compose.volumes)).toContain(volume);
          // Oxen fetches PUBLIC_BASE_URL/inputs/<id> from the bot: its port is published, the URL kept.
          expect(up.bot?.ports?.some((p) => p.endsWith(`:${up.bot?.environment?.PORT}`))).toBe(true);
          expect(up.bot?.environment?.PUBLIC_BASE_URL).toBeUndefined();
        }
      });
    }
  }

  it('GIVEN the Redis service THEN its image is an exact version, append-only and noeviction with a memory cap', () => {
    const redis = compose.services.redis as Service;
    expect(redis.image).toMatch(/^redis:\d+\.\d+\.\d+(-[a-z0-9.]+)?$/);
    const command = (redis.command ?? []).join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toMatch(/--maxmemory \S+/);
  });

  it('GIVEN every service THEN it runs under an init and its logs are rotated', () => {
    for (const [name, service] of Object.entries(compose.services) as [string, Service & Record<string, unknown>][]) {
      expect(service.init, name).toBe(true);
      expect(service.logging, name).toMatchObject({
        driver: 'json-file',
        options: { 'max-size': expect.any(String), 'max-file': expect.any(String) },
      });
    }
  });

  it('GIVEN README.md THEN its compose commands name services and profiles that exist, and its Redis version is the pinned one', () => {
    const readme = read('README.md');
    const commands = readme.match(/docker compose [^`\n]*/g) ?? [];
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      for (const [, profile] of command.matchAll(/--profile (\S+)/g)) {
        expect(
          Object.values(compose.services).some((s) => s.profiles?.includes(profile ?? '')),
          command,
        ).toBe(true);
      }
      for (const [, service] of command.matchAll(/--scale (\w+)=/g)) {
        expect(compose.services[service ?? ''], command).toBeDefined();
      }
    }
    const pinned = (compose.services.redis as Service).image ?? '';
    expect(readme).toContain(`\`${pinned}\``);
  });
});
