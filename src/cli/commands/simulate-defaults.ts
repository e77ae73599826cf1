/** The defaults of `telehook simulate`: 8 agents for about 2 calls a minute of 3 minutes each, 75 % busy. */
export const SIMULATE_DEFAULTS = {
  agents: '8',
  teams: 'Sales,Support',
  calls: '100',
  arrival: '2/min',
  talk: '180s',
  patience: '60s',
  ringOut: '0.1',
  maxWait: '300s',
  voicemail: '0.5',
  speed: '1x',
  concurrency: '16',
  product: 'chub',
} as const;
