/** What a fault does to a matching request. */
export type FaultKind =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'timeout' }
  | { kind: 'reset' };

export interface FaultRule {
  /** Matches when the method (if given) equals and the path starts with / matches this. */
  method?: string;
  path?: string;
  /** How many matching requests it applies to; then it is spent. */
  count: number;
  fault: FaultKind;
}

export interface LatencyRule {
  method?: string;
  path?: string;
  ms: number;
}

const matches = (rule: { method?: string; path?: string }, method: string, path: string) =>
  (!rule.method || rule.method.toUpperCase() === method.toUpperCase()) &&
  (!rule.path || path.startsWith(rule.path) || safeRegex(rule.path)?.test(path) === true);

function safeRegex(source: string): RegExp | null {
  if (!source.startsWith('^')) return null;
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}

/** Fault injection and added latency, shared by every emulator's control API. */
export class FaultPlan {
  private faults: FaultRule[] = [];
  private latency: LatencyRule[] = [];

  addFault(rule: FaultRule): void {
    this.faults.push({ ...rule });
  }

  setLatency(rule: LatencyRule): void {
    this.latency = this.latency.filter((l) => l.method !== rule.method || l.path !== rule.path);
    if (rule.ms > 0) this.latency.push(rule);
  }

  /** Consumes one use of the first matching fault, if any. */
  takeFault(method: string, path: string): FaultKind | null {
    const rule = this.faults.find((f) => f.count > 0 && matches(f, method, path));
    if (!rule) return null;
    rule.count -= 1;
    this.faults = this.faults.filter((f) => f.count > 0);
    return rule.fault;
  }

  latencyFor(method: string, path: string): number {
    return this.latency.filter((l) => matches(l, method, path)).reduce((a, l) => a + l.ms, 0);
  }

  reset(): void {
    this.faults = [];
    this.latency = [];
  }
}
