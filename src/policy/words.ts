// Numbers and durations as the sentences of this room write them: "50,000", "10 minutes".

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

const plural = (n: number, unit: string) => `${formatCount(n)} ${unit}${n === 1 ? '' : 's'}`;

/** Whole hours or minutes when the value is one, else seconds. */
export function formatSeconds(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds >= 60 && seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}
