/**
 * Dependency lifecycle, pure: each dependency (a traffic edge, or a declared dependency without traffic)
 * placed in the call-frequency x importance quadrants, with Kiali's traffic states (governance.md §1.2,
 * §5: idleNode = declared, no traffic in the window; deadNode = no traffic and the workload is gone) and
 * the zombie recipe (no traffic for a month -> owner -> scream test -> remove, with a rollback window).
 * Low frequency x high importance is "sleeping critical" (DR, failover, monthly jobs): protected, never
 * proposed for removal, whatever the traffic says.
 */

export type Importance = 'high' | 'low' | 'unknown';
export type Frequency = 'none' | 'low' | 'high';
export type Quadrant = 'core' | 'busy-low-value' | 'sleeping-critical' | 'zombie-candidate' | 'unclassified';
export type TrafficState = 'active' | 'idle' | 'dead';
export type Recommendation = 'keep' | 'keep-protected' | 'review-cost' | 'scream-test-then-remove' | 'observe-longer' | 'classify';

export interface DependencyFacts {
  caller: string;
  callee: string;
  calls: number;
  errors: number;
  lastSeen: string | null;
  /** Where the dependency is declared (catalog dependsOn, go.mod of the caller, ...); empty: traffic only. */
  declaredBy: string[];
  /** The caller sent spans in the window (its workload runs). */
  callerAlive: boolean;
  /** The catalog marks the caller (or the dependency) as gone / decommissioned. */
  callerRetired: boolean;
  importance: Importance;
  importanceBy: string;
}

export interface Thresholds {
  /** Calls in the window at or below which a dependency counts as low frequency. */
  lowCalls: number;
  /**
   * The traffic covers the whole window (default true). When it does not, nothing is proposed for
   * removal: a month without calls is the zombie recipe's bar, and a shorter record proves nothing.
   */
  fullWindow?: boolean;
}

export interface Classified extends DependencyFacts {
  frequency: Frequency;
  quadrant: Quadrant;
  state: TrafficState;
  recommendation: Recommendation;
  /** Never proposed for removal (sleeping critical, or high importance). */
  protected: boolean;
  reasons: string[];
}

export function frequencyOf(calls: number, t: Thresholds): Frequency {
  if (calls <= 0) return 'none';
  return calls <= t.lowCalls ? 'low' : 'high';
}

export function quadrantOf(f: Frequency, i: Importance): Quadrant {
  if (i === 'unknown') return 'unclassified';
  if (f === 'high') return i === 'high' ? 'core' : 'busy-low-value';
  return i === 'high' ? 'sleeping-critical' : 'zombie-candidate';
}

export function stateOf(d: Pick<DependencyFacts, 'calls' | 'callerAlive' | 'callerRetired'>): TrafficState {
  if (d.calls > 0) return 'active';
  return d.callerAlive && !d.callerRetired ? 'idle' : 'dead';
}

export function classify(d: DependencyFacts, t: Thresholds): Classified {
  const frequency = frequencyOf(d.calls, t);
  const quadrant = quadrantOf(frequency, d.importance);
  const state = stateOf(d);
  const reasons: string[] = [];
  const freqText = d.calls === 0 ? 'no calls in the window' : `${d.calls} call${d.calls === 1 ? '' : 's'} in the window (${frequency === 'low' ? `at or below ${t.lowCalls}` : `above ${t.lowCalls}`})`;
  reasons.push(freqText);
  reasons.push(`importance ${d.importance} (${d.importanceBy})`);
  if (d.declaredBy.length) reasons.push(`declared by ${d.declaredBy.join('; ')}`);
  else reasons.push('seen in traffic only (not declared)');
  if (state === 'idle') reasons.push(`${d.caller} is running (it sent spans) but never called ${d.callee}`);
  if (state === 'dead') reasons.push(d.callerRetired ? `${d.caller} is retired in the catalog` : `${d.caller} sent no spans in the window (its workload looks gone)`);
  let recommendation: Recommendation;
  let protectedDep = false;
  switch (quadrant) {
    case 'core':
      recommendation = 'keep';
      protectedDep = true;
      break;
    case 'busy-low-value':
      recommendation = 'review-cost';
      break;
    case 'sleeping-critical':
      recommendation = 'keep-protected';
      protectedDep = true;
      reasons.push('sleeping critical: rare but important (DR, failover, monthly jobs); never pruned, prove it with a fault-injection drill instead');
      break;
    case 'zombie-candidate':
      if (t.fullWindow === false) {
        recommendation = 'observe-longer';
        reasons.push('zombie candidate, but the traffic record is shorter than the window: collect the whole window before proposing removal');
      } else {
        recommendation = 'scream-test-then-remove';
        reasons.push('zombie candidate: notify the owner, run a scream test (staged latency, then errors), remove after a rollback window');
      }
      break;
    default:
      recommendation = 'classify';
      reasons.push('not in the catalog: give it a tier or lifecycle before deciding');
  }
  return { ...d, frequency, quadrant, state, recommendation, protected: protectedDep, reasons };
}
