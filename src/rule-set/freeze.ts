/**
 * Freezes a loaded value and everything reachable from it, iteratively: a loaded rule set cannot change
 * under the digest its results carry (an assignment to it throws a TypeError in strict code, ESM).
 *
 * @param value - plain data (a rule set)
 * @returns the same value, frozen throughout
 */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== "object" || Object.isFrozen(v)) continue;
    Object.freeze(v);
    for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
  }
  return value;
}
