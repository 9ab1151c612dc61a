// Search results quote each page's text around the words searched for. Two
// things made those quotes hard to read: Sphinx takes the text of the whole main
// block, so the page's "Contents" sidebar came first and was often quoted instead
// of the chapter; and the maths is still TeX source there (MathJax typesets it on
// the page itself, not in the results): "\(v(x, t)\)". Here the quote comes from
// the article alone, and quoted maths becomes readable: the delimiters go, and
// common commands become the symbols they stand for
// ("\mathbb{E}[x_1 \mid x_t]" reads "E[x_1 | x_t]").
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
  // Sphinx's Search.htmlToText(html, anchor), reading the article instead of the whole main block.
  const articleText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(".headerlink, script, style").forEach((element) => element.remove());
    const article = page.querySelector("article") || page.querySelector('[role="main"]');
    if (!article) return "";
    const part = (anchor && article.querySelector(anchor)) || article;
    return plainMath(part.textContent);
  };
  const wrap = () => {
    // searchtools.js declares Search with const: a global name, not a property of window.
    if (typeof Search !== "undefined" && Search.htmlToText) Search.htmlToText = articleText;
  };
  window.FMPlainMath = plainMath;
  wrap();
  document.addEventListener("DOMContentLoaded", wrap);
})();
