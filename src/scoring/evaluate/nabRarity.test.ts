/** @jest-environment node */
import fc from 'fast-check';
import { fitTail, tailDecades } from '../signals/rarity';
import { twoSidedNormalTailDecades } from '../util/normalTail';
import { recordEvidence, RecordRarity, RecordRarityConfig } from './nabRarity';

const MIN = 60_000;
const BLOCK = 5 * MIN;
const DAY = 86_400_000;

/** A deterministic permutation of n distinct values in [lo, lo + span). */
function permuted(n: number, lo: number, span: number): number[] {
  // 37 is coprime with the sizes used here, so i -> 37 i mod n is a permutation.
  return Array.from({ length: n }, (_, i) => lo + (((i * 37) % n) * span) / n);
}

/** Feeds one value per block, then returns the evidence of `x` in the next block. */
function evidenceAfter(history: number[], x: number, cfg: RecordRarityConfig): number {
  const r = new RecordRarity(cfg);
  history.forEach((v, i) => r.next(i * BLOCK, v));
  return r.next(history.length * BLOCK, x);
}

/** The file comment's formula, computed from the engine's tail fit on the given block maxima. */
function expectedEvidence(blockMaxima: number[], x: number, anchor: number, pointsInBlock = 1): number {
  const sorted = [...blockMaxima].sort((a, b) => a - b);
  const n = sorted.length;
  const fit = fitTail({ size: n, at: (i) => sorted[i] });
  let d = tailDecades(fit, x);
  const atOrAbove = sorted.filter((v) => v >= x).length;
  if (atOrAbove > 0) {
    d = Math.min(d, Math.log10(n / atOrAbove));
  }
  d = Math.min(d, Math.max(0, twoSidedNormalTailDecades(x) - Math.log10(pointsInBlock)));
  return Math.max(0, d - Math.log10(n / anchor));
}

const cfg: RecordRarityConfig = { blockMs: BLOCK, historyMs: 30 * DAY, anchor: 30 };

