// Colour arithmetic for the tests that judge the UI's colours by numbers
// rather than by eye: WCAG contrast ratios, and CIEDE2000 colour
// differences (ΔE00; about 2 is the smallest difference most people see,
// 10 and more reads as a different colour at a glance).

/**
 * A computed CSS colour (`rgb(…)`, `rgba(…)` or `color(srgb …)`, the forms
 * getComputedStyle gives) as sRGB channels in 0..1 and its alpha.
 */
export function parseColor(value) {
  const srgb = /color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)/.exec(value);
  if (srgb) return { rgb: srgb.slice(1, 4).map(Number), alpha: srgb[4] === undefined ? 1 : Number(srgb[4]) };
  const rgb = /rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:[,/] ?([\d.]+))?\)/.exec(value);
  if (rgb) return { rgb: rgb.slice(1, 4).map((n) => Number(n) / 255), alpha: rgb[4] === undefined ? 1 : Number(rgb[4]) };
  throw new Error(`not a colour this test reads: ${value}`);
}

/** `top` (with its alpha) painted over the opaque colour `under`, both parsed. */
export function over(top, under) {
  return { rgb: top.rgb.map((c, n) => c * top.alpha + under.rgb[n] * (1 - top.alpha)), alpha: 1 };
}

const linear = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

/** WCAG 2 relative luminance of sRGB channels in 0..1. */
function luminance(rgb) {
  const [r, g, b] = rgb.map(linear);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two opaque colours (1 to 21). */
export function contrast(a, b) {
  const [x, y] = [luminance(a.rgb), luminance(b.rgb)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** CIELAB (D65 white) of sRGB channels in 0..1. */
function lab(rgb) {
  const [r, g, b] = rgb.map(linear);
  const xyz = [
    (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047,
    0.2126729 * r + 0.7151522 * g + 0.072175 * b,
    (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883,
  ];
  const [fx, fy, fz] = xyz.map((t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116));
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

const rad = (deg) => (deg * Math.PI) / 180;
const deg = (r) => ((r * 180) / Math.PI + 360) % 360;

/** CIEDE2000 difference of two opaque colours. */
export function deltaE2000(a, b) {
  return ciede2000(lab(a.rgb), lab(b.rgb));
}

/** CIEDE2000 difference of two CIELAB colours, as Sharma, Wu and Dalal (2005) formulate it. */
export function ciede2000([L1, a1, b1], [L2, a2, b2]) {
  const C = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2;
  const G = 0.5 * (1 - Math.sqrt(C ** 7 / (C ** 7 + 25 ** 7)));
  const [ap1, ap2] = [(1 + G) * a1, (1 + G) * a2];
  const [Cp1, Cp2] = [Math.hypot(ap1, b1), Math.hypot(ap2, b2)];
  const hp1 = Cp1 === 0 ? 0 : deg(Math.atan2(b1, ap1));
  const hp2 = Cp2 === 0 ? 0 : deg(Math.atan2(b2, ap2));
  const dL = L2 - L1;
  const dC = Cp2 - Cp1;
  let dh = 0;
  if (Cp1 * Cp2 !== 0) dh = Math.abs(hp2 - hp1) <= 180 ? hp2 - hp1 : hp2 - hp1 > 180 ? hp2 - hp1 - 360 : hp2 - hp1 + 360;
  const dH = 2 * Math.sqrt(Cp1 * Cp2) * Math.sin(rad(dh / 2));
  const Lm = (L1 + L2) / 2;
  const Cm = (Cp1 + Cp2) / 2;
  let hm = hp1 + hp2;
  if (Cp1 * Cp2 !== 0) hm = Math.abs(hp1 - hp2) <= 180 ? hm / 2 : hp1 + hp2 < 360 ? (hm + 360) / 2 : (hm - 360) / 2;
  const T = 1 - 0.17 * Math.cos(rad(hm - 30)) + 0.24 * Math.cos(rad(2 * hm)) + 0.32 * Math.cos(rad(3 * hm + 6)) - 0.2 * Math.cos(rad(4 * hm - 63));
  const SL = 1 + (0.015 * (Lm - 50) ** 2) / Math.sqrt(20 + (Lm - 50) ** 2);
  const SC = 1 + 0.045 * Cm;
  const SH = 1 + 0.015 * Cm * T;
  const RT = -2 * Math.sqrt(Cm ** 7 / (Cm ** 7 + 25 ** 7)) * Math.sin(rad(60 * Math.exp(-(((hm - 275) / 25) ** 2))));
  return Math.sqrt((dL / SL) ** 2 + (dC / SC) ** 2 + (dH / SH) ** 2 + RT * (dC / SC) * (dH / SH));
}
