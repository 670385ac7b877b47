/**
 * The smoothstep ramp shared by every severity: s(u) = u²(3 − 2u) on [0, 1] (0 below, 1 above),
 * monotone and C¹-smooth, and its inverse u(s) = ½ − sin(asin(1 − 2s)/3), the root in [0, 1] of the
 * cubic 2u³ − 3u² + s = 0 by the trigonometric method (Nickalls 1993).
 */

export function smoothstep(u: number): number {
  if (!(u > 0)) {
    return 0;
  }
  if (!(u < 1)) {
    return 1;
  }
  return u * u * (3 - 2 * u);
}

/** u in [0, 1] with smoothstep(u) = s (0 for s <= 0 or NaN, 1 for s >= 1). */
export function inverseSmoothstep(s: number): number {
  if (!(s > 0)) {
    return 0;
  }
  if (!(s < 1)) {
    return 1;
  }
  return 0.5 - Math.sin(Math.asin(1 - 2 * s) / 3);
}
