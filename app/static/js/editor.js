/* A small rich-text editor for textareas marked data-rich-text. No dependencies, no CDN.
   The textarea stays the form field (and the no-JavaScript fallback, where it takes the
   allowed HTML); the editable region mirrors into it on every change. The server
   sanitises whatever arrives against its allow-list. */
(function () {
  "use strict";

  var COMMANDS = [
    { command: "bold", label: "data-label-bold" },
    { command: "italic", label: "data-label-italic" },
    { command: "insertUnorderedList", label: "data-label-bullets" },
    { command: "insertOrderedList", label: "data-label-numbers" },
    { command: "createLink", label: "data-label-link" }
  ];

  function enhance(textarea) {
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    var toolbar = document.createElement("div");
    toolbar.className = "editor-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", textarea.getAttribute("data-label-toolbar") || "Formatting");
    toolbar.setAttribute("aria-controls", textarea.id + "-editor");

    var region = document.createElement("div");
    region.id = textarea.id + "-editor";
    region.className = "editor-region";
    region.contentEditable = "true";
    region.setAttribute("role", "textbox");
    region.setAttribute("aria-multiline", "true");
    if (label) {
      if (!label.id) { label.id = textarea.id + "-label"; }
      region.setAttribute("aria-labelledby", label.id);
    }
    // A field that submitting needs says so on the editable region too.
    if (textarea.required) { region.setAttribute("aria-required", "true"); }
    if (textarea.getAttribute("aria-describedby")) {
      region.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    }
    region.innerHTML = textarea.value;

    function sync() { textarea.value = region.innerHTML; }

    COMMANDS.forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary editor-button";
      button.textContent = textarea.getAttribute(item.label) || item.command;
      button.addEventListener("click", function () {
        region.focus();
        if (item.command === "createLink") {
          var address = window.prompt(textarea.getAttribute("data-prompt-link") || "Web address (https://…)", "https://");
          if (!address || !/^(https?:|mailto:)/i.test(address)) { return; }
          document.execCommand("createLink", false, address);
        } else {
          document.execCommand(item.command, false, null);
        }
        sync();
      });
      toolbar.appendChild(button);
    });

    region.addEventListener("input", sync);
    region.addEventListener("blur", sync);
    textarea.form.addEventListener("submit", sync);
    textarea.hidden = true;
    textarea.setAttribute("aria-hidden", "true");
    textarea.parentNode.insertBefore(toolbar, textarea);
    textarea.parentNode.insertBefore(region, textarea);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-rich-text]"), enhance);
  });
})();
