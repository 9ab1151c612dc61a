// book/_static/live.js's maths against fmlib's numbers: `node --test tests/js/`.
//
// tests/test_live_js.py computes the numbers with fmlib, writes them to a JSON
// file and runs this suite with FMLIB_NUMBERS naming it (pytest tests/test_live_js.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";

const live = createRequire(import.meta.url)("../../book/_static/live.js");
if (!process.env.FMLIB_NUMBERS) {
  throw new Error("FMLIB_NUMBERS names no file of fmlib's numbers: run pytest tests/test_live_js.py, which writes it");
}
const fmlib = JSON.parse(readFileSync(process.env.FMLIB_NUMBERS, "utf8"));

// pytest.approx's rule: |actual - expected| <= max(rel * |expected|, abs), for each number of the arrays.
function assertClose(actual, expected, { rel = 0, abs = 0 }, what) {
  const a = Array.from(actual), e = Array.from(expected);
  assert.equal(a.length, e.length, `${what}: ${a.length} numbers, fmlib has ${e.length}`);
  a.forEach((value, i) => {
    const gap = Math.abs(value - e[i]);
    assert.ok(gap <= Math.max(rel * Math.abs(e[i]), abs), `${what} [${i}]: ${value}, fmlib ${e[i]} (off by ${gap})`);
  });
}

test("the mixture's density and velocity are fmlib's closed forms", () => {
  for (const { mixture, at } of fmlib.mixtures) {
    for (const { x, t, density, velocity } of at) {
      const where = `${JSON.stringify(mixture)} at x = ${x}, t = ${t}`;
      assertClose([live.mixtureDensity(mixture, x, t)], [density], { rel: 1e-9, abs: 1e-12 }, `density ${where}`);
      assertClose([live.mixtureVelocity(mixture, x, t)], [velocity], { rel: 1e-9, abs: 1e-12 }, `velocity ${where}`);
    }
  }
});

test("the time warp and its step times are fmlib's", () => {
  for (const { s, t, warped } of fmlib.warp.curves) {
    assertClose(t.map((ti) => live.warpTime(ti, s)), warped, { abs: 1e-15 }, `warp_time(t, ${s})`);
  }
  // Solution.times are float32 (fmlib steps in float64, as the rides' trajectories show).
  for (const { steps, warp, times } of fmlib.warp.rides) {
    assertClose(live.stepTimes(steps, warp), times, { abs: 1e-7 }, `step times (${steps}, warp ${warp})`);
  }
});

test("the parabola rides land where fmlib's do, step by step", () => {
  const { length, start, rides } = fmlib.warp;
  for (const { steps, method, warp, trajectory, miss, nfe } of rides) {
    const ride = live.integrate(live.parabolaVelocity(length), start, steps, method, warp, true);
    const what = `${steps} ${method} steps, warp ${warp}`;
    assertClose(ride.trajectory.flatMap((x) => [...x]), trajectory.flat(), { abs: 1e-12 }, what);
    assertClose([Math.hypot(ride.x[0] - 1, ride.x[1] - 1)], [miss], { abs: 1e-12 }, `${what}: the miss`);
    assert.equal(ride.nfe, nfe, `${what}: velocity evaluations`);
  }
});

test("float16 weights decode to fmlib's numbers", () => {
  assert.deepEqual(Array.from(live.decodeHalf(fmlib.halves.text)), fmlib.halves.values);
});

test("erf and GELU are torch's, to the accuracy the page's formula promises", () => {
  assertClose(fmlib.erf.x.map(live.erf), fmlib.erf.erf, { abs: 1.5e-7 }, "erf");
  assertClose(fmlib.gelu.x.map(live.gelu), fmlib.gelu.gelu, { abs: 3e-7 }, "gelu"); // 0.5 |x| times erf's error
});

test("an exported network gives fmlib's velocity, and integrates as fmlib.integrate does, both ways", () => {
  const n = fmlib.network;
  const net = live.network(live.decodeHalf(n.weights), n.layers);
  n.times.forEach((t, i) => assertClose(net(Float64Array.from(n.x0), t), n.velocities[i], { abs: 1e-6 }, `v(x, ${t})`));
  for (const [direction, field] of [["forwards", net], ["backwards", live.backwards(net)]]) {
    for (const method of ["euler", "midpoint", "rk4"]) {
      const { x, nfe } = live.integrate(field, n.x0, n.steps, method, n.warp, false);
      assertClose(x, n[direction][method], { abs: 1e-6 }, `${direction} ${method}`);
      assert.equal(nfe, n.steps * { euler: 1, midpoint: 2, rk4: 4 }[method]);
    }
  }
});

test("the sliced distance is fmlib.metrics.sliced_wasserstein", () => {
  const { a, b, directions, distance } = fmlib.sliced;
  assertClose([live.slicedW2(Float64Array.from(a), Float64Array.from(b), directions)], [distance], { rel: 1e-12 }, "SW2");
});
