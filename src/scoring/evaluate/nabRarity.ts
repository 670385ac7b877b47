/**
 * Record-anchored rarity evidence for the NAB run: how much rarer a statistic is than the most
 * extreme blocks of its own series' recent history, in decades. Built on the engine's tail fit
 * (src/scoring/signals/rarity.ts: fitTail / tailDecades, peaks over a threshold with a generalised
 * Pareto tail fitted by probability-weighted moments), so the same extreme-value model judges the
 * NAB series and the product's signals.
 *
 * History. Time is cut into blocks of `blockMs` (β = ⌊t / blockMs⌋). H is the set of block maxima of
 * the statistic x over the blocks that closed in the last `historyMs` (blocks β' with
 * β − β' <= historyMs / blockMs); n = |H|. Every block enters, alarms included: NAB rewards one
 * alert per incident, so once an extreme has been seen it is part of the series' past (the engine's
 * RarityCalibrator keeps sustained alarms out so that a tier holds, which is the opposite need).
 *
 * Rarity of x at a row of the current block (decades, −log10 of a probability per block):
 *   L_tail(x)  = tailDecades(fitTail(H), x)                       the engine's GPD tail
 *   L_emp(x)   = log10(n / #{h ∈ H : h >= x})   when that count >= 1 (never rarer than seen)
 *   L_ideal(x) = −log10 P(|Z| > x) − log10 m,  Z ~ N(0, 1), m = points of the block so far
 *   L(x)       = min(L_tail, L_emp, L_ideal)
 * L_emp matters where the GPD misfits the top of the history (ties, a bimodal top: a value seen 14
 * times in 4,000 blocks must not be called 4.6 decades rare); L_ideal is the engine's ideal-noise
 * floor for a z statistic, so a degenerate history (an all-zero statistic) cannot make noise rare.
 *
 * Evidence (decades beyond the anchor). With the anchor k (a rank, e.g. 15):
 *   e(x) = max(0, L(x) − log10(n / k))
 * log10(n / k) is the rarity of the k-th most extreme block of the history, so e = 0 up to it,
 * e = log10 k for a value that ties the history's record, and more beyond it (graded by the GPD).
 * Anchoring at the record rather than at a fixed rate is what NAB rewards: a fixed rate would fire
 * in proportion to a file's length, while its windows are a few per file whatever the length.
 *
 * Streaming and causal: row i's evidence uses rows <= i only (the current block is judged against
 * closed blocks; its own maximum enters when it closes). NaN in = no information (the block clock
 * still moves). NaN out while fewer than MIN_HISTORY_BLOCKS blocks are known.
 */
import { fitTail, MIN_HISTORY_BLOCKS, tailDecades, type TailFit } from '../signals/rarity';
import { SortedWindow } from '../util/sortedWindow';
import { twoSidedNormalTailDecades } from '../util/normalTail';

export interface RecordRarityConfig {
  /** Block length, ms (the engine's default block is 5 min). */
  blockMs: number;
  /** How far back the history reaches, ms. */
  historyMs: number;
  /** Evidence starts at the rarity of the `anchor`-th most extreme block of the history (> 0). */
  anchor: number;
}

/** Streaming record-anchored evidence of one statistic (see the file comment). */
export class RecordRarity {
  private readonly blockMs: number;
  private readonly historyBlocks: number;
  private readonly anchorDecades: number;
  private readonly history: SortedWindow;
  /** Closed blocks in time order: their index and maximum (a ring of `capacity`). */
  private readonly ringBlock: Float64Array;
  private readonly ringMax: Float64Array;
  private ringStart = 0;
  private ringCount = 0;
  private fit: TailFit | null = null;
  private block = NaN;
  private blockMax = -Infinity;
  private blockPoints = 0;