describe('record-anchored rarity evidence (nabRarity)', () => {
  const history = permuted(400, 10, 10); // distinct block maxima in [10, 20)
  const sorted = [...history].sort((a, b) => a - b);

  it('matches min(engine GPD tail, seen frequency, ideal N(0,1)) minus the anchor, for any value', () => {
    for (const x of [9, 12, 18, sorted[369], sorted[370], sorted[399], 20, 25, 40]) {
      expect(evidenceAfter(history, x, cfg)).toBeCloseTo(expectedEvidence(history, x, 30), 12);
    }
  });

  it('is 0 up to the anchor-th largest block, at most log10(anchor) up to the record, more beyond', () => {
    const kth = sorted[400 - 30];
    expect(evidenceAfter(history, kth, cfg)).toBe(0);
    expect(evidenceAfter(history, sorted[200], cfg)).toBe(0);
    const record = sorted[399];
    const atRecord = evidenceAfter(history, record, cfg);
    expect(atRecord).toBeGreaterThan(0);
    expect(atRecord).toBeLessThanOrEqual(Math.log10(30) + 1e-12);
    expect(evidenceAfter(history, record + 5, cfg)).toBeGreaterThan(Math.log10(30));
  });

  it('never calls a value seen k times rarer than k in n (a tied top the GPD would overrate)', () => {
    // About 1 block in 28 reaches exactly 50, the rest is noise around 10: a bimodal, tied top.
    const tied = permuted(400, 9, 2).map((v, i) => (i % 28 === 5 ? 50 : v));
    const ties = tied.filter((v) => v === 50).length;
    const r = new RecordRarity(cfg);
    tied.forEach((v, i) => r.next(i * BLOCK, v));
    r.next(400 * BLOCK, 0); // closes the last block
    const sorted = [...tied].sort((a, b) => a - b);
    const gpd = tailDecades(fitTail({ size: 400, at: (i) => sorted[i] }), 50);
    expect(gpd).toBeGreaterThan(Math.log10(400 / ties) + 0.3); // what the bound guards against
    expect(r.decades(50)).toBeCloseTo(Math.log10(400 / ties), 12);
    // Seen `ties` times: log10(anchor / ties) beyond the anchor, not the GPD's figure.
    expect(evidenceAfter(tied, 50, cfg)).toBeCloseTo(Math.log10(30 / ties), 12);
  });

  it('is non-decreasing in the statistic for a fixed history', () => {
    let last = -1;
    for (let x = 0; x <= 40; x += 0.25) {
      const e = evidenceAfter(history, x, cfg);
      expect(e).toBeGreaterThanOrEqual(last);
      last = e;
    }
  });

  it('the ideal-noise floor keeps an all-zero history from making small noise rare', () => {
    const zeros = new Array<number>(200).fill(0);
    expect(evidenceAfter(zeros, 1, cfg)).toBe(0); // |z| = 1: 0.5 decades < log10(200 / 30)
    expect(evidenceAfter(zeros, 3, cfg)).toBeCloseTo(twoSidedNormalTailDecades(3) - Math.log10(200 / 30), 12);
  });

  it('a block enters as its maximum; several points of one block count as m points for the ideal', () => {
    const r = new RecordRarity({ ...cfg, anchor: 5 });
    const maxima: number[] = [];
    for (let b = 0; b < 100; b++) {
      const v = 10 + ((b * 37) % 100) / 10;
      r.next(b * BLOCK, v - 3);
      r.next(b * BLOCK + MIN, v);
      r.next(b * BLOCK + 2 * MIN, v - 1);
      maxima.push(v);
    }
    expect(r.blocks).toBe(99); // the last block is still open
    r.next(100 * BLOCK, 1); // closes block 99
    expect(r.blocks).toBe(100);
    const e = r.next(100 * BLOCK + MIN, 3); // second point of block 100
    expect(e).toBeCloseTo(expectedEvidence(maxima, 3, 5, 2), 12);
  });

  it('forgets blocks older than the history: an old extreme can alert again', () => {
    const hour: RecordRarityConfig = { blockMs: BLOCK, historyMs: 3_600_000, anchor: 2 }; // 12 blocks
    const r = new RecordRarity(hour);
    let t = 0;
    const feed = (v: number) => {
      const e = r.next(t, v);
      t += BLOCK;
      return e;
    };
    for (let i = 0; i < 12; i++) {
      feed(10 + (i % 4));
    }
    feed(100); // an extreme
    for (let i = 0; i < 5; i++) {
      feed(10 + (i % 4));
    }
    expect(r.blocks).toBe(12);
    expect(feed(100)).toBeLessThanOrEqual(Math.log10(2) + 1e-12); // ties the record still in memory
    for (let i = 0; i < 12; i++) {
      feed(10 + (i % 4));
    }
    expect(feed(100)).toBeGreaterThan(Math.log10(2)); // both 100s have left the hour
  });

  it('NaN while warming up or for a NaN statistic; time gaps keep the block clock', () => {
    const r = new RecordRarity(cfg);
    for (let i = 0; i < 12; i++) {
      expect(Number.isNaN(r.next(i * BLOCK, i))).toBe(true); // fewer than 12 closed blocks
    }
    expect(Number.isNaN(r.next(12 * BLOCK, NaN))).toBe(true);
    expect(r.blocks).toBe(12);
    expect(r.next(40 * BLOCK, 5)).toBeGreaterThanOrEqual(0); // the NaN block held no point
    expect(r.blocks).toBe(12);
  });

  it('rejects a config it cannot honour', () => {
    expect(() => new RecordRarity({ blockMs: 0, historyMs: DAY, anchor: 1 })).toThrow(/blockMs/);
    expect(() => new RecordRarity({ blockMs: BLOCK, historyMs: MIN, anchor: 1 })).toThrow(/historyMs/);
    expect(() => new RecordRarity({ blockMs: BLOCK, historyMs: DAY, anchor: 0 })).toThrow(/anchor/);
  });

  it('is causal and streaming: the evidence of a prefix is the prefix of the evidence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: 0, max: 50, noNaN: true }), { nil: undefined, freq: 10 }), {
          minLength: 1,
          maxLength: 400,
        }),
        fc.array(fc.integer({ min: 1, max: 3 * BLOCK }), { minLength: 400, maxLength: 400 }),
        fc.nat(),
        (vals, gaps, cut) => {
          const n = vals.length;
          const x = Float64Array.from(vals, (v) => (v === undefined ? NaN : v));
          const t = new Float64Array(n);
          for (let i = 1; i < n; i++) {
            t[i] = t[i - 1] + gaps[i];
          }
          const small: RecordRarityConfig = { blockMs: BLOCK, historyMs: 2 * 3_600_000, anchor: 3 };
          const full = recordEvidence(t, x, small);
          const k = 1 + (cut % n);
          const part = recordEvidence(t.slice(0, k), x.slice(0, k), small);
          expect(Array.from(part)).toEqual(Array.from(full.slice(0, k)));
          for (const e of full) {
            expect(Number.isNaN(e) || e >= 0).toBe(true);
          }
        }
      ),
      { numRuns: 60 }
    );
  });
});
