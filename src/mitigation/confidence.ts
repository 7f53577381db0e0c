// Confidence 0.0–1.0 = w_s·S + w_c·C + w_f·F (weights 0.5 / 0.3 / 0.2 by default), each term in [0, 1]:
//   S (severity)      = log(r) / log(severityFull), clamped, where r = rate ÷ threshold crossed (r ≥ 1);
//                       with severityFull = 10 a flood 10× its threshold gives S = 1.
//   C (corroboration) = min(1, n / corroborationFull), n = distinct nodes currently reporting the target;
//                       with corroborationFull = 2 one router gives C = 0.5, two give 1.
//   F (family)        = familyScores[family] (1 for a known family, 0 for "unknown").
// So one router seeing a flood 10× its threshold scores 0.5 + 0.15 + 0.2·F ≥ 0.65: it always acts.
import type { AttackFamily } from '../domain/attack.js';
import type { MitigationConfig } from './config.js';

export interface ConfidenceTerms {
  readonly severity: number;
  readonly corroboration: number;
  readonly family: number;
  /** Weighted sum, rounded to 4 decimals so that comparisons with the threshold are exact and reproducible. */
  readonly score: number;
}

export function severityTerm(ratio: number, full: number): number {
  if (!(ratio > 1)) return 0;
  return Math.min(1, Math.log(ratio) / Math.log(full));
}

export function corroborationTerm(nodes: number, full: number): number {
  return nodes <= 0 ? 0 : Math.min(1, nodes / full);
}

export function confidence(
  severityRatio: number,
  nodes: number,
  family: AttackFamily,
  cfg: MitigationConfig['confidence'],
): ConfidenceTerms {
  const s = severityTerm(severityRatio, cfg.severityFull);
  const c = corroborationTerm(nodes, cfg.corroborationFull);
  const f = cfg.familyScores[family] ?? (family === 'unknown' ? 0 : 1);
  const raw = cfg.weights.severity * s + cfg.weights.corroboration * c + cfg.weights.family * f;
  return { severity: s, corroboration: c, family: f, score: Math.round(Math.min(1, raw) * 10000) / 10000 };
}

export function describeConfidence(t: ConfidenceTerms): string {
  return `confidence ${t.score.toFixed(2)} (severity ${t.severity.toFixed(2)}, corroboration ${t.corroboration.toFixed(2)}, family ${t.family.toFixed(2)})`;
}
