import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord-api-types/v10';
import { describe, expect, test } from 'vitest';
import { animateCommand, discordCommands } from '../../../../src/adapters/discord/commands.js';

describe('discord commands', () => {
  test('GIVEN /animate THEN image and prompt are required, prompt ≤ 2500, duration and model suggested by the catalogue, sound and shape offered', () => {
    const byName = Object.fromEntries(animateCommand.options.map((o) => [o.name, o]));
    expect(byName.image).toMatchObject({ type: ApplicationCommandOptionType.Attachment, required: true });
    expect(byName.prompt).toMatchObject({
      type: ApplicationCommandOptionType.String,
      required: true,
      max_length: 2500,
    });
    // The lengths differ by model, so they are suggested by autocomplete, not fixed choices.
    expect(byName.duration).toMatchObject({
      type: ApplicationCommandOptionType.Integer,
      required: false,
      autocomplete: true,
    });
    expect(byName.model).toMatchObject({ type: ApplicationCommandOptionType.String, autocomplete: true });
    expect(byName.sound).toMatchObject({ type: ApplicationCommandOptionType.Boolean, required: false });
    expect((byName.shape as { choices: Array<{ value: string }> }).choices.map((c) => c.value)).toEqual([
      'original',
      '16:9',
      '9:16',
      '1:1',
    ]);
    expect(byName.end_image).toMatchObject({ type: ApplicationCommandOptionType.Attachment, required: false });
    expect(byName.loop).toMatchObject({ type: ApplicationCommandOptionType.Boolean, required: false });
    expect(byName.takes).toMatchObject({
      type: ApplicationCommandOptionType.Integer,
      required: false,
      min_value: 1,
      max_value: 4,
    });
  });

  test('GIVEN the command list THEN it has /animate, the message menus, /animations, /animate-defaults, /animate-admin and /help within Discord’s limits', () => {
    expect(discordCommands.map((c) => [c.name, c.type])).toEqual([
      ['animate', ApplicationCommandType.ChatInput],
      ['Animate image', ApplicationCommandType.Message],
      ['Extend video', ApplicationCommandType.Message],
      ['Remix video', ApplicationCommandType.Message],
      ['animations', ApplicationCommandType.ChatInput],
      ['animate-defaults', ApplicationCommandType.ChatInput],
      ['animate-admin', ApplicationCommandType.ChatInput],
      ['help', ApplicationCommandType.ChatInput],
    ]);
    for (const c of discordCommands) {
      if ('description' in c && c.description) expect(c.description.length).toBeLessThanOrEqual(100);
    }
    for (const o of animateCommand.options) expect(o.description.length).toBeLessThanOrEqual(100);
  });
});
