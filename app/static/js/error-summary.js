/* Moves the focus to a form's error summary (data-error-summary, tabindex=-1) when the page opens with one,
   so keyboard and screen-reader users start from the list of every problem. Without JavaScript the summary
   is first in the main content. Its links move the focus to their field. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      // A group (checkboxes, radios) or a field hidden behind the rich-text editor: focus what the user can use.
      var usable = target;
      if (target.hidden || target.getAttribute("aria-hidden") === "true") {
        usable = document.getElementById(target.id + "-editor") || target;
      } else if (!target.matches("input, select, textarea")) {
        usable = target.querySelector("input, select, textarea") || target;
      }
      event.preventDefault();
      usable.focus();
      usable.scrollIntoView({ block: "center" });
    });
  });
})();
