// The two sidebar buttons in the page header, made to work on every screen.
//
// pydata-sphinx-theme 0.17 binds its sidebar dialogs to the *first* element of
// class .primary-toggle (and .secondary-toggle) in the page. sphinx-book-theme
// adds a second, visible pair of buttons in the article header, which get no
// handler: tapped on a phone they only show their tooltip (reported upstream as
// pydata-sphinx-theme #2451). Here a tap on any of them opens the sidebar as a
// drawer on narrow screens, as the theme intends; on a wide screen, where the
// navigation sidebar is already shown, the first button hides or shows it.
document.addEventListener("DOMContentLoaded", () => {
  const wide = () => window.matchMedia("(min-width: 960px)").matches;
  for (const name of ["primary-toggle", "secondary-toggle"]) {
    const [bound, ...unbound] = document.querySelectorAll("." + name);
    for (const button of unbound) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        if (name === "primary-toggle" && wide()) {
          document.body.classList.toggle("book-hide-primary");
        } else {
          bound.click();
        }
      });
    }
  }

  // A drawer closes when the reader picks an entry in it (a link to a place on
  // the same page would otherwise move the page under the open drawer) and on
  // Escape, wherever the keyboard's focus is.
  const drawers = ["pst-primary-sidebar-modal", "pst-secondary-sidebar-modal"]
    .map((id) => document.getElementById(id))
    .filter((dialog) => dialog);
  for (const dialog of drawers) {
    dialog.addEventListener("click", (event) => {
      if (event.target.closest("a[href]")) {
        dialog.close();
      }
    });
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      for (const dialog of drawers.filter((d) => d.open)) {
        dialog.close();
      }
    }
  });
});
