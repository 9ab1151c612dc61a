// The book's live figures: panels redrawn in the page, with no kernel and no network.
//
// fmlib writes each live figure as <div class="fm-live" data-figure="..." data-config="...">
// around the panel's picture, which stays when JavaScript is off (fmlib/live.py).
// This script replaces the picture with controls and canvases and computes what
// fmlib computes: the same closed forms, the same step functions, the same
// networks. window.FMLive exposes the computations, so the browser tests can
// compare them with fmlib's numbers; loaded in Node, the script exports them
// (module.exports) and draws nothing, for the maths' tests in tests/js.
(() => {
  "use strict";

  // ---- the mathematics, line by line as in fmlib ---------------------------

  // erf within 1.5e-7 (Abramowitz and Stegun's formula 7.1.26): a rational function times exp(-x^2).
  // Exact to double precision, it would take more than half of a network's time; at this accuracy
  // the page's networks carry points to within 1e-6 of torch's (the browser tests check 1e-4).
  function erf(x) {
    const z = Math.abs(x), u = 1 / (1 + 0.3275911 * z);
    const poly = u * (0.254829592 + u * (-0.284496736 + u * (1.421413741 + u * (-1.453152027 + u * 1.061405429))));
    return Math.sign(x) * (1 - poly * Math.exp(-z * z));
  }

  const gelu = (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)); // torch's GELU (the exact form)

  // The cubic time warp f(t; a) (a is `s` here): f(0) = 0, f(1) = 1, slope a at t = 1/2 (fmlib.warp_time).
  const warpTime = (t, s) => 4 * (1 - s) * t ** 3 + 6 * (s - 1) * t ** 2 + (3 - 2 * s) * t;

  function stepTimes(steps, warp) {
    const times = [];
    for (let i = 0; i <= steps; i++) {
      const t = i / steps;
      times.push(warp === null || warp === undefined ? t : warpTime(t, warp));
    }
    return times;
  }

  // Points are flat Float64Arrays (n * d numbers); a velocity maps (x, t) to such an array.
  function moved(x, dt, v) {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = x[i] + dt * v[i];
    return out;
  }

  const STEPPERS = {
    euler: (velocity, x, t, dt) => moved(x, dt, velocity(x, t)),
    midpoint: (velocity, x, t, dt) => moved(x, dt, velocity(moved(x, dt / 2, velocity(x, t)), t + dt / 2)),
    rk4: (velocity, x, t, dt) => {
      const k1 = velocity(x, t);
      const k2 = velocity(moved(x, dt / 2, k1), t + dt / 2);
      const k3 = velocity(moved(x, dt / 2, k2), t + dt / 2);
      const k4 = velocity(moved(x, dt, k3), t + dt);
      const out = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) out[i] = x[i] + (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
      return out;
    },
  };
  const EVALUATIONS = { euler: 1, midpoint: 2, rk4: 4 };
  const METHOD_NAMES = { euler: "Euler", midpoint: "midpoint", rk4: "RK4" };
  // "4 RK4 steps", "1 Euler step"; a shape's name as a reader writes it ("two gaussians").
  const counted = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const shown = (name) => String(name).replace(/_/g, " ");

  // fmlib.integrate: from t = 0 to t = 1 in `steps` steps of `method`, times warped by slope `warp` (or not).
  function integrate(velocity, x0, steps, method, warp, keepTrajectory) {
    const times = stepTimes(steps, warp);
    let x = Float64Array.from(x0);
    const trajectory = keepTrajectory ? [x] : null;
    for (let i = 0; i < steps; i++) {
      x = STEPPERS[method](velocity, x, times[i], times[i + 1] - times[i]);
      if (keepTrajectory) trajectory.push(x);
    }
    return { x, trajectory, times, nfe: steps * EVALUATIONS[method] };
  }

  // The flow of `velocity` run backwards in time: -v(x, 1 - t) (fmlib.solvers.backwards).
  const backwards = (velocity) => (x, t) => velocity(x, 1 - t).map((v) => -v);

  // float16 numbers, little-endian, in base64 (fmlib.live writes the networks and clouds so).
  function decodeHalf(text) {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const out = new Float64Array(bytes.length / 2);
    for (let i = 0; i < out.length; i++) {
      const h = bytes[2 * i] | (bytes[2 * i + 1] << 8);
      const sign = h & 0x8000 ? -1 : 1, exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff;
      if (exponent === 0) out[i] = sign * 2 ** -14 * (fraction / 1024);
      else if (exponent === 31) out[i] = fraction ? NaN : sign * Infinity;
      else out[i] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
    }
    return out;
  }

  // A VelocityNet from its flat weights: layer after layer, weight rows then bias; GELU between layers.
  // Its input is (x, y, t); its output the 2D velocity.
  function network(flat, layers) {
    let start = 0;
    const parts = layers.map(([inputs, outputs]) => {
      const weight = flat.subarray(start, (start += inputs * outputs));
      const bias = flat.subarray(start, (start += outputs));
      return { inputs, outputs, weight, bias };
    });
    const width = Math.max(...layers.map(([i, o]) => Math.max(i, o)));
    const a = new Float64Array(width), b = new Float64Array(width);
    const dim = layers[0][0] - 1;
    return (x, t) => {
      const n = x.length / dim, out = new Float64Array(x.length);
      for (let p = 0; p < n; p++) {
        for (let d = 0; d < dim; d++) a[d] = x[p * dim + d];
        a[dim] = t;
        let input = a, output = b;
        parts.forEach(({ inputs, outputs, weight, bias }, index) => {
          for (let j = 0; j < outputs; j++) {
            let sum = bias[j];
            const row = j * inputs;
            for (let i = 0; i < inputs; i++) sum += weight[row + i] * input[i];
            output[j] = index < parts.length - 1 ? gelu(sum) : sum;
          }
          [input, output] = [output, input];
        });
        for (let d = 0; d < dim; d++) out[p * dim + d] = input[d];
      }
      return out;
    };
  }

  // A 1D mixture target on the straight path from N(0, 1): x_t = t x1 + (1 - t) x0 (fmlib.mixtures).
  // Component k gives x_t ~ N(t m_k, t^2 s_k^2 + (1 - t)^2).
  function mixtureTerms(mixture, x, t) {
    return mixture.weights.map((w, k) => {
      const variance = t * t * mixture.stds[k] ** 2 + (1 - t) ** 2;
      const offset = x - t * mixture.means[k];
      return {
        k, variance, offset,
        log: Math.log(w) - (0.5 * offset * offset) / variance - 0.5 * Math.log(2 * Math.PI * variance),
      };
    });
  }

  function mixtureDensity(mixture, x, t) {
    return mixtureTerms(mixture, x, t).reduce((sum, term) => sum + Math.exp(term.log), 0);
  }

  // E[x1 - x0 | x_t = x]: each component's conditional mean, averaged with P(k | x_t = x).
  function mixtureVelocity(mixture, x, t) {
    const terms = mixtureTerms(mixture, x, t);
    const top = Math.max(...terms.map((term) => term.log));
    let total = 0, sum = 0;
    for (const { k, variance, offset, log } of terms) {
      const weight = Math.exp(log - top);
      const gain = (t * mixture.stds[k] ** 2 - (1 - t)) / variance;
      total += weight;
      sum += weight * (mixture.means[k] + gain * offset);
    }
    return sum / total;
  }

  // fmlib.metrics.sliced_wasserstein with fmlib's own directions: the RMS gap of sorted projections.
  function slicedW2(a, b, directions) {
    const n = a.length / 2;
    let total = 0;
    const pa = new Float64Array(n), pb = new Float64Array(n);
    for (const [dx, dy] of directions) {
      for (let i = 0; i < n; i++) {
        pa[i] = a[2 * i] * dx + a[2 * i + 1] * dy;
        pb[i] = b[2 * i] * dx + b[2 * i + 1] * dy;
      }
      pa.sort();
      pb.sort();
      for (let i = 0; i < n; i++) total += (pa[i] - pb[i]) ** 2;
    }
    return Math.sqrt(total / (n * directions.length));
  }

  // The parabola y = 4(x - 1/2)^2, ridden at constant speed `length` (fmlib.parabola).
  const parabolaHeight = (x) => 4 * (x - 0.5) ** 2;
  const parabolaVelocity = (length) => (points) => {
    const out = new Float64Array(points.length);
    for (let i = 0; i < points.length; i += 2) {
      const slope = 8 * (points[i] - 0.5), norm = Math.hypot(1, slope);
      out[i] = length / norm;
      out[i + 1] = (length * slope) / norm;
    }
    return out;
  };

  // ---- drawing ------------------------------------------------------------

  const FONT = '13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

  function niceTicks(low, high, count = 5) {
    const raw = (high - low) / count, power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(low / step) * step; v <= high + 1e-9; v += step) ticks.push(Math.abs(v) < 1e-12 ? 0 : v);
    return ticks;
  }

  const label = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 2 : 1).replace(/0$/, ""));

  // A canvas with axes: plot coordinates in, pixels out. `colourBar` leaves room at the right.
  function makePlot(parent, { width, height, xlim, ylim, xlabel, ylabel, title, description, colourBar }) {
    const canvas = document.createElement("canvas");
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = width + "px";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", description);
    parent.appendChild(canvas);
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    const box = { left: 62, right: width - (colourBar ? 62 : 12), top: 28, bottom: height - 44 };
    const plot = {
      canvas, ctx, box, xlim, ylim, title,
      X: (x) => box.left + ((x - plot.xlim[0]) / (plot.xlim[1] - plot.xlim[0])) * (box.right - box.left),
      Y: (y) => box.bottom - ((y - plot.ylim[0]) / (plot.ylim[1] - plot.ylim[0])) * (box.bottom - box.top),
      clear() {
        ctx.fillStyle = "white";
        ctx.fillRect(0, 0, width, height);
      },
      frame() {
        ctx.strokeStyle = "#333";
        ctx.lineWidth = 1;
        ctx.strokeRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
        ctx.fillStyle = "#222";
        ctx.font = FONT;
        ctx.textAlign = "center";
        ctx.textBaseline = "top";
        for (const v of niceTicks(...plot.xlim)) {
          ctx.fillRect(plot.X(v), box.bottom, 1, 4);
          ctx.fillText(label(v), plot.X(v), box.bottom + 6);
        }
        ctx.fillText(xlabel, (box.left + box.right) / 2, box.bottom + 24);
        ctx.textAlign = "right";
        ctx.textBaseline = "middle";
        for (const v of niceTicks(...plot.ylim)) {
          ctx.fillRect(box.left - 4, plot.Y(v), 4, 1);
          ctx.fillText(label(v), box.left - 6, plot.Y(v));
        }
        ctx.save();
        ctx.translate(13, (box.top + box.bottom) / 2);
        ctx.rotate(-Math.PI / 2);
        ctx.textAlign = "center";
        ctx.fillText(ylabel, 0, 0);
        ctx.restore();
        ctx.textAlign = "center";
        ctx.textBaseline = "alphabetic";
        ctx.fillText(plot.title, (box.left + box.right) / 2, box.top - 9);
      },
      clip(draw) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
        ctx.clip();
        draw();
        ctx.restore();
      },
    };
    return plot;
  }

  const colourAt = (table, u) => {
    const i = 3 * Math.max(0, Math.min(255, Math.round(u * 255)));
    return [table[i], table[i + 1], table[i + 2]];
  };
  const hexBytes = (hex) => Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));

  // values[i][j] over t_i (across) and x_j (up), coloured by `table` between low and high.
  function heatmap(plot, values, table, low, high, name) {
    const nt = values.length, nx = values[0].length;
    const image = new ImageData(nt, nx);
    for (let i = 0; i < nt; i++) {
      for (let j = 0; j < nx; j++) {
        const [r, g, b] = colourAt(table, (values[i][j] - low) / (high - low));
        const at = 4 * ((nx - 1 - j) * nt + i);
        image.data.set([r, g, b, 255], at);
      }
    }
    const tile = document.createElement("canvas");
    tile.width = nt;
    tile.height = nx;
    tile.getContext("2d").putImageData(image, 0, 0);
    const { ctx, box } = plot;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tile, box.left, box.top, box.right - box.left, box.bottom - box.top);
    // The colour bar, with its scale.
    const left = box.right + 10, barWidth = 12;
    for (let y = box.top; y < box.bottom; y++) {
      const [r, g, b] = colourAt(table, (box.bottom - y) / (box.bottom - box.top));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(left, y, barWidth, 1);
    }
    ctx.fillStyle = "#222";
    ctx.font = FONT;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    for (const v of niceTicks(low, high, 4)) {
      const y = box.bottom - ((v - low) / (high - low)) * (box.bottom - box.top);
      ctx.fillText(label(v), left + barWidth + 3, y);
    }
    ctx.save();
    ctx.translate(plot.canvas.width / (window.devicePixelRatio || 1) - 6, (box.top + box.bottom) / 2);
    ctx.rotate(Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(name, 0, 0);
    ctx.restore();
  }

  function polyline(plot, xs, ys, colour, width = 1.5) {
    const { ctx } = plot;
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.beginPath();
    xs.forEach((x, i) => (i ? ctx.lineTo(plot.X(x), plot.Y(ys[i])) : ctx.moveTo(plot.X(x), plot.Y(ys[i]))));
    ctx.stroke();
  }

  function dots(plot, points, colour, radius = 1.6, alpha = 0.55) {
    const { ctx } = plot;
    ctx.fillStyle = colour;
    ctx.globalAlpha = alpha;
    for (let i = 0; i < points.length; i += 2) {
      ctx.fillRect(plot.X(points[i]) - radius, plot.Y(points[i + 1]) - radius, 2 * radius, 2 * radius);
    }
    ctx.globalAlpha = 1;
  }

  // ---- controls: native inputs with labels, so a keyboard and a screen reader can use them ----

  function control(parent, spec, onChange) {
    const wrapper = document.createElement("label");
    wrapper.className = "fm-live-control";
    wrapper.append(spec.label + " ");
    let input, readout = null;
    if (spec.kind === "range") {
      input = document.createElement("input");
      Object.assign(input, { type: "range", min: spec.min, max: spec.max, step: spec.step, value: spec.value });
      readout = document.createElement("output");
      wrapper.append(input, readout);
    } else {
      input = document.createElement("select");
      for (const option of spec.options) input.add(new Option(shown(option), String(option)));
      input.value = String(spec.value);
      wrapper.append(input);
    }
    input.name = spec.name;
    const value = () => (spec.kind === "range" ? Number(input.value) : typeof spec.value === "number" ? Number(input.value) : input.value);
    const show = () => {
      if (readout) readout.textContent = spec.whole ? String(value()) : value().toFixed(2);
    };
    input.addEventListener("input", () => {
      show();
      onChange();
    });
    show();
    parent.appendChild(wrapper);
    return { input, value };
  }

  function controlRow(root, specs, onChange) {
    const row = document.createElement("div");
    row.className = "fm-live-controls";
    root.appendChild(row);
    const values = {};
    for (const spec of specs) values[spec.name] = control(row, spec, onChange);
    return () => Object.fromEntries(Object.entries(values).map(([name, c]) => [name, c.value()]));
  }

  function readoutLine(root) {
    const line = document.createElement("p");
    line.className = "fm-live-readout";
    line.setAttribute("aria-live", "polite");
    root.appendChild(line);
    return line;
  }

  function plotsRow(root) {
    const row = document.createElement("div");
    row.className = "fm-live-plots";
    root.appendChild(row);
    return row;
  }

  // ---- the figures ----------------------------------------------------------

  // Chapter 2: the exact density and velocity of the flow onto a two-component 1D mixture.
  function mixtureFigure(root, config) {
    const values = controlRow(root, config.controls, redraw);
    const row = plotsRow(root);
    const [low, high] = config.x_range;
    const common = { width: 330, height: 290, xlim: [0, 1], ylim: [low, high], xlabel: "time t", ylabel: "position x" };
    const density = makePlot(row, {
      ...common, title: "density p_t(x)", colourBar: true,
      description: "Heatmap of the density of the flowing points over time (across) and position (up).",
    });
    const field = makePlot(row, {
      ...common, title: "exact velocity and pathlines", colourBar: true,
      description: "Heatmap of the exact velocity over time and position, red up and blue down, with pathlines.",
    });
    const slice = makePlot(row, {
      width: 330, height: 290, xlim: [low, high], ylim: [-config.vmax, config.vmax], xlabel: "position x",
      ylabel: "velocity", title: "", description: "The exact velocity along x at the chosen time, with a dot where the density peaks.",
    });
    const readout = readoutLine(root);
    const densityTable = hexBytes(config.density_colours), velocityTable = hexBytes(config.velocity_colours);
    const nt = 120, nx = 150;

    function redraw() {
      const v = values();
      const mixture = { weights: [v.weight, 1 - v.weight], means: [v.mean1, v.mean2], stds: [v.std1, v.std2] };
      const p = [], u = [];
      let top = 0;
      for (let i = 0; i < nt; i++) {
        const t = (i + 0.5) / nt;
        p.push([]);
        u.push([]);
        for (let j = 0; j < nx; j++) {
          const x = low + ((j + 0.5) / nx) * (high - low);
          p[i].push(mixtureDensity(mixture, x, t));
          u[i].push(mixtureVelocity(mixture, x, t));
          top = Math.max(top, p[i][j]);
        }
      }
      density.clear();
      heatmap(density, p, densityTable, 0, top, "density");
      density.frame();
      field.clear();
      heatmap(field, u, velocityTable, -config.vmax, config.vmax, "velocity");
      const velocity = (x, t) => x.map((xi) => mixtureVelocity(mixture, xi, t));
      const flow = integrate(velocity, config.starts, config.steps, "rk4", null, true);
      field.clip(() => {
        for (let k = 0; k < config.starts.length; k++) {
          const ys = flow.trajectory.map((x) => x[k]);
          polyline(field, flow.times, ys, "rgba(0,0,0,0.7)", 1);
        }
        field.ctx.setLineDash([3, 3]);
        polyline(field, [v.t, v.t], [low, high], "black", 1.5);
        field.ctx.setLineDash([]);
      });
      field.frame();
      // The slice at t (300 evenly spaced x, as fmlib's panel draws it), and where the density peaks on it.
      const xs = Array.from({ length: 300 }, (_, i) => low + (i * (high - low)) / 299);
      const us = xs.map((x) => mixtureVelocity(mixture, x, v.t));
      const ps = xs.map((x) => mixtureDensity(mixture, x, v.t));
      const peak = ps.indexOf(Math.max(...ps));
      slice.title = `a slice of the field at t = ${v.t.toFixed(2)}`;
      slice.clear();
      slice.clip(() => {
        polyline(slice, [low, high], [0, 0], config.palette.neutral, 0.5);
        polyline(slice, xs, us, config.palette.target, 2);
        slice.ctx.fillStyle = "black";
        slice.ctx.beginPath();
        slice.ctx.arc(slice.X(xs[peak]), slice.Y(us[peak]), 4, 0, 2 * Math.PI);
        slice.ctx.fill();
      });
      slice.frame();
      readout.textContent =
        `At t = ${v.t.toFixed(2)} the density peaks at x = ${xs[peak].toFixed(3)} ` +
        `(p = ${ps[peak].toFixed(3)}), where the velocity is v = ${us[peak].toFixed(3)} (black dot).`;
      root.dataset.state = "ready";
    }
    redraw();
  }

  // Chapter 5: the cubic time warp and the Euler ride along the parabola it gives.
  function warpFigure(root, config) {
    const values = controlRow(root, config.controls, redraw);
    const row = plotsRow(root);
    const square = { width: 330, height: 330, description: "" };
    const warp = makePlot(row, {
      ...square, xlim: [0, 1.02], ylim: [0, 1.02], xlabel: "even steps τ", ylabel: "warped time t = f(τ; a)",
      title: "", description: "The warp curve, and the step times it gives as green ticks on the right edge.",
    });
    const ride = makePlot(row, {
      ...square, xlim: [-0.15, 1.3], ylim: [-0.2, 1.3], xlabel: "x", ylabel: "y", title: "",
      description: "The Euler ride along the parabola from its left end to the star at its right end.",
    });
    const readout = readoutLine(root);
    const velocity = parabolaVelocity(config.length);

    function redraw() {
      const { s, steps } = values();
      const curve = Array.from({ length: 200 }, (_, i) => i / 199);
      const times = stepTimes(steps, s);
      warp.title = `a = ${s.toFixed(2)}: step times (green ticks)`;
      warp.clear();
      polyline(warp, curve, curve.map((t) => warpTime(t, s)), config.palette.neutral);
      times.forEach((t, i) => {
        const tau = i / steps;
        polyline(warp, [tau, 1], [t, t], config.palette.lines, 0.6);
        warp.ctx.fillStyle = config.palette.lines;
        warp.ctx.beginPath();
        warp.ctx.arc(warp.X(tau), warp.Y(t), 2.5, 0, 2 * Math.PI);
        warp.ctx.fill();
        polyline(warp, [0.985, 1.015], [t, t], config.palette.model, 2.5);
      });
      warp.frame();
      const solution = integrate(velocity, [0, 1], steps, config.method, s, true);
      const end = solution.x, miss = Math.hypot(end[0] - 1, end[1] - 1);
      const visited = solution.trajectory;
      const lowest = Math.min(0, ...visited.map((p) => p[1])), highest = Math.max(1, ...visited.map((p) => p[1]));
      const right = Math.max(1, ...visited.map((p) => p[0]));
      ride.xlim = [-0.15, right + 0.3];
      ride.ylim = [lowest - 0.2, highest + 0.3];
      ride.title = counted(steps, `${METHOD_NAMES[config.method]} step`);
      ride.clear();
      ride.clip(() => {
        polyline(ride, curve, curve.map(parabolaHeight), config.palette.neutral);
        polyline(ride, visited.map((p) => p[0]), visited.map((p) => p[1]), config.palette.model, 0.8);
        dots(ride, Float64Array.from(visited.flatMap((p) => [...p])), config.palette.model, 2.5, 1);
        ride.ctx.fillStyle = config.palette.target;
        ride.ctx.font = "20px sans-serif";
        ride.ctx.textAlign = "center";
        ride.ctx.textBaseline = "middle";
        ride.ctx.fillText("★", ride.X(1), ride.Y(1));
      });
      ride.frame();
      readout.textContent =
        `The ride misses the end by ${miss.toFixed(4)} after ${counted(steps, `${METHOD_NAMES[config.method]} step`)} ` +
        `(${solution.nfe} velocity evaluations).`;
      root.dataset.state = "ready";
    }
    redraw();
  }

  // Chapter 4: points carried between two shapes by networks trained when the book was built.
  function morphFigure(root, config, data) {
    const shapes = data.shapes;
    const specs = [
      { name: "source", kind: "choice", label: "source", options: shapes, value: config.source },
      { name: "target", kind: "choice", label: "target", options: shapes, value: config.target },
      { name: "method", kind: "choice", label: "integrator", options: ["euler", "midpoint", "rk4"], value: "rk4" },
      { name: "steps", kind: "range", label: "steps", min: 1, max: 40, step: 1, value: 8, whole: true },
      { name: "warp", kind: "range", label: "warp slope a", min: 0, max: 1.5, step: 0.05, value: 1 },
    ];
    const values = controlRow(root, specs, compute);
    const timeRow = document.createElement("div");
    timeRow.className = "fm-live-controls";
    root.appendChild(timeRow);
    const play = document.createElement("button");
    play.type = "button";
    play.textContent = "▶ play";
    play.setAttribute("aria-label", "play the morph from t = 0 to t = 1");
    timeRow.appendChild(play);
    const time = control(timeRow, { name: "time", kind: "range", label: "time t", min: 0, max: 1, step: 0.01, value: 1 }, () => drawFrame(time.value()));
    const row = plotsRow(root);
    const plot = makePlot(row, {
      width: 400, height: 400, xlim: [-3, 3], ylim: [-3, 3], xlabel: "x", ylabel: "y", title: "",
      description: root.dataset.description,
    });
    const readout = readoutLine(root);
    const clouds = (role, name) => decodeHalf(data[role][name]);
    const fields = {};
    let run = null, token = 0;

    function fieldFor(source, target) {
      const key = `${source}>${target}`, reverse = `${target}>${source}`;
      if (!fields[key] && data.models[key]) fields[key] = network(decodeHalf(data.models[key]), data.layers);
      if (!fields[key] && data.models[reverse]) {
        fields[reverse] = fields[reverse] || network(decodeHalf(data.models[reverse]), data.layers);
        fields[key] = backwards(fields[reverse]);
      }
      return { velocity: fields[key], reversed: !data.models[key] };
    }

    function pointsAt(t) {
      const { trajectory, times } = run;
      let k = 0;
      while (k < times.length - 2 && times[k + 1] < t) k++;
      const u = Math.min(1, Math.max(0, (t - times[k]) / (times[k + 1] - times[k])));
      const a = trajectory[k], b = trajectory[k + 1], out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = a[i] + u * (b[i] - a[i]);
      return out;
    }

    // The view holds both clouds, as fmlib's panel draws them.
    function fitView(...clouds) {
      const lim = 1.05 * Math.max(...clouds.map((c) => c.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
      plot.xlim = [-lim, lim];
      plot.ylim = [-lim, lim];
    }

    function drawFrame(t) {
      if (!run) return;
      plot.title = `${run.source} → ${run.target}, t = ${t.toFixed(2)}`;
      plot.clear();
      plot.clip(() => {
        dots(plot, run.target_points, "#bbbbbb", 1.2, 0.5);
        dots(plot, pointsAt(t), config.palette.model, 1.6, 0.6);
      });
      plot.frame();
    }

    async function compute() {
      const v = values(), mine = ++token;
      if (v.source === v.target) {
        run = null;
        fitView(clouds("sources", v.source));
        plot.title = `${shown(v.source)}: pick a different target`;
        plot.clear();
        plot.clip(() => dots(plot, clouds("sources", v.source), config.palette.model, 1.6, 0.6));
        plot.frame();
        readout.textContent = "Pick two different shapes.";
        root.dataset.state = "ready";
        return;
      }
      root.dataset.state = "computing";
      readout.textContent = "computing the flow in your browser …";
      const { velocity, reversed } = fieldFor(v.source, v.target);
      const warp = v.warp === 1 ? null : v.warp;
      const times = stepTimes(v.steps, warp);
      let x = clouds("sources", v.source);
      const trajectory = [x];
      let pause = performance.now();
      for (let i = 0; i < v.steps; i++) {
        x = STEPPERS[v.method](velocity, x, times[i], times[i + 1] - times[i]);
        trajectory.push(x);
        if (performance.now() - pause > 40) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (mine !== token) return; // a control moved meanwhile: that run replaces this one
          pause = performance.now();
        }
      }
      const target_points = clouds("targets", v.target);
      run = { ...v, trajectory, times, target_points };
      fitView(trajectory[0], target_points);
      const distance = slicedW2(x, target_points, data.directions);
      const how = reversed ? ` (the ${shown(v.target)}-to-${shown(v.source)} network, run backwards)` : "";
      readout.textContent =
        `Sliced W2 from the ${data.points} carried points to ${data.points} fresh ${shown(v.target)} points: ` +
        `${distance.toFixed(3)}, after ${counted(v.steps, `${METHOD_NAMES[v.method]} step`)} ` +
        `(${counted(v.steps * EVALUATIONS[v.method], "network evaluation")})${how}.`;
      root.dataset.distance = distance;
      drawFrame(time.value());
      root.dataset.state = "ready";
    }

    play.addEventListener("click", () => {
      const start = performance.now(), seconds = 3;
      const tick = (now) => {
        const t = Math.min(1, (now - start) / 1000 / seconds);
        time.input.value = t;
        time.input.dispatchEvent(new Event("input"));
        if (t < 1) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    root.fmlive = { drawFrame };
    compute();
  }

  function loadData(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve(window.FMLiveData);
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  const FIGURES = { mixture: mixtureFigure, warp: warpFigure, morph: morphFigure };

  async function build(root) {
    const config = JSON.parse(root.dataset.config);
    let data = null;
    if (config.data) {
      try {
        data = (await loadData(config.data))[root.dataset.figure];
      } catch (error) {
        return; // the fallback stays
      }
    }
    const fallback = [...root.childNodes];
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", root.dataset.description);
    fallback.forEach((node) => node.remove());
    FIGURES[root.dataset.figure](root, config, data);
  }

  const computations = {
    erf, gelu, warpTime, stepTimes, integrate, backwards, decodeHalf, network,
    mixtureDensity, mixtureVelocity, slicedW2, parabolaVelocity,
  };
  if (typeof document === "undefined") {
    module.exports = computations; // in Node, with no page to draw on: tests/js checks the maths alone
    return;
  }
  window.FMLive = computations;
  const start = () => document.querySelectorAll(".fm-live").forEach(build);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
