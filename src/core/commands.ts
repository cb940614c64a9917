import { INPUT_RULES, MAX_TAKES } from './input-rules.js';

/**
 * The platform-neutral shape of the bot's commands: names, options and their limits, taken from core's
 * input rules so the platforms' pickers refuse what core would refuse anyway.
 * Each platform turns this into its own format (src/adapters/discord/commands.ts, commands/slack-manifest.json)
 * and names its own message command for extending a video.
 */
export const ANIMATE_COMMAND = {
  name: 'animate',
  description: 'Turn an image into a short video (Kling O1 and other video models via Oxen.ai)',
  options: {
    image: { description: 'The image to animate (PNG, JPEG, GIF or WebP, at least 300 px per side)', required: true },
    prompt: {
      description: 'The motion you want, e.g. "slow push-in, hair moving in the wind"',
      required: true,
      minLength: INPUT_RULES.promptMinChars,
      maxLength: INPUT_RULES.promptMaxChars,
    },
    duration: {
      description: 'Length of the video in seconds (the lengths the chosen model takes)',
      required: false,
      choices: INPUT_RULES.durations,
      defaultValue: INPUT_RULES.defaultDuration,
      /** The longest any model takes; each model's own limits are checked by core. */
      max: 60,
    },
    model: { description: 'The video model (name, price per second, sound); default: the first listed' },
    sound: { description: 'Generate sound with the video (models that make sound; priced higher)' },
    shape: { description: 'Shape of the video: original, landscape 16:9, portrait 9:16 or square 1:1' },
    endImage: { description: 'Optional last frame of the video', required: false },
    loop: { description: 'End where it began, for a seamless loop (not with an end image)', required: false },
    takes: {
      description: 'How many different takes to make at once (each counts against your quota)',
      min: 1,
      max: MAX_TAKES,
    },
  },
} as const;

/** The message shortcut / context-menu entry that animates an image already in the channel. */
export const ANIMATE_MESSAGE_COMMAND = { name: 'Animate image' } as const;

/** The command that lists the caller's generations in flight and their quota. */
export const ANIMATIONS_COMMAND = {
  name: 'animations',
  description: 'Show your animations in progress, your quota and what you spent today',
  options: {
    spend: { description: "Admins: the team's spend by person over the last 7 and 30 days" },
  },
} as const;

/** Discord's `/help` (Slack has `/animate help`): how to use the bot, privately. */
export const HELP_COMMAND = {
  name: 'help',
  description: 'How to animate an image: loops, takes, extending a video, your quota',
} as const;

/**
 * A channel's defaults (Discord's `/animate-defaults`, Slack's `/animate defaults`): anyone sees them,
 * admins change them. Its options are the keys of `ChannelDefaultsSchema` (src/core/request-options.ts).
 */
export const DEFAULTS_COMMAND = {
  name: 'animate-defaults',
  description: "Show this channel's default options; admins change them",
  options: {
    model: { description: 'Default video model here (name, price per second, sound)' },
    duration: { description: 'Default length of a video here, in seconds (one the default model takes)' },
    sound: { description: 'Whether videos here have sound unless asked otherwise (models that make sound)' },
    shape: { description: 'Default shape here: original, landscape 16:9, portrait 9:16 or square 1:1' },
    loop: { description: 'Whether videos here loop unless asked otherwise' },
    takes: { description: 'Default number of takes here' },
    clear: { description: 'Remove every default of this channel' },
  },
} as const;

/**
 * Discord's admin command: the run-time settings, for the bot's admins (README.md, "Administration").
 * One text option with the same words as Slack's `/animate admin …`, so the three platforms share one grammar.
 */
export const ADMIN_COMMAND = {
  name: 'animate-admin',
  description: 'Admins: pause, block, channels, who may use the bot, quotas, prompt policy, audit log',
  options: {
    command: { description: 'e.g. "pause Back at 3 pm", "block @someone", "audit 20"; empty shows the settings' },
  },
} as const;
