/** A small seeded generator (mulberry32), so that a shuffle is reproducible from its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function permute<T>(items: T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The same JSON data with every array's entries and every object's keys in a seeded random order, at every depth. */
export function deepShuffle(value: unknown, seed: number): unknown {
  const next = mulberry32(seed);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return permute(v.map(walk), next);
    if (v !== null && typeof v === "object") return Object.fromEntries(permute(Object.entries(v).map(([k, x]) => [k, walk(x)] as const), next));
    return v;
  };
  return walk(value);
}