  constructor(cfg: RecordRarityConfig) {
    if (!(cfg.blockMs > 0) || !(cfg.historyMs >= cfg.blockMs) || !(cfg.anchor > 0)) {
      throw new Error(`record rarity: need blockMs > 0, historyMs >= blockMs, anchor > 0 (got ${JSON.stringify(cfg)})`);
    }
    this.blockMs = cfg.blockMs;
    this.historyBlocks = Math.floor(cfg.historyMs / cfg.blockMs);
    this.anchorDecades = Math.log10(cfg.anchor);
    const capacity = Math.max(MIN_HISTORY_BLOCKS, this.historyBlocks);
    this.history = new SortedWindow(capacity);
    this.ringBlock = new Float64Array(capacity);
    this.ringMax = new Float64Array(capacity);
  }

  /** Blocks in the history now. */
  get blocks(): number {
    return this.history.size;
  }

  /**
   * Evidence (decades, >= 0) of the statistic x at time t (ms, non-decreasing); NaN while warming
   * up or when x is NaN. x then joins its block.
   */
  next(t: number, x: number): number {
    const block = Math.floor(t / this.blockMs);
    if (block !== this.block) {
      this.startBlock(block);
    }
    if (x !== x) {
      return NaN;
    }
    this.blockPoints++;
    const e = this.evidence(x);
    if (x > this.blockMax) {
      this.blockMax = x;
    }
    return e;
  }

  /** Rarity in decades of x against the current history (NaN while warming up). */
  decades(x: number): number {
    const fit = this.fit;
    if (!fit) {
      return NaN;
    }
    let d = tailDecades(fit, x);
    const n = this.history.size;
    const atOrAbove = n - this.history.lowerBound(x);
    if (atOrAbove > 0) {
      const seen = Math.log10(n / atOrAbove);
      d = seen < d ? seen : d;
    }
    const ideal = twoSidedNormalTailDecades(x) - Math.log10(Math.max(1, this.blockPoints));
    return ideal < d ? Math.max(0, ideal) : d;
  }

  private evidence(x: number): number {
    const d = this.decades(x);
    if (d !== d) {
      return NaN;
    }
    const e = d - (Math.log10(this.history.size) - this.anchorDecades);
    return e > 0 ? e : 0;
  }

  /**
   * A new block starts: blocks that fell out of the history leave it, the block that just ended
   * enters (when it is still inside the history and had a finite point), and the tail is refitted.
   */
  private startBlock(block: number): void {
    const firstKept = block - this.historyBlocks;
    let changed = false;
    while (this.ringCount > 0 && this.ringBlock[this.ringStart] < firstKept) {
      this.dropOldest();
      changed = true;
    }
    const ended = this.block;
    const x = this.blockMax;
    if (x > -Infinity && x < Infinity && ended >= firstKept) {
      if (this.ringCount === this.ringBlock.length) {
        this.dropOldest(); // only when the history is shorter than MIN_HISTORY_BLOCKS blocks
      }
      const at = (this.ringStart + this.ringCount) % this.ringBlock.length;
      this.ringBlock[at] = ended;
      this.ringMax[at] = x + 0; // -0 folded into +0, which the sorted window treats as equal
      this.ringCount++;
      this.history.insert(x + 0);
      changed = true;
    }
    if (changed) {
      this.fit = this.history.size >= MIN_HISTORY_BLOCKS ? fitTail(this.history) : null;
    }
    this.block = block;
    this.blockMax = -Infinity;
    this.blockPoints = 0;
  }

  private dropOldest(): void {
    this.history.remove(this.ringMax[this.ringStart]);
    this.ringStart = (this.ringStart + 1) % this.ringBlock.length;
    this.ringCount--;
  }
}

/** Evidence of a whole series of the statistic (see RecordRarity). Causal. */
export function recordEvidence(t: Float64Array, x: Float64Array, cfg: RecordRarityConfig): Float64Array {
  const r = new RecordRarity(cfg);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    out[i] = r.next(t[i], x[i]);
  }
  return out;
}
