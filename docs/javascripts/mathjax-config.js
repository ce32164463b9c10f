// MathJax reads this before it loads (pymdownx.arithmatex marks the equations): typeset
// only what arithmatex marked. Its fonts are found beside the local copy of MathJax.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// Material's instant navigation can swap pages without reloading: typeset each new page,
// one typesetting at a time. (Clearing MathJax's cache here, as some recipes do, left the
// first page's equations without their glyphs.)
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise = MathJax.startup.promise.then(() => {
        MathJax.typesetClear();
        MathJax.texReset();
        return MathJax.typesetPromise();
      });
    }
  });
}
