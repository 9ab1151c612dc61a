// Search results quote each page's text, in which the maths is still TeX source
// (MathJax typesets it on the page itself, not in the results): "\(v(x, t)\)".
// This makes quoted maths readable: the delimiters go, and common commands
// become the symbols they stand for ("\mathbb{E}[x_1 \mid x_t]" reads "E[x_1 | x_t]").
(() => {
  "use strict";
  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", theta: "θ", lambda: "λ",
    mu: "μ", nu: "ν", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", psi: "ψ", omega: "ω", Sigma: "Σ",
    Delta: "Δ", nabla: "∇", partial: "∂", cdot: "·", times: "×", mid: "|", approx: "≈", le: "≤", leq: "≤",
    ge: "≥", geq: "≥", neq: "≠", to: "→", infty: "∞", sim: "~", int: "∫", sum: "Σ", sqrt: "√", ldots: "…",
    dots: "…", quad: " ", qquad: " ",
  };
  const readable = (tex) =>
    tex
      .replace(/\\[td]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)")
      .replace(/\\[td]?frac\s*(\w)(\w)/g, "$1/$2")
      .replace(/\\(?:mathbb|mathrm|mathbf|mathcal|operatorname|textrm|text|boldsymbol)\s*\{([^{}]*)\}/g, "$1")
      .replace(/\\(?:left|right|big|Big|bigg|Bigg)\b/g, "")
      .replace(/\\([A-Za-z]+)/g, (_, name) => SYMBOLS[name] ?? name)
      .replace(/\\[,;:! ]/g, " ")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  const plainMath = (text) =>
    text.replace(/\\\(([\s\S]+?)\\\)|\\\[([\s\S]+?)\\\]|\$\$([\s\S]+?)\$\$/g, (_, a, b, c) => readable(a ?? b ?? c));
  const wrap = () => {
    if (!window.Search || !Search.htmlToText || Search.htmlToText.plainMath) return;
    const original = Search.htmlToText;
    Search.htmlToText = (...args) => plainMath(original(...args));
    Search.htmlToText.plainMath = true;
  };
  window.FMPlainMath = plainMath;
  wrap();
  document.addEventListener("DOMContentLoaded", wrap);
})();
